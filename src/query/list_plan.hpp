// query/list_plan.hpp - a list query checked and typed (spec/query.md).
//
// The query layer turns the flat JSON query into a ListPlan, checking every
// key against the collection's declared fields. It knows no SQL: storage
// renders a plan, using only field names that a declaration vouched for.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace crm::query {

enum class FieldType { integer, text, boolean, date, timestamp };

/// One field of a collection, as the query layer sees it.
struct FieldDecl {
    std::string_view name;
    FieldType type;
    bool sortable;
};

/// A seed 001 `sortby` value and the ordering it stands for.
struct SortAlias {
    std::string_view name;
    std::string_view ordering;
};

/// A collection's listing declaration: its fields, once, as data.
struct CollectionDecl {
    std::string_view name;
    std::span<const FieldDecl> fields;
    std::string_view default_ordering;  ///< in `ordering` syntax
    std::span<const SortAlias> sort_aliases;
    const FieldDecl* find(std::string_view field) const noexcept;
};

const CollectionDecl& customers_decl() noexcept;

struct SortKey {
    const FieldDecl* field;
    bool descending = false;
};

enum class PagingStyle { page, offset };

struct ListPlan {
    const CollectionDecl* collection = nullptr;
    PagingStyle style = PagingStyle::page;
    std::int64_t page = 1, page_size = 50;  ///< style page
    std::int64_t offset = 0, limit = 100;   ///< style offset (seed 001 default limit)
    /// Sort keys in order; the `id` tie-breaker (ascending) is implied last
    /// and never listed here.
    std::vector<SortKey> order;
    bool count = true;

    std::int64_t skip() const noexcept { return style == PagingStyle::page ? (page - 1) * page_size : offset; }
    std::int64_t take() const noexcept { return style == PagingStyle::page ? page_size : limit; }
};

/// Checks `q` against `decl` and builds the plan. InvalidError naming each
/// bad key (unknown key, bad value, mixed paging styles, unknown sort field).
ListPlan plan_list(const CollectionDecl& decl, const boost::json::object& q);

}  // namespace crm::query

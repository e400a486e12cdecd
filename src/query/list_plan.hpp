// query/list_plan.hpp - a list query checked and typed (spec/query.md).
//
// The query layer turns the flat JSON query into a ListPlan, checking every
// key against the collection's declared fields. It knows no SQL: storage
// renders a plan, and only field names that a declaration vouched for (and
// that storage's own column table knows) ever become SQL identifiers.
#pragma once

#include "query/cursor.hpp"

#include <crm/types.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace crm::query {

enum class FieldType { integer, text, boolean, date, timestamp, json };

/// One field of a collection, as the query layer sees it.
struct FieldDecl {
    std::string_view name;
    FieldType type;
    bool sortable = false;
    /// Stored lower-case (email): text values are lower-cased before matching.
    bool lowercase = false;
    /// For text fields with a fixed set of values (kind, gender...).
    std::span<const std::string_view> choices = {};
    /// An integer field whose values are the indexes of `choices`: both the
    /// names and the numbers are accepted (order status: draft=0...).
    bool coded = false;
    /// `choices` match in any ASCII case (ticket payment_mode: "cash").
    bool any_case = false;
};

/// Another name for a field (`type` for `kind`, `pk` for `id`).
struct FieldAlias {
    std::string_view alias;
    std::string_view field;
};

/// A seed 001 `sortby` value and the ordering it stands for.
struct SortAlias {
    std::string_view name;
    std::string_view ordering;
};

enum class Op {
    eq, ne, in, not_in,                            // any scalar field
    startswith, istartswith, contains, icontains,  // text
    gt, gte, lt, lte,                              // integer, date, timestamp
    is_null, not_null,
    json_eq,                                       // <json field>__<key>
    has_coupon, lacks_coupon,                      // customers: coupon, coupon__exclude
    search,                                        // customers: q (full text)
};

/// A key a collection handles itself (not `<field>__<lookup>`).
struct SpecialKey {
    std::string_view key;
    Op op;
};

/// A collection's listing declaration: its fields, once, as data.
struct CollectionDecl {
    std::string_view name;
    std::span<const FieldDecl> fields;
    std::string_view default_ordering;  ///< in `ordering` syntax
    std::span<const SortAlias> sort_aliases = {};
    std::span<const FieldAlias> field_aliases = {};
    std::span<const SpecialKey> special_keys = {};
    const FieldDecl* find(std::string_view field) const noexcept;
};

const CollectionDecl& customers_decl() noexcept;
const CollectionDecl& orders_decl() noexcept;
const CollectionDecl& messages_decl() noexcept;
const CollectionDecl& forms_decl() noexcept;
const CollectionDecl& tickets_decl() noexcept;
const CollectionDecl& ledger_decl() noexcept;
const CollectionDecl& credit_requests_decl() noexcept;

/// A filter value, typed by its field: booleans are 0/1 integers.
using Value = std::variant<std::int64_t, std::string, Date, Timestamp>;

struct Filter {
    const FieldDecl* field = nullptr;  ///< nullptr for coupon and search filters
    Op op = Op::eq;
    std::vector<Value> values;         ///< one, or several for in/not_in
    std::string json_key;              ///< for json_eq
};

struct SortKey {
    const FieldDecl* field;
    bool descending = false;
};

enum class PagingStyle { page, offset, cursor };

struct ListPlan {
    const CollectionDecl* collection = nullptr;
    std::vector<Filter> filters;
    PagingStyle style = PagingStyle::page;
    std::int64_t page = 1, page_size = 50;  ///< style page (and cursor, when page_size was given)
    std::int64_t offset = 0, limit = 100;   ///< style offset (seed 001 default limit; cursor with limit)
    bool cursor_with_limit = false;         ///< cursor style: echo `limit` rather than `page_size`
    std::optional<CursorPosition> after;    ///< cursor style: rows strictly after this position
    std::uint64_t binding = 0;              ///< what cursors of this query are bound to
    /// Sort keys in order; the `id` tie-breaker (ascending) is implied last
    /// and never listed here.
    std::vector<SortKey> order;
    bool count = true;

    std::int64_t skip() const noexcept;
    std::int64_t take() const noexcept;
};

/// Checks `q` against `decl` and builds the plan. InvalidError naming each
/// bad key (unknown key, bad lookup or value, mixed paging styles, unknown
/// sort field, a cursor made by another query or altered).
ListPlan plan_list(const CollectionDecl& decl, const boost::json::object& q, const CursorKey& cursor_key);

}  // namespace crm::query

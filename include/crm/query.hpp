/// @file query.hpp
/// A list query (spec/query.md), built in C++ or taken as JSON.
///
/// A Query is the flat JSON object of spec/query.md; the builder methods only
/// set its keys, so `Query().page(2).page_size(10)` and
/// `Query::from_json({{"page",2},{"page_size",10}})` are the same query.
/// Nothing is checked here: the engine checks a query when it runs it and
/// throws crm::InvalidError naming the bad key.
#pragma once

#include <crm/crm.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace crm {

/// The lookups of spec/query.md, for the typed form of Query::where.
enum class Lookup {
    exact, in, exclude, startswith, istartswith, contains, icontains,
    gt, gte, lt, lte, date, date_gt, date_gte, date_lt, date_lte, isnull,
};

/// A list query: a JSON object of keys, set by the builder methods (each
/// returns `*this` and replaces an earlier value of its key). A plain value.
class CRM_API Query {
public:
    /// The empty query: first page, default ordering.
    Query() = default;
    /// The query as JSON. Throws crm::InvalidError unless `jv` is an object or null.
    static Query from_json(const boost::json::value& jv);

    Query& page(std::int64_t n);            ///< page number, from 1
    Query& page_size(std::int64_t n);       ///< 1..1000, default 50
    Query& offset(std::int64_t n);          ///< >= 0 (seed 001 style)
    Query& limit(std::int64_t n);           ///< 1..1000
    Query& cursor(std::string_view c);      ///< a previous page's next_cursor
    Query& ordering(std::string_view o);    ///< "last_name,-created_at"
    Query& count(bool on);                  ///< false skips counting
    /// Any other key: a filter such as ("email__startswith", "ann").
    Query& where(std::string_view key, boost::json::value v);
    /// The same, typed: where("email", Lookup::startswith, "ann") sets
    /// "email__startswith"; Lookup::exact sets the field itself.
    Query& where(std::string_view field, Lookup lookup, boost::json::value v);
    Query& search(std::string_view text);  ///< `q`: full-text search
    /// Seed 001 sorting: sortby (customers: default|name|company; orders:
    /// number|submitdate) and direction.
    Query& sortby(std::string_view name, bool descending = false);

    /// The keys set so far; valid while this Query lives and is not changed.
    const boost::json::object& json() const noexcept { return obj_; }

private:
    boost::json::object obj_;
};

}  // namespace crm

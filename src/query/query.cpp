// crm::Query: the builder only sets keys of the flat JSON query.
#include <crm/error.hpp>
#include <crm/query.hpp>

#include <string>

namespace crm {

Query Query::from_json(const boost::json::value& jv) {
    Query q;
    if (jv.is_null()) return q;
    if (!jv.is_object()) throw InvalidError("the query must be a JSON object");
    q.obj_ = jv.get_object();
    return q;
}

Query& Query::page(std::int64_t n) { obj_["page"] = n; return *this; }
Query& Query::page_size(std::int64_t n) { obj_["page_size"] = n; return *this; }
Query& Query::offset(std::int64_t n) { obj_["offset"] = n; return *this; }
Query& Query::limit(std::int64_t n) { obj_["limit"] = n; return *this; }
Query& Query::cursor(std::string_view c) { obj_["cursor"] = c; return *this; }
Query& Query::ordering(std::string_view o) { obj_["ordering"] = o; return *this; }
Query& Query::count(bool on) { obj_["count"] = on; return *this; }
Query& Query::where(std::string_view key, boost::json::value v) { obj_[key] = std::move(v); return *this; }

Query& Query::where(std::string_view field, Lookup lookup, boost::json::value v) {
    static constexpr std::string_view kSuffix[] = {
        "", "__in", "__exclude", "__startswith", "__istartswith", "__contains", "__icontains",
        "__gt", "__gte", "__lt", "__lte", "__date", "__date__gt", "__date__gte", "__date__lt", "__date__lte",
        "__isnull"};
    std::string key(field);
    key += kSuffix[static_cast<std::size_t>(lookup)];
    return where(key, std::move(v));
}

Query& Query::search(std::string_view text) { obj_["q"] = text; return *this; }

Query& Query::sortby(std::string_view name, bool descending) {
    obj_["sortby"] = name;
    obj_["direction"] = descending ? "desc" : "asc";
    return *this;
}

}  // namespace crm

#include "query/list_plan.hpp"

#include "domain/json_reader.hpp"

#include <crm/error.hpp>

#include <charconv>
#include <string>

namespace crm::query {

namespace json = boost::json;

const FieldDecl* CollectionDecl::find(std::string_view field) const noexcept {
    for (const auto& f : fields)
        if (f.name == field) return &f;
    return nullptr;
}

namespace {

constexpr FieldDecl kCustomerFields[] = {
    {"id", FieldType::integer, true},
    {"first_name", FieldType::text, true},
    {"last_name", FieldType::text, true},
    {"company_name", FieldType::text, true},
    {"email", FieldType::text, true},
    {"status", FieldType::integer, true},
    {"channel_code", FieldType::text, true},
    {"date_of_birth", FieldType::date, true},
    {"date_joined", FieldType::timestamp, true},
    {"credit_cents", FieldType::integer, true},
    {"created_at", FieldType::timestamp, true},
    {"updated_at", FieldType::timestamp, true},
};

constexpr SortAlias kCustomerAliases[] = {
    {"default", "company_name,last_name,first_name"},
    {"name", "last_name,first_name"},
    {"company", "company_name"},
};

const CollectionDecl kCustomers{"customers", kCustomerFields, "company_name,last_name,first_name", kCustomerAliases};

constexpr std::int64_t kMaxPageSize = 1000;

// An integer query value: a JSON integer or a string of digits (query strings).
std::optional<std::int64_t> int_value(const json::value& v) {
    if (auto i = domain::as_int(v)) return i;
    if (v.is_string()) {
        std::string_view s = v.get_string();
        std::int64_t out = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return out;
    }
    return std::nullopt;
}

class Planner {
public:
    Planner(const CollectionDecl& decl, ListPlan& plan) : decl_(decl), plan_(plan) {}

    void key(std::string_view k, const json::value& v) {
        if (k == "page" || k == "page_size") {
            style(k, PagingStyle::page);
            auto n = int_value(v);
            if (k == "page") {
                if (!n || *n < 1) return bad(k, "must be an integer >= 1");
                plan_.page = *n;
            } else {
                if (!n || *n < 1 || *n > kMaxPageSize) return bad(k, "must be an integer from 1 to 1000");
                plan_.page_size = *n;
            }
        } else if (k == "offset" || k == "limit") {
            style(k, PagingStyle::offset);
            auto n = int_value(v);
            if (k == "offset") {
                if (!n || *n < 0) return bad(k, "must be an integer >= 0");
                plan_.offset = *n;
            } else {
                if (!n || *n < 1 || *n > kMaxPageSize) return bad(k, "must be an integer from 1 to 1000");
                plan_.limit = *n;
            }
        } else if (k == "count") {
            auto b = domain::as_bool(v);
            if (!b) return bad(k, "must be true or false");
            plan_.count = *b;
        } else if (k == "ordering") {
            if (!v.is_string()) return bad(k, "must be a string of comma-separated fields");
            ordering_ = std::string(v.get_string());
        } else if (k == "sortby" && !decl_.sort_aliases.empty()) {
            if (!v.is_string()) return bad(k, "must be a string");
            sortby_ = std::string(v.get_string());
        } else if (k == "direction" && !decl_.sort_aliases.empty()) {
            if (!v.is_string() || (v.get_string() != "asc" && v.get_string() != "desc"))
                return bad(k, "must be asc or desc");
            descending_ = v.get_string() == "desc";
        } else if (k == "cursor") {
            bad(k, "keyset paging is not available yet");
        } else {
            bad(k, "is not a known filter, sort or paging key");
        }
    }

    void finish(const json::object& q) {
        std::string ordering;
        if (ordering_ && sortby_) {
            bad("sortby", "cannot be combined with ordering");
        } else if (ordering_) {
            ordering = *ordering_;
            if (q.contains("direction")) bad("direction", "goes with sortby, not ordering");
        } else if (sortby_) {
            const SortAlias* alias = nullptr;
            for (const auto& a : decl_.sort_aliases)
                if (a.name == *sortby_) alias = &a;
            if (!alias) {
                std::string names;
                for (const auto& a : decl_.sort_aliases) names += (names.empty() ? "" : ", ") + std::string(a.name);
                bad("sortby", "must be one of: " + names);
            } else {
                ordering = alias->ordering;
            }
        } else {
            ordering = decl_.default_ordering;
            if (descending_ && !decl_.sort_aliases.empty())  // direction alone applies to sortby=default
                ordering = decl_.sort_aliases.front().ordering;
        }
        parse_ordering(ordering, sortby_ && !ordering_ ? "sortby" : "ordering");
        if (descending_ && !ordering_)
            for (auto& k : plan_.order) k.descending = true;
    }

    std::vector<FieldError> errors;

private:
    void bad(std::string_view key, std::string message) { errors.push_back({std::string(key), std::move(message)}); }

    void style(std::string_view k, PagingStyle s) {
        if (style_set_ && plan_.style != s) bad(k, "cannot be mixed with another paging style");
        style_set_ = true;
        plan_.style = s;
    }

    void parse_ordering(std::string_view text, std::string_view key) {
        std::size_t start = 0;
        while (start <= text.size()) {
            std::size_t end = text.find(',', start);
            if (end == std::string_view::npos) end = text.size();
            std::string_view item = text.substr(start, end - start);
            bool desc = !item.empty() && item.front() == '-';
            if (desc) item.remove_prefix(1);
            const FieldDecl* f = decl_.find(item);
            if (!f || !f->sortable) {
                bad(key, "cannot sort by '" + std::string(item) + "'");
            } else {
                plan_.order.push_back({f, desc});
            }
            start = end + 1;
        }
    }

    const CollectionDecl& decl_;
    ListPlan& plan_;
    bool style_set_ = false;
    std::optional<std::string> ordering_, sortby_;
    bool descending_ = false;
};

}  // namespace

const CollectionDecl& customers_decl() noexcept { return kCustomers; }

ListPlan plan_list(const CollectionDecl& decl, const json::object& q) {
    ListPlan plan;
    plan.collection = &decl;
    Planner p(decl, plan);
    for (const auto& kv : q) p.key(kv.key(), kv.value());
    p.finish(q);
    if (!p.errors.empty()) throw InvalidError(std::move(p.errors));
    return plan;
}

}  // namespace crm::query

#include "query/list_plan.hpp"

#include <limits>

#include "domain/json_reader.hpp"
#include "domain/text.hpp"

#include <crm/error.hpp>

#include <fmt/format.h>

#include <charconv>
#include <string>

namespace crm::query {

namespace json = boost::json;

const FieldDecl* CollectionDecl::find(std::string_view field) const noexcept {
    for (const auto& f : fields)
        if (f.name == field) return &f;
    return nullptr;
}

std::int64_t ListPlan::skip() const noexcept {
    switch (style) {
        case PagingStyle::page:
            // Saturates: a page far past the end is empty, never a wrapped offset.
            if (page - 1 > std::numeric_limits<std::int64_t>::max() / page_size) return std::numeric_limits<std::int64_t>::max();
            return (page - 1) * page_size;
        case PagingStyle::offset: return offset;
        case PagingStyle::cursor: break;
    }
    return 0;
}

std::int64_t ListPlan::take() const noexcept {
    if (style == PagingStyle::offset || (style == PagingStyle::cursor && cursor_with_limit)) return limit;
    return page_size;
}

namespace {

using FT = FieldType;

// --- the customers declaration (spec/query.md, settled details) ----------

constexpr std::string_view kKinds[] = {"person", "company"};
constexpr std::string_view kGenders[] = {"male", "female", "other", "unknown"};
constexpr std::string_view kUserTypes[] = {"guest", "registered"};

constexpr FieldDecl kCustomerFields[] = {
    {"id", FT::integer, true},
    {"uuid", FT::text},
    {"kind", FT::text, false, false, kKinds},
    {"first_name", FT::text, true},
    {"last_name", FT::text, true},
    {"company_name", FT::text, true},
    {"email", FT::text, true, true},
    {"phone", FT::text},
    {"mobile", FT::text},
    {"gender", FT::text, false, false, kGenders},
    {"date_of_birth", FT::date, true},
    {"note", FT::text},
    {"status", FT::integer, true},
    {"is_active", FT::boolean},
    {"archived", FT::boolean},
    {"archived_at", FT::timestamp},
    {"accepts_marketing", FT::boolean},
    {"email_allowed", FT::boolean},
    {"sms_allowed", FT::boolean},
    {"call_allowed", FT::boolean},
    {"user_type", FT::text, false, false, kUserTypes},
    {"channel_id", FT::integer},
    {"channel_code", FT::text, true},
    {"erp_code", FT::text},
    {"crm_id", FT::text},
    {"ref_id", FT::text},
    {"account", FT::text},
    {"loyalty_card", FT::text},
    {"date_joined", FT::timestamp, true},
    {"attributes", FT::json},
    {"extra_field", FT::json},
    {"localized_attributes", FT::json},
    {"credit_cents", FT::integer, true},
    {"refusal_count", FT::integer},
    {"last_payment_date", FT::date},
    {"last_payment_cents", FT::integer},
    {"average_basket_cents", FT::integer},
    {"created_at", FT::timestamp, true},
    {"updated_at", FT::timestamp, true},
};

constexpr SortAlias kCustomerSortAliases[] = {
    {"default", "company_name,last_name,first_name"},
    {"name", "last_name,first_name"},
    {"company", "company_name"},
};

constexpr FieldAlias kCustomerFieldAliases[] = {
    {"type", "kind"},                 // seed 001
    {"pk", "id"},                     // seeds 000 and 002
    {"created_date", "created_at"},   // seed 002
    {"channel", "channel_id"},        // seed 002
};

constexpr SpecialKey kCustomerSpecialKeys[] = {
    {"coupon", Op::has_coupon},
    {"coupon__exclude", Op::lacks_coupon},
    {"q", Op::search},
};

const CollectionDecl kCustomers{"customers",          kCustomerFields,       "company_name,last_name,first_name",
                                kCustomerSortAliases, kCustomerFieldAliases, kCustomerSpecialKeys};

// --- limits -----------------------------------------------------------------

// --- orders, messages, forms ---------------------------------------------

constexpr std::string_view kOrderStatuses[] = {"draft", "submitted", "revoked"};

constexpr FieldDecl kOrderFields[] = {
    {"id", FT::integer, true},
    {"customer_id", FT::integer},
    {"number", FT::integer, true},
    {"date", FT::timestamp, true},
    {"status", FT::integer, true, false, kOrderStatuses, true},
    {"submit_date", FT::timestamp, true},
    {"type", FT::integer},
    {"quantity", FT::integer},
    {"activation_limit", FT::integer},
    {"description", FT::text},
    {"is_demo", FT::boolean},
    {"archived", FT::boolean},
    {"archived_at", FT::timestamp},
    {"can_overwrite_container", FT::boolean},
    {"customer_required", FT::boolean},
    {"activation_birth_date", FT::timestamp},
    {"activation_death_date", FT::timestamp},
    {"crm_id", FT::text},
    {"ref_id", FT::text},
    {"total_cents", FT::integer},
    {"created_at", FT::timestamp, true},
    {"updated_at", FT::timestamp},
};

constexpr SortAlias kOrderSortAliases[] = {
    {"number", "number"},
    {"submitdate", "submit_date"},
};

const CollectionDecl kOrders{"orders", kOrderFields, "number", kOrderSortAliases};

constexpr FieldDecl kMessageFields[] = {
    {"id", FT::integer, true},
    {"customer_id", FT::integer},
    {"context", FT::text},
    {"created_at", FT::timestamp, true},
};

const CollectionDecl kMessages{"messages", kMessageFields, "id"};

constexpr FieldDecl kFormFields[] = {
    {"id", FT::integer, true},
    {"name", FT::text, true},
    {"active", FT::boolean},
};

const CollectionDecl kForms{"forms", kFormFields, "id"};

// --- tickets, ledger, credit requests ----------------------------------------

constexpr std::string_view kPaymentModes[] = {"CASH", "CARD", "CHECK", "TRANSFER", "OTHER"};

constexpr FieldDecl kTicketFields[] = {
    {"id", FT::integer, true},
    {"customer_id", FT::integer},
    {"customer_uuid", FT::text},
    {"date", FT::timestamp, true},
    {"payment_mode", FT::text, false, false, kPaymentModes, false, true},
    {"origin", FT::text},
    {"total_cents", FT::integer, true},
    {"loyalty_points_cents", FT::integer},
    {"ref", FT::text},
    {"created_at", FT::timestamp, true},
};

const CollectionDecl kTickets{"tickets", kTicketFields, "-date"};

constexpr std::string_view kLedgerReasons[] = {"accrual", "redemption", "reversal", "import", "adjustment"};

constexpr FieldDecl kLedgerFields[] = {
    {"id", FT::integer, true},
    {"customer_id", FT::integer},
    {"delta_cents", FT::integer},
    {"reason", FT::text, false, false, kLedgerReasons},
    {"ref", FT::text},
    {"ticket_id", FT::integer},
    {"created_at", FT::timestamp, true},
};

const CollectionDecl kLedger{"ledger", kLedgerFields, "id"};

constexpr FieldDecl kCreditRequestFields[] = {
    {"id", FT::integer, true},
    {"customer_id", FT::integer},
    {"customer_uuid", FT::text},
    {"amount_cents", FT::integer},
    {"date", FT::date, true},
    {"allowed", FT::boolean},
    {"created_at", FT::timestamp, true},
};

const CollectionDecl kCreditRequests{"credit_requests", kCreditRequestFields, "id"};

constexpr std::int64_t kMaxPageSize = 1000;
constexpr std::size_t kMaxListValues = 1000;
constexpr std::size_t kMaxSearchWords = 16;
constexpr std::size_t kMaxTextValue = 1000;

// --- values -----------------------------------------------------------------

std::optional<std::int64_t> parse_int(std::string_view s) {
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return out;
}

// An integer query value: a JSON integer or a string of digits (query strings).
std::optional<std::int64_t> int_value(const json::value& v) {
    if (auto i = domain::as_int(v)) return i;
    if (v.is_string()) return parse_int(v.get_string());
    return std::nullopt;
}

Timestamp midnight(Date d) { return Timestamp{std::chrono::sys_days{d}}; }

// One scalar of a field's type, from JSON, or from a string when it came
// out of a comma-separated list. Sets `why` when it fails.
std::optional<Value> scalar(const FieldDecl& f, const json::value& v, std::string& why) {
    switch (f.type) {
        case FT::integer:
            if (f.coded) {  // a name of `choices`, or its index
                if (v.is_string())
                    for (std::size_t i = 0; i < f.choices.size(); ++i)
                        if (v.get_string() == f.choices[i]) return Value{static_cast<std::int64_t>(i)};
                if (auto i = int_value(v); i && *i >= 0 && *i < static_cast<std::int64_t>(f.choices.size()))
                    return Value{*i};
                why = "must be one of:";
                for (std::size_t i = 0; i < f.choices.size(); ++i)
                    why += (i ? ", " : " ") + std::string(f.choices[i]) + " (" + std::to_string(i) + ")";
                return std::nullopt;
            }
            if (auto i = int_value(v)) return Value{*i};
            why = "must be an integer";
            return std::nullopt;
        case FT::boolean:
            if (auto b = domain::as_bool(v)) return Value{std::int64_t{*b ? 1 : 0}};
            if (v.is_string() && (v.get_string() == "1" || v.get_string() == "0"))  // an item of "0,1"
                return Value{std::int64_t{v.get_string() == "1" ? 1 : 0}};
            why = "must be true or false";
            return std::nullopt;
        case FT::date:
            if (v.is_string())
                if (auto d = parse_date(v.get_string())) return Value{*d};
            why = "must be a date (YYYY-MM-DD)";
            return std::nullopt;
        case FT::timestamp:
            if (v.is_string()) {
                if (auto t = parse_timestamp(v.get_string())) return Value{*t};
                if (auto d = parse_date(v.get_string())) return Value{midnight(*d)};
            }
            why = "must be an RFC 3339 timestamp or a date";
            return std::nullopt;
        case FT::text: {
            std::string s;
            if (v.is_string())
                s = std::string(v.get_string());
            else if (auto i = domain::as_int(v))
                s = std::to_string(*i);
            else {
                why = "must be a string";
                return std::nullopt;
            }
            if (s.find('\0') != std::string::npos) {
                why = "must not contain NUL characters";
                return std::nullopt;
            }
            if (s.size() > kMaxTextValue) {
                why = "is too long";
                return std::nullopt;
            }
            if (!f.choices.empty()) {
                // any_case fields take any case, as their model does ("cash" is CASH).
                bool ok = false;
                for (auto c : f.choices)
                    if (c == s || (f.any_case && domain::ascii_lower(c) == domain::ascii_lower(s))) {
                        s = std::string(c);
                        ok = true;
                    }
                if (!ok) {
                    why = "must be one of:";
                    for (auto c : f.choices) why += (why.back() == ':' ? " " : ", ") + std::string(c);
                    return std::nullopt;
                }
            }
            if (f.lowercase) s = domain::ascii_lower(s);
            return Value{std::move(s)};
        }
        case FT::json: break;
    }
    why = "cannot be filtered directly";
    return std::nullopt;
}

// An array, or a comma-separated string, of scalars (`__in`, `__exclude`).
std::optional<std::vector<Value>> scalar_list(const FieldDecl& f, const json::value& v, std::string& why) {
    std::vector<Value> out;
    auto add = [&](const json::value& item) {
        auto s = scalar(f, item, why);
        if (!s) return false;
        out.push_back(std::move(*s));
        return true;
    };
    if (v.is_array()) {
        for (const auto& item : v.get_array())
            if (!add(item)) return std::nullopt;
    } else if (v.is_string()) {
        std::string_view s = v.get_string();
        std::size_t start = 0;
        while (start <= s.size()) {
            std::size_t end = s.find(',', start);
            if (end == std::string_view::npos) end = s.size();
            if (!add(json::value(domain::trim(s.substr(start, end - start))))) return std::nullopt;
            start = end + 1;
        }
    } else if (!add(v)) {
        return std::nullopt;
    }
    if (out.empty()) {
        why = "must list at least one value";
        return std::nullopt;
    }
    if (out.size() > kMaxListValues) {
        why = "must list at most 1000 values";
        return std::nullopt;
    }
    return out;
}

// `q`: the words (runs of letters and digits; any non-ASCII character counts
// as a letter, the FTS tokenizer decides the rest).
std::vector<std::string> search_words(std::string_view text) {
    std::vector<std::string> words;
    std::string cur;
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        bool word_char = u >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (word_char) {
            cur += c;
        } else if (!cur.empty()) {
            words.push_back(std::move(cur));
            cur.clear();
        }
    }
    if (!cur.empty()) words.push_back(std::move(cur));
    return words;
}

// --- the planner --------------------------------------------------------------

class Planner {
public:
    Planner(const CollectionDecl& decl, ListPlan& plan) : decl_(decl), plan_(plan) {}

    void key(std::string_view k, const json::value& v) {
        if (k == "page") {
            has_page_ = true;
            auto n = int_value(v);
            if (!n || *n < 1) return bad(k, "must be an integer >= 1");
            plan_.page = *n;
        } else if (k == "page_size") {
            has_page_size_ = true;
            auto n = int_value(v);
            if (!n || *n < 1 || *n > kMaxPageSize) return bad(k, "must be an integer from 1 to 1000");
            plan_.page_size = *n;
        } else if (k == "offset") {
            has_offset_ = true;
            auto n = int_value(v);
            if (!n || *n < 0) return bad(k, "must be an integer >= 0");
            plan_.offset = *n;
        } else if (k == "limit") {
            has_limit_ = true;
            auto n = int_value(v);
            if (!n || *n < 1 || *n > kMaxPageSize) return bad(k, "must be an integer from 1 to 1000");
            plan_.limit = *n;
        } else if (k == "cursor") {
            if (!v.is_string() || v.get_string().empty()) return bad(k, "must be a next_cursor string");
            cursor_ = std::string(v.get_string());
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
            has_direction_ = true;
            descending_ = v.get_string() == "desc";
        } else {
            filter(k, v);
        }
    }

    void finish(const json::object& q, const CursorKey& cursor_key) {
        paging_style();
        ordering();
        plan_.binding = query_binding(cursor_key, decl_.name, q);
        if (cursor_ && errors.empty()) {
            auto pos = decode_cursor(cursor_key, plan_.binding, *cursor_);
            if (!pos || pos->sort_values.size() != plan_.order.size())
                bad("cursor", "is not a cursor of this query (filters and ordering must be the same as for the page "
                              "that gave it)");
            else
                plan_.after = std::move(*pos);
        }
    }

    std::vector<FieldError> errors;

private:
    void bad(std::string_view key, std::string message) { errors.push_back({std::string(key), std::move(message)}); }

    void paging_style() {
        if (cursor_) {
            if (has_page_) bad("page", "cannot be combined with cursor");
            if (has_offset_) bad("offset", "cannot be combined with cursor");
            if (has_page_size_ && has_limit_) bad("limit", "cannot be combined with page_size");
            plan_.style = PagingStyle::cursor;
            plan_.cursor_with_limit = has_limit_;
        } else if ((has_page_ || has_page_size_) && (has_offset_ || has_limit_)) {
            bad(has_offset_ ? "offset" : "limit", "cannot be mixed with page/page_size paging");
        } else if (has_offset_ || has_limit_) {
            plan_.style = PagingStyle::offset;
        }
    }

    void ordering() {
        std::string text;
        std::string_view key = "ordering";
        if (ordering_ && sortby_) {
            return bad("sortby", "cannot be combined with ordering");
        } else if (ordering_) {
            text = *ordering_;
            if (has_direction_) bad("direction", "goes with sortby, not with ordering");
        } else if (sortby_) {
            key = "sortby";
            const SortAlias* alias = nullptr;
            for (const auto& a : decl_.sort_aliases)
                if (a.name == *sortby_) alias = &a;
            if (!alias) {
                std::string names;
                for (const auto& a : decl_.sort_aliases) names += (names.empty() ? "" : ", ") + std::string(a.name);
                return bad("sortby", "must be one of: " + names);
            }
            text = alias->ordering;
        } else {
            text = decl_.default_ordering;
        }
        std::size_t start = 0;
        while (start <= text.size()) {
            std::size_t end = text.find(',', start);
            if (end == std::string::npos) end = text.size();
            std::string_view item = domain::trim(std::string_view(text).substr(start, end - start));
            bool desc = !item.empty() && item.front() == '-';
            if (desc) item.remove_prefix(1);
            const FieldDecl* f = decl_.find(item);
            if (!f || !f->sortable)
                bad(key, "cannot sort by '" + std::string(item) + "'");
            else
                plan_.order.push_back({f, desc != (descending_ && !ordering_)});
            start = end + 1;
        }
    }

    void filter(std::string_view k, const json::value& v) {
        for (const auto& s : decl_.special_keys)
            if (s.key == k) return special(k, s.op, v);
        std::string_view base = k, rest;
        if (auto sep = k.find("__"); sep != std::string_view::npos) {
            base = k.substr(0, sep);
            rest = k.substr(sep + 2);
            if (rest.empty()) return bad(k, "names no lookup after '__'");
        }
        for (const auto& a : decl_.field_aliases)
            if (a.alias == base) base = a.field;
        const FieldDecl* f = decl_.find(base);
        if (!f) return bad(k, "is not a known filter, sort or paging key");
        if (f->type == FT::json) return json_key(k, *f, rest, v);
        lookup(k, *f, rest, v);
    }

    void special(std::string_view k, Op op, const json::value& v) {
        static constexpr FieldDecl kCode{"coupon", FT::text};
        std::string why;
        if (op == Op::search) {
            if (!v.is_string()) return bad(k, "must be a string");
            if (v.get_string().find('\0') != std::string_view::npos || v.get_string().size() > kMaxTextValue)
                return bad(k, "must be a search text without NUL characters, at most 1000 bytes");
            auto words = search_words(v.get_string());
            if (words.size() > kMaxSearchWords) return bad(k, "must have at most 16 words");
            Filter filter{nullptr, op, {}, {}};
            for (auto& w : words) filter.values.emplace_back(std::move(w));
            if (!filter.values.empty()) plan_.filters.push_back(std::move(filter));  // no words: no condition
            return;
        }
        std::optional<std::vector<Value>> values;
        if (op == Op::has_coupon) {
            if (auto one = scalar(kCode, v, why)) values.emplace(1, std::move(*one));
        } else {
            values = scalar_list(kCode, v, why);
        }
        if (!values) return bad(k, why);
        plan_.filters.push_back({nullptr, op, std::move(*values), {}});
    }

    void json_key(std::string_view k, const FieldDecl& f, std::string_view key, const json::value& v) {
        if (key.empty()) return bad(k, "filters a JSON field by one of its keys: " + std::string(f.name) + "__<key>");
        for (char c : key)
            if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
                return bad(k, "a JSON key filter's key must not hold quotes, backslashes or control characters");
        std::string text;
        if (v.is_string())
            text = std::string(v.get_string());
        else if (v.is_bool())
            text = v.get_bool() ? "1" : "0";  // SQLite's JSON true/false read as 1/0
        else if (auto i = domain::as_int(v))
            text = std::to_string(*i);
        else if (v.is_number())
            text = fmt::format("{}", v.to_number<double>());  // shortest form, as SQLite writes REALs
        else
            return bad(k, "must be a string, number or boolean");
        if (text.find('\0') != std::string::npos) return bad(k, "must not contain NUL characters");
        plan_.filters.push_back({&f, Op::json_eq, {Value{std::move(text)}}, std::string(key)});
    }

    void lookup(std::string_view k, const FieldDecl& f, std::string_view lookup, const json::value& v) {
        std::string why;
        auto one = [&](Op op) {
            if (v.is_null()) return bad(k, "must not be null (use __isnull)");
            auto x = scalar(f, v, why);
            if (!x) return bad(k, why);
            plan_.filters.push_back({&f, op, {std::move(*x)}, {}});
        };
        auto many = [&](Op op) {
            auto xs = scalar_list(f, v, why);
            if (!xs) return bad(k, why);
            plan_.filters.push_back({&f, op, std::move(*xs), {}});
        };
        const bool text = f.type == FT::text, ordered = f.type == FT::integer || f.type == FT::date ||
                                                        f.type == FT::timestamp;
        if (lookup.empty()) {
            // A coded field lists its values as seed 001 does: status=0,1 or ["draft","submitted"].
            if (f.coded && (v.is_array() || (v.is_string() && v.get_string().find(',') != std::string_view::npos)))
                return many(Op::in);
            return one(Op::eq);
        }
        if (lookup == "in") return many(Op::in);
        if (lookup == "exclude") return many(Op::not_in);
        if (lookup == "isnull") {
            auto b = domain::as_bool(v);
            if (!b) return bad(k, "must be true or false");
            plan_.filters.push_back({&f, *b ? Op::is_null : Op::not_null, {}, {}});
            return;
        }
        static constexpr std::pair<std::string_view, Op> kText[] = {
            {"startswith", Op::startswith}, {"istartswith", Op::istartswith},
            {"contains", Op::contains},     {"icontains", Op::icontains}};
        for (const auto& [name, op] : kText)
            if (lookup == name) {
                if (!text) return bad(k, "'" + std::string(name) + "' applies to text fields only");
                if (!f.lowercase && (op == Op::istartswith || op == Op::icontains)) {
                    // compared lower-cased on both sides (ASCII, as SQLite's NOCASE)
                    auto x = scalar(f, v, why);
                    if (!x) return bad(k, why);
                    plan_.filters.push_back({&f, op, {Value{domain::ascii_lower(std::get<std::string>(*x))}}, {}});
                    return;
                }
                return one(op);
            }
        static constexpr std::pair<std::string_view, Op> kOrder[] = {
            {"gt", Op::gt}, {"gte", Op::gte}, {"lt", Op::lt}, {"lte", Op::lte}};
        for (const auto& [name, op] : kOrder)
            if (lookup == name) {
                if (!ordered) return bad(k, "'" + std::string(name) + "' applies to numbers, dates and timestamps only");
                return one(op);
            }
        if (lookup == "date" || lookup.starts_with("date__")) return date_lookup(k, f, lookup, v);
        bad(k, "'" + std::string(lookup) + "' is not a known lookup");
    }

    // date, date__gt...: a timestamp compared by its UTC date, rendered as a
    // range of timestamps so that indexes serve it.
    void date_lookup(std::string_view k, const FieldDecl& f, std::string_view lookup, const json::value& v) {
        if (f.type != FT::timestamp) return bad(k, "date lookups apply to timestamps only");
        std::optional<Date> d;
        if (v.is_string()) d = parse_date(v.get_string());
        if (!d) return bad(k, "must be a date (YYYY-MM-DD)");
        const Timestamp start = midnight(*d), next = start + std::chrono::days{1};
        auto add = [&](Op op, Timestamp t) { plan_.filters.push_back({&f, op, {Value{t}}, {}}); };
        if (lookup == "date") {
            add(Op::gte, start);
            add(Op::lt, next);
        } else if (lookup == "date__gt") {
            add(Op::gte, next);
        } else if (lookup == "date__gte") {
            add(Op::gte, start);
        } else if (lookup == "date__lt") {
            add(Op::lt, start);
        } else if (lookup == "date__lte") {
            add(Op::lt, next);
        } else {
            bad(k, "'" + std::string(lookup) + "' is not a known lookup");
        }
    }

    const CollectionDecl& decl_;
    ListPlan& plan_;
    bool has_page_ = false, has_page_size_ = false, has_offset_ = false, has_limit_ = false;
    bool has_direction_ = false, descending_ = false;
    std::optional<std::string> ordering_, sortby_, cursor_;
};

}  // namespace

const CollectionDecl& customers_decl() noexcept { return kCustomers; }
const CollectionDecl& orders_decl() noexcept { return kOrders; }
const CollectionDecl& messages_decl() noexcept { return kMessages; }
const CollectionDecl& forms_decl() noexcept { return kForms; }
const CollectionDecl& tickets_decl() noexcept { return kTickets; }
const CollectionDecl& ledger_decl() noexcept { return kLedger; }
const CollectionDecl& credit_requests_decl() noexcept { return kCreditRequests; }

ListPlan plan_list(const CollectionDecl& decl, const json::object& q, const CursorKey& cursor_key) {
    ListPlan plan;
    plan.collection = &decl;
    Planner p(decl, plan);
    for (const auto& kv : q) p.key(kv.key(), kv.value());
    p.finish(q, cursor_key);
    if (!p.errors.empty()) throw InvalidError(std::move(p.errors));
    return plan;
}

}  // namespace crm::query

#include "domain/customer_rules.hpp"

#include "domain/json_reader.hpp"
#include "domain/text.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <string>
#include <unordered_set>

namespace crm::domain {

namespace {

constexpr std::size_t kJsonFieldMax = 1 << 20;  // bytes of JSON text per object field
constexpr std::size_t kNameMax = 200;
constexpr std::size_t kNoteMax = 10'000;
constexpr std::size_t kCodeMax = 100;
constexpr std::size_t kEmailMax = 254;
constexpr std::size_t kCardMax = 32;
constexpr std::size_t kCouponMax = 64;
constexpr Date kOldestBirth{std::chrono::year{1900}, std::chrono::January, std::chrono::day{1}};

void max_length(const std::optional<std::string>& s, const char* field, std::size_t max,
                std::vector<FieldError>& errors) {
    if (s && utf8_length(*s) > max)
        errors.push_back({field, "must be at most " + std::to_string(max) + " characters"});
}

bool valid_email(std::string_view e) {
    auto at = e.find('@');
    if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) return false;
    if (std::any_of(e.begin(), e.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }))
        return false;
    std::string_view domain = e.substr(at + 1);
    if (domain.empty() || domain.find('.') == std::string_view::npos) return false;
    if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return false;
    return true;
}

// Optional '+', then digits and separators (space - . ( )), 6..20 digits.
bool valid_phone(std::string_view p) {
    if (!p.empty() && p.front() == '+') p.remove_prefix(1);
    int digits = 0;
    for (char c : p) {
        if (c >= '0' && c <= '9')
            ++digits;
        else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
            return false;
    }
    return digits >= 6 && digits <= 20;
}

bool alnum(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
}

}  // namespace

Customer parse_customer(const boost::json::value& jv, std::vector<FieldError>& errors) {
    Customer c;
    if (!jv.is_object()) {
        errors.push_back({"", "the customer must be a JSON object"});
        return c;
    }
    static constexpr std::string_view kReadOnly[] = {
        "id", "uuid", "full_name", "age", "archived_at", "credit_cents", "refusal_count",
        "last_payment_date", "last_payment_cents", "average_basket_cents", "created_at", "updated_at"};
    JsonReader r(jv.get_object(), errors, kReadOnly);
    r.enumeration("kind", c.kind, {{"person", CustomerKind::person}, {"company", CustomerKind::company}});
    r.text("first_name", c.first_name);
    r.text("last_name", c.last_name);
    r.text("company_name", c.company_name);
    r.text("email", c.email);
    r.text("phone", c.phone);
    r.text("mobile", c.mobile);
    r.enumeration("gender", c.gender,
                  {{"male", Gender::male}, {"female", Gender::female}, {"other", Gender::other}, {"unknown", Gender::unknown}});
    r.date("date_of_birth", c.date_of_birth);
    r.text("note", c.note);
    r.integer("status", c.status);
    r.boolean("is_active", c.is_active);
    r.boolean("archived", c.archived);
    r.boolean("accepts_marketing", c.accepts_marketing);
    r.boolean("email_allowed", c.email_allowed);
    r.boolean("sms_allowed", c.sms_allowed);
    r.boolean("call_allowed", c.call_allowed);
    r.enumeration("user_type", c.user_type, {{"guest", UserType::guest}, {"registered", UserType::registered}});
    r.integer("channel_id", c.channel_id);
    r.text("channel_code", c.channel_code);
    r.text("erp_code", c.erp_code);
    r.text("crm_id", c.crm_id);
    r.text("ref_id", c.ref_id);
    r.text("account", c.account);
    if (const auto* card = r.raw("loyalty_card")) {
        // A number is accepted and kept as its decimal text (seed 003's carteFid).
        if (auto n = as_int(*card); n && *n >= 0)
            c.loyalty_card = std::to_string(*n);
        else if (card->is_string())
            c.loyalty_card = as_text(*card, "loyalty_card", errors);
        else
            r.error("loyalty_card", "must be a string of letters and digits");
    }
    r.text_array("coupons", c.coupons);
    r.timestamp("date_joined", c.date_joined);
    r.object("attributes", c.attributes);
    r.object("extra_field", c.extra_field);
    r.object("localized_attributes", c.localized_attributes);
    r.finish();
    return c;
}

void normalize(Customer& c) {
    for (auto* s : {&c.first_name, &c.last_name, &c.company_name, &c.email, &c.phone, &c.mobile, &c.note,
                    &c.channel_code, &c.erp_code, &c.crm_id, &c.ref_id, &c.account, &c.loyalty_card})
        normalize_text(*s);
    if (c.email) c.email = ascii_lower(*c.email);
    for (auto& code : c.coupons)
        if (std::string_view t = trim(code); t.size() != code.size()) code = std::string(t);
}

void validate(const Customer& c, Date today, std::vector<FieldError>& errors) {
    // A documented limit, so that no customer grows without bound: each JSON
    // object field holds at most kJsonFieldMax bytes of JSON text.
    for (const auto& [name, obj] : {std::pair<const char*, const boost::json::object*>{"attributes", &c.attributes},
                                    {"extra_field", &c.extra_field},
                                    {"localized_attributes", &c.localized_attributes}})
        if (!obj->empty() && boost::json::serialize(*obj).size() > kJsonFieldMax)
            errors.push_back({name, "must be at most 1 MiB of JSON"});
    max_length(c.first_name, "first_name", kNameMax, errors);
    max_length(c.last_name, "last_name", kNameMax, errors);
    max_length(c.company_name, "company_name", kNameMax, errors);
    if (c.kind == CustomerKind::company && !c.company_name)
        errors.push_back({"company_name", "is required when kind is company"});
    if (c.email) {
        if (c.email->size() > kEmailMax)
            errors.push_back({"email", "must be at most 254 characters"});
        else if (!valid_email(*c.email))
            errors.push_back({"email", "is not a valid email address"});
    }
    if (c.phone && !valid_phone(*c.phone))
        errors.push_back({"phone", "must be an optional + then 6 to 20 digits and separators (space - . ( ))"});
    if (c.mobile && !valid_phone(*c.mobile))
        errors.push_back({"mobile", "must be an optional + then 6 to 20 digits and separators (space - . ( ))"});
    if (c.date_of_birth && (*c.date_of_birth < kOldestBirth || *c.date_of_birth > today))
        errors.push_back({"date_of_birth", "must be between 1900-01-01 and today"});
    max_length(c.note, "note", kNoteMax, errors);
    if (c.status < 0) errors.push_back({"status", "must be >= 0"});
    if (c.channel_id && *c.channel_id < 1) errors.push_back({"channel_id", "must be >= 1"});
    max_length(c.channel_code, "channel_code", kCodeMax, errors);
    max_length(c.erp_code, "erp_code", kCodeMax, errors);
    max_length(c.crm_id, "crm_id", kCodeMax, errors);
    max_length(c.ref_id, "ref_id", kCodeMax, errors);
    max_length(c.account, "account", kCodeMax, errors);
    if (c.loyalty_card && (c.loyalty_card->size() > kCardMax || !alnum(*c.loyalty_card)))
        errors.push_back({"loyalty_card", "must be 1 to 32 letters or digits"});
    std::unordered_set<std::string_view> seen;
    for (std::size_t i = 0; i < c.coupons.size(); ++i) {
        const std::string& code = c.coupons[i];
        std::string field = "coupons[" + std::to_string(i) + "]";
        if (code.empty())
            errors.push_back({field, "must not be empty"});
        else if (utf8_length(code) > kCouponMax)
            errors.push_back({field, "must be at most 64 characters"});
        else if (!seen.insert(code).second)
            errors.push_back({field, "is a duplicate coupon code"});
    }
}

void compute_derived(Customer& c, Date today) {
    if (c.first_name || c.last_name) {
        c.full_name = c.first_name.value_or("");
        if (c.first_name && c.last_name) c.full_name += ' ';
        c.full_name += c.last_name.value_or("");
    } else {
        c.full_name = c.company_name.value_or("");
    }
    if (c.date_of_birth) {
        const Date& b = *c.date_of_birth;
        int years = static_cast<int>(today.year()) - static_cast<int>(b.year());
        if (today.month() < b.month() || (today.month() == b.month() && today.day() < b.day())) --years;
        c.age = years;
    } else {
        c.age.reset();
    }
}

void keep_read_only(Customer& incoming, const Customer& stored) {
    incoming.id = stored.id;
    incoming.uuid = stored.uuid;
    incoming.archived_at = stored.archived_at;
    incoming.credit_cents = stored.credit_cents;
    incoming.refusal_count = stored.refusal_count;
    incoming.last_payment_date = stored.last_payment_date;
    incoming.last_payment_cents = stored.last_payment_cents;
    incoming.average_basket_cents = stored.average_basket_cents;
    incoming.created_at = stored.created_at;
    incoming.updated_at = stored.updated_at;
}

}  // namespace crm::domain

// JSON conversion of crm::Customer (Boost.JSON tag_invoke).
#include <crm/customer.hpp>
#include <crm/error.hpp>

#include "domain/customer_rules.hpp"

#include <boost/json/array.hpp>

namespace crm {

namespace json = boost::json;

std::string_view to_string(CustomerKind k) noexcept { return k == CustomerKind::company ? "company" : "person"; }

std::string_view to_string(Gender g) noexcept {
    switch (g) {
        case Gender::male: return "male";
        case Gender::female: return "female";
        case Gender::other: return "other";
        case Gender::unknown: break;
    }
    return "unknown";
}

std::string_view to_string(UserType t) noexcept { return t == UserType::guest ? "guest" : "registered"; }

namespace {
json::value opt(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value opt(const std::optional<std::int64_t>& i) { return i ? json::value(*i) : json::value(nullptr); }
json::value opt(const std::optional<Date>& d) { return d ? json::value(format_date(*d)) : json::value(nullptr); }
json::value opt(const std::optional<Timestamp>& t) {
    return t ? json::value(format_timestamp(*t)) : json::value(nullptr);
}
}  // namespace

void tag_invoke(json::value_from_tag, json::value& jv, const Customer& c) {
    json::object o(json::object(42, jv.storage()));
    o.emplace("id", c.id);
    o.emplace("uuid", c.uuid);
    o.emplace("kind", to_string(c.kind));
    o.emplace("first_name", opt(c.first_name));
    o.emplace("last_name", opt(c.last_name));
    o.emplace("company_name", opt(c.company_name));
    o.emplace("full_name", c.full_name);
    o.emplace("email", opt(c.email));
    o.emplace("phone", opt(c.phone));
    o.emplace("mobile", opt(c.mobile));
    o.emplace("gender", to_string(c.gender));
    o.emplace("date_of_birth", opt(c.date_of_birth));
    o.emplace("age", c.age ? json::value(*c.age) : json::value(nullptr));
    o.emplace("note", opt(c.note));
    o.emplace("status", c.status);
    o.emplace("is_active", c.is_active);
    o.emplace("archived", c.archived);
    o.emplace("archived_at", opt(c.archived_at));
    o.emplace("accepts_marketing", c.accepts_marketing);
    o.emplace("email_allowed", c.email_allowed);
    o.emplace("sms_allowed", c.sms_allowed);
    o.emplace("call_allowed", c.call_allowed);
    o.emplace("user_type", to_string(c.user_type));
    o.emplace("channel_id", opt(c.channel_id));
    o.emplace("channel_code", opt(c.channel_code));
    o.emplace("erp_code", opt(c.erp_code));
    o.emplace("crm_id", opt(c.crm_id));
    o.emplace("ref_id", opt(c.ref_id));
    o.emplace("account", opt(c.account));
    o.emplace("loyalty_card", opt(c.loyalty_card));
    json::array coupons(c.coupons.begin(), c.coupons.end(), jv.storage());
    o.emplace("coupons", std::move(coupons));
    o.emplace("date_joined", opt(c.date_joined));
    o.emplace("attributes", c.attributes);
    o.emplace("extra_field", c.extra_field);
    o.emplace("localized_attributes", c.localized_attributes);
    o.emplace("credit_cents", c.credit_cents);
    o.emplace("refusal_count", c.refusal_count);
    o.emplace("last_payment_date", opt(c.last_payment_date));
    o.emplace("last_payment_cents", opt(c.last_payment_cents));
    o.emplace("average_basket_cents", c.average_basket_cents);
    o.emplace("created_at", format_timestamp(c.created_at));
    o.emplace("updated_at", format_timestamp(c.updated_at));
    jv = std::move(o);
}

Customer tag_invoke(json::value_to_tag<Customer>, const json::value& jv) {
    std::vector<FieldError> errors;
    Customer c = domain::parse_customer(jv, errors);
    if (!errors.empty()) throw InvalidError(std::move(errors));
    return c;
}

}  // namespace crm

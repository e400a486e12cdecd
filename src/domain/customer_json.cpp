// JSON conversion of crm::Customer (Boost.JSON tag_invoke).
#include <crm/customer.hpp>
#include <crm/error.hpp>

#include "domain/customer_rules.hpp"
#include "domain/customer_text.hpp"
#include "domain/json_text.hpp"

#include <boost/json/array.hpp>

#include <type_traits>

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

// Every field of a customer's JSON, once, in output order; `out` is a
// domain::JsonObject or a domain::JsonText (which alone takes `stored`: the
// JSON object fields as text).
template <class Out>
void write_fields(Out& out, const Customer& c, const domain::CustomerJsonFields* stored = nullptr) {
    out.field("id", c.id);
    out.field("uuid", c.uuid);
    out.field("kind", to_string(c.kind));
    out.field("first_name", c.first_name);
    out.field("last_name", c.last_name);
    out.field("company_name", c.company_name);
    out.field("full_name", c.full_name);
    out.field("email", c.email);
    out.field("phone", c.phone);
    out.field("mobile", c.mobile);
    out.field("gender", to_string(c.gender));
    out.field("date_of_birth", c.date_of_birth);
    out.field("age", c.age);
    out.field("note", c.note);
    out.field("status", c.status);
    out.field("is_active", c.is_active);
    out.field("archived", c.archived);
    out.field("archived_at", c.archived_at);
    out.field("accepts_marketing", c.accepts_marketing);
    out.field("email_allowed", c.email_allowed);
    out.field("sms_allowed", c.sms_allowed);
    out.field("call_allowed", c.call_allowed);
    out.field("user_type", to_string(c.user_type));
    out.field("channel_id", c.channel_id);
    out.field("channel_code", c.channel_code);
    out.field("erp_code", c.erp_code);
    out.field("crm_id", c.crm_id);
    out.field("ref_id", c.ref_id);
    out.field("account", c.account);
    out.field("loyalty_card", c.loyalty_card);
    out.field("coupons", c.coupons);
    out.field("date_joined", c.date_joined);
    if constexpr (std::is_same_v<Out, domain::JsonText>) {
        if (stored) {
            out.literal("attributes", stored->attributes);
            out.literal("extra_field", stored->extra_field);
            out.literal("localized_attributes", stored->localized_attributes);
        }
    }
    if (!stored) {  // (a JsonObject never gets `stored`: only the text writer below passes it)
        out.field("attributes", c.attributes);
        out.field("extra_field", c.extra_field);
        out.field("localized_attributes", c.localized_attributes);
    }
    out.field("credit_cents", c.credit_cents);
    out.field("refusal_count", c.refusal_count);
    out.field("last_payment_date", c.last_payment_date);
    out.field("last_payment_cents", c.last_payment_cents);
    out.field("average_basket_cents", c.average_basket_cents);
    out.field("created_at", c.created_at);
    out.field("updated_at", c.updated_at);
    out.finish();
}

}  // namespace

void tag_invoke(json::value_from_tag, json::value& jv, const Customer& c) {
    domain::write_object(jv, c, [](auto& out, const Customer& row) { write_fields(out, row); });
}

void append_json(std::string& out, const Customer& c) {
    domain::write_text(out, c, [](auto& o, const Customer& row) { write_fields(o, row); });
}

void domain::append_json(TextOut& out, const Customer& c, const CustomerJsonFields& fields) {
    domain::JsonText text(out);
    write_fields(text, c, &fields);
}

Customer tag_invoke(json::value_to_tag<Customer>, const json::value& jv) {
    return domain::parse_or_throw<Customer>(jv, [](const json::value& v, std::vector<FieldError>& e) { return domain::parse_customer(v, e); });
}

}  // namespace crm

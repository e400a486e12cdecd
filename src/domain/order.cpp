// Orders: parsing, rules, status moves and JSON (spec/domain.md, `orders`).
#include "domain/json_reader.hpp"
#include "domain/json_text.hpp"
#include "domain/order_rules.hpp"
#include "domain/text.hpp"

#include <string>

namespace crm {

namespace json = boost::json;

std::string_view to_string(OrderStatus s) noexcept {
    switch (s) {
        case OrderStatus::submitted: return "submitted";
        case OrderStatus::revoked: return "revoked";
        case OrderStatus::draft: break;
    }
    return "draft";
}

namespace {

template <class Out>
void write_fields(Out& out, const Order& o) {
    out.field("id", o.id);
    out.field("customer_id", o.customer_id);
    out.field("number", o.number);
    out.field("date", o.date);
    out.field("status", to_string(o.status));
    out.field("submit_date", o.submit_date);
    out.field("type", o.type);
    out.field("quantity", o.quantity);
    out.field("activation_limit", o.activation_limit);
    out.field("description", o.description);
    out.field("is_demo", o.is_demo);
    out.field("archived", o.archived);
    out.field("archived_at", o.archived_at);
    out.field("can_overwrite_container", o.can_overwrite_container);
    out.field("customer_required", o.customer_required);
    out.field("activation_birth_date", o.activation_birth_date);
    out.field("activation_death_date", o.activation_death_date);
    out.field("crm_id", o.crm_id);
    out.field("ref_id", o.ref_id);
    out.field("total_cents", o.total_cents);
    out.field("created_at", o.created_at);
    out.field("updated_at", o.updated_at);
    out.finish();
}

}  // namespace

void tag_invoke(json::value_from_tag, json::value& jv, const Order& o) {
    domain::write_object(jv, o, [](auto& out, const Order& row) { write_fields(out, row); });
}

void append_json(std::string& out, const Order& o) {
    domain::write_text(out, o, [](auto& o, const Order& row) { write_fields(o, row); });
}

Order tag_invoke(json::value_to_tag<Order>, const json::value& jv) {
    return domain::parse_or_throw<Order>(jv, [](const json::value& v, std::vector<FieldError>& e) { return domain::parse_order(v, e); });
}

namespace domain {

namespace {
constexpr std::int64_t kMaxCents = 1'000'000'000'000'000;  // 10^15
}

Order parse_order(const json::value& jv, std::vector<FieldError>& errors) {
    Order o;
    if (!jv.is_object()) {
        errors.push_back({"", "the order must be a JSON object"});
        return o;
    }
    static constexpr std::string_view kReadOnly[] = {"id", "submit_date", "archived_at", "created_at", "updated_at"};
    JsonReader r(jv.get_object(), errors, kReadOnly);
    r.integer("customer_id", o.customer_id);
    r.integer("number", o.number);
    r.timestamp("date", o.date);
    if (const json::value* v = r.raw("status")) {
        // seed 001 sends 0/1/2; ours are the names
        if (auto i = as_int(*v); i && *i >= 0 && *i <= 2)
            o.status = static_cast<OrderStatus>(*i);
        else if (v->is_string() && v->get_string() == "draft")
            o.status = OrderStatus::draft;
        else if (v->is_string() && v->get_string() == "submitted")
            o.status = OrderStatus::submitted;
        else if (v->is_string() && v->get_string() == "revoked")
            o.status = OrderStatus::revoked;
        else
            r.error("status", "must be one of: draft, submitted, revoked (or 0, 1, 2)");
    }
    r.integer("type", o.type);
    r.integer("quantity", o.quantity);
    r.integer("activation_limit", o.activation_limit);
    r.text("description", o.description);
    r.boolean("is_demo", o.is_demo);
    r.boolean("archived", o.archived);
    r.boolean("can_overwrite_container", o.can_overwrite_container);
    r.boolean("customer_required", o.customer_required);
    r.timestamp("activation_birth_date", o.activation_birth_date);
    r.timestamp("activation_death_date", o.activation_death_date);
    r.text("crm_id", o.crm_id);
    r.text("ref_id", o.ref_id);
    r.integer("total_cents", o.total_cents);
    r.finish();
    return o;
}

void normalize(Order& o) {
    for (auto* s : {&o.description, &o.crm_id, &o.ref_id}) normalize_text(*s);
}

void validate(const Order& o, std::vector<FieldError>& errors) {
    if (o.customer_required && !o.customer_id)
        errors.push_back({"customer_id", "is required (customer_required is true)"});
    if (o.customer_id && *o.customer_id < 1) errors.push_back({"customer_id", "must be >= 1"});
    if (o.number && *o.number < 0) errors.push_back({"number", "must be >= 0"});
    if (o.type < 0) errors.push_back({"type", "must be >= 0"});
    if (o.quantity < 0) errors.push_back({"quantity", "must be >= 0"});
    if (o.activation_limit < 0) errors.push_back({"activation_limit", "must be >= 0"});
    if (o.description && utf8_length(*o.description) > 10'000)
        errors.push_back({"description", "must be at most 10000 characters"});
    if (o.crm_id && utf8_length(*o.crm_id) > 100) errors.push_back({"crm_id", "must be at most 100 characters"});
    if (o.ref_id && utf8_length(*o.ref_id) > 100) errors.push_back({"ref_id", "must be at most 100 characters"});
    if (o.total_cents < 0 || o.total_cents > kMaxCents)
        errors.push_back({"total_cents", "must be from 0 to 10^15"});
    if (o.activation_birth_date && o.activation_death_date && *o.activation_death_date < *o.activation_birth_date)
        errors.push_back({"activation_death_date", "must not be before activation_birth_date"});
}

bool allowed_move(OrderStatus from, OrderStatus to) noexcept {
    if (from == to) return true;
    return (from == OrderStatus::draft && (to == OrderStatus::submitted || to == OrderStatus::revoked)) ||
           (from == OrderStatus::submitted && to == OrderStatus::revoked);
}

void keep_read_only(Order& incoming, const Order& stored) {
    incoming.id = stored.id;
    incoming.submit_date = stored.submit_date;
    incoming.archived_at = stored.archived_at;
    incoming.created_at = stored.created_at;
    incoming.updated_at = stored.updated_at;
}

}  // namespace domain
}  // namespace crm

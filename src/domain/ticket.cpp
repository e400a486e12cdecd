// Tickets: parsing, rules and JSON (spec/domain.md, `tickets`).
#include "domain/json_reader.hpp"
#include "domain/json_text.hpp"
#include "domain/money.hpp"
#include "domain/text.hpp"
#include "domain/ticket_rules.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace crm {

namespace json = boost::json;

std::string_view to_string(PaymentMode m) noexcept {
    switch (m) {
        case PaymentMode::cash: return "CASH";
        case PaymentMode::card: return "CARD";
        case PaymentMode::check: return "CHECK";
        case PaymentMode::transfer: return "TRANSFER";
        case PaymentMode::other: break;
    }
    return "OTHER";
}

namespace {

json::value lines_json(const std::vector<TicketLine>& lines) {
    json::array a;
    a.reserve(lines.size());
    for (const auto& l : lines) {
        json::object o;
        o.emplace("product_code", l.product_code);
        o.emplace("unit_price_before_cents", l.unit_price_before_cents);
        o.emplace("promo_percent", l.promo_percent);
        o.emplace("unit_price_after_cents",
                  l.unit_price_after_cents ? json::value(*l.unit_price_after_cents) : json::value(nullptr));
        o.emplace("quantity", l.quantity);
        a.push_back(std::move(o));
    }
    return a;
}

template <class Out>
void write_fields(Out& out, const Ticket& t) {
    out.field("id", t.id);
    out.field("customer_id", t.customer_id);
    out.field("customer_uuid", t.customer_uuid);
    out.field("date", t.date);
    out.field("payment_mode", to_string(t.payment_mode));
    out.field("origin", t.origin);
    out.field("lines", lines_json(t.lines));
    out.field("total_cents", t.total_cents);
    out.field("loyalty_points_cents", t.loyalty_points_cents);
    out.field("ref", t.ref);
    out.field("created_at", t.created_at);
    out.finish();
}

}  // namespace

void tag_invoke(json::value_from_tag, json::value& jv, const Ticket& t) {
    domain::write_object(jv, t, [](auto& out, const Ticket& row) { write_fields(out, row); });
}

void append_json(std::string& out, const Ticket& t) {
    domain::write_text(out, t, [](auto& o, const Ticket& row) { write_fields(o, row); });
}

Ticket tag_invoke(json::value_to_tag<Ticket>, const json::value& jv) {
    return domain::parse_or_throw<Ticket>(jv, [](const json::value& v, std::vector<FieldError>& e) { return domain::parse_ticket(v, e); });
}

namespace domain {

std::string lines_text(const std::vector<TicketLine>& lines) { return json::serialize(lines_json(lines)); }

namespace {

std::optional<PaymentMode> payment_mode(std::string_view s) {
    const std::string lower = ascii_lower(trim(s));
    static constexpr std::pair<std::string_view, PaymentMode> kModes[] = {
        {"cash", PaymentMode::cash}, {"card", PaymentMode::card}, {"check", PaymentMode::check},
        {"transfer", PaymentMode::transfer}, {"other", PaymentMode::other}};
    for (const auto& [name, mode] : kModes)
        if (lower == name) return mode;
    return std::nullopt;
}

// A line, or nullopt (with its error) when it is not an object.
std::optional<TicketLine> parse_line(const json::value& jv, std::size_t index, std::vector<FieldError>& errors) {
    TicketLine l;
    const std::string prefix = fmt::format("lines[{}]", index);
    if (!jv.is_object()) {
        errors.push_back({prefix, "must be a JSON object"});
        return std::nullopt;
    }
    std::vector<FieldError> own;
    JsonReader r(jv.get_object(), own);
    std::optional<std::string> code;
    r.text("product_code", code);
    if (code) l.product_code = std::move(*code);
    r.integer("unit_price_before_cents", l.unit_price_before_cents);
    r.integer("promo_percent", l.promo_percent);
    r.integer("unit_price_after_cents", l.unit_price_after_cents);
    r.integer("quantity", l.quantity);
    r.finish();
    for (auto& e : own) errors.push_back({prefix + "." + e.field, std::move(e.message)});
    return l;
}

}  // namespace

Ticket parse_ticket(const json::value& jv, std::vector<FieldError>& errors) {
    Ticket t;
    if (!jv.is_object()) {
        errors.push_back({"", "the ticket must be a JSON object"});
        return t;
    }
    static constexpr std::string_view kReadOnly[] = {"id", "loyalty_points_cents", "created_at"};
    JsonReader r(jv.get_object(), errors, kReadOnly);
    r.integer("customer_id", t.customer_id);
    r.text("customer_uuid", t.customer_uuid);
    r.timestamp("date", t.date);
    if (const json::value* v = r.raw("payment_mode")) {
        std::optional<PaymentMode> m;
        if (v->is_string()) m = payment_mode(v->get_string());
        if (m)
            t.payment_mode = *m;
        else
            r.error("payment_mode", "must be one of: CASH, CARD, CHECK, TRANSFER, OTHER");
    }
    std::optional<std::string> origin;
    r.text("origin", origin);
    if (origin) t.origin = std::move(*origin);
    if (const json::value* v = r.raw("lines")) {
        if (!v->is_array()) {
            r.error("lines", "must be an array of lines");
        } else if (v->get_array().size() > kMaxTicketLines) {
            r.error("lines", fmt::format("must hold at most {} lines", kMaxTicketLines));
        } else {
            const auto& a = v->get_array();
            t.lines.reserve(a.size());
            for (std::size_t i = 0; i < a.size(); ++i)
                if (auto line = parse_line(a[i], i, errors)) t.lines.push_back(std::move(*line));
        }
    }
    r.integer("total_cents", t.total_cents);
    r.text("ref", t.ref);
    r.finish();
    return t;
}

void normalize(Ticket& t) {
    normalize_text(t.customer_uuid);
    if (t.customer_uuid) t.customer_uuid = ascii_lower(*t.customer_uuid);
    normalize_text(t.ref);
    std::optional<std::string> origin = t.origin;
    normalize_text(origin);
    t.origin = origin ? *origin : "store";  // empty means not set: the default
    for (auto& l : t.lines) {
        l.product_code = std::string(trim(l.product_code));
        if (!l.unit_price_after_cents && l.unit_price_before_cents >= 0 && l.unit_price_before_cents <= kMaxCents &&
            l.promo_percent >= 0 && l.promo_percent <= 100)
            l.unit_price_after_cents = l.unit_price_before_cents * (100 - l.promo_percent) / 100;  // rounded down
    }
}

void validate(Ticket& t, std::vector<FieldError>& errors) {
    if (t.customer_id && *t.customer_id < 1) errors.push_back({"customer_id", "must be >= 1"});
    if (utf8_length(t.origin) > 100) errors.push_back({"origin", "must be at most 100 characters"});
    if (t.ref && utf8_length(*t.ref) > 100) errors.push_back({"ref", "must be at most 100 characters"});
    // Lines already refused (not an array, too many, not objects) are not
    // also reported missing.
    const bool lines_refused = std::any_of(errors.begin(), errors.end(), [](const FieldError& e) {
        return e.field == "lines" || e.field.starts_with("lines[");
    });
    if (t.lines.empty() && !lines_refused) errors.push_back({"lines", "must hold at least one line"});
    std::optional<std::int64_t> total = 0;
    for (std::size_t i = 0; i < t.lines.size(); ++i) {
        const TicketLine& l = t.lines[i];
        auto bad = [&](std::string_view field, std::string message) {
            errors.push_back({fmt::format("lines[{}].{}", i, field), std::move(message)});
            total.reset();
        };
        const std::size_t n = utf8_length(l.product_code);
        if (n < 1 || n > 64) bad("product_code", "must be 1 to 64 characters");
        if (l.unit_price_before_cents < 0 || l.unit_price_before_cents > kMaxCents)
            bad("unit_price_before_cents", "must be from 0 to 10^15");
        if (l.promo_percent < 0 || l.promo_percent > 100) bad("promo_percent", "must be from 0 to 100");
        if (l.quantity < 1) bad("quantity", "must be >= 1");
        if (l.unit_price_after_cents && *l.unit_price_after_cents < 0)
            bad("unit_price_after_cents", "must be >= 0");
        else if (l.unit_price_after_cents && *l.unit_price_after_cents > l.unit_price_before_cents)
            bad("unit_price_after_cents", "must not exceed unit_price_before_cents");
        if (!total || !l.unit_price_after_cents) continue;
        auto line_total = mul_cents(*l.unit_price_after_cents, l.quantity);
        total = line_total ? add_cents(*total, *line_total) : std::nullopt;
        if (!total) errors.push_back({"total_cents", "the lines add up to more than 10^15"});
    }
    if (!total || t.lines.empty()) return;
    if (t.total_cents && *t.total_cents != *total)
        errors.push_back({"total_cents", fmt::format("is {} but the lines add up to {}", *t.total_cents, *total)});
    t.total_cents = *total;
}

bool same_payload(const Ticket& in, std::int64_t in_customer, const Ticket& stored) {
    auto same_lines = [&] {
        if (in.lines.size() != stored.lines.size()) return false;
        for (std::size_t i = 0; i < in.lines.size(); ++i) {
            const TicketLine &a = in.lines[i], &b = stored.lines[i];
            if (a.product_code != b.product_code || a.unit_price_before_cents != b.unit_price_before_cents ||
                a.promo_percent != b.promo_percent || a.unit_price_after_cents != b.unit_price_after_cents ||
                a.quantity != b.quantity)
                return false;
        }
        return true;
    };
    return in_customer == stored.customer_id.value_or(0) && (!in.date || in.date == stored.date) &&
           in.payment_mode == stored.payment_mode && in.origin == stored.origin && in.total_cents == stored.total_cents &&
           same_lines();
}

}  // namespace domain
}  // namespace crm

// Loyalty credit: the ledger's and credit requests' JSON, the credit calls'
// inputs (ours and seed 003's), and the credit decision.
#include "domain/credit_rules.hpp"
#include "domain/json_reader.hpp"
#include "domain/json_text.hpp"
#include "domain/money.hpp"
#include "domain/text.hpp"

#include <boost/json/array.hpp>
#include <fmt/format.h>

namespace crm {

namespace json = boost::json;

std::string_view to_string(LedgerReason r) noexcept {
    switch (r) {
        case LedgerReason::redemption: return "redemption";
        case LedgerReason::reversal: return "reversal";
        case LedgerReason::import: return "import";
        case LedgerReason::adjustment: return "adjustment";
        case LedgerReason::accrual: break;
    }
    return "accrual";
}

namespace {

template <class Out>
void write_fields(Out& out, const LedgerEntry& e) {
    out.field("id", e.id);
    out.field("customer_id", e.customer_id);
    out.field("delta_cents", e.delta_cents);
    out.field("reason", to_string(e.reason));
    out.field("ref", e.ref);
    out.field("ticket_id", e.ticket_id);
    out.field("created_at", e.created_at);
    out.finish();
}

template <class Out>
void write_fields(Out& out, const CreditRequest& r) {
    out.field("id", r.id);
    out.field("customer_id", r.customer_id);
    out.field("customer_uuid", r.customer_uuid);
    out.field("amount_cents", r.amount_cents);
    out.field("date", std::optional<Date>(r.date));
    out.field("allowed", r.allowed);
    out.field("reasons", r.reasons);
    out.field("created_at", r.created_at);
    out.finish();
}

}  // namespace

void tag_invoke(json::value_from_tag, json::value& jv, const LedgerEntry& e) {
    domain::write_object(jv, e, [](auto& out, const LedgerEntry& row) { write_fields(out, row); });
}
void append_json(std::string& out, const LedgerEntry& e) {
    domain::write_text(out, e, [](auto& o, const LedgerEntry& row) { write_fields(o, row); });
}
void tag_invoke(json::value_from_tag, json::value& jv, const CreditRequest& r) {
    domain::write_object(jv, r, [](auto& out, const CreditRequest& row) { write_fields(out, row); });
}
void append_json(std::string& out, const CreditRequest& r) {
    domain::write_text(out, r, [](auto& o, const CreditRequest& row) { write_fields(o, row); });
}

LedgerEntry tag_invoke(json::value_to_tag<LedgerEntry>, const json::value& jv) {
    return domain::parse_or_throw<LedgerEntry>(jv, [](const json::value& v, std::vector<FieldError>& errors) {
        LedgerEntry e;
        if (!v.is_object()) {
            errors.push_back({"", "a ledger entry must be a JSON object"});
            return e;
        }
        domain::JsonReader r(v.get_object(), errors);
        r.integer("id", e.id);
        r.integer("customer_id", e.customer_id);
        r.integer("delta_cents", e.delta_cents);
        r.enumeration("reason", e.reason,
                      {{"accrual", LedgerReason::accrual}, {"redemption", LedgerReason::redemption},
                       {"reversal", LedgerReason::reversal}, {"import", LedgerReason::import},
                       {"adjustment", LedgerReason::adjustment}});
        r.text("ref", e.ref);
        r.integer("ticket_id", e.ticket_id);
        std::optional<Timestamp> t;
        r.timestamp("created_at", t);
        if (t) e.created_at = *t;
        r.finish();
        return e;
    });
}

CreditRequest tag_invoke(json::value_to_tag<CreditRequest>, const json::value& jv) {
    return domain::parse_or_throw<CreditRequest>(jv, [](const json::value& v, std::vector<FieldError>& errors) {
        CreditRequest c;
        if (!v.is_object()) {
            errors.push_back({"", "a credit request must be a JSON object"});
            return c;
        }
        domain::JsonReader r(v.get_object(), errors);
        r.integer("id", c.id);
        r.integer("customer_id", c.customer_id);
        std::optional<std::string> uuid;
        r.text("customer_uuid", uuid);
        if (uuid) c.customer_uuid = *uuid;
        r.integer("amount_cents", c.amount_cents);
        std::optional<Date> d;
        r.date("date", d);
        if (d) c.date = *d;
        r.boolean("allowed", c.allowed);
        r.text_array("reasons", c.reasons);
        std::optional<Timestamp> t;
        r.timestamp("created_at", t);
        if (t) c.created_at = *t;
        r.finish();
        return c;
    });
}

void tag_invoke(json::value_from_tag, json::value& jv, const Accrual& a) {
    jv = {{"card", a.card}, {"customer_id", a.customer_id}, {"accrued_cents", a.accrued_cents},
          {"balance_cents", a.balance_cents}, {"duplicate", a.duplicate}};
}
void tag_invoke(json::value_from_tag, json::value& jv, const Balance& b) {
    jv = {{"card", b.card}, {"customer_id", b.customer_id}, {"balance_cents", b.balance_cents}};
}
void tag_invoke(json::value_from_tag, json::value& jv, const Redemption& r) {
    jv = {{"card", r.card},           {"customer_id", r.customer_id}, {"redeemed_cents", r.redeemed_cents},
          {"balance_cents", r.balance_cents}, {"duplicate", r.duplicate}, {"ledger_id", r.ledger_id}};
}

namespace domain {

std::optional<std::string> card_text(const json::value& v) {
    if (auto i = as_int(v); i && *i >= 0) return std::to_string(*i);
    if (!v.is_string()) return std::nullopt;
    std::string_view s = trim(v.get_string());
    if (s.empty()) return std::nullopt;
    return std::string(s);
}

namespace {

void payment_card(JsonReader& r, std::string_view key, Payment& p, const std::string& where) {
    if (const json::value* v = r.raw(key)) {
        if (auto card = card_text(*v))
            p.card = std::move(*card);
        else
            r.error(where + std::string(key), "must be a loyalty card (letters and digits, or a number)");
    } else {
        r.error(where + std::string(key), "is required");
    }
}

}  // namespace

std::vector<Payment> parse_payments(const json::value& jv, std::vector<FieldError>& errors) {
    std::vector<Payment> out;
    if (!jv.is_object()) {
        errors.push_back({"", "the payments must be a JSON object: {\"payments\":[...]}"});
        return out;
    }
    const json::object& o = jv.get_object();
    const bool seed = o.contains("Tickets") && !o.contains("payments");
    const std::string list_key = seed ? "Tickets" : "payments";
    for (const auto& kv : o)
        if (kv.key() != list_key) errors.push_back({std::string(kv.key()), "is not a known field"});
    auto it = o.find(list_key);
    if (it == o.end() || !it->value().is_array()) {
        errors.push_back({list_key, "must be an array of payments"});
        return out;
    }
    const json::array& items = it->value().get_array();
    if (items.size() > kMaxPayments) {
        errors.push_back({list_key, fmt::format("must hold at most {} payments", kMaxPayments)});
        return out;
    }
    out.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string where = fmt::format("{}[{}]", list_key, i);
        Payment p;
        if (!items[i].is_object()) {
            errors.push_back({where, "must be a JSON object"});
            continue;
        }
        std::vector<FieldError> own;
        JsonReader r(items[i].get_object(), own);
        if (seed) {
            payment_card(r, "carteFid", p, "");
            if (const json::value* v = r.raw("Montant")) {
                if (auto cents = units_to_cents(*v))
                    p.amount_cents = *cents;
                else
                    r.error("Montant", "must be an amount in currency units from 0 to 10^13");
            } else {
                r.error("Montant", "is required");
            }
        } else {
            payment_card(r, "card", p, "");
            if (!items[i].get_object().contains("amount_cents")) r.error("amount_cents", "is required");
            r.integer("amount_cents", p.amount_cents);
            r.text("ref", p.ref);
        }
        r.finish();
        normalize_text(p.ref);
        validate(p, "", own);
        for (auto& e : own) errors.push_back({where + "." + e.field, std::move(e.message)});
        out.push_back(std::move(p));
    }
    return out;
}

void validate(const Payment& p, const std::string& where, std::vector<FieldError>& errors) {
    if (p.amount_cents < 0 || p.amount_cents > kMaxCents)
        errors.push_back({where + "amount_cents", "must be from 0 to 10^15"});
    if (p.ref && utf8_length(*p.ref) > 100) errors.push_back({where + "ref", "must be at most 100 characters"});
    if (p.card.size() > 32) errors.push_back({where + "card", "must be at most 32 characters"});
}

CreditCheck parse_credit_check(const json::value& jv, std::vector<FieldError>& errors) {
    CreditCheck c;
    if (!jv.is_object()) {
        errors.push_back({"", "the credit request must be a JSON object"});
        return c;
    }
    const json::object& o = jv.get_object();
    JsonReader r(o, errors);
    const bool seed = o.contains("idClient") || o.contains("Montant") || o.contains("Date");
    if (seed) {
        r.text("idClient", c.customer_uuid);
        if (const json::value* v = r.raw("Montant")) {
            if (auto cents = units_to_cents(*v))
                c.amount_cents = *cents;
            else
                r.error("Montant", "must be an amount in currency units from 0 to 10^13");
        } else {
            r.error("Montant", "is required");
        }
        r.date("Date", c.date);
    } else {
        r.integer("customer_id", c.customer_id);
        r.text("customer_uuid", c.customer_uuid);
        if (!o.contains("amount_cents")) r.error("amount_cents", "is required");
        r.integer("amount_cents", c.amount_cents);
        r.date("date", c.date);
    }
    r.finish();
    normalize_text(c.customer_uuid);
    if (c.customer_uuid) c.customer_uuid = ascii_lower(*c.customer_uuid);
    if (!c.customer_id && !c.customer_uuid && errors.empty())
        errors.push_back({seed ? "idClient" : "customer_id", "is required (or customer_uuid)"});
    return c;
}

void validate(const CreditCheck& c, std::vector<FieldError>& errors) {
    if (c.amount_cents < 0 || c.amount_cents > kMaxCents) errors.push_back({"amount_cents", "must be from 0 to 10^15"});
}

std::vector<std::string> credit_refusals(std::int64_t amount_cents, const CreditFacts& f) {
    std::vector<std::string> reasons;
    if (!f.active) reasons.emplace_back("inactive");
    if (f.refusal_count >= f.max_refusals) reasons.emplace_back("too_many_refusals");
    __extension__ typedef __int128 Wide;  // 10^15 * a large multiplier
    if (static_cast<Wide>(amount_cents) > static_cast<Wide>(f.multiplier) * f.recent_tickets_cents)
        reasons.emplace_back("over_limit");
    return reasons;
}

void validate_redemption(std::int64_t amount_cents, const std::optional<std::string>& ref,
                         std::vector<FieldError>& errors) {
    if (amount_cents < 1 || amount_cents > kMaxCents) errors.push_back({"amount_cents", "must be from 1 to 10^15"});
    if (ref && utf8_length(*ref) > 100) errors.push_back({"ref", "must be at most 100 characters"});
}

}  // namespace domain
}  // namespace crm

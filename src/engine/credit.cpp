// Tickets and loyalty credit (seed 003): a ticket's accrual and reversal,
// bare-payment accruals, redemptions, balances and credit requests. Each
// public call is one write transaction under the engine's lock (BEGIN
// IMMEDIATE across processes), so balances are read and written with no
// other writer in between: no lost update.
#include "engine/engine_impl.hpp"

#include "domain/credit_rules.hpp"
#include "domain/money.hpp"
#include "domain/text.hpp"
#include "domain/ticket_rules.hpp"

#include <boost/json/array.hpp>
#include <fmt/format.h>

namespace crm {

using namespace engine_detail;

namespace {

Timestamp midnight(Date d) { return Timestamp{std::chrono::sys_days{d}}; }

// The balance after adding `delta` to `balance`, which must stay within 10^15.
std::int64_t balance_after(std::int64_t balance, std::int64_t delta, const std::string& field) {
    auto sum = domain::add_cents(balance, delta);
    if (!sum)
        throw InvalidError(fmt::format("{} would take the balance above 10^15 cents", field),
                           {{field, "would take the balance above 10^15 cents"}});
    return *sum;
}

}  // namespace

std::optional<storage::CustomerRef> Engine::Impl::named_customer(const std::optional<std::int64_t>& id,
                                                                 const std::optional<std::string>& uuid,
                                                                 std::string_view id_field,
                                                                 std::string_view uuid_field,
                                                                 std::vector<FieldError>& errors) {
    std::optional<storage::CustomerRef> by_id, by_uuid;
    if (id) {
        by_id = store->customer_ref(*id);
        if (!by_id) errors.push_back({std::string(id_field), fmt::format("no customer with id {}", *id)});
    }
    if (uuid) {
        by_uuid = store->customer_by_uuid(*uuid);
        if (!by_uuid)
            errors.push_back({std::string(uuid_field), fmt::format("no customer with uuid '{}'", *uuid)});
    }
    if (by_id && by_uuid && by_id->id != by_uuid->id)
        errors.push_back({std::string(uuid_field), fmt::format("is not the uuid of customer {}", by_id->id)});
    return by_id ? by_id : by_uuid;
}

storage::CustomerRef Engine::Impl::card_holder(const std::string& card, std::string_view field) {
    auto c = store->customer_by_card(std::string(domain::trim(card)));  // as cards are stored: trimmed
    if (!c)
        throw NotFoundError(fmt::format("no customer holds loyalty card '{}'", card),
                            {{std::string(field), fmt::format("no customer holds loyalty card '{}'", card)}});
    return *c;
}

// --- tickets ------------------------------------------------------------------

template <>
Ticket Engine::Impl::insert_checked<Ticket>(Ticket t, std::vector<FieldError>& errors) {
    {
        auto customer = named_customer(t.customer_id, t.customer_uuid, "customer_id", "customer_uuid", errors);
        if (!errors.empty()) throw InvalidError(std::move(errors));
        if (t.ref) {
            // Idempotency: the same payload again is the stored ticket, with
            // nothing written (no second accrual); another payload is a conflict.
            if (auto stored = store->find_ticket_by_ref(*t.ref)) {
                if (!domain::same_payload(t, customer ? customer->id : 0, *stored))
                    throw ConflictError(
                        fmt::format("ticket ref '{}' was already used for another ticket ({})", *t.ref, stored->id),
                        {{"ref", fmt::format("was already used by ticket {} with another payload", stored->id)}});
                return std::move(*stored);
            }
        }
        const Timestamp at = now();
        t.id = 0;
        t.created_at = at;
        if (!t.date) t.date = at;
        t.loyalty_points_cents = 0;
        if (customer) {
            t.customer_id = customer->id;
            t.customer_uuid = customer->uuid;
            if (customer->loyalty_card) t.loyalty_points_cents = domain::apply_rate(*t.total_cents, credit_rate);
            balance_after(customer->credit_cents, t.loyalty_points_cents, "total_cents");
        }
        store->insert_ticket(t);  // the customer's ticket statistics follow (storage)
        if (customer && customer->loyalty_card) {
            LedgerEntry e;
            e.customer_id = customer->id;
            e.delta_cents = t.loyalty_points_cents;
            e.reason = LedgerReason::accrual;
            e.ticket_id = t.id;
            e.created_at = at;
            store->insert_ledger(e);
        }
        return t;
    }
}

template <>
void Engine::Impl::remove<Ticket>(std::int64_t id) {
    check_id("ticket", id);
    write([&] {
        auto t = store->find_ticket(id);
        if (!t) no_such("ticket", id);
        if (t->loyalty_points_cents > 0 && t->customer_id) {
            // The credit the ticket accrued is taken back by a compensating
            // entry; when it was already spent the delete is refused.
            auto customer = store->customer_ref(*t->customer_id);
            if (customer && customer->credit_cents < t->loyalty_points_cents)
                throw ConflictError(fmt::format("ticket {} accrued {} cents of credit but the balance is {}: "
                                                "its credit was already spent",
                                                id, t->loyalty_points_cents, customer->credit_cents));
            LedgerEntry e;
            e.customer_id = *t->customer_id;
            e.delta_cents = -t->loyalty_points_cents;
            e.reason = LedgerReason::reversal;
            e.ticket_id = id;
            e.created_at = now();
            store->insert_ledger(e);
        }
        store->delete_ticket(id);
    });
}

// --- Credit -------------------------------------------------------------------

namespace {

// `list_key`/`card_key`: how the caller named the items (ours, or seed
// 003's Tickets[i].carteFid), for the errors.
std::vector<Accrual> accrue(Engine::Impl& impl, std::vector<Payment> payments,
                            std::string_view list_key = "payments", std::string_view card_key = "card") {
    for (auto& p : payments) domain::normalize_text(p.ref);  // as the JSON form does
    std::vector<FieldError> errors;
    for (std::size_t i = 0; i < payments.size(); ++i) {
        const std::string where = fmt::format("payments[{}].", i);
        if (payments[i].card.empty()) errors.push_back({where + "card", "is required"});
        domain::validate(payments[i], where, errors);
    }
    if (payments.size() > domain::kMaxPayments)
        errors.push_back({"payments", fmt::format("must hold at most {} payments", domain::kMaxPayments)});
    if (!errors.empty()) throw InvalidError(std::move(errors));
    return impl.write([&] {
        std::vector<Accrual> out;
        out.reserve(payments.size());
        const Timestamp at = now();
        for (std::size_t i = 0; i < payments.size(); ++i) {
            const Payment& p = payments[i];
            const std::string where = fmt::format("{}[{}].", list_key, i);
            const auto c = impl.card_holder(p.card, where + std::string(card_key));
            Accrual a{std::string(domain::trim(p.card)), c.id, 0, c.credit_cents, false};  // the card as stored
            if (p.ref && impl.store->find_ledger_by_ref(LedgerReason::accrual, *p.ref)) {
                a.duplicate = true;  // applied before (or earlier in this batch): skipped
                out.push_back(std::move(a));
                continue;
            }
            a.accrued_cents = domain::apply_rate(p.amount_cents, impl.credit_rate);
            a.balance_cents = balance_after(c.credit_cents, a.accrued_cents, where + "amount_cents");
            LedgerEntry e;
            e.customer_id = c.id;
            e.delta_cents = a.accrued_cents;
            e.reason = LedgerReason::accrual;
            e.ref = p.ref;
            e.created_at = at;
            impl.store->insert_ledger(e);
            out.push_back(std::move(a));
        }
        return out;
    });
}

Redemption redeem(Engine::Impl& impl, const std::string& card, std::int64_t amount, std::optional<std::string> ref) {
    std::vector<FieldError> errors;
    std::optional<std::string> r = std::move(ref);
    domain::normalize_text(r);
    domain::validate_redemption(amount, r, errors);
    if (!errors.empty()) throw InvalidError(std::move(errors));
    return impl.write([&] {
        const auto c = impl.card_holder(card, "card");
        Redemption out{std::string(domain::trim(card)), c.id, 0, c.credit_cents, false, 0};  // the card as stored
        if (r) {
            if (auto done = impl.store->find_ledger_by_ref(LedgerReason::redemption, *r)) {
                if (done->customer_id != c.id || done->delta_cents != -amount)
                    throw ConflictError(fmt::format("redemption ref '{}' was already used for another redemption", *r),
                                        {{"ref", "was already used for another redemption"}});
                out.duplicate = true;
                out.ledger_id = done->id;
                return out;
            }
        }
        if (amount > c.credit_cents)
            throw ConflictError(
                fmt::format("cannot redeem {} cents: the balance of card '{}' is {}", amount, card, c.credit_cents),
                {{"amount_cents", fmt::format("is more than the balance ({})", c.credit_cents)}});
        LedgerEntry e;
        e.customer_id = c.id;
        e.delta_cents = -amount;
        e.reason = LedgerReason::redemption;
        e.ref = r;
        e.created_at = now();
        impl.store->insert_ledger(e);
        out.redeemed_cents = amount;
        out.balance_cents = c.credit_cents - amount;
        out.ledger_id = e.id;
        return out;
    });
}

Balance balance(Engine::Impl& impl, const std::string& card) {
    const auto c = impl.read(false, [&] { return impl.card_holder(card, "card"); });
    return Balance{std::string(domain::trim(card)), c.id, c.credit_cents};  // the card as stored
}

// `uuid_field`: how the caller named the uuid (seed 003: idClient).
CreditRequest check(Engine::Impl& impl, CreditCheck req, std::string_view uuid_field = "customer_uuid") {
    domain::normalize_text(req.customer_uuid);  // as the JSON form does
    if (req.customer_uuid) req.customer_uuid = domain::ascii_lower(*req.customer_uuid);
    std::vector<FieldError> errors;
    domain::validate(req, errors);
    if (req.customer_id && *req.customer_id <= 0) no_such("customer", *req.customer_id);
    if (!req.customer_id && !req.customer_uuid) errors.push_back({"customer_id", "is required (or customer_uuid)"});
    if (!errors.empty()) throw InvalidError(std::move(errors));
    return impl.write([&] {
        auto c = impl.named_customer(req.customer_id, req.customer_uuid, "customer_id", uuid_field, errors);
        if (!c) {  // the customer a call addresses: not_found (spec/c-api.md)
            throw NotFoundError(errors.empty() ? std::string("no such customer") : errors.front().message,
                                std::move(errors));
        }
        if (!errors.empty()) throw InvalidError(std::move(errors));
        CreditRequest r;
        r.customer_id = c->id;
        r.customer_uuid = c->uuid;
        r.amount_cents = req.amount_cents;
        r.date = req.date.value_or(today());
        // "the 365 days before date": tickets dated from date - 365 days
        // through the end of `date` itself.
        const Timestamp from = midnight(Date{std::chrono::sys_days{r.date} - std::chrono::days{365}});
        const Timestamp to = midnight(Date{std::chrono::sys_days{r.date} + std::chrono::days{1}});
        domain::CreditFacts facts;
        facts.active = c->is_active && !c->archived;
        facts.refusal_count = c->refusal_count;
        facts.max_refusals = impl.options.max_refusals;
        facts.multiplier = impl.options.credit_limit_multiplier;
        facts.recent_tickets_cents = impl.store->ticket_total_between(c->id, from, to);
        r.reasons = domain::credit_refusals(r.amount_cents, facts);
        r.allowed = r.reasons.empty();
        r.created_at = now();
        impl.store->insert_credit_request(r);
        if (!r.allowed) impl.store->add_refusal(c->id);
        return r;
    });
}

json::object object_of(const json::value& v) { return v.get_object(); }

}  // namespace

std::vector<Accrual> Credit::accrue(const std::vector<Payment>& payments) {
    return crm::accrue(*engine_->impl_, payments);
}
Redemption Credit::redeem(const std::string& card, std::int64_t amount_cents, std::optional<std::string> ref) {
    return crm::redeem(*engine_->impl_, card, amount_cents, std::move(ref));
}
Balance Credit::balance(const std::string& card) { return crm::balance(*engine_->impl_, card); }
CreditRequest Credit::check(const CreditCheck& request) { return crm::check(*engine_->impl_, request); }

json::object Engine::credit_accrue(const json::value& payments) {
    std::vector<FieldError> errors;
    auto list = domain::parse_payments(payments, errors);
    if (!errors.empty()) throw InvalidError(std::move(errors));
    const bool seed = payments.is_object() && payments.get_object().contains("Tickets");
    json::array results;
    for (const auto& a : crm::accrue(*impl_, std::move(list), seed ? "Tickets" : "payments", seed ? "carteFid" : "card"))
        results.push_back(json::value_from(a));
    return {{"results", std::move(results)}};
}

json::object Engine::credit_redeem(const std::string& card, std::int64_t amount_cents, std::optional<std::string> ref) {
    return object_of(json::value_from(crm::redeem(*impl_, card, amount_cents, std::move(ref))));
}

json::object Engine::credit_balance(const std::string& card) {
    return object_of(json::value_from(crm::balance(*impl_, card)));
}

json::object Engine::credit_check(const json::value& request) {
    std::vector<FieldError> errors;
    CreditCheck req = domain::parse_credit_check(request, errors);
    if (!errors.empty()) throw InvalidError(std::move(errors));
    const bool seed = request.is_object() && request.get_object().contains("idClient");
    return object_of(json::value_from(crm::check(*impl_, req, seed ? "idClient" : "customer_uuid")));
}

}  // namespace crm

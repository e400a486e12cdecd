// domain/credit_rules.hpp - loyalty credit (spec/domain.md "Loyalty credit",
// "Credit requests"): the inputs of the credit calls, in our shape and in
// seed 003's, and the credit decision.
#pragma once

#include <crm/credit.hpp>
#include <crm/error.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crm::domain {

/// Most payments one accrual batch may hold (a documented limit).
inline constexpr std::size_t kMaxPayments = 10'000;

/// A loyalty card as given: a string (trimmed) or a non-negative integer
/// (its decimal text); nullopt otherwise.
std::optional<std::string> card_text(const boost::json::value& v);

/// {"payments":[{"card","amount_cents","ref"}]} or seed 003's
/// {"Tickets":[{"carteFid","Montant"}]} (Montant in currency units, rounded
/// down to the cent). Errors name the item: `payments[2].amount_cents`.
std::vector<Payment> parse_payments(const boost::json::value& jv, std::vector<FieldError>& errors);
/// Checks one payment (card, amount range, ref length), naming `where.field`.
void validate(const Payment& p, const std::string& where, std::vector<FieldError>& errors);

/// {"customer_id" | "customer_uuid", "amount_cents", "date"} or seed 003's
/// {"idClient", "Montant" (currency units), "Date"}.
CreditCheck parse_credit_check(const boost::json::value& jv, std::vector<FieldError>& errors);
void validate(const CreditCheck& c, std::vector<FieldError>& errors);

/// What the decision looks at.
struct CreditFacts {
    bool active = true;                   ///< is_active and not archived
    std::int64_t refusal_count = 0;
    std::int64_t max_refusals = 3;
    std::int64_t multiplier = 10;
    std::int64_t recent_tickets_cents = 0;  ///< ticket totals in the 365 days before the date
};

/// The reason codes refusing `amount_cents` (empty: allowed), in the spec's
/// order: inactive, too_many_refusals, over_limit.
std::vector<std::string> credit_refusals(std::int64_t amount_cents, const CreditFacts& f);

/// Checks a redemption's amount and ref.
void validate_redemption(std::int64_t amount_cents, const std::optional<std::string>& ref,
                         std::vector<FieldError>& errors);

}  // namespace crm::domain

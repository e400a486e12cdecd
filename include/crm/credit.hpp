/// @file credit.hpp
/// Loyalty credit (seed 003): the ledger, credit requests, and the values
/// the credit calls take and return. Money is integer cents everywhere.
#pragma once

#include <crm/crm.h>
#include <crm/types.hpp>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

/// Why a ledger entry was written.
enum class LedgerReason { accrual, redemption, reversal, import, adjustment };

/// One row of `ledger`: an append-only change of a customer's balance. The
/// balance (customer.credit_cents) is the sum of the customer's entries and
/// never below 0. Written by the engine only; the collection is list-only.
struct CRM_API LedgerEntry {
    std::int64_t id = 0;                   ///< assigned by the engine
    std::int64_t customer_id = 0;          ///< whose balance changed
    std::int64_t delta_cents = 0;          ///< positive: credit added
    LedgerReason reason = LedgerReason::accrual;  ///< why
    std::optional<std::string> ref;        ///< the payment's or redemption's ref
    std::optional<std::int64_t> ticket_id; ///< the ticket that accrued (or was reversed)
    Timestamp created_at{};                ///< when it was written
};

/// One row of `credit_requests`: a decided request for credit (seed 003
/// "allow credit"). Written by Engine::Credit::check(); list and get only.
struct CRM_API CreditRequest {
    std::int64_t id = 0;                     ///< assigned by the engine
    std::int64_t customer_id = 0;            ///< who asked
    std::string customer_uuid;               ///< the same customer's uuid (seed 003's idClient)
    std::int64_t amount_cents = 0;           ///< 0 .. 10^15
    Date date{};                             ///< the day the credit is for
    bool allowed = false;                    ///< the decision
    /// Reason codes of a refusal, in this order: `inactive`,
    /// `too_many_refusals`, `over_limit`; empty when allowed.
    std::vector<std::string> reasons;
    Timestamp created_at{};                  ///< when it was decided
};

/// A bare payment to accrue credit for (crm_credit_accrue).
struct CRM_API Payment {
    std::string card;                 ///< a customer's loyalty_card
    std::int64_t amount_cents = 0;    ///< 0 .. 10^15: the amount paid
    std::optional<std::string> ref;   ///< idempotency key: applied once
};

/// What accruing one payment did.
struct CRM_API Accrual {
    std::string card;                 ///< the card given
    std::int64_t customer_id = 0;     ///< its customer
    std::int64_t accrued_cents = 0;   ///< credit added (0 for a duplicate)
    std::int64_t balance_cents = 0;   ///< the balance after it
    bool duplicate = false;           ///< its ref was already applied: skipped
};

/// A customer's balance.
struct CRM_API Balance {
    std::string card;                 ///< the card asked for
    std::int64_t customer_id = 0;     ///< its customer
    std::int64_t balance_cents = 0;   ///< the sum of its ledger
};

/// What redeeming did.
struct CRM_API Redemption {
    std::string card;                 ///< the card given
    std::int64_t customer_id = 0;     ///< its customer
    std::int64_t redeemed_cents = 0;  ///< credit spent (0 for a duplicate)
    std::int64_t balance_cents = 0;   ///< the balance after it
    bool duplicate = false;           ///< its ref was already applied: skipped
    std::int64_t ledger_id = 0;       ///< the redemption's ledger entry
};

/// A request for credit to decide (crm_credit_check).
struct CRM_API CreditCheck {
    /// The customer, by id or uuid (one of them is required).
    std::optional<std::int64_t> customer_id;
    std::optional<std::string> customer_uuid;  ///< see customer_id
    std::int64_t amount_cents = 0;             ///< 0 .. 10^15
    std::optional<Date> date;                  ///< default: today (UTC)
};

/// The JSON string of a ledger reason ("accrual", ...); static storage.
CRM_API std::string_view to_string(LedgerReason r) noexcept;

/// The canonical JSON object of a ledger entry.
CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const LedgerEntry& e);
/// Appends the same object as JSON text.
CRM_API void append_json(std::string& out, const LedgerEntry& e);
/// Parses a ledger entry (as written by tag_invoke above); InvalidError
/// naming every bad field.
CRM_API LedgerEntry tag_invoke(boost::json::value_to_tag<LedgerEntry>, const boost::json::value& jv);

/// The canonical JSON object of a credit request.
CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const CreditRequest& r);
/// Appends the same object as JSON text.
CRM_API void append_json(std::string& out, const CreditRequest& r);
/// Parses a credit request (as written by tag_invoke above); InvalidError
/// naming every bad field.
CRM_API CreditRequest tag_invoke(boost::json::value_to_tag<CreditRequest>, const boost::json::value& jv);

/// {"card","customer_id","accrued_cents","balance_cents","duplicate"}
CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const Accrual& a);
/// {"card","customer_id","balance_cents"}
CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const Balance& b);
/// {"card","customer_id","redeemed_cents","balance_cents","duplicate","ledger_id"}
CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const Redemption& r);

}  // namespace crm

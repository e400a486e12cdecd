/// @file ticket.hpp
/// The sales ticket model (`tickets` in spec/domain.md, seed 003 receipts).
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

/// How a ticket was paid; JSON "CASH", "CARD", ... (input case-insensitive).
enum class PaymentMode { cash, card, check, transfer, other };

/// One line of a ticket. Money is integer cents.
struct CRM_API TicketLine {
    std::string product_code;                             ///< 1..64 chars
    std::int64_t unit_price_before_cents = 0;             ///< 0 .. 10^15
    std::int64_t promo_percent = 0;                       ///< 0..100
    /// Default: before * (100 - promo) / 100, rounded down; when given,
    /// must be <= before. Always set on a stored ticket.
    std::optional<std::int64_t> unit_price_after_cents;
    std::int64_t quantity = 1;                            ///< >= 1
};

/// One row of `tickets`: a sales receipt. Immutable once created; deleting
/// one writes a `reversal` ledger entry for the credit it accrued.
struct CRM_API Ticket {
    // --- read-only, set by the engine ---
    std::int64_t id = 0;                    ///< assigned on create
    std::int64_t loyalty_points_cents = 0;  ///< credit this ticket accrued
    Timestamp created_at{};                 ///< set on create

    // --- given on create ---
    /// The customer, by id or by uuid (either; both must agree). Optional;
    /// a stored ticket of a customer carries both.
    std::optional<std::int64_t> customer_id;
    std::optional<std::string> customer_uuid;  ///< see customer_id
    std::optional<Timestamp> date;             ///< default: now
    PaymentMode payment_mode = PaymentMode::other;  ///< default OTHER
    std::string origin = "store";              ///< 1..100 chars, e.g. "e-commerce"
    std::vector<TicketLine> lines;             ///< at least one
    /// Computed: sum of unit_price_after_cents * quantity. A given value that
    /// differs is invalid.
    std::optional<std::int64_t> total_cents;
    /// Idempotency key (<= 100 chars), unique: the same payload again returns
    /// the stored ticket; another payload under the same ref is a conflict.
    std::optional<std::string> ref;
};

/// The JSON string of a payment mode ("CASH", ...); static storage.
CRM_API std::string_view to_string(PaymentMode m) noexcept;

/// The canonical JSON object of a ticket (lines included).
CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const Ticket& t);
/// Appends the same object as JSON text.
CRM_API void append_json(std::string& out, const Ticket& t);
/// Parses a ticket (read-only fields ignored); throws crm::InvalidError
/// naming every unknown or wrongly typed field (`lines[1].quantity`).
CRM_API Ticket tag_invoke(boost::json::value_to_tag<Ticket>, const boost::json::value& jv);

}  // namespace crm

/// @file order.hpp
/// The order model (`orders` in spec/domain.md, seed 001).
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

namespace crm {

/// An order's status; the numbers are seed 001's (input accepts both).
enum class OrderStatus { draft = 0, submitted = 1, revoked = 2 };

/// One row of `orders`: every field, with the spec's defaults. A plain value.
struct CRM_API Order {
    // --- read-only, set by the engine ---
    std::int64_t id = 0;                   ///< assigned on create
    std::optional<Timestamp> submit_date;  ///< set when the status becomes submitted
    std::optional<Timestamp> archived_at;  ///< set when archived becomes true
    Timestamp created_at{};                ///< set on create
    Timestamp updated_at{};                ///< refreshed on each write

    // --- writable ---
    std::optional<std::int64_t> customer_id;  ///< must exist; required when customer_required
    std::optional<std::int64_t> number;       ///< >= 0; omitted on create: max(number) + 1
    std::optional<Timestamp> date;            ///< default: now
    OrderStatus status = OrderStatus::draft;  ///< draft -> submitted -> revoked, draft -> revoked
    std::int64_t type = 0;                    ///< >= 0
    std::int64_t quantity = 1;                ///< >= 0
    std::int64_t activation_limit = 0;        ///< >= 0
    std::optional<std::string> description;   ///< <= 10,000 chars
    bool is_demo = false;                     ///< seed 001 flag, stored as given
    bool archived = false;                    ///< setting it true sets archived_at
    bool can_overwrite_container = false;     ///< seed 001 flag, stored as given
    bool customer_required = true;            ///< true: customer_id is required
    std::optional<Timestamp> activation_birth_date;  ///< start of the activation window
    std::optional<Timestamp> activation_death_date;  ///< >= activation_birth_date
    /// @{
    /// External references, <= 100 chars each.
    std::optional<std::string> crm_id, ref_id;
    /// @}
    std::int64_t total_cents = 0;                    ///< 0 .. 10^15
};

/// The JSON string of a status ("draft", "submitted", "revoked"); static storage.
CRM_API std::string_view to_string(OrderStatus s) noexcept;

/// The canonical JSON object of an order.
CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const Order& o);
/// Appends the same object as JSON text.
CRM_API void append_json(std::string& out, const Order& o);
/// Parses an order (read-only fields ignored); throws crm::InvalidError
/// naming every unknown or wrongly typed field.
CRM_API Order tag_invoke(boost::json::value_to_tag<Order>, const boost::json::value& jv);

}  // namespace crm

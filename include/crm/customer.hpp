/// @file customer.hpp
/// The customer model (`customers` in spec/domain.md).
///
/// A Customer holds every field of the collection. Writable fields are what a
/// client sets; read-only fields (marked below) are filled by the engine and
/// ignored when a Customer is written. JSON conversion goes through
/// Boost.JSON: boost::json::value_from(customer) gives the canonical object,
/// boost::json::value_to<crm::Customer>(value) parses one (throwing
/// crm::InvalidError that names every bad field).
#pragma once

#include <crm/crm.h>
#include <crm/types.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

/// A customer's `kind`: "person" (the default) or "company" (which
/// requires company_name).
enum class CustomerKind { person, company };
/// A customer's `gender`: "unknown" (the default), "male", "female", "other".
enum class Gender { unknown, male, female, other };
/// A customer's `user_type`: "registered" (the default) or "guest".
enum class UserType { registered, guest };

/// One row of `customers`: every field, with the spec's defaults. A plain
/// value; copying it never touches the database.
struct CRM_API Customer {
    // --- read-only, set by the engine ---
    std::int64_t id = 0;                        ///< read-only, assigned on create
    std::string uuid;                           ///< read-only, random UUID v4
    std::string full_name;                      ///< read-only: "first last" or company_name
    std::optional<int> age;                     ///< read-only, whole years from date_of_birth
    std::optional<Timestamp> archived_at;       ///< read-only, set when archived becomes true
    std::int64_t credit_cents = 0;              ///< read-only: loyalty balance
    std::int64_t refusal_count = 0;             ///< read-only: refused credit requests
    std::optional<Date> last_payment_date;      ///< read-only: from the latest ticket
    std::optional<std::int64_t> last_payment_cents;  ///< read-only: from the latest ticket
    std::int64_t average_basket_cents = 0;      ///< read-only: mean ticket total, rounded down
    Timestamp created_at{};                     ///< read-only, set on create
    Timestamp updated_at{};                     ///< read-only, refreshed on each write

    // --- writable ---
    CustomerKind kind = CustomerKind::person;   ///< person or company
    /// @{
    /// <= 200 chars; company_name is required for a company.
    std::optional<std::string> first_name, last_name, company_name;
    /// @}
    std::optional<std::string> email;           ///< stored lower-case, unique
    /// @{
    /// Optional '+', then 6..20 digits and separators; stored as given.
    std::optional<std::string> phone, mobile;
    /// @}
    Gender gender = Gender::unknown;            ///< default unknown
    std::optional<Date> date_of_birth;          ///< 1900-01-01 .. today
    std::optional<std::string> note;            ///< <= 10,000 chars
    std::int64_t status = 0;                    ///< >= 0
    bool is_active = true;                      ///< default true
    bool archived = false;                      ///< setting it true sets archived_at
    bool accepts_marketing = false;             ///< marketing consent
    bool email_allowed = false;                 ///< may be contacted by email
    bool sms_allowed = false;                   ///< may be contacted by SMS
    bool call_allowed = false;                  ///< may be called
    UserType user_type = UserType::registered;  ///< default registered
    std::optional<std::int64_t> channel_id;     ///< >= 1
    /// @{
    /// External references, <= 100 chars each.
    std::optional<std::string> channel_code, erp_code, crm_id, ref_id, account;
    /// @}
    std::optional<std::string> loyalty_card;    ///< letters/digits, <= 32, unique
    std::vector<std::string> coupons;           ///< distinct, each <= 64 chars
    std::optional<Timestamp> date_joined;       ///< default: creation time
    boost::json::object attributes;             ///< checked against active forms
    boost::json::object extra_field;            ///< free-form JSON object
    boost::json::object localized_attributes;   ///< free-form JSON object
};

/// The JSON string of a kind ("person", "company"); static storage.
CRM_API std::string_view to_string(CustomerKind k) noexcept;
/// The JSON string of a gender ("unknown", "male", ...); static storage.
CRM_API std::string_view to_string(Gender g) noexcept;
/// The JSON string of a user type ("registered", "guest"); static storage.
CRM_API std::string_view to_string(UserType t) noexcept;

/// The canonical JSON object of a customer (every field, nulls included).
CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const Customer& c);
/// Appends the same object as JSON text, written directly (no intermediate
/// boost::json::value: the fast path of reads).
CRM_API void append_json(std::string& out, const Customer& c);
/// Parses a customer from JSON. Read-only fields are ignored, unknown fields
/// and wrongly typed values throw crm::InvalidError naming every such field.
/// Rules such as lengths and formats are checked when the engine writes.
CRM_API Customer tag_invoke(boost::json::value_to_tag<Customer>, const boost::json::value& jv);

}  // namespace crm

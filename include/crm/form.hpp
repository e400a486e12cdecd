/// @file form.hpp
/// Custom forms (`forms`, seed 000 custom_form): the shape that customers'
/// `attributes` must have while a form is active.
#pragma once

#include <crm/crm.h>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

/// The type an attribute must have. JSON: "string", "integer", "number",
/// "boolean", "date" (`YYYY-MM-DD` string), "enum" (one of the options).
enum class FormFieldType { string, integer, number, boolean, date, enumeration };

/// One field of a form: the customer attribute `attributes.<name>`.
struct CRM_API FormField {
    std::string name;                 ///< an identifier: [A-Za-z_][A-Za-z0-9_]*, <= 64
    std::optional<std::string> label; ///< <= 200 chars
    FormFieldType type = FormFieldType::string;  ///< JSON "string" ... "date", "enum"
    bool required = false;  ///< true: an active form makes it mandatory
    std::vector<std::string> options;  ///< enum only, non-empty, distinct
};

/// One row of `forms`. While `active`, every customer written must satisfy
/// it (else InvalidError naming `attributes.<field>`).
struct CRM_API Form {
    std::int64_t id = 0;  ///< read-only
    std::string name;     ///< unique, 1 .. 100 chars
    bool active = true;   ///< only active forms are checked
    std::vector<FormField> fields;  ///< in JSON an array, or a string holding one (seed 000)
};

/// The JSON string of a field type ("string" ... "enum"); static storage.
CRM_API std::string_view to_string(FormFieldType t) noexcept;

/// The canonical JSON object of a form (`fields` as an array).
CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const Form& f);
/// Appends the same object as JSON text.
CRM_API void append_json(std::string& out, const Form& f);
/// Parses a form (read-only fields ignored); throws crm::InvalidError naming
/// every unknown or wrongly typed field.
CRM_API Form tag_invoke(boost::json::value_to_tag<Form>, const boost::json::value& jv);

}  // namespace crm

// crm/form.hpp - custom forms (`forms`, seed 000 custom_form): the shape
// that customers' `attributes` must have while a form is active.
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

enum class FormFieldType { string, integer, number, boolean, date, enumeration };

struct CRM_API FormField {
    std::string name;                 ///< an identifier: [A-Za-z_][A-Za-z0-9_]*, <= 64
    std::optional<std::string> label; ///< <= 200 chars
    FormFieldType type = FormFieldType::string;  ///< JSON "string" ... "date", "enum"
    bool required = false;
    std::vector<std::string> options;  ///< enum only, non-empty, distinct
};

struct CRM_API Form {
    std::int64_t id = 0;  ///< read-only
    std::string name;     ///< unique, 1 .. 100 chars
    bool active = true;
    std::vector<FormField> fields;  ///< in JSON an array, or a string holding one (seed 000)
};

CRM_API std::string_view to_string(FormFieldType t) noexcept;

CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const Form& f);
CRM_API void append_json(std::string& out, const Form& f);
CRM_API Form tag_invoke(boost::json::value_to_tag<Form>, const boost::json::value& jv);

}  // namespace crm

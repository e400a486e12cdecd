// domain/customer_text.hpp - a customer's JSON text with its three JSON
// object fields taken as stored text: list pages copy what the store holds
// instead of parsing it into objects only to write it out again.
#pragma once

#include <crm/customer.hpp>

#include "domain/json_text.hpp"

#include <string>
#include <string_view>

namespace crm::domain {

/// A customer's JSON object fields as JSON text, each one JSON object
/// (is_json_object()).
struct CustomerJsonFields {
    std::string_view attributes;
    std::string_view extra_field;
    std::string_view localized_attributes;
};

/// append_json(out, c), but `fields` for c's attributes, extra_field and
/// localized_attributes (which it does not read).
void append_json(TextOut& out, const Customer& c, const CustomerJsonFields& fields);

}  // namespace crm::domain

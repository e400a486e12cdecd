/// @file message.hpp
/// A message about a customer (`messages`, seed 000 customer_message).
#pragma once

#include <crm/crm.h>
#include <crm/types.hpp>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstdint>
#include <string>

namespace crm {

/// One row of `messages`. Deleted with its customer.
struct CRM_API Message {
    std::int64_t id = 0;          ///< read-only
    Timestamp created_at{};       ///< read-only
    std::int64_t customer_id = 0; ///< required; the customer must exist
    std::string context;          ///< 1 .. 10,000 chars
};

/// The canonical JSON object of a message.
CRM_API void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const Message& m);
/// Appends the same object as JSON text.
CRM_API void append_json(std::string& out, const Message& m);
/// Parses a message (read-only fields ignored); throws crm::InvalidError
/// naming every unknown or wrongly typed field.
CRM_API Message tag_invoke(boost::json::value_to_tag<Message>, const boost::json::value& jv);

}  // namespace crm

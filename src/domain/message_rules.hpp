// domain/message_rules.hpp - the rules of `messages` (spec/domain.md).
#pragma once

#include <crm/error.hpp>
#include <crm/message.hpp>

#include <boost/json/value.hpp>

#include <vector>

namespace crm::domain {

Message parse_message(const boost::json::value& jv, std::vector<FieldError>& errors);
void normalize(Message& m);
void validate(const Message& m, std::vector<FieldError>& errors);

}  // namespace crm::domain

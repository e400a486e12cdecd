// domain/customer_rules.hpp - where each customer field's rule lives
// (spec/domain.md, `customers`). No SQL here.
#pragma once

#include <crm/customer.hpp>
#include <crm/error.hpp>

#include <boost/json/value.hpp>

#include <vector>

namespace crm::domain {

/// Reads a customer's writable fields from JSON; read-only fields are
/// ignored, wrong types and unknown keys are appended to `errors`.
Customer parse_customer(const boost::json::value& jv, std::vector<FieldError>& errors);

/// Trims strings (empty means unset), lower-cases the email, trims coupons.
void normalize(Customer& c);

/// Appends every broken rule of a normalized customer to `errors`.
void validate(const Customer& c, Date today, std::vector<FieldError>& errors);

/// Fills the fields computed on read: full_name and age.
void compute_derived(Customer& c, Date today);

/// Copies the fields only the engine sets (id, uuid, balances, timestamps...)
/// from the stored customer onto an incoming one.
void keep_read_only(Customer& incoming, const Customer& stored);

}  // namespace crm::domain

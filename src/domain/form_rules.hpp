// domain/form_rules.hpp - the rules of `forms`, and how active forms check
// customers' attributes (spec/domain.md, `forms`).
#pragma once

#include <crm/error.hpp>
#include <crm/form.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <span>
#include <vector>

namespace crm::domain {

Form parse_form(const boost::json::value& jv, std::vector<FieldError>& errors);
void normalize(Form& f);
void validate(const Form& f, std::vector<FieldError>& errors);

/// Appends an error named `attributes.<field>` for every required field of
/// an active form that `attributes` lacks, and every present field whose
/// value is not of the declared type.
void check_attributes(const boost::json::object& attributes, std::span<const Form> active_forms,
                      std::vector<FieldError>& errors);

}  // namespace crm::domain

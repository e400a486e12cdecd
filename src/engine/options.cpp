// Engine options: the typed struct and its JSON form.
#include <crm/error.hpp>
#include <crm/options.hpp>

#include "domain/json_reader.hpp"
#include "domain/money.hpp"

namespace crm {

namespace {
// Appends every bad value of `o` to `errors`.
void check(const Options& o, std::vector<FieldError>& errors) {
    if (!domain::parse_rate(o.credit_rate)) errors.push_back({"credit_rate", "must be a decimal string from 0 to 1 (at most 18 decimals), like \"0.5\""});
    if (o.max_refusals < 0) errors.push_back({"max_refusals", "must be >= 0"});
    if (o.credit_limit_multiplier < 0) errors.push_back({"credit_limit_multiplier", "must be >= 0"});
    if (o.busy_timeout_ms < 0 || o.busy_timeout_ms > 2'147'483'647)
        errors.push_back({"busy_timeout_ms", "must be from 0 to 2147483647"});
}

}  // namespace

void Options::validate() const {
    std::vector<FieldError> errors;
    check(*this, errors);
    if (!errors.empty()) throw InvalidError(std::move(errors));
}

Options Options::from_json(const boost::json::value& jv) {
    Options o;
    if (jv.is_null()) return o;
    if (!jv.is_object()) throw InvalidError("the options must be a JSON object");
    std::vector<FieldError> errors;
    domain::JsonReader r(jv.get_object(), errors);
    std::optional<std::string> rate;
    r.text("credit_rate", rate);
    if (rate) o.credit_rate = *rate;
    r.integer("max_refusals", o.max_refusals);
    r.integer("credit_limit_multiplier", o.credit_limit_multiplier);
    r.integer("busy_timeout_ms", o.busy_timeout_ms);
    r.finish();
    check(o, errors);  // bad values are reported with unknown keys, all at once
    if (!errors.empty()) throw InvalidError(std::move(errors));
    return o;
}

}  // namespace crm

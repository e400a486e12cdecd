// Engine options: the typed struct and its JSON form.
#include <crm/error.hpp>
#include <crm/options.hpp>

#include "domain/json_reader.hpp"

namespace crm {

namespace {
// "0", "1", "0.5", "0.125": a decimal in 0..1 written without exponent.
bool valid_rate(std::string_view s) {
    if (s.empty()) return false;
    std::size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
    if (whole.empty() || (dot != std::string_view::npos && frac.empty())) return false;
    auto digits = [](std::string_view d) {
        for (char c : d)
            if (c < '0' || c > '9') return false;
        return true;
    };
    if (!digits(whole) || !digits(frac)) return false;
    if (whole.size() > 1 && whole.front() == '0') return false;
    if (whole == "0") return true;
    if (whole != "1") return false;
    for (char c : frac)
        if (c != '0') return false;  // 1.000 is 1; anything above is out of range
    return true;
}
// Appends every bad value of `o` to `errors`.
void check(const Options& o, std::vector<FieldError>& errors) {
    if (!valid_rate(o.credit_rate)) errors.push_back({"credit_rate", "must be a decimal string from 0 to 1, like \"0.5\""});
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

/// @file options.hpp
/// The options an engine is opened with.
#pragma once

#include <crm/crm.h>

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>

namespace crm {

/// Typed engine options. The JSON form (crm_open's options_json) has the
/// same keys; unknown keys are rejected.
struct CRM_API Options {
    /// Share of a ticket's total accrued as loyalty credit: a decimal string
    /// in 0..1, parsed exactly (never as a double).
    std::string credit_rate = "0.5";
    /// Refused credit requests after which every request is refused.
    std::int64_t max_refusals = 3;
    /// A credit request may reach this many times the last 365 days' tickets.
    std::int64_t credit_limit_multiplier = 10;
    /// How long a call waits for another connection's lock before `busy`.
    std::int64_t busy_timeout_ms = 5000;

    /// Parses and checks the JSON form (null means every default). Throws
    /// crm::InvalidError naming each unknown key or bad value.
    static Options from_json(const boost::json::value& jv);
    /// Checks the values; throws crm::InvalidError naming each bad one.
    void validate() const;
};

}  // namespace crm

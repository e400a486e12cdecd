/// @file types.hpp
/// The value types shared by every model: dates and timestamps.
#pragma once

#include <crm/crm.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace crm {

/// A calendar date (`YYYY-MM-DD` in JSON).
using Date = std::chrono::year_month_day;
/// A UTC instant with microsecond resolution (RFC 3339 in JSON, always
/// written in UTC with a `Z`; fractional seconds only when non-zero).
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// Parses `YYYY-MM-DD`; nullopt when malformed or not a real date.
CRM_API std::optional<Date> parse_date(std::string_view text) noexcept;
/// Formats a date as `YYYY-MM-DD`.
CRM_API std::string format_date(Date d);
/// Parses an RFC 3339 timestamp (`2026-01-15T10:30:00Z`, any offset,
/// optional fraction up to microseconds); nullopt when malformed.
CRM_API std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept;
/// Formats a timestamp as RFC 3339 UTC (`2026-01-15T10:30:00Z`).
CRM_API std::string format_timestamp(Timestamp t);

}  // namespace crm

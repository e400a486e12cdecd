// domain/time_text.hpp - dates and timestamps written into a caller's buffer.
//
// format_date and format_timestamp (crm/types.hpp) return a new string each;
// the JSON writer of the read paths writes the same text in place with these.
#pragma once

#include <crm/types.hpp>

#include <cstddef>

namespace crm::domain {

/// Room enough for any date or timestamp text (a std::chrono::year has at
/// most 5 digits and a sign; the rest is 27 characters at most).
inline constexpr std::size_t kTimeTextMax = 48;

/// Writes `YYYY-MM-DD` at `out` (kTimeTextMax bytes); returns its length.
std::size_t put_date(char* out, Date d) noexcept;
/// Writes the RFC 3339 UTC text of `t` at `out` (kTimeTextMax bytes); returns its length.
std::size_t put_timestamp(char* out, Timestamp t) noexcept;

}  // namespace crm::domain

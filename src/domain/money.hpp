// domain/money.hpp - money as integer cents, and exact decimal rates.
//
// No floating point takes part in any money arithmetic. The one place a
// double appears is a JSON number in currency units (seed 003's `Montant`,
// `Credit`): Boost.JSON has already parsed it to a double, so its shortest
// round-trip decimal text (std::to_chars) is taken as the number written,
// and that text is converted exactly.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace crm::domain {

/// The largest amount of money (spec: 0 <= x <= 10^15 cents).
inline constexpr std::int64_t kMaxCents = 1'000'000'000'000'000;

/// An exact decimal in 0..1: numerator / 10^digits.
struct Rate {
    std::int64_t numerator = 0;
    int digits = 0;  ///< 0..18
};

/// Parses "0", "1", "0.5", "0.125", "1.000": a decimal from 0 to 1 without
/// sign or exponent, at most 18 fraction digits. nullopt otherwise.
std::optional<Rate> parse_rate(std::string_view text) noexcept;

/// floor(cents * rate), exactly (cents in 0..10^15).
std::int64_t apply_rate(std::int64_t cents, Rate rate) noexcept;

/// A decimal amount of currency units as text ("26", "154.62542724609375",
/// "0.5") to cents, rounded down (the documented rule: fractions of a cent
/// are dropped). nullopt when not a plain non-negative decimal or above
/// 10^15 cents.
std::optional<std::int64_t> decimal_units_to_cents(std::string_view text) noexcept;

/// A JSON amount in currency units (an integer, a number, or a string
/// holding a decimal) to cents, rounded down; nullopt when it is none of
/// these, negative, or above 10^15 cents.
std::optional<std::int64_t> units_to_cents(const boost::json::value& v) noexcept;

/// a + b, or nullopt when the sum leaves 0..10^15 (a, b >= 0).
std::optional<std::int64_t> add_cents(std::int64_t a, std::int64_t b) noexcept;
/// a * n, or nullopt when the product leaves 0..10^15 (a, n >= 0).
std::optional<std::int64_t> mul_cents(std::int64_t a, std::int64_t n) noexcept;

}  // namespace crm::domain

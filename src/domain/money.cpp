#include "domain/money.hpp"

#include <charconv>
#include <cmath>

namespace crm::domain {

namespace {

__extension__ typedef __int128 Wide;  // 10^15 * 10^18 needs more than 64 bits

bool all_digits(std::string_view s) noexcept {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace

std::optional<Rate> parse_rate(std::string_view s) noexcept {
    const std::size_t dot = s.find('.');
    const std::string_view whole = s.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
    if (whole.empty() || !all_digits(whole) || !all_digits(frac)) return std::nullopt;
    if (dot != std::string_view::npos && frac.empty()) return std::nullopt;  // "1."
    if (whole.size() > 1 && whole.front() == '0') return std::nullopt;     // "00.5"
    if (frac.size() > 18 || (whole != "0" && whole != "1")) return std::nullopt;
    if (whole == "1")
        for (char c : frac)
            if (c != '0') return std::nullopt;  // above 1
    // numerator / 10^digits, the numerator being every digit written
    // ("1.000" is 1000 / 10^3, "0.125" is 125 / 10^3).
    Rate r;
    r.digits = static_cast<int>(frac.size());
    std::int64_t num = whole == "1" ? 1 : 0;
    for (char c : frac) num = num * 10 + (c - '0');
    r.numerator = num;
    return r;
}

std::int64_t apply_rate(std::int64_t cents, Rate rate) noexcept {
    Wide den = 1;
    for (int i = 0; i < rate.digits; ++i) den *= 10;
    return static_cast<std::int64_t>(static_cast<Wide>(cents) * rate.numerator / den);  // both >= 0: floor
}

std::optional<std::int64_t> decimal_units_to_cents(std::string_view s) noexcept {
    const std::size_t dot = s.find('.');
    const std::string_view whole = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
    if (whole.empty() || !all_digits(whole) || !all_digits(frac)) return std::nullopt;
    if (dot != std::string_view::npos && frac.empty()) return std::nullopt;
    std::string_view w = whole;
    while (w.size() > 1 && w.front() == '0') w.remove_prefix(1);
    if (w.size() > 14) return std::nullopt;  // 10^13 units (10^15 cents) has 14 digits
    std::int64_t cents = 0;
    for (char c : w) cents = cents * 10 + (c - '0');
    cents *= 100;
    if (frac.size() > 0) cents += (frac[0] - '0') * 10;
    if (frac.size() > 1) cents += frac[1] - '0';  // later digits: rounded down
    if (cents > kMaxCents) return std::nullopt;
    return cents;
}

std::optional<std::int64_t> units_to_cents(const boost::json::value& v) noexcept {
    if (v.is_int64()) {
        const std::int64_t u = v.get_int64();
        if (u < 0 || u > kMaxCents / 100) return std::nullopt;
        return u * 100;
    }
    if (v.is_uint64()) {
        const std::uint64_t u = v.get_uint64();
        if (u > static_cast<std::uint64_t>(kMaxCents / 100)) return std::nullopt;
        return static_cast<std::int64_t>(u) * 100;
    }
    if (v.is_string()) return decimal_units_to_cents(v.get_string());
    if (!v.is_double()) return std::nullopt;
    const double d = v.get_double();
    if (!std::isfinite(d) || d < 0 || d > 1e13) return std::nullopt;
    if (d < 0.01) return 0;  // below one cent (and no exponent form below)
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    if (r.ec != std::errc{}) return std::nullopt;
    return decimal_units_to_cents(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

std::optional<std::int64_t> add_cents(std::int64_t a, std::int64_t b) noexcept {
    if (a < 0 || b < 0 || a > kMaxCents || b > kMaxCents - a) return std::nullopt;
    return a + b;
}

std::optional<std::int64_t> mul_cents(std::int64_t a, std::int64_t n) noexcept {
    if (a < 0 || n < 0) return std::nullopt;
    const Wide p = static_cast<Wide>(a) * n;
    if (p > kMaxCents) return std::nullopt;
    return static_cast<std::int64_t>(p);
}

}  // namespace crm::domain

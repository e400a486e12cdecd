// Dates and RFC 3339 timestamps.
//
// Parsing is written by hand: GCC 12's libstdc++ has no std::chrono::parse
// (it arrives in GCC 14), and the grammar is small. The calendar arithmetic
// is <chrono>'s.
#include <crm/types.hpp>

#include "domain/time_text.hpp"

#include <charconv>

namespace crm {

namespace {
using namespace std::chrono;

// Reads exactly `width` digits at s[pos].
bool digits(std::string_view s, std::size_t pos, std::size_t width, int& out) noexcept {
    if (pos + width > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

std::optional<Date> date_at(std::string_view s) noexcept {  // "YYYY-MM-DD" at the start of s
    int y, m, d;
    if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
        !digits(s, 8, 2, d))
        return std::nullopt;
    Date date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
    if (!date.ok()) return std::nullopt;
    return date;
}
}  // namespace

std::optional<Date> parse_date(std::string_view text) noexcept {
    if (text.size() != 10) return std::nullopt;
    return date_at(text);
}

namespace {
// Writes v as `width` zero-padded digits at `out`; returns the end
// (formatting is on the hot path of every read, so no format-string
// parsing here).
char* put_digits(char* out, long long v, int width) noexcept {
    char buf[20];
    int n = 0;
    bool neg = v < 0;
    unsigned long long u = neg ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    do {
        buf[n++] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u != 0);
    while (n < width) buf[n++] = '0';
    if (neg) *out++ = '-';
    while (n > 0) *out++ = buf[--n];
    return out;
}

// Two digits of 0..99 (months, days, hours, minutes, seconds: every field
// but the year and the fraction).
char* put2(char* out, unsigned v) noexcept {
    if (v > 99) return put_digits(out, v, 2);
    out[0] = static_cast<char>('0' + v / 10);
    out[1] = static_cast<char>('0' + v % 10);
    return out + 2;
}
}  // namespace

std::size_t domain::put_date(char* out, Date d) noexcept {
    char* p = put_digits(out, static_cast<int>(d.year()), 4);
    *p++ = '-';
    p = put2(p, static_cast<unsigned>(d.month()));
    *p++ = '-';
    p = put2(p, static_cast<unsigned>(d.day()));
    return static_cast<std::size_t>(p - out);
}

std::size_t domain::put_timestamp(char* out, Timestamp t) noexcept {
    auto days = floor<std::chrono::days>(t);
    hh_mm_ss<microseconds> tod{t - days};
    char* p = out + put_date(out, Date{days});
    *p++ = 'T';
    p = put2(p, static_cast<unsigned>(tod.hours().count()));
    *p++ = ':';
    p = put2(p, static_cast<unsigned>(tod.minutes().count()));
    *p++ = ':';
    p = put2(p, static_cast<unsigned>(tod.seconds().count()));
    if (auto us = tod.subseconds().count(); us != 0) {
        *p++ = '.';
        p = put_digits(p, us, 6);
        while (p[-1] == '0') --p;
    }
    *p++ = 'Z';
    return static_cast<std::size_t>(p - out);
}

std::string format_date(Date d) {
    char buf[domain::kTimeTextMax];
    return std::string(buf, domain::put_date(buf, d));
}

std::optional<Timestamp> parse_timestamp(std::string_view s) noexcept {
    // date "T" HH:MM:SS [.fraction] ("Z" | ("+"|"-") HH:MM); 't', 'z' and a
    // space separator are accepted as RFC 3339 allows.
    auto date = date_at(s);
    if (!date || s.size() < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return std::nullopt;
    int hh, mm, ss;
    if (!digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm) || s[16] != ':' || !digits(s, 17, 2, ss))
        return std::nullopt;
    if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;  // 60: a leap second, folded into the next
    std::size_t pos = 19;
    std::int64_t micros = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t start = pos;
        int scale = 100000;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (scale > 0) micros += (s[pos] - '0') * scale;  // digits past microseconds are dropped
            scale /= 10;
            ++pos;
        }
        if (pos == start) return std::nullopt;
    }
    if (pos >= s.size()) return std::nullopt;
    minutes offset{0};
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om;
        if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om) ||
            oh > 23 || om > 59)
            return std::nullopt;
        offset = hours{oh} + minutes{om};
        if (s[pos] == '-') offset = -offset;
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    return Timestamp{sys_days{*date} + hours{hh} + minutes{mm} + seconds{ss} - offset} + microseconds{micros};
}

std::string format_timestamp(Timestamp t) {
    char buf[domain::kTimeTextMax];
    return std::string(buf, domain::put_timestamp(buf, t));
}

}  // namespace crm

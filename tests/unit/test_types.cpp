// crm::parse_date / format_date / parse_timestamp / format_timestamp
// (include/crm/types.hpp).
#include <crm/types.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>

using namespace std::chrono;

namespace {

crm::Date ymd(int y, unsigned m, unsigned d) { return crm::Date{year{y}, month{m}, day{d}}; }

crm::Timestamp at(int y, unsigned m, unsigned d, int hh, int mi, int ss, long long us = 0) {
    return crm::Timestamp{sys_days{ymd(y, m, d)} + hours{hh} + minutes{mi} + seconds{ss}} + microseconds{us};
}

// Microseconds since the epoch, so Catch prints a readable value on failure.
std::optional<long long> micros(std::optional<crm::Timestamp> t) {
    if (!t) return std::nullopt;
    return t->time_since_epoch().count();
}
long long micros(crm::Timestamp t) { return t.time_since_epoch().count(); }

std::string date_text(std::optional<crm::Date> d) {
    if (!d) return "<none>";
    return std::to_string(int(d->year())) + "/" + std::to_string(unsigned(d->month())) + "/" +
           std::to_string(unsigned(d->day()));
}

}  // namespace

TEST_CASE("parse_date accepts real dates in YYYY-MM-DD", "[types]") {
    CHECK(date_text(crm::parse_date("2026-01-15")) == "2026/1/15");
    CHECK(date_text(crm::parse_date("1900-01-01")) == "1900/1/1");
    CHECK(date_text(crm::parse_date("1899-12-31")) == "1899/12/31");  // parsing has no range rule
    CHECK(date_text(crm::parse_date("2024-02-29")) == "2024/2/29");    // leap year
    CHECK(date_text(crm::parse_date("2000-02-29")) == "2000/2/29");    // leap year (400)
    CHECK(date_text(crm::parse_date("2026-12-31")) == "2026/12/31");
}

TEST_CASE("parse_date rejects malformed text and impossible dates", "[types]") {
    for (const char* bad : {"2026-02-30", "2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-01-00",
                            "2026-01-32", "2026-04-31", "2026-1-15", "2026-01-5", "26-01-15", "20260115",
                            "2026/01/15", "15-01-2026", "2026-01-15T00:00:00Z", "2026-01-15 ", "x026-01-15",
                            "2026-01-1a", "", "    -  -  "}) {
        INFO("text: '" << bad << "'");
        CHECK_FALSE(crm::parse_date(bad).has_value());
    }
}

TEST_CASE("format_date pads to YYYY-MM-DD and round-trips", "[types]") {
    CHECK(crm::format_date(ymd(2026, 1, 5)) == "2026-01-05");
    CHECK(crm::format_date(ymd(1900, 12, 31)) == "1900-12-31");
    CHECK(crm::format_date(ymd(2024, 2, 29)) == "2024-02-29");
    for (const char* text : {"1900-01-01", "1999-12-31", "2024-02-29", "2026-07-04"}) {
        auto d = crm::parse_date(text);
        REQUIRE(d.has_value());
        CHECK(crm::format_date(*d) == text);
    }
}

TEST_CASE("parse_timestamp reads RFC 3339 and converts offsets to UTC", "[types]") {
    const auto expect = at(2026, 1, 15, 10, 30, 0);
    CHECK(micros(crm::parse_timestamp("2026-01-15T10:30:00Z")) == micros(expect));
    CHECK(micros(crm::parse_timestamp("2026-01-15T12:30:00+02:00")) == micros(expect));
    CHECK(micros(crm::parse_timestamp("2026-01-15T05:00:00-05:30")) == micros(expect));
    CHECK(micros(crm::parse_timestamp("2026-01-15T10:30:00+00:00")) == micros(expect));
    CHECK(micros(crm::parse_timestamp("2026-01-15T10:30:00-00:00")) == micros(expect));
    // An offset that moves the instant to another day, month and year.
    CHECK(micros(crm::parse_timestamp("2026-01-01T01:00:00+02:00")) == micros(at(2025, 12, 31, 23, 0, 0)));
    CHECK(micros(crm::parse_timestamp("2025-12-31T23:30:00-01:00")) == micros(at(2026, 1, 1, 0, 30, 0)));
    CHECK(micros(crm::parse_timestamp("2024-02-29T23:59:59Z")) == micros(at(2024, 2, 29, 23, 59, 59)));
    CHECK(micros(crm::parse_timestamp("1970-01-01T00:00:00Z")) == 0);
}

TEST_CASE("parse_timestamp reads fractions of a second", "[types]") {
    CHECK(micros(crm::parse_timestamp("2026-01-15T10:30:00.5Z")) == micros(at(2026, 1, 15, 10, 30, 0, 500000)));
    CHECK(micros(crm::parse_timestamp("2026-01-15T10:30:00.250Z")) == micros(at(2026, 1, 15, 10, 30, 0, 250000)));
    CHECK(micros(crm::parse_timestamp("2026-01-15T10:30:00.123456Z")) ==
          micros(at(2026, 1, 15, 10, 30, 0, 123456)));
    CHECK(micros(crm::parse_timestamp("2026-01-15T10:30:00.000001Z")) == micros(at(2026, 1, 15, 10, 30, 0, 1)));
    CHECK(micros(crm::parse_timestamp("2026-01-15T12:30:00.75+02:00")) ==
          micros(at(2026, 1, 15, 10, 30, 0, 750000)));
}

TEST_CASE("parse_timestamp rejects malformed timestamps", "[types]") {
    for (const char* bad : {
             "2026-01-15T10:30:00",         // no offset (missing Z)
             "2026-01-15",                  // a date only
             "2026-02-30T00:00:00Z",        // no such day
             "2026-13-01T00:00:00Z",        // no such month
             "2026-01-15T24:00:00Z",        // hour 24
             "2026-01-15T10:60:00Z",        // minute 60
             "2026-01-15T10:30:61Z",        // second 61
             "2026-01-15T10:30Z",           // no seconds
             "2026-01-15T1:30:00Z",         // one-digit hour
             "2026-01-15T10:30:00.Z",       // empty fraction
             "2026-01-15T10:30:00+02",      // offset without minutes
             "2026-01-15T10:30:00+0200",    // offset without colon
             "2026-01-15T10:30:00+24:00",   // offset out of range
             "2026-01-15T10:30:00ZZ",       // trailing garbage
             "2026-01-15T10:30:00Z ",       // trailing space
             "2026-01-15X10:30:00Z",        // bad separator
             "not a timestamp",
             "",
         }) {
        INFO("text: '" << bad << "'");
        CHECK_FALSE(crm::parse_timestamp(bad).has_value());
    }
}

TEST_CASE("format_timestamp writes UTC with Z, a fraction only when non-zero", "[types]") {
    CHECK(crm::format_timestamp(at(2026, 1, 15, 10, 30, 0)) == "2026-01-15T10:30:00Z");
    CHECK(crm::format_timestamp(at(1999, 12, 31, 23, 59, 59)) == "1999-12-31T23:59:59Z");
    CHECK(crm::format_timestamp(at(2026, 3, 5, 4, 3, 2)) == "2026-03-05T04:03:02Z");

    const std::string half = crm::format_timestamp(at(2026, 1, 15, 10, 30, 0, 500000));
    CHECK(half.rfind("2026-01-15T10:30:00.5", 0) == 0);
    CHECK(half.back() == 'Z');

    for (long long us : {1LL, 10LL, 123456LL, 999999LL, 500000LL, 120000LL}) {
        const auto t = at(2026, 6, 30, 23, 59, 59, us);
        const std::string text = crm::format_timestamp(t);
        INFO("formatted: " << text);
        CHECK(text.find('.') == 19);
        CHECK(text.back() == 'Z');
        CHECK(micros(crm::parse_timestamp(text)) == micros(t));
    }
    // Round trip of an offset timestamp ends in UTC.
    auto parsed = crm::parse_timestamp("2026-01-15T12:30:00+02:00");
    REQUIRE(parsed.has_value());
    CHECK(crm::format_timestamp(*parsed) == "2026-01-15T10:30:00Z");
}

// Money helpers (src/domain/money.hpp): exact decimal rates, floor(cents *
// rate) without floating point, currency units as text or JSON numbers to
// cents (rounded down), and the 10^15 bounds.
#include "domain/money.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace json = boost::json;
using crm::domain::kMaxCents;
using crm::domain::Rate;

namespace {

// parse_rate(text) as (numerator, digits), or (-1, -1) when refused.
std::pair<std::int64_t, int> rate_of(std::string_view text) {
    const auto r = crm::domain::parse_rate(text);
    if (!r) return {-1, -1};
    return {r->numerator, r->digits};
}

// floor(cents * rate) for a rate given as text (which must parse).
std::int64_t apply(std::int64_t cents, std::string_view rate) {
    const auto r = crm::domain::parse_rate(rate);
    REQUIRE(r.has_value());
    return crm::domain::apply_rate(cents, *r);
}

std::optional<std::int64_t> units(const json::value& v) { return crm::domain::units_to_cents(v); }
std::optional<std::int64_t> units_text(std::string_view json_text) {
    return crm::domain::units_to_cents(json::parse(json_text));
}

constexpr std::int64_t kNone = -1;
std::int64_t or_none(std::optional<std::int64_t> v) { return v.value_or(kNone); }

}  // namespace

TEST_CASE("money: parse_rate reads exact decimals from 0 to 1", "[money]") {
    using P = std::pair<std::int64_t, int>;
    CHECK(rate_of("0") == P{0, 0});
    CHECK(rate_of("1") == P{1, 0});
    CHECK(rate_of("0.5") == P{5, 1});
    CHECK(rate_of("0.125") == P{125, 3});
    CHECK(rate_of("0.05") == P{5, 2});
    CHECK(rate_of("0.0") == P{0, 1});
    CHECK(rate_of("0.999999999999999999") == P{999'999'999'999'999'999, 18});  // 18 digits: the most
    CHECK(rate_of("0.000000000000000001") == P{1, 18});
}

// Regression: "1.<zeros>" was scaled by 10^digits twice (credit_rate "1.000"
// accrued 1000 x the amount).
TEST_CASE("money: parse_rate of 1 with zero decimals", "[money]") {
    using P = std::pair<std::int64_t, int>;
    CHECK(rate_of("1.000000000000000000") == P{1'000'000'000'000'000'000, 18});
    CHECK(apply(12345, "1.000000000000000000") == 12345);
    CHECK(rate_of("1.0") == P{10, 1});
    CHECK(rate_of("1.000") == P{1000, 3});
    CHECK(apply(12345, "1.0") == 12345);
    CHECK(apply(12345, "1.000") == 12345);
}

TEST_CASE("money: parse_rate refuses anything but a plain decimal in 0..1", "[money]") {
    for (std::string_view bad : {"", ".", ".5", "1.", "0.", "00.5", "01", "00", "1.5", "1.01",
                                 "1.000000000000000001", "2", "10", "-0.5", "-0", "+0.5", "0.5e0", "5e-1",
                                 " 0.5", "0.5 ", "0,5", "0.5.1", "abc", "NaN", "inf", "0x1",
                                 "0.1234567890123456789",  // 19 fraction digits
                                 "0.0000000000000000000"}) {
        INFO("rate: '" << bad << "'");
        CHECK_FALSE(crm::domain::parse_rate(bad).has_value());
    }
}

TEST_CASE("money: apply_rate is floor(cents x rate) exactly", "[money]") {
    // Values a double gets wrong: 0.29 * 100 = 28.999999999999996,
    // 0.57 * 100 = 56.99999999999999, 0.3 * 10 cents...
    CHECK(apply(100, "0.29") == 29);
    CHECK(apply(100, "0.57") == 57);
    CHECK(apply(10, "0.3") == 3);
    CHECK(apply(3, "0.1") == 0);
    CHECK(apply(10, "0.1") == 1);
    CHECK(apply(1000, "0.07") == 70);
    // The seed: 26.00 paid at 0.5 -> 13.00.
    CHECK(apply(2600, "0.5") == 1300);
    CHECK(apply(5500, "0.5") == 2750);
    CHECK(apply(2600, "0.125") == 325);
    // Rounded down, never up.
    CHECK(apply(1, "0.5") == 0);
    CHECK(apply(3, "0.5") == 1);
    CHECK(apply(7, "0.125") == 0);
    CHECK(apply(8, "0.125") == 1);
    CHECK(apply(999, "0.001") == 0);
    CHECK(apply(1000, "0.001") == 1);
    CHECK(apply(1999, "0.001") == 1);
    // The ends of the rate range.
    CHECK(apply(12345, "0") == 0);
    CHECK(apply(12345, "1") == 12345);
    CHECK(apply(0, "0.5") == 0);
    // Huge amounts: 10^15 * (1 - 10^-18) = 999999999999999.999 -> ...999;
    // the product needs more than 64 bits and must not overflow.
    CHECK(apply(kMaxCents, "0.999999999999999999") == 999'999'999'999'999);
    CHECK(apply(kMaxCents, "1") == kMaxCents);
    CHECK(apply(kMaxCents, "0.5") == 500'000'000'000'000);
    CHECK(apply(kMaxCents, "0.000000000000000001") == 0);
    CHECK(apply(kMaxCents, "0.000000000000001") == 1);
    CHECK(apply(kMaxCents - 1, "0.999999999999999999") == 999'999'999'999'998);
    CHECK(apply(999'999'999'999'999, "0.333333333333333333") == 333'333'333'333'332);
    // A Rate built by hand (numerator / 10^digits).
    CHECK(crm::domain::apply_rate(1000, Rate{25, 2}) == 250);
    CHECK(crm::domain::apply_rate(1001, Rate{25, 2}) == 250);
}

TEST_CASE("money: decimal_units_to_cents converts currency text rounding down", "[money]") {
    CHECK(or_none(crm::domain::decimal_units_to_cents("26")) == 2600);
    CHECK(or_none(crm::domain::decimal_units_to_cents("55")) == 5500);
    CHECK(or_none(crm::domain::decimal_units_to_cents("0.29")) == 29);
    CHECK(or_none(crm::domain::decimal_units_to_cents("154.62542724609375")) == 15462);
    CHECK(or_none(crm::domain::decimal_units_to_cents("0")) == 0);
    CHECK(or_none(crm::domain::decimal_units_to_cents("0.5")) == 50);
    CHECK(or_none(crm::domain::decimal_units_to_cents("0.05")) == 5);
    CHECK(or_none(crm::domain::decimal_units_to_cents("0.009")) == 0);
    CHECK(or_none(crm::domain::decimal_units_to_cents("1.999")) == 199);
    CHECK(or_none(crm::domain::decimal_units_to_cents("007")) == 700);
    CHECK(or_none(crm::domain::decimal_units_to_cents("000000000000000000026.10")) == 2610);
    // Just under 10^13 units (10^15 cents, the largest amount).
    CHECK(or_none(crm::domain::decimal_units_to_cents("9999999999999.99")) == kMaxCents - 1);
    CHECK(or_none(crm::domain::decimal_units_to_cents("9999999999999.999")) == kMaxCents - 1);
    // Above it: refused.
    CHECK_FALSE(crm::domain::decimal_units_to_cents("10000000000000.01").has_value());
    CHECK_FALSE(crm::domain::decimal_units_to_cents("10000000000001").has_value());
    CHECK_FALSE(crm::domain::decimal_units_to_cents("99999999999999").has_value());
    CHECK_FALSE(crm::domain::decimal_units_to_cents("99999999999999999999999999").has_value());
}

// Regression: exactly 10^13 units (14 digits, 10^15 cents: the largest
// amount) was refused as text and as the double 1e13.
TEST_CASE("money: exactly 10^13 units as text is the largest amount",
          "[money]") {
    CHECK(or_none(crm::domain::decimal_units_to_cents("10000000000000")) == kMaxCents);
    CHECK(or_none(crm::domain::decimal_units_to_cents("10000000000000.00")) == kMaxCents);
    CHECK(or_none(crm::domain::decimal_units_to_cents("010000000000000.009")) == kMaxCents);  // fraction of a cent dropped
    CHECK(or_none(units_text("1e13")) == kMaxCents);
    CHECK(or_none(units(json::value("10000000000000"))) == kMaxCents);
}

TEST_CASE("money: decimal_units_to_cents refuses what is not a plain non-negative decimal", "[money]") {
    for (std::string_view bad : {"1e5", "1E5", "2.6e1", "-1", "-0.5", "+1", "", ".", ".5", "5.", "1,5", " 1", "1 ",
                                 "0x10", "1.2.3", "inf", "nan", "12a", "\xef\xbc\x91" /* fullwidth 1 */}) {
        INFO("text: '" << bad << "'");
        CHECK_FALSE(crm::domain::decimal_units_to_cents(bad).has_value());
    }
}

TEST_CASE("money: units_to_cents on JSON integers and strings", "[money]") {
    CHECK(or_none(units(json::value(std::int64_t{26}))) == 2600);
    CHECK(or_none(units(json::value(std::uint64_t{26}))) == 2600);
    CHECK(or_none(units(json::value(std::int64_t{0}))) == 0);
    CHECK(or_none(units(json::value(std::int64_t{10'000'000'000'000}))) == kMaxCents);
    CHECK(or_none(units(json::value(std::uint64_t{10'000'000'000'000}))) == kMaxCents);
    CHECK_FALSE(units(json::value(std::int64_t{10'000'000'000'001})).has_value());
    CHECK_FALSE(units(json::value(std::uint64_t{10'000'000'000'001})).has_value());
    CHECK_FALSE(units(json::value(std::int64_t{-1})).has_value());
    CHECK_FALSE(units(json::value(std::numeric_limits<std::int64_t>::max())).has_value());
    CHECK_FALSE(units(json::value(std::numeric_limits<std::int64_t>::min())).has_value());
    CHECK_FALSE(units(json::value(std::numeric_limits<std::uint64_t>::max())).has_value());
    // A string holding a decimal: the text rule.
    CHECK(or_none(units(json::value("0.29"))) == 29);
    CHECK(or_none(units(json::value("26"))) == 2600);
    CHECK(or_none(units(json::value("154.62542724609375"))) == 15462);
    CHECK_FALSE(units(json::value("1e5")).has_value());
    CHECK_FALSE(units(json::value("-1")).has_value());
    CHECK_FALSE(units(json::value("")).has_value());
    // Neither a number nor a string.
    CHECK_FALSE(units(json::value(nullptr)).has_value());
    CHECK_FALSE(units(json::value(true)).has_value());
    CHECK_FALSE(units(json::array{1}).has_value());
    CHECK_FALSE(units(json::object{{"Montant", 1}}).has_value());
}

TEST_CASE("money: units_to_cents on JSON doubles takes the number as written", "[money]") {
    // Parsed from JSON text, as seed payloads arrive.
    CHECK(or_none(units_text("26")) == 2600);
    CHECK(or_none(units_text("26.0")) == 2600);
    CHECK(or_none(units_text("0.29")) == 29);  // 0.29 * 100 is 28.999999999999996 in binary
    CHECK(or_none(units_text("0.57")) == 57);
    CHECK(or_none(units_text("1.15")) == 115);  // 1.15 is 1.149999... in binary
    CHECK(or_none(units_text("0.1")) == 10);
    CHECK(or_none(units_text("0.7")) == 70);
    CHECK(or_none(units_text("4.35")) == 435);
    CHECK(or_none(units_text("154.62542724609375")) == 15462);
    CHECK(or_none(units_text("0.01")) == 1);
    CHECK(or_none(units_text("0.019")) == 1);
    CHECK(or_none(units_text("0.005")) == 0);
    CHECK(or_none(units_text("1e-7")) == 0);
    CHECK(or_none(units_text("1e2")) == 10000);
    CHECK(or_none(units_text("1.5E3")) == 150000);
    CHECK(or_none(units_text("9999999999999.99")) == kMaxCents - 1);
    CHECK_FALSE(units_text("10000000000000.5").has_value());
    CHECK_FALSE(units_text("1e14").has_value());
    CHECK_FALSE(units_text("-0.5").has_value());
    CHECK_FALSE(units_text("-26.0").has_value());
    // Sums computed in binary keep their shortest round-trip text.
    CHECK(or_none(units(json::value(0.1 + 0.2))) == 30);   // 0.30000000000000004
    CHECK(or_none(units(json::value(0.1 + 0.7))) == 79);   // 0.7999999999999999
    CHECK(or_none(units(json::value(1.1 + 2.2))) == 330);  // 3.3000000000000003
    CHECK_FALSE(units(json::value(std::numeric_limits<double>::infinity())).has_value());
    CHECK_FALSE(units(json::value(std::numeric_limits<double>::quiet_NaN())).has_value());
}

TEST_CASE("money: add_cents and mul_cents stay within 0..10^15", "[money]") {
    CHECK(or_none(crm::domain::add_cents(1, 2)) == 3);
    CHECK(or_none(crm::domain::add_cents(kMaxCents - 1, 1)) == kMaxCents);
    CHECK_FALSE(crm::domain::add_cents(kMaxCents, 1).has_value());
    CHECK_FALSE(crm::domain::add_cents(-1, 1).has_value());
    CHECK(or_none(crm::domain::mul_cents(400, 2)) == 800);
    CHECK(or_none(crm::domain::mul_cents(500'000'000'000'000, 2)) == kMaxCents);
    CHECK_FALSE(crm::domain::mul_cents(500'000'000'000'001, 2).has_value());
    CHECK_FALSE(crm::domain::mul_cents(kMaxCents, kMaxCents).has_value());
    CHECK_FALSE(crm::domain::mul_cents(-1, 2).has_value());
}

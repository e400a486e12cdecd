// Loyalty credit (spec/domain.md "Loyalty credit", "Credit requests"; seed
// 003) through the C++ API: accrual from bare payments (ours and the seed's
// shape), refs and duplicates, all-or-nothing batches, the credit_rate
// option, redemptions, balances, credit requests with each reason and
// option, the 365-day window, and the ledger invariant over a randomised
// sequence of 10,000 operations.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace json = boost::json;
using namespace crm_test;

namespace {

constexpr std::int64_t kMax = 1'000'000'000'000'000;

std::int64_t new_customer(crm::Engine& e, std::optional<json::value> card = {}, json::object extra = {}) {
    extra["last_name"] = "Holder";
    if (card) extra["loyalty_card"] = *card;
    return id_of(e.create("customers", extra));
}

json::object customer(crm::Engine& e, std::int64_t id) { return e.get("customers", id); }
std::string uuid_of(crm::Engine& e, std::int64_t id) { return std::string(customer(e, id).at("uuid").as_string()); }
std::int64_t credit_of(crm::Engine& e, std::int64_t id) { return customer(e, id).at("credit_cents").as_int64(); }
std::int64_t refusals_of(crm::Engine& e, std::int64_t id) { return customer(e, id).at("refusal_count").as_int64(); }
std::int64_t count_of(crm::Engine& e, std::string_view collection) {
    return e.list(collection).at("count").as_int64();
}

// The ledger, oldest first, as (customer_id, delta_cents, reason, ref or "").
using Entry = std::tuple<std::int64_t, std::int64_t, std::string, std::string>;
std::vector<Entry> ledger_of(crm::Engine& e) {
    std::vector<Entry> out;
    const auto page = e.list("ledger", crm::Query().ordering("id").page_size(1000));
    for (const auto& v : page.at("results").as_array()) {
        const auto& o = v.as_object();
        CHECK(o.at("ticket_id").is_null());
        out.emplace_back(o.at("customer_id").as_int64(), o.at("delta_cents").as_int64(),
                         std::string(o.at("reason").as_string()),
                         o.at("ref").is_null() ? "" : std::string(o.at("ref").as_string()));
    }
    return out;
}

crm::Payment pay(std::string card, std::int64_t amount, std::optional<std::string> ref = {}) {
    return crm::Payment{std::move(card), amount, std::move(ref)};
}

json::object accrual(std::string_view card, std::int64_t customer_id, std::int64_t accrued, std::int64_t balance,
                     bool duplicate = false) {
    return {{"card", card}, {"customer_id", customer_id}, {"accrued_cents", accrued},
            {"balance_cents", balance}, {"duplicate", duplicate}};
}

json::array results_of(const json::object& o) { return o.at("results").as_array(); }

json::object line(std::int64_t cents) {
    return {{"product_code", "P"}, {"unit_price_before_cents", cents}, {"quantity", 1}};
}

std::int64_t ticket(crm::Engine& e, std::int64_t customer_id, std::int64_t total, const std::string& date) {
    return id_of(e.create("tickets", json::object{{"customer_id", customer_id}, {"date", date},
                                                  {"lines", json::array{line(total)}}}));
}

crm::Options options_with(std::string rate = "0.5", std::int64_t max_refusals = 3, std::int64_t multiplier = 10) {
    crm::Options o;
    o.credit_rate = std::move(rate);
    o.max_refusals = max_refusals;
    o.credit_limit_multiplier = multiplier;
    return o;
}

// A day as YYYY-MM-DD, `offset` days from `d`.
std::string day(crm::Date d, int offset) { return iso(crm::Date{std::chrono::sys_days{d} + std::chrono::days{offset}}); }

// The reasons of a stored credit request.
std::vector<std::string> reasons_of(const json::object& r) {
    std::vector<std::string> out;
    for (const auto& v : r.at("reasons").as_array()) out.emplace_back(v.as_string());
    return out;
}
using Reasons = std::vector<std::string>;

json::object check_amount(crm::Engine& e, std::int64_t customer_id, std::int64_t amount, const std::string& date) {
    return e.credit_check(json::object{{"customer_id", customer_id}, {"amount_cents", amount}, {"date", date}});
}

}  // namespace

// --- accrual ------------------------------------------------------------------

TEST_CASE("credit: the seed's accrual payload gives 1300 and 2750", "[credit]") {
    crm::Engine e(":memory:");
    const auto c33 = new_customer(e, json::value(33));  // a number: stored as "33"
    const auto c42 = new_customer(e, json::value("42"));
    CHECK(customer(e, c33).at("loyalty_card") == "33");

    const auto out =
        e.credit_accrue(json::parse(R"({"Tickets" : [{"carteFid": 33, "Montant": 26}, {"carteFid": 42, "Montant": 55}]})"));
    CHECK(out == json::object{{"results", json::array{accrual("33", c33, 1300, 1300), accrual("42", c42, 2750, 2750)}}});
    // The seed's "Get the credit": {"carteFid": 33, "Credit": 13}, in cents.
    CHECK(e.credit_balance("33") == json::object{{"card", "33"}, {"customer_id", c33}, {"balance_cents", 1300}});
    CHECK(e.credit_balance("42") == json::object{{"card", "42"}, {"customer_id", c42}, {"balance_cents", 2750}});
    CHECK(ledger_of(e) == std::vector<Entry>{{c33, 1300, "accrual", ""}, {c42, 2750, "accrual", ""}});
    CHECK(credit_of(e, c33) == 1300);
    CHECK(credit_of(e, c42) == 2750);
    // Without a ref the same payload accrues again.
    e.credit_accrue(json::parse(R"({"Tickets": [{"carteFid": 33, "Montant": 26}]})"));
    CHECK(credit_of(e, c33) == 2600);
}

TEST_CASE("credit: the seed's Montant in currency units is rounded down to the cent", "[credit]") {
    crm::Engine e(":memory:");
    const auto c = new_customer(e, json::value("33"));
    auto accrue_montant = [&](std::string_view montant) {
        const auto out = e.credit_accrue(json::parse(R"({"Tickets": [{"carteFid": "33", "Montant": )" +
                                                     std::string(montant) + "}]}"));
        return results_of(out).at(0).at("accrued_cents").as_int64();
    };
    CHECK(accrue_montant("0.29") == 14);                 // 29 cents
    CHECK(accrue_montant("\"26.5\"") == 1325);           // a string holding a decimal
    CHECK(accrue_montant("154.62542724609375") == 7731);  // 15462 cents
    CHECK(accrue_montant("0.019") == 0);                 // 1 cent -> 0
    CHECK(accrue_montant("1e2") == 5000);
    CHECK(credit_of(e, c) == 14 + 1325 + 7731 + 0 + 5000);
    CHECK(count_of(e, "ledger") == 5);

    for (const char* bad : {"-1", "\"1e5\"", "1e14", "null", "true", "\"abc\""}) {
        INFO(bad);
        expect_error([&] { accrue_montant(bad); }, crm::Status::invalid, {"Tickets[0].Montant"});
    }
    expect_error([&] { e.credit_accrue(json::parse(R"({"Tickets": [{"Montant": 1}]})")); }, crm::Status::invalid,
                 {"Tickets[0].carteFid"});
    expect_error([&] { e.credit_accrue(json::parse(R"({"Tickets": [{"carteFid": 33}]})")); }, crm::Status::invalid,
                 {"Tickets[0].Montant"});
    expect_error([&] { e.credit_accrue(json::parse(R"({"Tickets": [{"carteFid": 33, "Montant": 1, "x": 1}]})")); },
                 crm::Status::invalid, {"Tickets[0].x"});
    expect_error([&] { e.credit_accrue(json::parse(R"({"Tickets": [{"carteFid": -3, "Montant": 1}]})")); },
                 crm::Status::invalid, {"Tickets[0].carteFid"});
    expect_error([&] { e.credit_accrue(json::parse(R"({"Tickets": [{"carteFid": 34, "Montant": 1}]})")); },
                 crm::Status::not_found, {"Tickets[0].carteFid"});
    CHECK(count_of(e, "ledger") == 5);
    CHECK(credit_of(e, c) == 14 + 1325 + 7731 + 0 + 5000);
}

TEST_CASE("credit: payments with refs are applied once - also within one batch", "[credit]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, json::value("33"));
    const auto b = new_customer(e, json::value("42"));
    const auto batch = json::parse(R"({"payments": [
        {"card": "33", "amount_cents": 1000, "ref": "p1"},
        {"card": "42", "amount_cents": 401, "ref": "p2"},
        {"card": "33", "amount_cents": 600, "ref": "p1"},
        {"card": "33", "amount_cents": 3},
        {"card": "33", "amount_cents": 3}]})");
    CHECK(e.credit_accrue(batch) ==
          json::object{{"results", json::array{accrual("33", a, 500, 500), accrual("42", b, 200, 200),
                                               accrual("33", a, 0, 500, true), accrual("33", a, 1, 501),
                                               accrual("33", a, 1, 502)}}});
    CHECK(ledger_of(e) == std::vector<Entry>{{a, 500, "accrual", "p1"},
                                             {b, 200, "accrual", "p2"},
                                             {a, 1, "accrual", ""},
                                             {a, 1, "accrual", ""}});
    // The same batch again: the refs are duplicates; the ref-less payments apply again.
    CHECK(e.credit_accrue(batch) ==
          json::object{{"results", json::array{accrual("33", a, 0, 502, true), accrual("42", b, 0, 200, true),
                                               accrual("33", a, 0, 502, true), accrual("33", a, 1, 503),
                                               accrual("33", a, 1, 504)}}});
    // A ref once applied is applied, whatever the card or amount of the retry.
    const auto r = e.credit().accrue({pay("42", 99999, "p1"), pay("42", 10, "p3"), pay("42", 10, "p3")});
    REQUIRE(r.size() == 3);
    CHECK(r[0].duplicate);
    CHECK(r[0].accrued_cents == 0);
    CHECK(r[0].balance_cents == 200);
    CHECK(r[0].customer_id == b);
    CHECK(r[0].card == "42");
    CHECK_FALSE(r[1].duplicate);
    CHECK(r[1].accrued_cents == 5);
    CHECK(r[1].balance_cents == 205);
    CHECK(r[2].duplicate);
    CHECK(r[2].balance_cents == 205);
    // Refs are trimmed in JSON.
    CHECK(e.credit_accrue(json::parse(R"({"payments": [{"card": "42", "amount_cents": 10, "ref": " p3 "}]})")) ==
          json::object{{"results", json::array{accrual("42", b, 0, 205, true)}}});
    CHECK(credit_of(e, a) == 504);
    CHECK(credit_of(e, b) == 205);
    CHECK(count_of(e, "ledger") == 7);
    // An empty batch does nothing.
    CHECK(e.credit_accrue(json::object{{"payments", json::array{}}}) == json::object{{"results", json::array{}}});
    CHECK(e.credit().accrue({}).empty());
    CHECK(count_of(e, "ledger") == 7);
}

TEST_CASE("credit: every applied payment writes one entry - even of 0", "[credit]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, json::value("33"));
    const auto r = e.credit().accrue({pay("33", 0), pay("33", 1, "one"), pay("33", 2)});
    REQUIRE(r.size() == 3);
    CHECK(r[0].accrued_cents == 0);
    CHECK(r[1].accrued_cents == 0);
    CHECK(r[2].accrued_cents == 1);
    CHECK(r[2].balance_cents == 1);
    CHECK(ledger_of(e) == std::vector<Entry>{{a, 0, "accrual", ""}, {a, 0, "accrual", "one"}, {a, 1, "accrual", ""}});
    // A 0-cent payment still takes its ref.
    CHECK(e.credit().accrue({pay("33", 100, "one")}).at(0).duplicate);
    CHECK(credit_of(e, a) == 1);
}

TEST_CASE("credit: an accrual batch is all or nothing", "[credit]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, json::value("33"));
    const auto b = new_customer(e, json::value("42"));
    e.credit().accrue({pay("33", 200, "seed")});
    const auto before = ledger_of(e);
    auto unchanged = [&] {
        CHECK(ledger_of(e) == before);
        CHECK(credit_of(e, a) == 100);
        CHECK(credit_of(e, b) == 0);
    };

    SECTION("one unknown card: not_found naming it, nothing written") {
        expect_error([&] {
            e.credit_accrue(json::parse(R"({"payments": [{"card": "33", "amount_cents": 1000, "ref": "x1"},
                                                         {"card": "999", "amount_cents": 1000},
                                                         {"card": "42", "amount_cents": 1000}]})"));
        },
                     crm::Status::not_found, {"payments[1].card"});
        expect_error([&] { e.credit().accrue({pay("42", 10), pay("33", 10), pay("33x", 10)}); }, crm::Status::not_found,
                     {"payments[2].card"});
        unchanged();
        // The ref of the failed batch was not taken.
        CHECK_FALSE(e.credit().accrue({pay("33", 1000, "x1")}).at(0).duplicate);
        CHECK(credit_of(e, a) == 600);
    }
    SECTION("one bad amount: invalid naming payments[1].amount_cents, nothing written") {
        for (std::int64_t bad : {std::int64_t{-5}, kMax + 1}) {
            INFO(bad);
            expect_error([&] {
                e.credit_accrue(json::object{
                    {"payments", json::array{json::object{{"card", "33"}, {"amount_cents", 1000}},
                                             json::object{{"card", "42"}, {"amount_cents", bad}}}}});
            },
                         crm::Status::invalid, {"payments[1].amount_cents"});
            expect_error([&] { e.credit().accrue({pay("33", 1000), pay("42", bad)}); }, crm::Status::invalid,
                         {"payments[1].amount_cents"});
        }
        unchanged();
    }
    SECTION("every bad field of every item named together") {
        expect_error([&] {
            e.credit_accrue(json::parse(R"({"payments": [
                {"card": "33", "amount_cents": "10"},
                {"amount_cents": 10},
                {"card": "33"},
                {"card": "33", "amount_cents": 1, "ref": ")" + repeat("r", 101) + R"("},
                {"card": ")" + repeat("9", 33) + R"(", "amount_cents": 1},
                7,
                {"card": "33", "amount_cents": 1, "ref": 5}]})"));
        },
                     crm::Status::invalid,
                     {"payments[0].amount_cents", "payments[1].card", "payments[2].amount_cents", "payments[3].ref",
                      "payments[4].card", "payments[5]", "payments[6].ref"});
        // Two unknown keys in one payment are named (one alone is not: see the known bugs below).
        expect_error([&] {
            e.credit_accrue(json::parse(R"({"payments": [{"card": "33", "amount_cents": 1, "color": "red", "size": 2}]})"));
        },
                     crm::Status::invalid, {"payments[0].color", "payments[0].size"});
        expect_error([&] { e.credit().accrue({pay("", 1), pay("33", -1)}); }, crm::Status::invalid,
                     {"payments[0].card", "payments[1].amount_cents"});
        unchanged();
    }
    SECTION("the shape: an object with one array") {
        CHECK(code_of([&] { e.credit_accrue(json::array{}); }) == crm::Status::invalid);
        expect_error([&] { e.credit_accrue(json::object{}); }, crm::Status::invalid, {"payments"});
        expect_error([&] { e.credit_accrue(json::object{{"payments", "x"}}); }, crm::Status::invalid, {"payments"});
        expect_error([&] { e.credit_accrue(json::object{{"payments", json::array{}}, {"extra", 1}}); },
                     crm::Status::invalid, {"extra"});
        unchanged();
    }
}

TEST_CASE("credit: the credit_rate option", "[credit]") {
    const std::tuple<const char*, std::int64_t, std::int64_t, std::int64_t> cases[] = {
        // rate, accrual of 2600, of 7, of the ticket of 824
        {"0.5", 1300, 3, 412},   {"0.125", 325, 0, 103}, {"1", 2600, 7, 824},
        {"0", 0, 0, 0},          {"0.333", 865, 2, 274}, {"0.999999999999999999", 2599, 6, 823},
        {"0.0", 0, 0, 0},        {"0.50", 1300, 3, 412},
    };
    for (const auto& [rate, a2600, a7, a824] : cases) {
        INFO("credit_rate " << rate);
        crm::Engine e(":memory:", options_with(rate));
        CHECK(e.options().credit_rate == rate);
        const auto c = new_customer(e, json::value("33"));
        const auto r = e.credit().accrue({pay("33", 2600), pay("33", 7)});
        CHECK(r.at(0).accrued_cents == a2600);
        CHECK(r.at(1).accrued_cents == a7);
        const auto t = e.create("tickets", json::object{{"customer_id", c}, {"lines", json::array{line(824)}}});
        CHECK(t.at("loyalty_points_cents") == a824);
        CHECK(credit_of(e, c) == a2600 + a7 + a824);
        CHECK(count_of(e, "ledger") == 3);
    }
    // From the JSON options too.
    crm::Engine j(":memory:", crm::Options::from_json(json::parse(R"({"credit_rate": "0.125"})")));
    new_customer(j, json::value("1"));
    CHECK(j.credit_accrue(json::parse(R"({"Tickets": [{"carteFid": 1, "Montant": 26}]})")).at("results").at(0).at(
              "accrued_cents") == 325);
    // Bad rates are refused when opening.
    for (const char* bad : {"1.5", "0.5e0", "-0.1", "abc", "", "2", ".5", "0.1234567890123456789"}) {
        INFO("credit_rate '" << bad << "'");
        expect_error([&] { crm::Engine bad_engine(":memory:", options_with(bad)); }, crm::Status::invalid,
                     {"credit_rate"});
    }
    expect_error([&] { crm::Options::from_json(json::parse(R"({"credit_rate": 0.5})")); }, crm::Status::invalid,
                 {"credit_rate"});
}

TEST_CASE("credit: a balance cannot pass 10^15 cents", "[credit]") {
    crm::Engine e(":memory:", options_with("1"));
    const auto c = new_customer(e, json::value("33"));
    CHECK(e.credit().accrue({pay("33", kMax)}).at(0).balance_cents == kMax);
    expect_error([&] { e.credit().accrue({pay("33", 1)}); }, crm::Status::invalid, {"payments[0].amount_cents"});
    expect_error([&] { e.credit().accrue({pay("33", 0), pay("33", 1, "late")}); }, crm::Status::invalid,
                 {"payments[1].amount_cents"});
    // A ticket that would accrue past it is refused too.
    expect_error([&] { e.create("tickets", json::object{{"customer_id", c}, {"lines", json::array{line(1)}}}); },
                 crm::Status::invalid, {"total_cents"});
    CHECK(credit_of(e, c) == kMax);
    CHECK(count_of(e, "ledger") == 1);
    CHECK(count_of(e, "tickets") == 0);
    // A 0 accrual still fits; spending makes room again.
    CHECK(e.credit().accrue({pay("33", 0)}).at(0).balance_cents == kMax);
    e.credit().redeem("33", 1);
    CHECK(e.credit().accrue({pay("33", 1)}).at(0).balance_cents == kMax);
    CHECK(credit_of(e, c) == kMax);
}

// --- redemption and balance -------------------------------------------------------

TEST_CASE("credit: a card given with spaces around it is the stored card, and results name it as stored",
          "[credit]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, json::value("33"));
    CHECK(e.credit_accrue(json::parse(R"({"payments":[{"card":" 33 ","amount_cents":2600}]})")) ==
          json::object{{"results", json::array{json::object{{"card", "33"},
                                                            {"customer_id", a},
                                                            {"accrued_cents", 1300},
                                                            {"balance_cents", 1300},
                                                            {"duplicate", false}}}}});
    const auto r = e.credit_redeem("\t33 ", 100, std::nullopt);
    CHECK(r.at("card") == "33");
    CHECK(r.at("balance_cents") == 1200);
    CHECK(e.credit_balance(" 33") == json::object{{"card", "33"}, {"customer_id", a}, {"balance_cents", 1200}});
}

TEST_CASE("credit: redemption spends the balance and beyond it is a conflict with nothing written", "[credit]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, json::value("33"));
    const auto b = new_customer(e, json::value("42"));
    e.credit().accrue({pay("33", 2600), pay("42", 1000)});  // 1300 and 500

    const auto err = expect_error([&] { e.credit().redeem("33", 1301); }, crm::Status::conflict, {"amount_cents"});
    CHECK(std::string(err.what()).find("1300") != std::string::npos);
    expect_error([&] { e.credit_redeem("33", 1301, std::string("r9")); }, crm::Status::conflict, {"amount_cents"});
    CHECK(count_of(e, "ledger") == 2);
    CHECK(credit_of(e, a) == 1300);

    const auto r1 = e.credit_redeem("33", 300, std::string("r1"));
    const auto lid = e.list("ledger", crm::Query().ordering("-id").page_size(1)).at("results").at(0).at("id").as_int64();
    CHECK(r1 == json::object{{"card", "33"}, {"customer_id", a}, {"redeemed_cents", 300}, {"balance_cents", 1000},
                             {"duplicate", false}, {"ledger_id", lid}});
    CHECK(ledger_of(e).back() == Entry{a, -300, "redemption", "r1"});
    // The failed "r9" took no ref: it can be used now.
    CHECK_FALSE(e.credit().redeem("33", 100, "r9").duplicate);
    CHECK(credit_of(e, a) == 900);

    // Without a ref, every call spends.
    CHECK(e.credit().redeem("33", 100).balance_cents == 800);
    CHECK(e.credit().redeem("33", 100).balance_cents == 700);
    // All of it, then nothing more.
    const auto all = e.credit().redeem("33", 700);
    CHECK(all.redeemed_cents == 700);
    CHECK(all.balance_cents == 0);
    CHECK_FALSE(all.duplicate);
    CHECK(code_of([&] { e.credit().redeem("33", 1); }) == crm::Status::conflict);
    CHECK(credit_of(e, a) == 0);
    CHECK(credit_of(e, b) == 500);
    CHECK(count_of(e, "ledger") == 7);

    // Bad inputs: invalid before anything else; unknown card: not_found.
    for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-1}, kMax + 1}) {
        INFO(bad);
        expect_error([&] { e.credit().redeem("42", bad); }, crm::Status::invalid, {"amount_cents"});
    }
    expect_error([&] { e.credit().redeem("42", 1, repeat("r", 101)); }, crm::Status::invalid, {"ref"});
    expect_error([&] { e.credit().redeem("4242", 1); }, crm::Status::not_found, {"card"});
    expect_error([&] { e.credit_redeem("", 1); }, crm::Status::not_found, {"card"});
    CHECK(count_of(e, "ledger") == 7);
    CHECK(credit_of(e, b) == 500);
}

TEST_CASE("credit: a redemption ref is applied once and reused otherwise it is a conflict", "[credit]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, json::value("33"));
    new_customer(e, json::value("42"));
    e.credit().accrue({pay("33", 2600), pay("42", 2600)});

    const auto first = e.credit().redeem("33", 300, "r1");
    CHECK_FALSE(first.duplicate);
    CHECK(first.redeemed_cents == 300);
    CHECK(first.balance_cents == 1000);
    CHECK(first.ledger_id >= 1);

    auto again = e.credit().redeem("33", 300, "r1");
    CHECK(again.duplicate);
    CHECK(again.redeemed_cents == 0);
    CHECK(again.balance_cents == 1000);
    CHECK(again.ledger_id == first.ledger_id);
    CHECK(again.customer_id == a);
    CHECK(again.card == "33");
    CHECK(e.credit().redeem("33", 300, "  r1 ").duplicate);  // trimmed

    expect_error([&] { e.credit().redeem("33", 301, "r1"); }, crm::Status::conflict, {"ref"});
    expect_error([&] { e.credit().redeem("42", 300, "r1"); }, crm::Status::conflict, {"ref"});
    CHECK(count_of(e, "ledger") == 3);

    // A duplicate is reported whatever the balance is now.
    e.credit().redeem("33", 1000);
    again = e.credit().redeem("33", 300, "r1");
    CHECK(again.duplicate);
    CHECK(again.balance_cents == 0);
    CHECK(again.ledger_id == first.ledger_id);
    CHECK(e.credit_redeem("33", 300, std::string("r1")) ==
          json::object{{"card", "33"}, {"customer_id", a}, {"redeemed_cents", 0}, {"balance_cents", 0},
                       {"duplicate", true}, {"ledger_id", first.ledger_id}});

    // Accrual refs and redemption refs are separate.
    CHECK_FALSE(e.credit().accrue({pay("33", 100, "r1")}).at(0).duplicate);
    CHECK_FALSE(e.credit().redeem("33", 50, "a1").duplicate);
    CHECK_FALSE(e.credit().accrue({pay("33", 100, "a1")}).at(0).duplicate);
    CHECK(credit_of(e, a) == 50);
    CHECK(count_of(e, "ledger") == 7);
}

TEST_CASE("credit: balance of a card", "[credit]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, json::value("C0FFEE"));
    const auto b = new_customer(e);
    auto bal = e.credit().balance("C0FFEE");
    CHECK(bal.card == "C0FFEE");
    CHECK(bal.customer_id == a);
    CHECK(bal.balance_cents == 0);
    e.credit().accrue({pay("C0FFEE", 999)});
    CHECK(e.credit().balance("C0FFEE").balance_cents == 499);
    CHECK(e.credit_balance("C0FFEE") == json::object{{"card", "C0FFEE"}, {"customer_id", a}, {"balance_cents", 499}});
    expect_error([&] { e.credit().balance("NOPE"); }, crm::Status::not_found, {"card"});
    expect_error([&] { e.credit_balance(""); }, crm::Status::not_found, {"card"});
    // The card moves with the customer: a new card, the same balance.
    e.update("customers", a, json::object{{"loyalty_card", "BEEF"}});
    CHECK(e.credit().balance("BEEF").balance_cents == 499);
    CHECK(code_of([&] { e.credit().balance("C0FFEE"); }) == crm::Status::not_found);
    // A customer without a card has no balance to ask for, but credit_cents 0.
    CHECK(credit_of(e, b) == 0);
}

// --- credit requests ------------------------------------------------------------

TEST_CASE("credit: a credit request is decided and stored", "[credit]") {
    crm::Engine e(":memory:");
    const auto c = new_customer(e, json::value("33"));
    const std::string uuid = uuid_of(e, c);
    ticket(e, c, 1000, "2024-06-01T10:00:00Z");

    const auto ok = check_amount(e, c, 10000, "2024-06-15");  // 10 x 1000: exactly the limit
    INFO(json::serialize(ok));
    CHECK(keys_of(ok) ==
          Fields{"id", "customer_id", "customer_uuid", "amount_cents", "date", "allowed", "reasons", "created_at"});
    CHECK(ok.at("customer_id") == c);
    CHECK(ok.at("customer_uuid") == json::value(uuid));
    CHECK(ok.at("amount_cents") == 10000);
    CHECK(ok.at("date") == "2024-06-15");
    CHECK(ok.at("allowed") == true);
    CHECK(ok.at("reasons") == json::array{});
    CHECK(rfc3339_utc(ok.at("created_at")));
    CHECK(e.get("credit_requests", id_of(ok)) == ok);
    CHECK(refusals_of(e, c) == 0);

    const auto no = check_amount(e, c, 10001, "2024-06-15");
    CHECK(no.at("allowed") == false);
    CHECK(reasons_of(no) == Reasons{"over_limit"});
    CHECK(refusals_of(e, c) == 1);
    CHECK(e.get("credit_requests", id_of(no)) == no);

    // Typed, by uuid; amount 0 with tickets is allowed.
    crm::CreditCheck req;
    req.customer_uuid = uuid;
    req.amount_cents = 0;
    req.date = crm::parse_date("2024-06-15");
    const crm::CreditRequest typed = e.credit().check(req);
    CHECK(typed.allowed);
    CHECK(typed.reasons.empty());
    CHECK(typed.customer_id == c);
    CHECK(typed.customer_uuid == uuid);
    CHECK(crm::format_date(typed.date) == "2024-06-15");
    CHECK(json::value_from(typed).as_object() == e.get("credit_requests", typed.id));
    const crm::CreditRequest read = e.credit_requests().get(typed.id);
    CHECK(read.id == typed.id);
    CHECK(read.allowed);

    // The date defaults to today (UTC).
    const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const auto dflt = e.credit_check(json::object{{"customer_id", c}, {"amount_cents", 5}});
    CHECK(dflt.at("date") == json::value(iso(crm::Date{today})));
    CHECK(count_of(e, "credit_requests") == 4);
}

TEST_CASE("credit: each refusal reason alone and together in the spec's order", "[credit]") {
    crm::Engine e(":memory:");
    const std::string d = "2024-06-15";
    auto with_ticket = [&](json::object extra = {}) {
        const auto c = new_customer(e, std::nullopt, std::move(extra));
        ticket(e, c, 100, "2024-06-15T12:00:00Z");  // limit: 1000
        return c;
    };

    SECTION("inactive: not active, or archived") {
        const auto off = with_ticket({{"is_active", false}});
        CHECK(reasons_of(check_amount(e, off, 10, d)) == Reasons{"inactive"});
        CHECK(reasons_of(check_amount(e, off, 1001, d)) == Reasons{"inactive", "over_limit"});
        CHECK(refusals_of(e, off) == 2);
        const auto archived = with_ticket({{"archived", true}});
        CHECK(reasons_of(check_amount(e, archived, 0, d)) == Reasons{"inactive"});
        // Reactivated: allowed again.
        e.update("customers", archived, json::object{{"archived", false}});
        CHECK(check_amount(e, archived, 1000, d).at("allowed") == true);
        CHECK(refusals_of(e, archived) == 1);
    }
    SECTION("too_many_refusals: from the 3rd refusal on (default max_refusals)") {
        const auto c = with_ticket();
        for (int i = 0; i < 3; ++i) CHECK(reasons_of(check_amount(e, c, 1001, d)) == Reasons{"over_limit"});
        CHECK(refusals_of(e, c) == 3);
        CHECK(reasons_of(check_amount(e, c, 1, d)) == Reasons{"too_many_refusals"});
        CHECK(reasons_of(check_amount(e, c, 1001, d)) == Reasons{"too_many_refusals", "over_limit"});
        CHECK(refusals_of(e, c) == 5);
        e.update("customers", c, json::object{{"is_active", false}});
        CHECK(reasons_of(check_amount(e, c, 5000, d)) == Reasons{"inactive", "too_many_refusals", "over_limit"});
        CHECK(refusals_of(e, c) == 6);
    }
    SECTION("over_limit: above multiplier x the tickets; no tickets, only 0 is allowed") {
        const auto none = new_customer(e);
        CHECK(check_amount(e, none, 0, d).at("allowed") == true);
        CHECK(reasons_of(check_amount(e, none, 1, d)) == Reasons{"over_limit"});
        CHECK(refusals_of(e, none) == 1);
    }
    SECTION("allowed requests leave refusal_count alone") {
        const auto c = with_ticket();
        for (int i = 0; i < 5; ++i) CHECK(check_amount(e, c, 1000, d).at("allowed") == true);
        CHECK(refusals_of(e, c) == 0);
    }
}

TEST_CASE("credit: the max_refusals and credit_limit_multiplier options", "[credit]") {
    const std::string d = "2024-06-15";
    SECTION("max_refusals 1, multiplier 2") {
        crm::Engine e(":memory:", options_with("0.5", 1, 2));
        const auto c = new_customer(e);
        ticket(e, c, 1000, "2024-06-01T00:00:00Z");
        CHECK(check_amount(e, c, 2000, d).at("allowed") == true);
        CHECK(reasons_of(check_amount(e, c, 2001, d)) == Reasons{"over_limit"});
        CHECK(reasons_of(check_amount(e, c, 0, d)) == Reasons{"too_many_refusals"});
        CHECK(refusals_of(e, c) == 2);
    }
    SECTION("max_refusals 0: every request is refused") {
        crm::Engine e(":memory:", options_with("0.5", 0, 10));
        const auto c = new_customer(e);
        ticket(e, c, 1000, "2024-06-01T00:00:00Z");
        CHECK(reasons_of(check_amount(e, c, 0, d)) == Reasons{"too_many_refusals"});
    }
    SECTION("multiplier 0: only 0 is allowed") {
        crm::Engine e(":memory:", options_with("0.5", 100, 0));
        const auto c = new_customer(e);
        ticket(e, c, 1000, "2024-06-01T00:00:00Z");
        CHECK(check_amount(e, c, 0, d).at("allowed") == true);
        CHECK(reasons_of(check_amount(e, c, 1, d)) == Reasons{"over_limit"});
    }
    SECTION("a large multiplier with large totals does not overflow") {
        crm::Engine e(":memory:", options_with("0.5", 3, 1'000'000'000'000'000'000));
        const auto c = new_customer(e);
        ticket(e, c, kMax, "2024-06-01T00:00:00Z");
        CHECK(check_amount(e, c, kMax, d).at("allowed") == true);
    }
    SECTION("from the JSON options; bad values are refused") {
        crm::Engine e(":memory:", crm::Options::from_json(json::parse(R"({"max_refusals": 2, "credit_limit_multiplier": 3})")));
        CHECK(e.options().max_refusals == 2);
        CHECK(e.options().credit_limit_multiplier == 3);
        const auto c = new_customer(e);
        ticket(e, c, 100, "2024-06-01T00:00:00Z");
        CHECK(check_amount(e, c, 300, d).at("allowed") == true);
        CHECK(reasons_of(check_amount(e, c, 301, d)) == Reasons{"over_limit"});
        CHECK(reasons_of(check_amount(e, c, 301, d)) == Reasons{"over_limit"});
        CHECK(reasons_of(check_amount(e, c, 300, d)) == Reasons{"too_many_refusals"});
        expect_error([&] { crm::Engine bad(":memory:", options_with("0.5", -1, -1)); }, crm::Status::invalid,
                     {"max_refusals", "credit_limit_multiplier"});
    }
}

TEST_CASE("credit: the 365-day window of ticket totals", "[credit]") {
    crm::Engine e(":memory:", options_with("0.5", 1000, 10));
    const crm::Date d = *crm::parse_date("2024-06-15");
    const auto c = new_customer(e, json::value("33"));
    const auto other = new_customer(e);
    CHECK(day(d, -365) == "2023-06-16");  // 2024 has a 29 February in between
    ticket(e, c, 1, day(d, -365) + "T00:00:00Z");           // counts: the first instant of the window
    ticket(e, c, 2, day(d, -366) + "T23:59:59.999999Z");    // does not: just before it
    ticket(e, c, 4, day(d, 0) + "T23:59:59.999999Z");       // counts: later on `date` itself
    ticket(e, c, 8, day(d, 1) + "T00:00:00Z");              // does not: the day after
    ticket(e, c, 16, day(d, -100) + "T12:00:00+05:00");     // counts
    ticket(e, c, 32, day(d, -365) + "T01:00:00+02:00");     // 23:00 UTC the day before: does not
    ticket(e, other, 64, day(d, 0) + "T12:00:00Z");         // another customer's: does not
    // The window holds 1 + 4 + 16 = 21: the limit is exactly 210.
    CHECK(check_amount(e, c, 210, iso(d)).at("allowed") == true);
    CHECK(reasons_of(check_amount(e, c, 211, iso(d))) == Reasons{"over_limit"});
    // A day later (D-364 .. D+1): the first ticket is out, the one of the next day in: 4 + 8 + 16 = 28.
    CHECK(check_amount(e, c, 280, day(d, 1)).at("allowed") == true);
    CHECK(reasons_of(check_amount(e, c, 281, day(d, 1))) == Reasons{"over_limit"});
    // A day earlier: D-366 .. D-1: 1 + 2 + 16 + 32 = 51.
    CHECK(check_amount(e, c, 510, day(d, -1)).at("allowed") == true);
    CHECK(reasons_of(check_amount(e, c, 511, day(d, -1))) == Reasons{"over_limit"});
    // Far later: nothing in the window.
    CHECK(reasons_of(check_amount(e, c, 1, "2030-01-01")) == Reasons{"over_limit"});
    // Deleted tickets no longer count.
    const auto t = ticket(e, c, 1000, day(d, 0) + "T08:00:00Z");
    CHECK(check_amount(e, c, 10210, iso(d)).at("allowed") == true);
    e.remove("tickets", t);
    CHECK(reasons_of(check_amount(e, c, 10210, iso(d))) == Reasons{"over_limit"});
}

TEST_CASE("credit: the seed's allow_credit shape {idClient Montant Date}", "[credit]") {
    crm::Engine e(":memory:");
    const auto c = new_customer(e);
    const std::string uuid = uuid_of(e, c);
    ticket(e, c, 360000, "2019-10-09T17:01:29.408701Z");  // 3600.00: the limit is 36000.00

    auto seed = [&](std::string_view montant, std::string_view date = "2019-12-06") {
        return json::parse(R"({"idClient": ")" + uuid + R"(", "Montant": )" + std::string(montant) + R"(, "Date": ")" +
                           std::string(date) + "\"}");
    };
    const auto r = e.credit_check(seed("36000"));
    CHECK(r.at("customer_id") == c);
    CHECK(r.at("customer_uuid") == json::value(uuid));
    CHECK(r.at("amount_cents") == 3600000);
    CHECK(r.at("date") == "2019-12-06");
    CHECK(r.at("allowed") == true);
    CHECK(reasons_of(r) == Reasons{});

    const auto over = e.credit_check(seed("36000.01"));
    CHECK(over.at("amount_cents") == 3600001);
    CHECK(reasons_of(over) == Reasons{"over_limit"});
    // A year after the ticket it no longer counts.
    CHECK(reasons_of(e.credit_check(seed("1", "2020-10-09"))) == Reasons{"over_limit"});
    CHECK(refusals_of(e, c) == 2);
    // Montant as a string, the uuid in upper case.
    std::string upper = uuid;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    const auto s = e.credit_check(json::object{{"idClient", upper}, {"Montant", "0.29"}, {"Date", "2019-12-06"}});
    CHECK(s.at("customer_id") == c);
    CHECK(s.at("amount_cents") == 29);

    expect_error([&] { e.credit_check(json::object{{"idClient", uuid}, {"Date", "2019-12-06"}}); },
                 crm::Status::invalid, {"Montant"});
    expect_error([&] { e.credit_check(json::object{{"idClient", uuid}, {"Montant", -1}}); }, crm::Status::invalid,
                 {"Montant"});
    expect_error([&] { e.credit_check(json::object{{"idClient", uuid}, {"Montant", 1}, {"Date", "06/12/2019"}}); },
                 crm::Status::invalid, {"Date"});
    expect_error([&] { e.credit_check(json::object{{"Montant", 1}}); }, crm::Status::invalid, {"idClient"});
    expect_error([&] {
        e.credit_check(json::object{{"idClient", "0b1c6b48-7a4e-4c4e-9a53-8d1f1c0c7a11"}, {"Montant", 1}});
    },
                 crm::Status::not_found, {"idClient"});
    CHECK(count_of(e, "credit_requests") == 4);
}

TEST_CASE("credit: bad credit requests write nothing", "[credit]") {
    crm::Engine e(":memory:");
    const auto c = new_customer(e);
    const auto d = new_customer(e);
    const std::string ud = uuid_of(e, d);
    for (std::int64_t id : {std::int64_t{9999}, std::int64_t{0}, std::int64_t{-1}}) {
        INFO(id);
        CHECK(code_of([&] { e.credit_check(json::object{{"customer_id", id}, {"amount_cents", 1}}); }) ==
              crm::Status::not_found);
    }
    CHECK(code_of([&] {
              e.credit_check(json::object{{"customer_uuid", "0b1c6b48-7a4e-4c4e-9a53-8d1f1c0c7a11"}, {"amount_cents", 1}});
          }) == crm::Status::not_found);
    crm::CreditCheck missing;
    missing.customer_id = 4242;
    CHECK(code_of([&] { e.credit().check(missing); }) == crm::Status::not_found);

    expect_error([&] { e.credit_check(json::object{{"customer_id", c}}); }, crm::Status::invalid, {"amount_cents"});
    expect_error([&] { e.credit_check(json::object{{"customer_id", c}, {"amount_cents", -1}}); }, crm::Status::invalid,
                 {"amount_cents"});
    expect_error([&] { e.credit_check(json::object{{"customer_id", c}, {"amount_cents", kMax + 1}}); },
                 crm::Status::invalid, {"amount_cents"});
    expect_error([&] { e.credit_check(json::object{{"amount_cents", 1}}); }, crm::Status::invalid, {"customer_id"});
    expect_error([&] { e.credit_check(json::object{{"customer_id", c}, {"amount_cents", 1}, {"date", "2024-02-30"}}); },
                 crm::Status::invalid, {"date"});
    expect_error([&] { e.credit_check(json::object{{"customer_id", c}, {"amount_cents", 1}, {"extra", 1}}); },
                 crm::Status::invalid, {"extra"});
    expect_error([&] { e.credit_check(json::object{{"customer_id", c}, {"customer_uuid", ud}, {"amount_cents", 1}}); },
                 crm::Status::invalid, {"customer_uuid"});
    CHECK(code_of([&] { e.credit_check(json::array{}); }) == crm::Status::invalid);
    crm::CreditCheck nobody;
    nobody.amount_cents = 1;
    expect_error([&] { e.credit().check(nobody); }, crm::Status::invalid, {"customer_id"});
    CHECK(count_of(e, "credit_requests") == 0);
    CHECK(refusals_of(e, c) == 0);
    CHECK(refusals_of(e, d) == 0);
}

TEST_CASE("credit: credit requests are listed and filtered", "[credit]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e);
    const auto b = new_customer(e);
    const std::string ub = uuid_of(e, b);
    ticket(e, a, 100, "2024-06-01T00:00:00Z");
    const auto r1 = id_of(check_amount(e, a, 1000, "2024-06-10"));  // allowed
    const auto r2 = id_of(check_amount(e, a, 1001, "2024-06-02"));  // refused
    const auto r3 = id_of(check_amount(e, b, 0, "2024-07-01"));     // allowed
    const auto r4 = id_of(check_amount(e, b, 5, "2024-06-10"));     // refused

    auto ids = [&](std::string_view q) { return ids_of(e.list("credit_requests", crm::Query::from_json(json::parse(q)))); };
    CHECK(ids("{}") == Ids{r1, r2, r3, r4});
    CHECK(ids(R"({"allowed": true})") == Ids{r1, r3});
    CHECK(ids(R"({"allowed": false})") == Ids{r2, r4});
    CHECK(ids(R"({"customer_id": )" + std::to_string(a) + "}") == Ids{r1, r2});
    CHECK(ids(R"({"customer_uuid": ")" + ub + "\"}") == Ids{r3, r4});
    CHECK(ids(R"({"amount_cents__gte": 5})") == Ids{r1, r2, r4});
    CHECK(ids(R"({"amount_cents": 0})") == Ids{r3});
    CHECK(ids(R"({"date": "2024-06-10"})") == Ids{r1, r4});
    CHECK(ids(R"({"date__lt": "2024-06-10"})") == Ids{r2});
    CHECK(ids(R"({"ordering": "date,id"})") == Ids{r2, r1, r4, r3});
    CHECK(ids(R"({"ordering": "-date,-id"})") == Ids{r3, r4, r1, r2});
    CHECK(ids(R"({"ordering": "-id"})") == Ids{r4, r3, r2, r1});
    CHECK(ids(R"({"allowed": false, "customer_id": )" + std::to_string(b) + "}") == Ids{r4});
    for (const char* bad : {R"({"reasons": "over_limit"})", R"({"ordering": "amount_cents"})", R"({"allowed": "maybe"})"}) {
        INFO(bad);
        CHECK(code_of([&] { e.list("credit_requests", crm::Query::from_json(json::parse(bad))); }) ==
              crm::Status::invalid);
    }
    const auto typed = e.credit_requests().list(crm::Query().where("allowed", false));
    REQUIRE(typed.results.size() == 2);
    CHECK(typed.results[0].id == r2);
    CHECK(typed.results[0].reasons == Reasons{"over_limit"});
    CHECK(typed.results[0].amount_cents == 1001);
    CHECK(typed.results[1].customer_uuid == ub);

    // The ledger's filters.
    const auto ca = new_customer(e, json::value("1"));
    const auto cb = new_customer(e, json::value("2"));
    e.credit().accrue({pay("1", 100, "x"), pay("2", 200), pay("1", 300)});
    e.credit().redeem("1", 10, "y");
    const auto t = ticket(e, cb, 40, "2024-01-01T00:00:00Z");
    auto lids = [&](std::string_view q) {
        std::vector<std::int64_t> out;
        const auto page = e.list("ledger", crm::Query::from_json(json::parse(q)));
        for (const auto& r : page.at("results").as_array())
            out.push_back(r.at("delta_cents").as_int64());
        return out;
    };
    using V = std::vector<std::int64_t>;
    CHECK(lids("{}") == V{50, 100, 150, -10, 20});
    CHECK(lids(R"({"customer_id": )" + std::to_string(ca) + "}") == V{50, 150, -10});
    CHECK(lids(R"({"reason": "redemption"})") == V{-10});
    CHECK(lids(R"({"ref": "x"})") == V{50});
    CHECK(lids(R"({"ticket_id": )" + std::to_string(t) + "}") == V{20});
    CHECK(lids(R"({"delta_cents__lt": 0})") == V{-10});
    CHECK(lids(R"({"delta_cents__gte": 100, "ordering": "-id"})") == V{150, 100});
    CHECK(code_of([&] { lids(R"({"reason": "gift"})"); }) == crm::Status::invalid);
    CHECK(code_of([&] { lids(R"({"ordering": "delta_cents"})"); }) == crm::Status::invalid);
}

// --- regressions: engine bugs these tests found (fixed) ---------------------------

// src/domain/money.cpp parse_rate scales "1.<zeros>" by 10^digits twice.
TEST_CASE("credit: credit_rate 1.000 accrues like 1", "[credit]") {
    crm::Engine e(":memory:", options_with("1.000"));
    const auto c = new_customer(e, json::value("33"));
    CHECK(e.credit().accrue({pay("33", 2600)}).at(0).accrued_cents == 2600);
    CHECK(e.create("tickets", json::object{{"customer_id", c}, {"lines", json::array{line(824)}}})
              .at("loyalty_points_cents") == 824);
    CHECK(credit_of(e, c) == 3424);
}

// src/engine/credit.cpp accrue(): the typed path does not trim a payment's
// ref (the JSON path and redeem() do), so " p3 " and "p3" are two refs.
TEST_CASE("credit: the typed accrue trims refs like the JSON one",
          "[credit]") {
    crm::Engine e(":memory:");
    const auto c = new_customer(e, json::value("42"));
    e.credit().accrue({pay("42", 10, "p3")});
    const auto r = e.credit().accrue({pay("42", 10, " p3 ")});
    CHECK(r.at(0).duplicate);
    CHECK(credit_of(e, c) == 5);
    CHECK(count_of(e, "ledger") == 1);
}

// src/domain/credit.cpp parse_payments reads "amount_cents" twice (raw()
// then integer()); JsonReader counts it twice as known, and finish() then
// believes every key was read when exactly one is unknown: a single unknown
// key in a payment is silently ignored (two are reported).
TEST_CASE("credit: one unknown key in a payment is invalid", "[credit]") {
    crm::Engine e(":memory:");
    const auto c = new_customer(e, json::value("33"));
    expect_error([&] {
        e.credit_accrue(json::parse(R"({"payments": [{"card": "33", "amount_cents": 100, "color": "red"}]})"));
    },
                 crm::Status::invalid, {"payments[0].color"});
    CHECK(credit_of(e, c) == 0);
}

// src/engine/credit.cpp check(): the typed path does not lower-case
// customer_uuid (the JSON path and the tickets do), so an upper-case uuid is
// not_found.
TEST_CASE("credit: the typed check finds a customer by upper-case uuid",
          "[credit]") {
    crm::Engine e(":memory:");
    const auto c = new_customer(e);
    std::string upper = uuid_of(e, c);
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    crm::CreditCheck req;
    req.customer_uuid = upper;
    req.amount_cents = 0;
    const auto err = error_of([&] { CHECK(e.credit().check(req).customer_id == c); });
    CHECK_FALSE(err.has_value());
}

// --- the invariant ---------------------------------------------------------------

namespace {

// The model of one customer the test keeps itself.
struct ModelCustomer {
    std::int64_t id = 0;
    std::optional<std::string> card;
    std::int64_t balance = 0;
    std::int64_t ledger_sum = 0;  // the sum of its entries seen in the ledger
};

struct ModelTicket {
    std::int64_t id = 0;
    std::size_t customer = 0;  // index into the customers
    std::int64_t points = 0;
    std::optional<std::string> ref;
};

struct RefTicket {  // a ticket ref's payload and the ticket it made
    json::object body;
    std::size_t customer = 0;
    std::int64_t id = 0;
    std::int64_t points = 0;
};

}  // namespace

TEST_CASE("credit: balance equals the ledger sum after each of 10000 random operations", "[credit][invariant]") {
    crm::Engine e(":memory:");
    std::mt19937_64 rng(20240605);  // fixed seed: the same sequence every run
    auto below = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };

    std::vector<ModelCustomer> cs;
    for (const char* card : {"101", "102", "103"}) {
        ModelCustomer m;
        m.card = card;
        m.id = new_customer(e, json::value(card));
        cs.push_back(m);
    }
    {
        ModelCustomer m;  // no card: tickets accrue nothing
        m.id = new_customer(e);
        cs.push_back(m);
    }
    std::vector<ModelTicket> live;
    std::map<std::string, RefTicket> ticket_refs;        // ref -> the live ticket it made
    std::set<std::string> accrual_refs;                  // refs applied by accrue
    std::map<std::string, std::pair<std::size_t, std::int64_t>> redemption_refs;  // ref -> (customer, amount)
    std::int64_t last_ledger_id = 0;
    std::int64_t ops_by_kind[8] = {};
    std::int64_t conflicts = 0, duplicates = 0;

    auto points_of = [&](std::size_t ci, std::int64_t total) { return cs[ci].card ? total / 2 : 0; };
    auto new_body = [&](std::size_t ci) {
        json::array lines;
        const auto n = 1 + below(3);
        for (std::int64_t i = 0; i < n; ++i)
            lines.push_back(json::object{{"product_code", "P" + std::to_string(below(50))},
                                         {"unit_price_before_cents", below(5000)},
                                         {"promo_percent", below(4) == 0 ? below(101) : 0},
                                         {"quantity", 1 + below(3)}});
        return json::object{{"customer_id", cs[ci].id}, {"lines", std::move(lines)},
                            {"payment_mode", below(2) ? "CARD" : "CASH"}};
    };
    // The entries written since the last look, added to their customers' sums.
    auto read_new_entries = [&] {
        for (;;) {
            const auto page = e.list("ledger", crm::Query()
                                                   .where("id", crm::Lookup::gt, last_ledger_id)
                                                   .ordering("id")
                                                   .page_size(1000)
                                                   .count(false));
            const auto& rows = page.at("results").as_array();
            for (const auto& r : rows) {
                const auto cid = r.at("customer_id").as_int64();
                bool found = false;
                for (auto& m : cs)
                    if (m.id == cid) {
                        m.ledger_sum += r.at("delta_cents").as_int64();
                        found = true;
                    }
                CHECK(found);
                last_ledger_id = r.at("id").as_int64();
            }
            if (rows.size() < 1000) break;
        }
    };
    // The full ledger of one customer, summed from scratch.
    auto full_sum = [&](std::int64_t customer_id) {
        std::int64_t sum = 0;
        auto q = crm::Query().where("customer_id", customer_id).page_size(1000).count(false);
        for (;;) {
            const auto page = e.list("ledger", q);
            for (const auto& r : page.at("results").as_array()) sum += r.at("delta_cents").as_int64();
            if (!page.at("next_cursor").is_string()) break;
            q = crm::Query().where("customer_id", customer_id).page_size(1000).count(false).cursor(
                page.at("next_cursor").as_string());
        }
        return sum;
    };

    constexpr int kOps = 10'000;
    for (int op = 0; op < kOps; ++op) {
        const auto kind = below(100);
        const std::size_t ci = static_cast<std::size_t>(below(cs.size()));
        const std::size_t card_ci = static_cast<std::size_t>(below(3));  // a customer with a card
        std::string what;
        if (kind < 25) {  // a ticket without a ref
            ++ops_by_kind[0];
            const auto t = e.create("tickets", new_body(ci));
            const auto pts = t.at("loyalty_points_cents").as_int64();
            REQUIRE(pts == points_of(ci, t.at("total_cents").as_int64()));
            cs[ci].balance += pts;
            live.push_back({id_of(t), ci, pts, std::nullopt});
            what = "ticket";
        } else if (kind < 45) {  // a ticket with a ref: new, replayed, or replayed with another payload
            ++ops_by_kind[1];
            const std::string ref = "t" + std::to_string(below(400));
            auto it = ticket_refs.find(ref);
            if (it == ticket_refs.end()) {
                auto body = new_body(ci);
                body["ref"] = ref;
                const auto t = e.create("tickets", body);
                const auto pts = t.at("loyalty_points_cents").as_int64();
                REQUIRE(pts == points_of(ci, t.at("total_cents").as_int64()));
                cs[ci].balance += pts;
                live.push_back({id_of(t), ci, pts, ref});
                ticket_refs[ref] = {body, ci, id_of(t), pts};
                what = "ticket ref new";
            } else if (below(3) > 0) {
                const auto t = e.create("tickets", it->second.body);
                REQUIRE(id_of(t) == it->second.id);
                ++duplicates;
                what = "ticket ref replay";
            } else {
                auto body = it->second.body;
                body["lines"].as_array().push_back(json::object{{"product_code", "extra"},
                                                                {"unit_price_before_cents", 1 + below(100)}});
                REQUIRE(code_of([&] { e.create("tickets", body); }) == crm::Status::conflict);
                ++conflicts;
                what = "ticket ref conflict";
            }
        } else if (kind < 60) {  // delete a ticket
            ++ops_by_kind[2];
            if (live.empty()) continue;
            const std::size_t k = static_cast<std::size_t>(below(live.size()));
            const ModelTicket t = live[k];
            auto& m = cs[t.customer];
            if (t.points > m.balance) {
                REQUIRE(code_of([&] { e.remove("tickets", t.id); }) == crm::Status::conflict);
                ++conflicts;
            } else {
                e.remove("tickets", t.id);
                m.balance -= t.points;
                live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
                if (t.ref) ticket_refs.erase(*t.ref);
            }
            what = "delete";
        } else if (kind < 80) {  // an accrual batch of 1..3 payments, some refs repeated
            ++ops_by_kind[3];
            std::vector<crm::Payment> batch;
            const auto n = 1 + below(3);
            const bool unknown = below(20) == 0;
            for (std::int64_t i = 0; i < n; ++i) {
                crm::Payment p;
                p.card = *cs[static_cast<std::size_t>(below(3))].card;
                p.amount_cents = below(4000);
                if (below(2)) p.ref = "a" + std::to_string(below(600));
                batch.push_back(p);
            }
            if (unknown) batch.push_back(pay("999", 100));
            if (unknown) {
                REQUIRE(code_of([&] { e.credit().accrue(batch); }) == crm::Status::not_found);
                what = "accrue unknown card";
            } else {
                const auto out = e.credit().accrue(batch);
                REQUIRE(out.size() == batch.size());
                for (std::size_t i = 0; i < batch.size(); ++i) {
                    std::size_t owner = 0;
                    while (cs[owner].card != batch[i].card) ++owner;
                    const bool dup = batch[i].ref && accrual_refs.count(*batch[i].ref) > 0;
                    REQUIRE(out[i].duplicate == dup);
                    if (dup) {
                        ++duplicates;
                        REQUIRE(out[i].accrued_cents == 0);
                    } else {
                        REQUIRE(out[i].accrued_cents == batch[i].amount_cents / 2);
                        cs[owner].balance += batch[i].amount_cents / 2;
                        if (batch[i].ref) accrual_refs.insert(*batch[i].ref);
                    }
                    REQUIRE(out[i].balance_cents == cs[owner].balance);
                }
                what = "accrue";
            }
        } else {  // a redemption, some beyond the balance, some with a repeated ref
            ++ops_by_kind[4];
            auto& m = cs[card_ci];
            const std::int64_t amount = 1 + below(static_cast<std::uint64_t>(m.balance + 300));
            std::optional<std::string> ref;
            if (below(3) == 0) ref = "r" + std::to_string(below(300));
            auto prior = ref ? redemption_refs.find(*ref) : redemption_refs.end();
            if (prior != redemption_refs.end() && below(2)) {
                // Retry the very redemption of that ref: a duplicate.
                const auto [owner, amt] = prior->second;
                const auto r = e.credit().redeem(*cs[owner].card, amt, ref);
                REQUIRE(r.duplicate);
                REQUIRE(r.redeemed_cents == 0);
                REQUIRE(r.balance_cents == cs[owner].balance);
                ++duplicates;
                what = "redeem duplicate";
            } else if (prior != redemption_refs.end() &&
                       (prior->second.first != card_ci || prior->second.second != amount)) {
                REQUIRE(code_of([&] { e.credit().redeem(*m.card, amount, ref); }) == crm::Status::conflict);
                ++conflicts;
                what = "redeem ref conflict";
            } else if (prior != redemption_refs.end()) {
                REQUIRE(e.credit().redeem(*m.card, amount, ref).duplicate);
                ++duplicates;
                what = "redeem same ref";
            } else if (amount > m.balance) {
                REQUIRE(code_of([&] { e.credit().redeem(*m.card, amount, ref); }) == crm::Status::conflict);
                ++conflicts;
                what = "redeem beyond";
            } else {
                const auto r = e.credit().redeem(*m.card, amount, ref);
                REQUIRE_FALSE(r.duplicate);
                REQUIRE(r.redeemed_cents == amount);
                m.balance -= amount;
                REQUIRE(r.balance_cents == m.balance);
                if (ref) redemption_refs[*ref] = {card_ci, amount};
                what = "redeem";
            }
        }

        // After every operation: credit_cents == the model == the sum of the ledger, never < 0.
        read_new_entries();
        for (const auto& m : cs) {
            const auto credit = credit_of(e, m.id);
            if (credit != m.balance || credit != m.ledger_sum || credit < 0) {
                FAIL("after operation " << op << " (" << what << "): customer " << m.id << " has credit_cents "
                                        << credit << ", the model " << m.balance << ", its ledger "
                                        << m.ledger_sum);
            }
            if (m.card && e.credit().balance(*m.card).balance_cents != m.balance)
                FAIL("after operation " << op << " (" << what << "): balance() of card " << *m.card
                                        << " differs from the model " << m.balance);
        }
        if (op % 1000 == 999) {
            for (const auto& m : cs) REQUIRE(full_sum(m.id) == m.balance);
            REQUIRE(count_of(e, "tickets") == static_cast<std::int64_t>(live.size()));
        }
    }
    for (const auto& m : cs) CHECK(full_sum(m.id) == m.balance);
    CHECK(cs[3].balance == 0);
    // The sequence did exercise every path.
    for (int k = 0; k < 5; ++k) CHECK(ops_by_kind[k] > 500);
    CHECK(conflicts > 100);
    CHECK(duplicates > 100);
    CHECK(count_of(e, "ledger") == last_ledger_id);
}

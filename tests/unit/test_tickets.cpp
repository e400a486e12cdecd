// Tickets (spec/domain.md `tickets`, seed 003 sales receipts) through the
// C++ API: the seed's get_tickets example as a fixture, defaults, every
// validation error, customer by id or uuid, ref idempotency, immutability,
// deletion with its reversal entry, the customer's ticket statistics,
// customer deletion, listing and its query plan; and the list-only ledger
// and credit_requests collections.
#include "query/list_plan.hpp"
#include "storage/store.hpp"

#include <crm/crm.hpp>

#include "support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace json = boost::json;
using namespace crm_test;

namespace {

const Fields kTicketFields = {"id",          "customer_id",    "customer_uuid", "date",
                              "payment_mode", "origin",         "lines",         "total_cents",
                              "loyalty_points_cents", "ref",    "created_at"};

std::int64_t new_customer(crm::Engine& e, std::optional<std::string> card = {}, json::object extra = {}) {
    extra["last_name"] = "Buyer";
    if (card) extra["loyalty_card"] = *card;
    return id_of(e.create("customers", extra));
}

json::object customer(crm::Engine& e, std::int64_t id) { return e.get("customers", id); }
std::string uuid_of(crm::Engine& e, std::int64_t id) { return std::string(customer(e, id).at("uuid").as_string()); }
std::int64_t credit_of(crm::Engine& e, std::int64_t id) { return customer(e, id).at("credit_cents").as_int64(); }

std::int64_t count_of(crm::Engine& e, std::string_view collection) {
    return e.list(collection).at("count").as_int64();
}

json::object line(std::string_view code, std::int64_t before, std::int64_t qty = 1, std::int64_t promo = 0) {
    return {{"product_code", code}, {"unit_price_before_cents", before}, {"promo_percent", promo}, {"quantity", qty}};
}

// Seed 003's get_tickets example, ticket 42, in our fields.
json::object seed_ticket_42(std::int64_t customer_id) {
    json::object t = parse_obj(R"({"date": "2019-10-09T17:01:29.408701Z", "payment_mode": "cash", "origin": "e-commerce",
        "lines": [
          {"product_code": "X1-0", "unit_price_before_cents": 800, "unit_price_after_cents": 400, "promo_percent": 50, "quantity": 2},
          {"product_code": "X1-9", "unit_price_before_cents": 48, "unit_price_after_cents": 24, "promo_percent": 50, "quantity": 1}
        ]})");
    t["customer_id"] = customer_id;
    return t;
}

// ... and ticket 38.
json::object seed_ticket_38(std::int64_t customer_id) {
    json::object t = parse_obj(R"({"date": "2019-10-09T18:03:45.408701Z", "payment_mode": "CARD", "origin": "e-commerce",
        "lines": [
          {"product_code": "X1-4", "unit_price_before_cents": 36, "unit_price_after_cents": 18, "promo_percent": 50, "quantity": 2}
        ]})");
    t["customer_id"] = customer_id;
    return t;
}

// A simple ticket: one line of `total` cents.
json::object simple_ticket(std::optional<std::int64_t> customer_id, std::int64_t total, std::string_view date,
                           json::object extra = {}) {
    if (customer_id) extra["customer_id"] = *customer_id;
    extra["date"] = date;
    extra["lines"] = json::array{line("P", total)};
    return extra;
}

// The ledger, oldest first, as (customer_id, delta_cents, reason, ticket_id or 0, ref or "").
using Entry = std::tuple<std::int64_t, std::int64_t, std::string, std::int64_t, std::string>;
std::vector<Entry> ledger_of(crm::Engine& e, std::optional<std::int64_t> customer_id = {}) {
    json::object q{{"ordering", "id"}, {"page_size", 1000}};
    if (customer_id) q["customer_id"] = *customer_id;
    std::vector<Entry> out;
    const auto page = e.list("ledger", crm::Query::from_json(q));
    for (const auto& v : page.at("results").as_array()) {
        const auto& o = v.as_object();
        out.emplace_back(o.at("customer_id").as_int64(), o.at("delta_cents").as_int64(),
                         std::string(o.at("reason").as_string()),
                         o.at("ticket_id").is_null() ? 0 : o.at("ticket_id").as_int64(),
                         o.at("ref").is_null() ? "" : std::string(o.at("ref").as_string()));
    }
    return out;
}

json::object list_tickets(crm::Engine& e, std::string_view query) {
    return e.list("tickets", crm::Query::from_json(json::parse(query)));
}

// The customer's (last_payment_date or "", last_payment_cents or -1, average_basket_cents).
std::tuple<std::string, std::int64_t, std::int64_t> stats_of(crm::Engine& e, std::int64_t id) {
    const auto c = customer(e, id);
    return {c.at("last_payment_date").is_null() ? "" : std::string(c.at("last_payment_date").as_string()),
            c.at("last_payment_cents").is_null() ? -1 : c.at("last_payment_cents").as_int64(),
            c.at("average_basket_cents").as_int64()};
}

}  // namespace

// --- create: the seed's example and the defaults --------------------------------

TEST_CASE("tickets: seed 003's get_tickets example mapped to our fields", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    const std::string uuid = uuid_of(e, cust);

    const auto t42 = e.create("tickets", seed_ticket_42(cust));
    INFO(json::serialize(t42));
    CHECK(keys_of(t42) == kTicketFields);
    CHECK(id_of(t42) >= 1);
    CHECK(t42.at("customer_id") == cust);
    CHECK(t42.at("customer_uuid") == json::value(uuid));
    CHECK(t42.at("date") == "2019-10-09T17:01:29.408701Z");
    CHECK(t42.at("payment_mode") == "CASH");
    CHECK(t42.at("origin") == "e-commerce");
    CHECK(t42.at("lines") == json::parse(R"([
        {"product_code": "X1-0", "unit_price_before_cents": 800, "promo_percent": 50, "unit_price_after_cents": 400, "quantity": 2},
        {"product_code": "X1-9", "unit_price_before_cents": 48, "promo_percent": 50, "unit_price_after_cents": 24, "quantity": 1}])"));
    CHECK(t42.at("total_cents") == 824);          // 400 x 2 + 24 x 1 (the seed's "prix" 424 is not the lines' sum)
    CHECK(t42.at("loyalty_points_cents") == 412);  // floor(824 x 0.5)
    CHECK(t42.at("ref").is_null());
    CHECK(rfc3339_utc(t42.at("created_at")));

    const auto t38 = e.create("tickets", seed_ticket_38(cust));
    INFO(json::serialize(t38));
    CHECK(t38.at("payment_mode") == "CARD");
    CHECK(t38.at("total_cents") == 36);  // 18 x 2
    CHECK(t38.at("loyalty_points_cents") == 18);
    CHECK(id_of(t38) > id_of(t42));

    // Stored as returned.
    CHECK(e.get("tickets", id_of(t42)) == t42);
    CHECK(e.get("tickets", id_of(t38)) == t38);
    // The typed model reads the same row.
    const crm::Ticket typed = e.tickets().get(id_of(t42));
    CHECK(typed.customer_id == cust);
    CHECK(typed.customer_uuid == uuid);
    CHECK(typed.payment_mode == crm::PaymentMode::cash);
    CHECK(typed.lines.size() == 2);
    CHECK(typed.lines.at(1).product_code == "X1-9");
    CHECK(typed.lines.at(1).unit_price_after_cents == 24);
    CHECK(typed.total_cents == 824);
    CHECK(typed.loyalty_points_cents == 412);
    CHECK(crm::format_timestamp(*typed.date) == "2019-10-09T17:01:29.408701Z");

    // One accrual entry per ticket; the balance is their sum.
    CHECK(ledger_of(e) == std::vector<Entry>{{cust, 412, "accrual", id_of(t42), ""}, {cust, 18, "accrual", id_of(t38), ""}});
    const auto c = customer(e, cust);
    CHECK(c.at("credit_cents") == 430);
    CHECK(c.at("last_payment_date") == "2019-10-09");
    CHECK(c.at("last_payment_cents") == 36);
    CHECK(c.at("average_basket_cents") == 430);  // (824 + 36) / 2
    CHECK(e.credit().balance("33").balance_cents == 430);
}

TEST_CASE("tickets: the typed create fills the same defaults and accrual", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "C77");
    crm::Ticket t;
    t.customer_id = cust;
    t.payment_mode = crm::PaymentMode::transfer;
    t.lines.push_back(crm::TicketLine{"A", 999, 10, std::nullopt, 3});
    const crm::Ticket saved = e.tickets().create(t);
    CHECK(saved.id >= 1);
    CHECK(saved.customer_uuid == uuid_of(e, cust));
    CHECK(saved.origin == "store");
    CHECK(saved.lines.at(0).unit_price_after_cents == 899);  // floor(999 x 0.9)
    CHECK(saved.total_cents == 2697);
    CHECK(saved.loyalty_points_cents == 1348);
    CHECK(saved.date.has_value());
    CHECK(json::value_from(saved).as_object() == e.get("tickets", saved.id));
    CHECK(credit_of(e, cust) == 1348);
}

TEST_CASE("tickets: defaults and normalisation and the after-promo price", "[tickets]") {
    crm::Engine e(":memory:");
    const auto t = e.create("tickets", parse_obj(R"({"lines": [{"product_code": " A-1 ", "unit_price_before_cents": 999}]})"));
    INFO(json::serialize(t));
    CHECK(keys_of(t) == kTicketFields);
    CHECK(t.at("customer_id").is_null());
    CHECK(t.at("customer_uuid").is_null());
    CHECK(t.at("payment_mode") == "OTHER");
    CHECK(t.at("origin") == "store");
    CHECK(t.at("lines") == json::parse(R"([{"product_code": "A-1", "unit_price_before_cents": 999, "promo_percent": 0,
                                            "unit_price_after_cents": 999, "quantity": 1}])"));
    CHECK(t.at("total_cents") == 999);
    CHECK(t.at("loyalty_points_cents") == 0);
    CHECK(t.at("ref").is_null());
    CHECK(rfc3339_utc(t.at("date")));
    CHECK(t.at("date") == t.at("created_at"));  // default date: now
    CHECK(count_of(e, "ledger") == 0);        // no customer, no credit

    SECTION("payment_mode is case-insensitive and trimmed; output upper-case") {
        const std::pair<const char*, const char*> cases[] = {
            {"card", "CARD"}, {"Cash", "CASH"}, {" check ", "CHECK"}, {"transfer", "TRANSFER"}, {"OTHER", "OTHER"}};
        for (const auto& [in, out] : cases) {
            INFO(in);
            json::object body{{"payment_mode", in}, {"lines", json::array{line("X", 1)}}};
            CHECK(e.create("tickets", body).at("payment_mode") == out);
        }
    }
    SECTION("origin: trimmed; blank means the default") {
        CHECK(e.create("tickets", json::object{{"origin", "  e-commerce "}, {"lines", json::array{line("X", 1)}}})
                  .at("origin") == "e-commerce");
        CHECK(e.create("tickets", json::object{{"origin", "   "}, {"lines", json::array{line("X", 1)}}}).at("origin") ==
              "store");
        CHECK(e.create("tickets", json::object{{"origin", nullptr}, {"lines", json::array{line("X", 1)}}})
                  .at("origin") == "store");
    }
    SECTION("unit_price_after_cents defaults to floor(before x (100 - promo) / 100)") {
        const auto r = e.create("tickets", json::object{{"lines", json::array{line("a", 99, 1, 33),   // 66.33 -> 66
                                                                               line("b", 1, 1, 50),    // 0.5 -> 0
                                                                               line("c", 999, 2, 10),  // 899.1 -> 899
                                                                               line("d", 500, 1, 100),  // 0
                                                                               line("e", 7, 3, 0)}}});
        std::vector<std::int64_t> after;
        for (const auto& l : r.at("lines").as_array()) after.push_back(l.at("unit_price_after_cents").as_int64());
        CHECK(after == std::vector<std::int64_t>{66, 0, 899, 0, 7});
        CHECK(r.at("total_cents") == 66 + 0 + 899 * 2 + 0 + 21);
    }
    SECTION("a given after price is kept (even without a promo) when <= before") {
        const auto r = e.create("tickets", parse_obj(R"({"lines": [{"product_code": "p", "unit_price_before_cents": 100,
            "unit_price_after_cents": 73, "quantity": 2}, {"product_code": "q", "unit_price_before_cents": 5,
            "unit_price_after_cents": 5}]})"));
        CHECK(r.at("lines").at(0).at("unit_price_after_cents") == 73);
        CHECK(r.at("lines").at(0).at("promo_percent") == 0);
        CHECK(r.at("total_cents") == 151);
    }
    SECTION("a date with an offset is stored in UTC") {
        const auto r = e.create("tickets", json::object{{"date", "2024-03-01T23:30:00-02:00"},
                                                        {"lines", json::array{line("X", 1)}}});
        CHECK(r.at("date") == "2024-03-02T01:30:00Z");
    }
    SECTION("a ticket of a customer without a loyalty card accrues nothing") {
        const auto cust = new_customer(e);
        const auto r = e.create("tickets", simple_ticket(cust, 1000, "2024-01-01T10:00:00Z"));
        CHECK(r.at("loyalty_points_cents") == 0);
        CHECK(count_of(e, "ledger") == 0);
        CHECK(credit_of(e, cust) == 0);
        CHECK(std::get<1>(stats_of(e, cust)) == 1000);
    }
    SECTION("the largest total is 10^15; the lines adding to more are refused") {
        const auto big = e.create("tickets", json::object{{"lines", json::array{line("X", 500'000'000'000'000, 2)}}});
        CHECK(big.at("total_cents") == 1'000'000'000'000'000);
        expect_error([&] { e.create("tickets", json::object{{"lines", json::array{line("X", 500'000'000'000'000, 2),
                                                                                   line("Y", 1)}}}); },
                     crm::Status::invalid, {"total_cents"});
        expect_error([&] { e.create("tickets", json::object{{"lines", json::array{line("X", 1'000'000'000'000'000, 2)}}}); },
                     crm::Status::invalid, {"total_cents"});
        expect_error([&] { e.create("tickets", json::object{{"lines", json::array{line("X", 1'000'000'000'000'001)}}}); },
                     crm::Status::invalid, {"lines[0].unit_price_before_cents"});
    }
}

// --- validation ---------------------------------------------------------------

TEST_CASE("tickets: every validation error is named all together and nothing is written", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");

    SECTION("rule violations") {
        json::object bad{
            {"customer_id", 0},
            {"payment_mode", "BITCOIN"},
            {"origin", repeat("o", 101)},
            {"ref", repeat("r", 101)},
            {"surprise", 1},
            {"lines", json::array{json::object{{"product_code", ""}, {"unit_price_before_cents", -1},
                                               {"promo_percent", 101}, {"quantity", 0}},
                                  json::object{{"product_code", repeat("p", 65)}, {"unit_price_before_cents", 10},
                                               {"unit_price_after_cents", 11}},
                                  json::object{{"product_code", "ok"}, {"unit_price_before_cents", 10},
                                               {"unit_price_after_cents", -1}},
                                  json::object{{"product_code", "ok"}, {"unit_price_before_cents", 10},
                                               {"promo_percent", -1}, {"quantity", -5}}}}};
        expect_error([&] { e.create("tickets", bad); }, crm::Status::invalid,
                     {"customer_id", "payment_mode", "origin", "ref", "surprise", "lines[0].product_code",
                      "lines[0].unit_price_before_cents", "lines[0].promo_percent", "lines[0].quantity",
                      "lines[1].product_code", "lines[1].unit_price_after_cents", "lines[2].unit_price_after_cents",
                      "lines[3].promo_percent", "lines[3].quantity"});
    }
    SECTION("wrong types") {
        const auto bad = parse_obj(R"({"customer_uuid": 7, "date": "yesterday", "total_cents": "824", "payment_mode": 1,
            "lines": [{"product_code": 5, "unit_price_before_cents": "10", "quantity": 1.5, "color": "red"}]})");
        expect_error([&] { e.create("tickets", bad); }, crm::Status::invalid,
                     {"customer_uuid", "date", "total_cents", "payment_mode", "lines[0].product_code",
                      "lines[0].unit_price_before_cents", "lines[0].quantity", "lines[0].color"});
        // A line that is not an object is named by its index.
        const auto err = error_of([&] { e.create("tickets", parse_obj(R"({"lines": [{"product_code": "a"}, 3]})")); });
        REQUIRE(err);
        CHECK(err->code() == crm::Status::invalid);
        CHECK(field_names(*err).count("lines[1]") == 1);
        CHECK(field_names(*err).count("lines[0].product_code") == 0);
    }
    SECTION("lines: missing, empty, not an array, more than 1000") {
        expect_error([&] { e.create("tickets", json::object{{"customer_id", cust}}); }, crm::Status::invalid, {"lines"});
        expect_error([&] { e.create("tickets", json::object{{"lines", json::array{}}}); }, crm::Status::invalid,
                     {"lines"});
        expect_error([&] { e.create("tickets", json::object{{"lines", json::object{}}}); }, crm::Status::invalid,
                     {"lines"});
        json::array many;
        for (int i = 0; i < 1001; ++i) many.push_back(line("X", 1));
        expect_error([&] { e.create("tickets", json::object{{"lines", many}}); }, crm::Status::invalid, {"lines"});
        many.pop_back();
        CHECK(e.create("tickets", json::object{{"lines", many}}).at("total_cents") == 1000);  // 1000 lines: fine
        CHECK(count_of(e, "tickets") == 1);
        return;
    }
    SECTION("a customer that does not exist, named beside the other errors") {
        expect_error([&] { e.create("tickets", simple_ticket(9999, 100, "2024-01-01T00:00:00Z")); },
                     crm::Status::invalid, {"customer_id"});
        expect_error([&] {
            e.create("tickets", json::object{{"customer_uuid", "0b1c6b48-7a4e-4c4e-9a53-8d1f1c0c7a11"},
                                             {"lines", json::array{line("X", 1)}}});
        },
                     crm::Status::invalid, {"customer_uuid"});
        expect_error([&] {
            e.create("tickets", json::object{{"customer_id", 9999}, {"lines", json::array{line("", 1, 0)}}});
        },
                     crm::Status::invalid, {"customer_id", "lines[0].product_code", "lines[0].quantity"});
    }
    SECTION("the body must be an object") {
        expect_error([&] { e.create("tickets", json::array{}); }, crm::Status::invalid, {});
    }
    CHECK(count_of(e, "tickets") == 0);
    CHECK(count_of(e, "ledger") == 0);
    CHECK(credit_of(e, cust) == 0);
    CHECK(stats_of(e, cust) == std::tuple<std::string, std::int64_t, std::int64_t>{"", -1, 0});
}

TEST_CASE("tickets: a client total that differs from the lines' sum is invalid", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    auto t = seed_ticket_42(cust);
    t["total_cents"] = 424;  // the seed's "prix"
    const auto err = expect_error([&] { e.create("tickets", t); }, crm::Status::invalid, {"total_cents"});
    CHECK(err.errors().at(0).message.find("824") != std::string::npos);
    t["total_cents"] = 825;
    expect_error([&] { e.create("tickets", t); }, crm::Status::invalid, {"total_cents"});
    CHECK(count_of(e, "tickets") == 0);
    CHECK(count_of(e, "ledger") == 0);
    t["total_cents"] = 824;  // the right one is accepted
    CHECK(e.create("tickets", t).at("total_cents") == 824);
}

TEST_CASE("tickets: the customer by uuid or by id or both when they agree", "[tickets]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, "11");
    const auto b = new_customer(e, "22");
    const std::string ua = uuid_of(e, a), ub = uuid_of(e, b);

    std::string upper = ua;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    auto by_uuid = simple_ticket(std::nullopt, 1000, "2024-01-01T10:00:00Z", {{"customer_uuid", upper}});
    const auto t1 = e.create("tickets", by_uuid);
    CHECK(t1.at("customer_id") == a);
    CHECK(t1.at("customer_uuid") == json::value(ua));
    CHECK(t1.at("loyalty_points_cents") == 500);

    const auto t2 = e.create("tickets", simple_ticket(b, 200, "2024-01-02T10:00:00Z", {{"customer_uuid", ub}}));
    CHECK(t2.at("customer_id") == b);
    CHECK(t2.at("customer_uuid") == json::value(ub));

    expect_error([&] { e.create("tickets", simple_ticket(a, 300, "2024-01-03T10:00:00Z", {{"customer_uuid", ub}})); },
                 crm::Status::invalid, {"customer_uuid"});
    CHECK(count_of(e, "tickets") == 2);
    CHECK(ledger_of(e) == std::vector<Entry>{{a, 500, "accrual", id_of(t1), ""}, {b, 100, "accrual", id_of(t2), ""}});
    CHECK(credit_of(e, a) == 500);
    CHECK(credit_of(e, b) == 100);
}

// --- ref idempotency ------------------------------------------------------------

TEST_CASE("tickets: ref idempotency returns the stored ticket for the same payload", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    const auto other = new_customer(e, "44");
    auto body = seed_ticket_42(cust);
    body["ref"] = "pos1-42";
    const auto first = e.create("tickets", body);
    CHECK(first.at("ref") == "pos1-42");
    CHECK(credit_of(e, cust) == 412);

    SECTION("the very same payload") {
        CHECK(e.create("tickets", body) == first);
        CHECK(e.create("tickets", body) == first);
    }
    SECTION("the same payload written differently: uuid for id, lower-case mode, computed fields given, ref padded") {
        auto same = body;
        same.erase("customer_id");
        same["customer_uuid"] = uuid_of(e, cust);
        same["payment_mode"] = "CASH";
        same["total_cents"] = 824;
        same["ref"] = "  pos1-42 ";
        same["loyalty_points_cents"] = 999;  // read-only: ignored
        CHECK(e.create("tickets", same) == first);
    }
    SECTION("the retry leaves the date out") {
        auto same = body;
        same.erase("date");
        CHECK(e.create("tickets", same) == first);
    }
    SECTION("the typed API") {
        crm::Ticket t = json::value_to<crm::Ticket>(json::value(body));
        CHECK(e.tickets().create(t).id == id_of(first));
    }
    CHECK(count_of(e, "tickets") == 1);
    CHECK(ledger_of(e) == std::vector<Entry>{{cust, 412, "accrual", id_of(first), ""}});
    CHECK(credit_of(e, cust) == 412);
    CHECK(credit_of(e, other) == 0);
    CHECK(stats_of(e, cust) == std::tuple<std::string, std::int64_t, std::int64_t>{"2019-10-09", 824, 824});
}

TEST_CASE("tickets: a ref reused with another payload is a conflict naming ref and nothing is written", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    const auto other = new_customer(e, "44");
    auto body = seed_ticket_42(cust);
    body["ref"] = "pos1-42";
    const auto first = e.create("tickets", body);

    std::vector<std::pair<std::string, json::object>> variants;
    {
        auto v = body;
        v["customer_id"] = other;
        variants.emplace_back("another customer", v);
        v = body;
        v.erase("customer_id");
        variants.emplace_back("no customer", v);
        v = body;
        v["date"] = "2019-10-09T17:01:30Z";
        variants.emplace_back("another date", v);
        v = body;
        v["payment_mode"] = "CARD";
        variants.emplace_back("another payment mode", v);
        v = body;
        v["origin"] = "store";
        variants.emplace_back("another origin", v);
        v = body;
        v["lines"].as_array()[0].as_object()["quantity"] = 3;
        variants.emplace_back("another quantity", v);
        v = body;
        v["lines"].as_array()[1].as_object()["product_code"] = "X1-8";
        variants.emplace_back("another product", v);
        v = body;
        v["lines"].as_array().pop_back();
        variants.emplace_back("a line less", v);
        v = body;
        v["lines"].as_array()[0].as_object().erase("unit_price_after_cents");
        v["lines"].as_array()[0].as_object()["promo_percent"] = 40;
        variants.emplace_back("another promo", v);
    }
    for (const auto& [what, v] : variants) {
        INFO(what);
        expect_error([&] { e.create("tickets", v); }, crm::Status::conflict, {"ref"});
    }
    // A bad payload under a used ref is invalid first (validation comes before the lookup).
    auto bad = body;
    bad["total_cents"] = 1;
    expect_error([&] { e.create("tickets", bad); }, crm::Status::invalid, {"total_cents"});

    CHECK(count_of(e, "tickets") == 1);
    CHECK(ledger_of(e) == std::vector<Entry>{{cust, 412, "accrual", id_of(first), ""}});
    CHECK(credit_of(e, cust) == 412);
    CHECK(credit_of(e, other) == 0);
    CHECK(e.get("tickets", id_of(first)) == first);

    // Once the ticket is deleted its ref is free again.
    e.remove("tickets", id_of(first));
    auto again = body;
    again["customer_id"] = other;
    const auto second = e.create("tickets", again);
    CHECK(id_of(second) != id_of(first));
    CHECK(second.at("ref") == "pos1-42");
    CHECK(credit_of(e, other) == 412);
}

// --- immutability and delete ----------------------------------------------------

TEST_CASE("tickets: immutable - replace and update are invalid", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    const auto t = e.create("tickets", seed_ticket_42(cust));
    const auto id = id_of(t);

    expect_error([&] { e.replace("tickets", id, seed_ticket_38(cust)); }, crm::Status::invalid, {});
    expect_error([&] { e.update("tickets", id, json::object{{"origin", "store"}}); }, crm::Status::invalid, {});
    expect_error([&] { e.update("tickets", id, json::object{}); }, crm::Status::invalid, {});
    expect_error([&] { e.tickets().replace(id, e.tickets().get(id)); }, crm::Status::invalid, {});
    expect_error([&] { e.tickets().update(id, json::object{{"payment_mode", "CARD"}}); }, crm::Status::invalid, {});
    // Refused whatever the id.
    CHECK(code_of([&] { e.update("tickets", 9999, json::object{}); }) == crm::Status::invalid);
    CHECK(e.get("tickets", id) == t);
    CHECK(count_of(e, "ledger") == 1);
    const auto err = error_of([&] { e.update("tickets", id, json::object{}); });
    REQUIRE(err);
    CHECK(std::string(err->what()).find("immutable") != std::string::npos);
}

TEST_CASE("tickets: get and delete of a missing ticket are not_found", "[tickets]") {
    crm::Engine e(":memory:");
    for (std::int64_t id : {0LL, -1LL, 1LL, 9999LL}) {
        INFO(id);
        CHECK(code_of([&] { e.get("tickets", id); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.remove("tickets", id); }) == crm::Status::not_found);
    }
    CHECK(count_of(e, "ledger") == 0);
}

TEST_CASE("tickets: delete writes a reversal entry and takes the credit back", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    const auto t42 = e.create("tickets", seed_ticket_42(cust));
    const auto t38 = e.create("tickets", seed_ticket_38(cust));
    CHECK(credit_of(e, cust) == 430);

    e.remove("tickets", id_of(t42));
    CHECK(code_of([&] { e.get("tickets", id_of(t42)); }) == crm::Status::not_found);
    CHECK(count_of(e, "tickets") == 1);
    CHECK(credit_of(e, cust) == 18);
    CHECK(ledger_of(e) == std::vector<Entry>{{cust, 412, "accrual", id_of(t42), ""},
                                             {cust, 18, "accrual", id_of(t38), ""},
                                             {cust, -412, "reversal", id_of(t42), ""}});
    // Deleting it again: not_found, nothing more written.
    CHECK(code_of([&] { e.remove("tickets", id_of(t42)); }) == crm::Status::not_found);
    e.tickets().remove(id_of(t38));
    CHECK(credit_of(e, cust) == 0);
    CHECK(count_of(e, "ledger") == 4);
    CHECK(e.credit().balance("33").balance_cents == 0);

    // A ticket that accrued nothing (no card, or a total of 0 or 1) writes no entry.
    const auto plain = new_customer(e);
    const auto t = e.create("tickets", simple_ticket(plain, 500, "2024-01-01T00:00:00Z"));
    const auto t1 = e.create("tickets", simple_ticket(cust, 1, "2024-01-01T00:00:00Z"));
    CHECK(t1.at("loyalty_points_cents") == 0);
    CHECK(count_of(e, "ledger") == 5);  // the 0-point accrual of t1 is written
    e.remove("tickets", id_of(t));
    e.remove("tickets", id_of(t1));
    CHECK(count_of(e, "ledger") == 5);
    CHECK(count_of(e, "tickets") == 0);
}

TEST_CASE("tickets: delete is refused when the ticket's credit was spent", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    const auto t = e.create("tickets", seed_ticket_42(cust));  // +412
    e.credit().redeem("33", 100);                            // 312 left
    const auto err = expect_error([&] { e.remove("tickets", id_of(t)); }, crm::Status::conflict, {});
    CHECK(std::string(err.what()).find("412") != std::string::npos);
    CHECK(e.get("tickets", id_of(t)) == t);
    CHECK(credit_of(e, cust) == 312);
    CHECK(count_of(e, "ledger") == 2);
    CHECK(std::get<2>(stats_of(e, cust)) == 824);

    // Once the balance covers it again, the delete goes through.
    e.credit().accrue({crm::Payment{"33", 199, std::nullopt}});  // +99 -> 411: one short
    CHECK(code_of([&] { e.remove("tickets", id_of(t)); }) == crm::Status::conflict);
    e.credit().accrue({crm::Payment{"33", 2, std::nullopt}});  // +1 -> 412
    e.remove("tickets", id_of(t));
    CHECK(credit_of(e, cust) == 0);
    CHECK(ledger_of(e).back() == Entry{cust, -412, "reversal", id_of(t), ""});
}

// --- the customer's statistics ---------------------------------------------------

TEST_CASE("tickets: the customer's last payment and average basket follow creates and deletes", "[tickets]") {
    using S = std::tuple<std::string, std::int64_t, std::int64_t>;
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    const auto bystander = new_customer(e);
    CHECK(stats_of(e, cust) == S{"", -1, 0});

    const auto t1 = id_of(e.create("tickets", simple_ticket(cust, 1000, "2024-01-10T12:00:00Z")));
    CHECK(stats_of(e, cust) == S{"2024-01-10", 1000, 1000});
    const auto t2 = id_of(e.create("tickets", simple_ticket(cust, 333, "2024-03-05T08:00:00Z")));
    CHECK(stats_of(e, cust) == S{"2024-03-05", 333, 666});  // 1333 / 2 rounded down
    const auto t3 = id_of(e.create("tickets", simple_ticket(cust, 500, "2024-02-01T00:00:00Z")));  // older
    CHECK(stats_of(e, cust) == S{"2024-03-05", 333, 611});  // 1833 / 3
    // The UTC date: 2024-03-05T23:30-02:00 is 2024-03-06 in UTC.
    const auto t4 = id_of(e.create("tickets", simple_ticket(cust, 1, "2024-03-05T23:30:00-02:00")));
    CHECK(stats_of(e, cust) == S{"2024-03-06", 1, 458});  // 1834 / 4 = 458.5
    // Another customer's ticket changes nothing here.
    e.create("tickets", simple_ticket(bystander, 99999, "2025-01-01T00:00:00Z"));
    CHECK(stats_of(e, cust) == S{"2024-03-06", 1, 458});
    CHECK(stats_of(e, bystander) == S{"2025-01-01", 99999, 99999});

    e.remove("tickets", t4);
    CHECK(stats_of(e, cust) == S{"2024-03-05", 333, 611});
    e.remove("tickets", t2);  // the latest: the last payment goes back to the latest remaining
    CHECK(stats_of(e, cust) == S{"2024-02-01", 500, 750});
    e.remove("tickets", t1);
    CHECK(stats_of(e, cust) == S{"2024-02-01", 500, 500});
    e.remove("tickets", t3);
    CHECK(stats_of(e, cust) == S{"", -1, 0});
    // Typed model: the same values.
    const crm::Customer c = e.customers().get(bystander);
    CHECK(c.last_payment_date == crm::parse_date("2025-01-01"));
    CHECK(c.last_payment_cents == 99999);
    CHECK(c.average_basket_cents == 99999);
    CHECK(c.credit_cents == 0);
}

// Regression: a ticket dated earlier on the same day as the latest one, but
// created after it, took over last_payment_cents.
TEST_CASE("tickets: last_payment_cents is the latest ticket's within one day",
          "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto old = id_of(e.create("tickets", simple_ticket(cust, 100, "2023-05-01T00:00:00Z")));
    e.create("tickets", simple_ticket(cust, 500, "2024-01-01T18:00:00Z"));
    e.create("tickets", simple_ticket(cust, 300, "2024-01-01T08:00:00Z"));  // earlier that day, created later
    CHECK(std::get<1>(stats_of(e, cust)) == 500);
    e.remove("tickets", old);
    CHECK(std::get<1>(stats_of(e, cust)) == 500);
}

TEST_CASE("tickets: customer updates keep the read-only credit and ticket fields", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    e.create("tickets", seed_ticket_42(cust));
    auto c = customer(e, cust);
    c["credit_cents"] = 1;
    c["refusal_count"] = 7;
    c["last_payment_cents"] = 5;
    c["average_basket_cents"] = 5;
    c["last_payment_date"] = "2000-01-01";
    c["note"] = "vip";
    const auto replaced = e.replace("customers", cust, c);
    CHECK(replaced.at("credit_cents") == 412);
    CHECK(replaced.at("refusal_count") == 0);
    CHECK(replaced.at("last_payment_cents") == 824);
    CHECK(replaced.at("average_basket_cents") == 824);
    CHECK(replaced.at("last_payment_date") == "2019-10-09");
    const auto updated = e.update("customers", cust, json::object{{"credit_cents", 0}, {"note", "x"}});
    CHECK(updated.at("credit_cents") == 412);
    CHECK(e.credit().balance("33").balance_cents == 412);
}

// --- customer deletion -------------------------------------------------------------

TEST_CASE("tickets: a customer with tickets or ledger entries cannot be deleted", "[tickets]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    const auto t = id_of(e.create("tickets", seed_ticket_42(cust)));
    CHECK(code_of([&] { e.remove("customers", cust); }) == crm::Status::conflict);

    // The ticket deleted, its accrual and reversal entries remain: still refused.
    e.remove("tickets", t);
    CHECK(count_of(e, "ledger") == 2);
    CHECK(code_of([&] { e.remove("customers", cust); }) == crm::Status::conflict);
    CHECK(credit_of(e, cust) == 0);

    // Ledger entries alone (a bare accrual) also keep a customer.
    const auto payer = new_customer(e, "55");
    e.credit().accrue({crm::Payment{"55", 0, std::nullopt}});
    CHECK(code_of([&] { e.remove("customers", payer); }) == crm::Status::conflict);

    // A customer without a card whose only ticket is gone has no entries: deleted.
    const auto plain = new_customer(e);
    const auto tp = id_of(e.create("tickets", simple_ticket(plain, 100, "2024-01-01T00:00:00Z")));
    CHECK(code_of([&] { e.remove("customers", plain); }) == crm::Status::conflict);
    e.remove("tickets", tp);
    e.remove("customers", plain);
    CHECK(code_of([&] { e.get("customers", plain); }) == crm::Status::not_found);

    // A customer with credit requests only is deleted with them.
    const auto asker = new_customer(e);
    const auto r1 = e.credit_check(json::object{{"customer_id", asker}, {"amount_cents", 0}});
    const auto r2 = e.credit_check(json::object{{"customer_id", asker}, {"amount_cents", 10}});
    const auto kept = e.credit_check(json::object{{"customer_id", cust}, {"amount_cents", 10}});
    CHECK(count_of(e, "credit_requests") == 3);
    e.remove("customers", asker);
    CHECK(count_of(e, "credit_requests") == 1);
    CHECK(code_of([&] { e.get("credit_requests", id_of(r1)); }) == crm::Status::not_found);
    CHECK(code_of([&] { e.get("credit_requests", id_of(r2)); }) == crm::Status::not_found);
    CHECK(e.get("credit_requests", id_of(kept)) == kept);
    CHECK(count_of(e, "customers") == 2);
}

// --- listing -------------------------------------------------------------------------

TEST_CASE("tickets: list filters and the default ordering -date", "[tickets]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, "33");
    const auto b = new_customer(e);
    const std::string ub = uuid_of(e, b);
    // Created out of date order.
    const auto t1 = id_of(e.create("tickets", simple_ticket(a, 1000, "2024-02-01T10:00:00Z",
                                                            {{"payment_mode", "CARD"}, {"ref", "r-1"}})));
    const auto t2 = id_of(e.create("tickets", simple_ticket(b, 250, "2024-01-15T09:00:00Z",
                                                            {{"payment_mode", "cash"}, {"origin", "e-commerce"}})));
    const auto t3 = id_of(e.create("tickets", simple_ticket(a, 40, "2024-03-01T00:00:00Z",
                                                            {{"origin", "e-commerce"}, {"ref", "r-3"}})));
    const auto t4 = id_of(e.create("tickets", simple_ticket(std::nullopt, 7, "2023-12-31T23:59:59Z",
                                                            {{"payment_mode", "CARD"}})));
    const auto t5 = id_of(e.create("tickets", simple_ticket(b, 600, "2024-02-01T10:00:01Z")));

    auto ids = [&](std::string_view q) { return ids_of(list_tickets(e, q)); };
    CHECK(ids("{}") == Ids{t3, t5, t1, t2, t4});
    CHECK(list_tickets(e, "{}").at("count") == 5);
    CHECK(ids_of(e.list("tickets")) == Ids{t3, t5, t1, t2, t4});
    CHECK(ids(R"({"ordering": "date"})") == Ids{t4, t2, t1, t5, t3});
    CHECK(ids(R"({"ordering": "id"})") == Ids{t1, t2, t3, t4, t5});
    CHECK(ids(R"({"ordering": "-total_cents"})") == Ids{t1, t5, t2, t3, t4});
    CHECK(ids(R"({"ordering": "created_at,id"})") == Ids{t1, t2, t3, t4, t5});

    CHECK(ids(R"({"customer_id": )" + std::to_string(a) + "}") == Ids{t3, t1});
    CHECK(ids(R"({"customer_uuid": ")" + ub + "\"}") == Ids{t5, t2});
    CHECK(ids(R"({"customer_id__isnull": true})") == Ids{t4});
    CHECK(ids(R"({"payment_mode": "CARD"})") == Ids{t1, t4});
    CHECK(ids(R"({"payment_mode": "OTHER"})") == Ids{t3, t5});
    CHECK(ids(R"({"origin": "e-commerce"})") == Ids{t3, t2});
    CHECK(ids(R"({"origin": "store", "ordering": "id"})") == Ids{t1, t4, t5});
    CHECK(ids(R"({"date__gte": "2024-02-01T10:00:00Z"})") == Ids{t3, t5, t1});
    CHECK(ids(R"({"date__lt": "2024-01-15T09:00:00Z"})") == Ids{t4});
    CHECK(ids(R"({"date__date": "2024-02-01"})") == Ids{t5, t1});
    CHECK(ids(R"({"total_cents__gt": 250})") == Ids{t5, t1});
    CHECK(ids(R"({"total_cents__lte": 250, "ordering": "total_cents"})") == Ids{t4, t3, t2});
    CHECK(ids(R"({"ref": "r-3"})") == Ids{t3});
    CHECK(ids(R"({"ref__isnull": false})") == Ids{t3, t1});
    CHECK(ids(R"({"loyalty_points_cents": 500})") == Ids{t1});
    CHECK(ids(R"({"loyalty_points_cents__gt": 0})") == Ids{t3, t1});
    CHECK(ids(R"({"customer_id": )" + std::to_string(a) + R"(, "total_cents__gte": 100})") == Ids{t1});
    // Paging keeps the order.
    const auto p1 = list_tickets(e, R"({"page_size": 2})");
    CHECK(ids_of(p1) == Ids{t3, t5});
    REQUIRE(p1.at("next_cursor").is_string());
    const auto p2 = e.list("tickets", crm::Query().page_size(2).cursor(p1.at("next_cursor").as_string()));
    CHECK(ids_of(p2) == Ids{t1, t2});

    // Unknown keys, unsortable fields, bad values: invalid, naming the key.
    for (const char* bad : {R"({"lines": "x"})", R"({"ordering": "origin"})", R"({"ordering": "payment_mode"})",
                            R"({"payment_mode": "BITCOIN"})", R"({"total_cents": "abc"})", R"({"nope": 1})"}) {
        INFO(bad);
        CHECK(code_of([&] { list_tickets(e, bad); }) == crm::Status::invalid);
    }
    // Typed.
    const auto page = e.tickets().list(crm::Query().where("customer_id", a));
    REQUIRE(page.results.size() == 2);
    CHECK(page.results[0].id == t3);
    CHECK(page.results[1].id == t1);
    CHECK(page.count == 2);
}

TEST_CASE("tickets: the ledger and credit_requests are list-only (credit_requests: and get)", "[tickets][credit]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "33");
    const auto t = id_of(e.create("tickets", seed_ticket_42(cust)));
    const auto entry = e.list("ledger").at("results").at(0).as_object();
    const auto lid = id_of(entry);
    CHECK(entry.at("ticket_id") == t);
    CHECK(keys_of(entry) == Fields{"id", "customer_id", "delta_cents", "reason", "ref", "ticket_id", "created_at"});
    CHECK(rfc3339_utc(entry.at("created_at")));

    const json::object body{{"customer_id", cust}, {"delta_cents", 5}, {"reason", "adjustment"}};
    CHECK(code_of([&] { e.create("ledger", body); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.get("ledger", lid); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.replace("ledger", lid, body); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.update("ledger", lid, json::object{{"delta_cents", 5}}); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.remove("ledger", lid); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.ledger().create(crm::LedgerEntry{}); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.ledger().remove(lid); }) == crm::Status::invalid);

    const auto req = e.credit_check(json::object{{"customer_id", cust}, {"amount_cents", 100}});
    const auto rid = id_of(req);
    CHECK(e.get("credit_requests", rid) == req);
    CHECK(code_of([&] { e.create("credit_requests", json::object{{"customer_id", cust}, {"amount_cents", 1}}); }) ==
          crm::Status::invalid);
    CHECK(code_of([&] { e.replace("credit_requests", rid, req); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.update("credit_requests", rid, json::object{{"allowed", false}}); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.remove("credit_requests", rid); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.get("credit_requests", 9999); }) == crm::Status::not_found);

    CHECK(count_of(e, "ledger") == 1);
    CHECK(count_of(e, "credit_requests") == 1);
    CHECK(e.get("credit_requests", rid) == req);
    CHECK(credit_of(e, cust) == 412);
}

TEST_CASE("tickets: the database itself refuses to change or delete ledger entries", "[tickets]") {
    TempDir dir("ledger-");
    const std::string path = dir.file("ledger.db");
    std::int64_t cust = 0;
    {
        crm::Engine e(path);
        cust = new_customer(e, "33");
        e.create("tickets", seed_ticket_42(cust));
    }
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        CHECK_THROWS_AS(db.exec("UPDATE ledger SET delta_cents = 1000"), SQLite::Exception);
        CHECK_THROWS_AS(db.exec("DELETE FROM ledger"), SQLite::Exception);
        // A balance cannot go below zero, even written by hand.
        CHECK_THROWS_AS(db.exec("INSERT INTO ledger (customer_id, delta_cents, reason, created_at) VALUES (" +
                                std::to_string(cust) + ", -413, 'adjustment', 0)"),
                        SQLite::Exception);
        // And credit_cents follows an entry written by hand.
        db.exec("INSERT INTO ledger (customer_id, delta_cents, reason, created_at) VALUES (" + std::to_string(cust) +
                ", -12, 'adjustment', 0)");
    }
    crm::Engine e(path);
    CHECK(credit_of(e, cust) == 400);
    CHECK(ledger_of(e).size() == 2);
    CHECK(std::get<1>(ledger_of(e).at(0)) == 412);
}

TEST_CASE("tickets: a customer's tickets are listed newest first through an index", "[tickets]") {
    TempDir dir("plans-");
    const std::string path = dir.file("plans.db");
    {
        crm::Engine e(path);
        for (int i = 0; i < 20; ++i) {
            const auto c = new_customer(e, "C" + std::to_string(i));
            for (int k = 0; k < 3; ++k)
                e.create("tickets", simple_ticket(c, 100 + k, "2024-01-0" + std::to_string(k + 1) + "T00:00:00Z"));
        }
    }
    auto store = crm::storage::open_sqlite_store(path, crm::Options{});
    auto plan = [&](const char* q) {
        auto p = crm::query::plan_list(crm::query::tickets_decl(), json::parse(q).as_object(), store->cursor_key());
        return store->explain_list(p);
    };
    std::string p = plan(R"({"customer_id": 3})");
    INFO(p);
    CHECK(p.find("USING INDEX tickets_customer (customer_id=?)") != std::string::npos);
    CHECK(p.find("TEMP B-TREE") == std::string::npos);
    CHECK(p.find("SCAN tickets") == std::string::npos);

    p = plan("{}");
    INFO(p);
    CHECK(p.find("USING INDEX tickets_date") != std::string::npos);
    CHECK(p.find("TEMP B-TREE") == std::string::npos);

    p = plan(R"({"customer_uuid": "0b1c6b48-7a4e-4c4e-9a53-8d1f1c0c7a11"})");
    INFO(p);
    CHECK(p.find("USING INDEX tickets_customer_uuid (customer_uuid=?)") != std::string::npos);
}

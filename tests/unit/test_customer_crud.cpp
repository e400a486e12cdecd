// create / get / replace / update / delete / list of customers through the
// C++ API (JSON-level and typed): computed fields, uniqueness, atomicity of
// failed calls, not_found cases and error codes.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace json = boost::json;
using namespace crm_test;
using namespace std::chrono_literals;

namespace {

std::int64_t count(crm::Engine& e) { return e.list("customers").at("count").as_int64(); }

std::chrono::year_month_day today_utc() {
    return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

// Whole years from b to t.
int expected_age(std::chrono::year_month_day b, std::chrono::year_month_day t) {
    int years = int(t.year()) - int(b.year());
    if (t.month() < b.month() || (t.month() == b.month() && t.day() < b.day())) --years;
    return years;
}

crm::Timestamp ts(const json::value& v) {
    INFO("timestamp: " << v);
    REQUIRE(v.is_string());
    auto t = crm::parse_timestamp(v.as_string());
    REQUIRE(t.has_value());
    return *t;
}

bool uuid_v4(const json::value& v) {
    static const std::regex re(R"(^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$)");
    return v.is_string() && std::regex_match(std::string(v.as_string()), re);
}

const Fields kCustomerFields = {
    "id", "uuid", "kind", "first_name", "last_name", "company_name", "full_name", "email", "phone", "mobile",
    "gender", "date_of_birth", "age", "note", "status", "is_active", "archived", "archived_at",
    "accepts_marketing", "email_allowed", "sms_allowed", "call_allowed", "user_type", "channel_id",
    "channel_code", "erp_code", "crm_id", "ref_id", "account", "loyalty_card", "coupons", "date_joined",
    "attributes", "extra_field", "localized_attributes", "credit_cents", "refusal_count", "last_payment_date",
    "last_payment_cents", "average_basket_cents", "created_at", "updated_at"};

const char* kFull = R"({
    "kind": "person", "first_name": "Ann", "last_name": "Smith", "company_name": "Acme",
    "email": "ann@example.com", "phone": "+33 1 23 45 67 89", "mobile": "0612345678",
    "gender": "female", "date_of_birth": "1990-05-17", "note": "VIP", "status": 3,
    "is_active": false, "archived": false, "accepts_marketing": true, "email_allowed": true,
    "sms_allowed": true, "call_allowed": true, "user_type": "guest", "channel_id": 4,
    "channel_code": "WEB", "erp_code": "E1", "crm_id": "C1", "ref_id": "R1", "account": "A1",
    "loyalty_card": "CARD1", "coupons": ["X", "Y"], "date_joined": "2020-01-01T10:00:00Z",
    "attributes": {"size": "M", "tags": ["a"]}, "extra_field": {"paiement": 1200},
    "localized_attributes": {"fr": {"title": "Mme"}}})";

}  // namespace

TEST_CASE("create returns every customer field, defaults and computed values", "[customers][crud]") {
    crm::Engine e(":memory:");
    const auto before = std::chrono::system_clock::now();
    const json::object c = e.create("customers", json::object{});
    const auto after = std::chrono::system_clock::now();

    CHECK(keys_of(c) == kCustomerFields);
    CHECK(c.at("id").is_int64());
    CHECK(c.at("id").as_int64() >= 1);
    CHECK(uuid_v4(c.at("uuid")));
    CHECK(c.at("kind") == "person");
    for (const char* f : {"first_name", "last_name", "company_name", "email", "phone", "mobile", "date_of_birth",
                          "age", "note", "archived_at", "channel_id", "channel_code", "erp_code", "crm_id",
                          "ref_id", "account", "loyalty_card", "last_payment_date", "last_payment_cents"}) {
        INFO("field: " << f);
        CHECK(c.at(f).is_null());
    }
    CHECK(c.at("full_name") == "");
    CHECK(c.at("gender") == "unknown");
    CHECK(c.at("status") == 0);
    CHECK(c.at("is_active") == true);
    for (const char* f : {"archived", "accepts_marketing", "email_allowed", "sms_allowed", "call_allowed"})
        CHECK(c.at(f) == false);
    CHECK(c.at("user_type") == "registered");
    CHECK(c.at("coupons") == json::array{});
    CHECK(c.at("attributes") == json::object{});
    CHECK(c.at("extra_field") == json::object{});
    CHECK(c.at("localized_attributes") == json::object{});
    CHECK(c.at("credit_cents") == 0);
    CHECK(c.at("refusal_count") == 0);
    CHECK(c.at("average_basket_cents") == 0);
    for (const char* f : {"created_at", "updated_at", "date_joined"}) {
        INFO("field: " << f << " = " << c.at(f));
        CHECK(rfc3339_utc(c.at(f)));
        const auto t = ts(c.at(f));
        CHECK(t >= std::chrono::floor<std::chrono::seconds>(before) - 1s);
        CHECK(t <= after + 1s);
    }
    CHECK(ts(c.at("updated_at")) >= ts(c.at("created_at")));
    CHECK(e.get("customers", id_of(c)) == c);
    CHECK(count(e) == 1);
}

TEST_CASE("create stores every writable field as given", "[customers][crud]") {
    crm::Engine e(":memory:");
    const json::object in = parse_obj(kFull);
    const json::object c = e.create("customers", in);
    CHECK(keys_of(c) == kCustomerFields);
    for (const auto& kv : in) {
        INFO("field: " << kv.key());
        CHECK(c.at(kv.key()) == kv.value());
    }
    CHECK(c.at("full_name") == "Ann Smith");
    CHECK(c.at("age") == expected_age(*crm::parse_date("1990-05-17"), today_utc()));
    CHECK(e.get("customers", id_of(c)) == c);
}

TEST_CASE("uuid is a distinct lower-case v4 UUID per customer", "[customers][crud]") {
    crm::Engine e(":memory:");
    std::set<std::string> seen;
    for (int i = 0; i < 25; ++i) {
        const auto c = e.create("customers", json::object{});
        INFO("uuid: " << c.at("uuid"));
        CHECK(uuid_v4(c.at("uuid")));
        seen.insert(std::string(c.at("uuid").as_string()));
    }
    CHECK(seen.size() == 25);
}

TEST_CASE("ids are distinct and increasing", "[customers][crud]") {
    crm::Engine e(":memory:");
    std::int64_t last = 0;
    for (int i = 0; i < 10; ++i) {
        const auto id = id_of(e.create("customers", json::object{}));
        CHECK(id > last);
        last = id;
    }
}

TEST_CASE("full_name is first and last name, else company name, else empty", "[customers][crud]") {
    crm::Engine e(":memory:");
    auto full = [&](std::string_view body) { return e.create("customers", json::parse(body)).at("full_name"); };
    CHECK(full(R"({"first_name":"Ann","last_name":"Smith"})") == "Ann Smith");
    CHECK(full(R"({"first_name":"  Ann ","last_name":" Smith  "})") == "Ann Smith");
    CHECK(full(R"({"first_name":"Ann"})") == "Ann");
    CHECK(full(R"({"last_name":"Smith"})") == "Smith");
    CHECK(full(R"({"first_name":"Ann","last_name":"  "})") == "Ann");
    CHECK(full(R"({"kind":"company","company_name":"Acme"})") == "Acme");
    CHECK(full(R"({"company_name":"Acme"})") == "Acme");
    CHECK(full(R"({"kind":"company","company_name":"Acme","first_name":"Bob","last_name":"Jones"})") ==
          "Bob Jones");
    CHECK(full(R"({"first_name":"","last_name":"","company_name":"Beta"})") == "Beta");
    CHECK(full(R"({})") == "");
    CHECK(full(R"({"first_name":"\u00c9lo\u00efse","last_name":"M\u00fcller"})") == "\xC3\x89lo\xC3\xAFse M\xC3\xBCller");

    // Recomputed on update.
    const auto c = e.create("customers", json::parse(R"({"first_name":"Ann","last_name":"Smith"})"));
    CHECK(e.update("customers", id_of(c), json::parse(R"({"last_name":"Jones"})")).at("full_name") == "Ann Jones");
    CHECK(e.update("customers", id_of(c), json::parse(R"({"first_name":null})")).at("full_name") == "Jones");
    CHECK(e.get("customers", id_of(c)).at("full_name") == "Jones");
}

TEST_CASE("age is whole years from date_of_birth to today", "[customers][crud]") {
    using namespace std::chrono;
    crm::Engine e(":memory:");
    const year_month_day today = today_utc();
    auto age_of = [&](const std::string& dob) {
        INFO("date_of_birth: " << dob);
        const auto c = e.create("customers", json::object{{"date_of_birth", dob}});
        CHECK(e.get("customers", id_of(c)).at("age") == c.at("age"));
        return c.at("age");
    };

    CHECK(age_of(iso(today)) == 0);
    CHECK(age_of(iso(year_month_day{sys_days{today} - days{1}})) == 0);
    CHECK(age_of("1900-01-01") == expected_age(year{1900} / January / 1, today));
    CHECK(age_of("1990-06-15") == expected_age(year{1990} / June / 15, today));
    CHECK(age_of("2000-02-29") == expected_age(year{2000} / February / 29, today));

    const year_month_day thirty{today.year() - years{30}, today.month(), today.day()};
    if (thirty.ok()) {  // not on February 29
        CHECK(age_of(iso(thirty)) == 30);                                          // birthday today
        CHECK(age_of(iso(year_month_day{sys_days{thirty} + days{1}})) == 29);     // birthday tomorrow
        CHECK(age_of(iso(year_month_day{sys_days{thirty} - days{1}})) == 30);     // birthday yesterday
    }
    const year_month_day one_year{today.year() - years{1}, today.month(), today.day()};
    if (one_year.ok()) {
        CHECK(age_of(iso(one_year)) == 1);
        CHECK(age_of(iso(year_month_day{sys_days{one_year} + days{1}})) == 0);
    }

    // Null without a date of birth, also after removing it.
    const auto c = e.create("customers", json::object{{"date_of_birth", "1980-01-01"}});
    CHECK(c.at("age") == expected_age(year{1980} / January / 1, today));
    CHECK(e.update("customers", id_of(c), json::parse(R"({"date_of_birth":null})")).at("age").is_null());

    // The typed API computes it too.
    crm::Customer t;
    t.date_of_birth = year_month_day{year{1990} / June / 15};
    CHECK(e.customers().create(t).age == std::optional<int>(expected_age(year{1990} / June / 15, today)));
}

TEST_CASE("archived_at is set when archived becomes true, kept, and cleared", "[customers][crud]") {
    crm::Engine e(":memory:");
    const auto before = std::chrono::system_clock::now();
    const auto a = e.create("customers", json::parse(R"({"archived":true})"));
    REQUIRE(a.at("archived_at").is_string());
    CHECK(rfc3339_utc(a.at("archived_at")));
    CHECK(ts(a.at("archived_at")) >= std::chrono::floor<std::chrono::seconds>(before) - 1s);
    CHECK(ts(a.at("archived_at")) <= std::chrono::system_clock::now() + 1s);

    const auto b = e.create("customers", json::parse(R"({"archived":false})"));
    CHECK(b.at("archived_at").is_null());

    std::this_thread::sleep_for(5ms);
    // Kept while archived stays true (another field written, or archived sent again).
    const auto kept = e.update("customers", id_of(a), json::parse(R"({"note":"still archived"})"));
    CHECK(kept.at("archived_at") == a.at("archived_at"));
    const auto again = e.update("customers", id_of(a), json::parse(R"({"archived":true})"));
    CHECK(again.at("archived_at") == a.at("archived_at"));
    const auto replaced = e.replace("customers", id_of(a), json::parse(R"({"archived":"true","note":"x"})"));
    CHECK(replaced.at("archived_at") == a.at("archived_at"));

    // Cleared when false.
    const auto cleared = e.update("customers", id_of(a), json::parse(R"({"archived":false})"));
    CHECK(cleared.at("archived") == false);
    CHECK(cleared.at("archived_at").is_null());
    CHECK(e.get("customers", id_of(a)).at("archived_at").is_null());

    // Set anew when it becomes true again; by replace too; and by null -> default false it clears.
    const auto rearchived = e.update("customers", id_of(a), json::parse(R"({"archived":1})"));
    REQUIRE(rearchived.at("archived_at").is_string());
    CHECK(ts(rearchived.at("archived_at")) >= ts(a.at("archived_at")));
    CHECK(e.update("customers", id_of(a), json::parse(R"({"archived":null})")).at("archived_at").is_null());
    const auto b2 = e.replace("customers", id_of(b), json::parse(R"({"archived":true})"));
    CHECK(b2.at("archived_at").is_string());
    CHECK(e.replace("customers", id_of(b), json::object{}).at("archived_at").is_null());

    // Read-only: a client value is ignored.
    const auto c = e.create("customers", json::parse(R"({"archived_at":"2001-01-01T00:00:00Z"})"));
    CHECK(c.at("archived_at").is_null());
    const auto d = e.update("customers", id_of(c), json::parse(R"({"archived_at":"2001-01-01T00:00:00Z"})"));
    CHECK(d.at("archived_at").is_null());
}

TEST_CASE("created_at is stable, updated_at is refreshed by each write", "[customers][crud]") {
    crm::Engine e(":memory:");
    const auto c = e.create("customers", json::parse(R"({"first_name":"Ann"})"));
    std::this_thread::sleep_for(1100ms);  // more than any timestamp resolution
    const auto u = e.update("customers", id_of(c), json::parse(R"({"first_name":"Anna"})"));
    CHECK(u.at("created_at") == c.at("created_at"));
    CHECK(ts(u.at("updated_at")) > ts(c.at("updated_at")));
    CHECK(u.at("date_joined") == c.at("date_joined"));
    CHECK(u.at("uuid") == c.at("uuid"));
    CHECK(u.at("id") == c.at("id"));
    CHECK(e.get("customers", id_of(c)) == u);

    std::this_thread::sleep_for(1100ms);
    const auto r = e.replace("customers", id_of(c), json::parse(R"({"first_name":"Anne"})"));
    CHECK(r.at("created_at") == c.at("created_at"));
    CHECK(ts(r.at("updated_at")) > ts(u.at("updated_at")));
    CHECK(r.at("uuid") == c.at("uuid"));
    CHECK(e.get("customers", id_of(c)) == r);
}

TEST_CASE("email is stored lower-case and unique across case", "[customers][crud]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::parse(R"({"email":"Ann@X.com"})"));
    CHECK(a.at("email") == "ann@x.com");
    CHECK(e.get("customers", id_of(a)).at("email") == "ann@x.com");

    for (const char* dup : {"ann@x.com", "ANN@X.COM", "  Ann@x.Com  "}) {
        INFO("email: " << dup);
        auto err = error_of([&] { e.create("customers", json::object{{"email", dup}}); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::conflict);
        CHECK(field_names(*err) == Fields{"email"});
        CHECK(json::parse(err->to_json()).at("code") == "conflict");
    }
    CHECK(count(e) == 1);

    const auto b = e.create("customers", json::parse(R"({"email":"bob@x.com","first_name":"Bob"})"));
    const auto b_before = e.get("customers", id_of(b));
    {
        auto err = error_of([&] { e.update("customers", id_of(b), json::parse(R"({"email":"ANN@x.com"})")); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::conflict);
        CHECK(field_names(*err) == Fields{"email"});
    }
    {
        auto err = error_of([&] { e.replace("customers", id_of(b), json::parse(R"({"email":"ann@X.com"})")); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::conflict);
        CHECK(field_names(*err) == Fields{"email"});
    }
    CHECK(e.get("customers", id_of(b)) == b_before);

    // A customer keeps its own address under another case.
    CHECK(e.update("customers", id_of(a), json::parse(R"({"email":"ANN@X.COM"})")).at("email") == "ann@x.com");
    CHECK(e.replace("customers", id_of(a), json::parse(R"({"email":"Ann@x.com"})")).at("email") == "ann@x.com");

    // The typed API throws ConflictError.
    crm::Customer t;
    t.email = "ANN@x.COM";
    CHECK_THROWS_AS(e.customers().create(t), crm::ConflictError);

    // Customers without an email never conflict.
    e.create("customers", json::object{});
    e.create("customers", json::parse(R"({"email":""})"));
    e.create("customers", json::parse(R"({"email":null})"));
    CHECK(count(e) == 5);

    // Deleting the owner frees the address.
    e.remove("customers", id_of(a));
    CHECK(e.create("customers", json::parse(R"({"email":"ANN@x.com"})")).at("email") == "ann@x.com");
}

TEST_CASE("loyalty_card is unique, a number is stored as its decimal text", "[customers][crud]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::parse(R"({"loyalty_card":33})"));
    CHECK(a.at("loyalty_card") == "33");
    CHECK(e.get("customers", id_of(a)).at("loyalty_card") == "33");

    for (const char* body : {R"({"loyalty_card":"33"})", R"({"loyalty_card":33})", R"({"loyalty_card":" 33 "})"}) {
        INFO("body: " << body);
        auto err = error_of([&] { e.create("customers", json::parse(body)); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::conflict);
        CHECK(field_names(*err) == Fields{"loyalty_card"});
    }
    CHECK(count(e) == 1);

    const auto b = e.create("customers", json::parse(R"({"loyalty_card":"ABC123"})"));
    const auto b_before = e.get("customers", id_of(b));
    auto err = error_of([&] { e.update("customers", id_of(b), json::parse(R"({"loyalty_card":33})")); });
    REQUIRE(err.has_value());
    CHECK(err->code() == crm::Status::conflict);
    CHECK(field_names(*err) == Fields{"loyalty_card"});
    CHECK(e.get("customers", id_of(b)) == b_before);

    crm::Customer t;
    t.loyalty_card = "ABC123";
    CHECK_THROWS_AS(e.customers().create(t), crm::ConflictError);

    // Several customers without a card.
    e.create("customers", json::object{});
    e.create("customers", json::object{{"loyalty_card", nullptr}});
    CHECK(count(e) == 4);
    // Keeping one's own card is no conflict.
    CHECK(e.update("customers", id_of(a), json::parse(R"({"loyalty_card":"33","note":"n"})")).at("loyalty_card") ==
          "33");
}

TEST_CASE("a failed call changes nothing", "[customers][crud]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", parse_obj(kFull));
    e.create("customers", json::parse(R"({"email":"other@example.com","loyalty_card":"CARD2"})"));
    const auto snapshot = e.get("customers", id_of(a));
    REQUIRE(count(e) == 2);

    auto expect_code = [&](crm::Status code, auto&& call) {
        auto err = error_of(call);
        REQUIRE(err.has_value());
        CHECK(err->code() == code);
        CHECK(count(e) == 2);
        CHECK(e.get("customers", id_of(a)) == snapshot);
    };
    expect_code(crm::Status::invalid, [&] { e.create("customers", json::parse(R"({"email":"bad"})")); });
    expect_code(crm::Status::conflict,
                [&] { e.create("customers", json::parse(R"({"email":"OTHER@example.com"})")); });
    expect_code(crm::Status::invalid,
                [&] { e.update("customers", id_of(a), json::parse(R"({"first_name":"Z","status":-1})")); });
    expect_code(crm::Status::invalid,
                [&] { e.update("customers", id_of(a), json::parse(R"({"first_name":"Z","foo":1})")); });
    expect_code(crm::Status::conflict, [&] {
        e.update("customers", id_of(a), json::parse(R"({"first_name":"Z","email":"other@example.com"})"));
    });
    expect_code(crm::Status::conflict, [&] {
        e.update("customers", id_of(a), json::parse(R"({"first_name":"Z","loyalty_card":"CARD2"})"));
    });
    expect_code(crm::Status::invalid,
                [&] { e.replace("customers", id_of(a), json::parse(R"({"first_name":"Z","kind":"company"})")); });
    expect_code(crm::Status::invalid, [&] { e.replace("customers", id_of(a), json::parse("[]")); });
    expect_code(crm::Status::conflict,
                [&] { e.replace("customers", id_of(a), json::parse(R"({"email":"Other@Example.com"})")); });
    expect_code(crm::Status::not_found, [&] { e.remove("customers", id_of(a) + 1000); });

    crm::Customer typed = e.customers().get(id_of(a));
    typed.first_name = "Z";
    typed.status = -1;
    expect_code(crm::Status::invalid, [&] { e.customers().replace(id_of(a), typed); });
}

TEST_CASE("missing ids and unknown collections are not_found", "[customers][crud]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::object{});
    const std::int64_t missing = id_of(a) + 12345;
    for (std::int64_t id : {missing, std::int64_t{0}, std::int64_t{-1}}) {
        INFO("id: " << id);
        auto codes = {
            error_of([&] { e.get("customers", id); }),
            error_of([&] { e.replace("customers", id, json::object{}); }),
            error_of([&] { e.update("customers", id, json::object{}); }),
            error_of([&] { e.remove("customers", id); }),
            error_of([&] { e.customers().get(id); }),
            error_of([&] { e.customers().replace(id, crm::Customer{}); }),
            error_of([&] { e.customers().update(id, json::object{}); }),
            error_of([&] { e.customers().remove(id); }),
        };
        for (const auto& err : codes) {
            REQUIRE(err.has_value());
            CHECK(err->code() == crm::Status::not_found);
            CHECK(json::parse(err->to_json()).at("code") == "not_found");
        }
        CHECK_THROWS_AS(e.customers().get(id), crm::NotFoundError);
    }
    CHECK(count(e) == 1);

    for (const char* coll : {"nope", "", "Customers", "customer", "customers ", "Orders", "Tickets", "ledgers", "credit-requests"}) {
        INFO("collection: '" << coll << "'");
        for (const auto& err : {
                 error_of([&] { e.create(coll, json::object{}); }),
                 error_of([&] { e.get(coll, id_of(a)); }),
                 error_of([&] { e.replace(coll, id_of(a), json::object{}); }),
                 error_of([&] { e.update(coll, id_of(a), json::object{}); }),
                 error_of([&] { e.remove(coll, id_of(a)); }),
                 error_of([&] { e.list(coll); }),
             }) {
            REQUIRE(err.has_value());
            CHECK(err->code() == crm::Status::not_found);
        }
    }
    CHECK(count(e) == 1);
}

TEST_CASE("delete removes only that customer", "[customers][crud]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::parse(R"({"first_name":"A"})"));
    const auto b = e.create("customers", json::parse(R"({"first_name":"B"})"));
    REQUIRE(count(e) == 2);
    e.remove("customers", id_of(a));
    CHECK(count(e) == 1);
    auto err = error_of([&] { e.get("customers", id_of(a)); });
    REQUIRE(err.has_value());
    CHECK(err->code() == crm::Status::not_found);
    err = error_of([&] { e.remove("customers", id_of(a)); });
    REQUIRE(err.has_value());
    CHECK(err->code() == crm::Status::not_found);
    CHECK(e.get("customers", id_of(b)) == b);
    // An id is never reused.
    CHECK(id_of(e.create("customers", json::object{})) > id_of(b));
}

TEST_CASE("replace is a full replacement of the writable fields", "[customers][crud]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", parse_obj(kFull));
    const auto r = e.replace("customers", id_of(a), json::parse(R"({"first_name":"Bea"})"));
    CHECK(keys_of(r) == kCustomerFields);
    CHECK(r.at("id") == a.at("id"));
    CHECK(r.at("uuid") == a.at("uuid"));
    CHECK(r.at("created_at") == a.at("created_at"));
    CHECK(r.at("first_name") == "Bea");
    CHECK(r.at("full_name") == "Bea");
    for (const char* f : {"last_name", "company_name", "email", "phone", "mobile", "date_of_birth", "age", "note",
                          "channel_id", "channel_code", "erp_code", "crm_id", "ref_id", "account", "loyalty_card"}) {
        INFO("field: " << f);
        CHECK(r.at(f).is_null());
    }
    CHECK(r.at("kind") == "person");
    CHECK(r.at("gender") == "unknown");
    CHECK(r.at("status") == 0);
    CHECK(r.at("is_active") == true);
    for (const char* f : {"archived", "accepts_marketing", "email_allowed", "sms_allowed", "call_allowed"})
        CHECK(r.at(f) == false);
    CHECK(r.at("user_type") == "registered");
    CHECK(r.at("coupons") == json::array{});
    CHECK(r.at("attributes") == json::object{});
    CHECK(r.at("extra_field") == json::object{});
    CHECK(r.at("localized_attributes") == json::object{});
    CHECK(e.get("customers", id_of(a)) == r);
    CHECK(count(e) == 1);
    // The freed email and card may be used by someone else now.
    CHECK(e.create("customers", json::parse(R"({"email":"ann@example.com","loyalty_card":"CARD1"})"))
              .at("email") == "ann@example.com");
}

TEST_CASE("a GET result can be sent back as a PUT", "[customers][crud]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", parse_obj(kFull));
    const auto got = e.get("customers", id_of(a));
    const auto put = e.replace("customers", id_of(a), got);
    CHECK(without(put, {"updated_at"}) == without(got, {"updated_at"}));
    CHECK(ts(put.at("updated_at")) >= ts(got.at("updated_at")));

    // And archived ones keep their archived_at.
    const auto b = e.create("customers", json::parse(R"({"archived":true,"first_name":"B"})"));
    const auto put_b = e.replace("customers", id_of(b), e.get("customers", id_of(b)));
    CHECK(without(put_b, {"updated_at"}) == without(b, {"updated_at"}));

    // Typed: get then replace the same value.
    const crm::Customer tc = e.customers().get(id_of(a));
    const crm::Customer tr = e.customers().replace(id_of(a), tc);
    CHECK(without(json::value_from(tr).as_object(), {"updated_at"}) == without(got, {"updated_at"}));
}

TEST_CASE("typed API: create, get, replace, update, remove, list", "[customers][crud][typed]") {
    using namespace std::chrono;
    crm::Engine e(":memory:");
    auto customers = e.customers();

    crm::Customer in;
    in.id = 999;                 // read-only: ignored
    in.uuid = "not-a-uuid";      // read-only: ignored
    in.full_name = "Nobody";     // read-only: ignored
    in.credit_cents = 500;       // read-only: ignored
    in.refusal_count = 9;        // read-only: ignored
    in.first_name = "Ann";
    in.last_name = "Smith";
    in.email = "Ann@Example.com";
    in.gender = crm::Gender::female;
    in.user_type = crm::UserType::guest;
    in.date_of_birth = year{1990} / May / 17;
    in.loyalty_card = "L1";
    in.coupons = {"A", "B"};
    in.status = 2;
    in.channel_id = 3;
    in.is_active = false;
    in.attributes = json::object{{"size", "M"}};

    const crm::Customer c = customers.create(in);
    CHECK(c.id != 999);
    CHECK(c.id >= 1);
    CHECK(uuid_v4(json::value(c.uuid.c_str())));
    CHECK(c.full_name == "Ann Smith");
    CHECK(c.credit_cents == 0);
    CHECK(c.refusal_count == 0);
    CHECK(c.email == std::optional<std::string>("ann@example.com"));
    CHECK(c.gender == crm::Gender::female);
    CHECK(c.user_type == crm::UserType::guest);
    CHECK(c.date_of_birth == std::optional<crm::Date>(year{1990} / May / 17));
    CHECK(c.age == std::optional<int>(expected_age(year{1990} / May / 17, today_utc())));
    CHECK(c.loyalty_card == std::optional<std::string>("L1"));
    CHECK(c.coupons == std::vector<std::string>{"A", "B"});
    CHECK(c.status == 2);
    CHECK(c.channel_id == std::optional<std::int64_t>(3));
    CHECK_FALSE(c.is_active);
    CHECK(c.attributes == json::object{{"size", "M"}});
    CHECK(c.date_joined.has_value());
    CHECK(c.updated_at >= c.created_at);

    // The typed and JSON views agree.
    const json::object as_json = e.get("customers", c.id);
    CHECK(json::value_from(customers.get(c.id)) == as_json);
    CHECK(json::value_from(c) == as_json);

    crm::Customer repl;
    repl.kind = crm::CustomerKind::company;
    repl.company_name = "Acme";
    const crm::Customer r = customers.replace(c.id, repl);
    CHECK(r.id == c.id);
    CHECK(r.uuid == c.uuid);
    CHECK(r.created_at == c.created_at);
    CHECK(r.full_name == "Acme");
    CHECK_FALSE(r.email.has_value());
    CHECK_FALSE(r.loyalty_card.has_value());
    CHECK(r.coupons.empty());
    CHECK(r.is_active);

    const crm::Customer u = customers.update(c.id, json::parse(R"({"first_name":"Bob","coupons":["Z"]})"));
    CHECK(u.first_name == std::optional<std::string>("Bob"));
    CHECK(u.company_name == std::optional<std::string>("Acme"));
    CHECK(u.coupons == std::vector<std::string>{"Z"});
    CHECK(u.full_name == "Bob");

    crm::Customer other;
    other.last_name = "Other";
    const auto o = customers.create(other);
    const crm::Page<crm::Customer> page = customers.list();
    REQUIRE(page.count.has_value());
    CHECK(*page.count == 2);
    REQUIRE(page.results.size() == 2);

    customers.remove(c.id);
    CHECK_THROWS_AS(customers.get(c.id), crm::NotFoundError);
    CHECK(customers.get(o.id).last_name == std::optional<std::string>("Other"));
    CHECK(*customers.list().count == 1);
}

TEST_CASE("value_to<crm::Customer> reads what value_from writes", "[customers][crud][json]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", parse_obj(kFull));
    const crm::Customer c = json::value_to<crm::Customer>(json::value(a));
    CHECK(c.first_name == std::optional<std::string>("Ann"));
    CHECK(c.coupons == std::vector<std::string>{"X", "Y"});
    CHECK(c.attributes == parse_obj(kFull).at("attributes").as_object());
    CHECK(c.date_joined == crm::parse_timestamp("2020-01-01T10:00:00Z"));
    CHECK(c.loyalty_card == std::optional<std::string>("CARD1"));
    // Written back through the typed API, nothing changes.
    const crm::Customer r = e.customers().replace(id_of(a), c);
    CHECK(without(json::value_from(r).as_object(), {"updated_at"}) == without(a, {"updated_at"}));
}

TEST_CASE("crm::Error carries codes, names and JSON", "[errors]") {
    CHECK(std::string(crm::status_name(crm::Status::ok)) == "ok");
    CHECK(std::string(crm::status_name(crm::Status::invalid)) == "invalid");
    CHECK(std::string(crm::status_name(crm::Status::not_found)) == "not_found");
    CHECK(std::string(crm::status_name(crm::Status::conflict)) == "conflict");
    CHECK(std::string(crm::status_name(crm::Status::busy)) == "busy");
    CHECK(std::string(crm::status_name(crm::Status::io)) == "io");
    CHECK(std::string(crm::status_name(crm::Status::misuse)) == "misuse");
    CHECK(std::string(crm::status_name(crm::Status::nomem)) == "nomem");
    CHECK(std::string(crm::status_name(crm::Status::internal)) == "internal");
    CHECK(static_cast<int>(crm::Status::invalid) == 1);
    CHECK(static_cast<int>(crm::Status::internal) == 8);

    const crm::InvalidError inv(std::vector<crm::FieldError>{{"email", "bad"}, {"status", "negative"}});
    CHECK(inv.code() == crm::Status::invalid);
    CHECK(std::string(inv.what()) == "2 fields are invalid");
    const json::value j = json::parse(inv.to_json());
    CHECK(j == json::parse(R"({"code":"invalid","message":"2 fields are invalid",
                               "errors":[{"field":"email","message":"bad"},{"field":"status","message":"negative"}]})"));
    const crm::InvalidError one(std::vector<crm::FieldError>{{"email", "bad"}});
    CHECK(std::string(one.what()) == "1 field is invalid");

    const crm::NotFoundError nf("no customer 5");
    CHECK(nf.code() == crm::Status::not_found);
    const json::value jn = json::parse(nf.to_json());
    CHECK(jn.at("code") == "not_found");
    CHECK(jn.at("message") == "no customer 5");
    CHECK(crm::ConflictError("x").code() == crm::Status::conflict);
    CHECK(crm::BusyError("x").code() == crm::Status::busy);
    CHECK(crm::IoError("x").code() == crm::Status::io);
    CHECK(crm::MisuseError("x").code() == crm::Status::misuse);
}

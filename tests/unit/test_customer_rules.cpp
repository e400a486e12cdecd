// Every validation rule of the `customers` collection (spec/domain.md and the
// behaviour decisions), tested at its edges through the JSON-level API
// (Engine::create("customers", ...)) and the typed API (Engine::customers()).
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace json = boost::json;
using namespace crm_test;

namespace {

std::chrono::sys_days today_utc() { return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()); }

// Creates `body` and returns the stored object; fails the test when refused.
json::object created(crm::Engine& e, const json::value& body) {
    INFO("body: " << json::serialize(body));
    try {
        return e.create("customers", body);
    } catch (const crm::Error& err) {
        FAIL("create refused: " << err.to_json());
    }
    return {};
}

// Expects `body` to be refused as `invalid` naming exactly `expected`.
void refused(crm::Engine& e, const json::value& body, const Fields& expected) {
    INFO("body: " << json::serialize(body));
    auto err = error_of([&] { e.create("customers", body); });
    REQUIRE(err.has_value());
    CHECK(err->code() == crm::Status::invalid);
    CHECK(field_names(*err) == expected);
    for (const auto& fe : err->errors()) CHECK_FALSE(fe.message.empty());
}

// {field: v}
template <class T>
json::object one(std::string_view field, T&& v) {
    json::object o;
    o[field] = json::value_from(std::forward<T>(v));
    return o;
}

}  // namespace

TEST_CASE("names count Unicode code points: 200 accepted, 201 refused", "[customers][rules]") {
    crm::Engine e(":memory:");
    const std::string e_acute = "\xC3\xA9";        // 2 bytes, 1 code point
    const std::string smile = "\xF0\x9F\x98\x80";  // 4 bytes, 1 code point
    for (const char* field : {"first_name", "last_name", "company_name"}) {
        INFO("field: " << field);
        CHECK(created(e, one(field, repeat("a", 200))).at(field) == json::value(repeat("a", 200)));
        CHECK(created(e, one(field, repeat(e_acute, 200))).at(field) == json::value(repeat(e_acute, 200)));
        CHECK(created(e, one(field, repeat(smile, 200))).at(field) == json::value(repeat(smile, 200)));
        // Surrounding white space is trimmed before counting.
        CHECK(created(e, one(field, "  " + repeat("b", 200) + "\t\n ")).at(field) == json::value(repeat("b", 200)));
        refused(e, one(field, repeat("a", 201)), {field});
        refused(e, one(field, repeat(e_acute, 201)), {field});
        refused(e, one(field, repeat(smile, 201)), {field});
        refused(e, one(field, repeat(e_acute, 199) + "ab"), {field});
    }
}

TEST_CASE("note is at most 10000 code points", "[customers][rules]") {
    crm::Engine e(":memory:");
    CHECK(created(e, one("note", repeat("n", 10000))).at("note") == json::value(repeat("n", 10000)));
    CHECK(created(e, one("note", repeat("\xC3\xA9", 10000))).at("note").as_string().size() == 20000);
    refused(e, one("note", repeat("n", 10001)), {"note"});
    refused(e, one("note", repeat("\xC3\xA9", 10001)), {"note"});
}

TEST_CASE("codes are at most 100 code points", "[customers][rules]") {
    crm::Engine e(":memory:");
    for (const char* field : {"channel_code", "erp_code", "crm_id", "ref_id", "account"}) {
        INFO("field: " << field);
        CHECK(created(e, one(field, repeat("c", 100))).at(field) == json::value(repeat("c", 100)));
        CHECK(created(e, one(field, repeat("\xC3\xA9", 100))).at(field) == json::value(repeat("\xC3\xA9", 100)));
        refused(e, one(field, repeat("c", 101)), {field});
        refused(e, one(field, repeat("\xC3\xA9", 101)), {field});
        refused(e, one(field, 5), {field});  // wrong JSON type
    }
}

TEST_CASE("empty or blank optional strings are stored as null", "[customers][rules]") {
    crm::Engine e(":memory:");
    for (const char* field : {"first_name", "last_name", "company_name", "email", "phone", "mobile", "note",
                              "channel_code", "erp_code", "crm_id", "ref_id", "account", "loyalty_card"}) {
        INFO("field: " << field);
        CHECK(created(e, one(field, "")).at(field).is_null());
        CHECK(created(e, one(field, " \t\n ")).at(field).is_null());
        CHECK(created(e, one(field, nullptr)).at(field).is_null());
    }
}

TEST_CASE("email: format rules, 254 accepted, 255 refused", "[customers][rules]") {
    crm::Engine e(":memory:");
    // 60 + 1 + 193 = 254 characters; 255 with one more in the last label.
    const std::string domain = repeat("b", 50) + "." + repeat("c", 50) + "." + repeat("d", 50) + ".";
    const std::string email254 = repeat("a", 60) + "@" + domain + repeat("e", 40);
    const std::string email255 = repeat("a", 60) + "@" + domain + repeat("e", 41);
    REQUIRE(email254.size() == 254);
    REQUIRE(email255.size() == 255);
    CHECK(created(e, one("email", email254)).at("email") == json::value(email254));
    refused(e, one("email", email255), {"email"});

    CHECK(created(e, one("email", "ann@example.com")).at("email") == "ann@example.com");
    CHECK(created(e, one("email", "Ann.Smith+Tag@Example.COM")).at("email") == "ann.smith+tag@example.com");
    CHECK(created(e, one("email", "  bob@x.io \t")).at("email") == "bob@x.io");
    CHECK(created(e, one("email", "x_y-z@sub.domain.org")).at("email") == "x_y-z@sub.domain.org");
    CHECK(created(e, one("email", "q@a.b")).at("email") == "q@a.b");

    for (const char* bad : {"annexample.com", "ann@@example.com", "a@b@example.com", "@example.com",
                            "ann@examplecom", "ann@.example.com", "ann@example.com.", "ann@example..com",
                            "ann smith@example.com", "ann@exa mple.com", "ann\t@example.com", "ann@", "@", "."}) {
        refused(e, one("email", bad), {"email"});
    }
    refused(e, one("email", 5), {"email"});
    refused(e, one("email", true), {"email"});
    refused(e, one("email", json::array{"a@b.c"}), {"email"});
}

TEST_CASE("phone and mobile: 6..20 digits with separators, stored as given", "[customers][rules]") {
    crm::Engine e(":memory:");
    for (const char* field : {"phone", "mobile"}) {
        INFO("field: " << field);
        for (const char* good : {"123456", "+123456", "+33 1 23 45 67 89", "(01) 23-45.67", "01.23.45.67.89",
                                 "12345678901234567890", "+1234567890-1234567890"}) {
            CHECK(created(e, one(field, good)).at(field) == good);
        }
        // Trimmed but not reformatted.
        CHECK(created(e, one(field, "  +33 (0)1 23-45 ")).at(field) == "+33 (0)1 23-45");
        for (const char* bad : {"12345", "+12345", "1 2 3 4 5", "123456789012345678901", "+1234567890-12345678901",
                                "12345a", "++123456", "12+3456", "123456+", "+", "phone", "123_456", "123/456",
                                "12 34 56 x", "(+)123456"}) {
            refused(e, one(field, bad), {field});
        }
        refused(e, one(field, 1234567), {field});  // a JSON number is not a string
    }
}

TEST_CASE("enumerations: kind, gender, user_type", "[customers][rules]") {
    crm::Engine e(":memory:");
    CHECK(created(e, json::object{}).at("kind") == "person");
    CHECK(created(e, one("kind", "person")).at("kind") == "person");
    CHECK(created(e, json::object{{"kind", "company"}, {"company_name", "Acme"}}).at("kind") == "company");
    CHECK(created(e, one("kind", nullptr)).at("kind") == "person");
    refused(e, one("kind", "robot"), {"kind"});
    refused(e, one("kind", 1), {"kind"});

    for (const char* g : {"male", "female", "other", "unknown"}) CHECK(created(e, one("gender", g)).at("gender") == g);
    CHECK(created(e, json::object{}).at("gender") == "unknown");
    CHECK(created(e, one("gender", nullptr)).at("gender") == "unknown");
    refused(e, one("gender", "m"), {"gender"});
    refused(e, one("gender", 1), {"gender"});
    refused(e, one("gender", true), {"gender"});

    for (const char* t : {"guest", "registered"}) CHECK(created(e, one("user_type", t)).at("user_type") == t);
    CHECK(created(e, json::object{}).at("user_type") == "registered");
    CHECK(created(e, one("user_type", nullptr)).at("user_type") == "registered");
    refused(e, one("user_type", "admin"), {"user_type"});
    refused(e, one("user_type", 0), {"user_type"});
}

TEST_CASE("a company requires company_name", "[customers][rules]") {
    crm::Engine e(":memory:");
    refused(e, one("kind", "company"), {"company_name"});
    refused(e, json::object{{"kind", "company"}, {"company_name", "   "}}, {"company_name"});
    refused(e, json::object{{"kind", "company"}, {"company_name", nullptr}}, {"company_name"});
    refused(e, json::object{{"kind", "company"}, {"first_name", "Ann"}, {"last_name", "Smith"}}, {"company_name"});
    auto c = created(e, json::object{{"kind", "company"}, {"company_name", " Acme "}});
    CHECK(c.at("company_name") == "Acme");
    CHECK(c.at("full_name") == "Acme");
    // A person may carry a company name, and needs none.
    CHECK(created(e, json::object{{"kind", "person"}, {"company_name", "Beta"}}).at("company_name") == "Beta");
}

TEST_CASE("date_of_birth: 1900-01-01 .. today (UTC)", "[customers][rules]") {
    crm::Engine e(":memory:");
    const auto today = today_utc();
    const std::string today_s = iso(std::chrono::year_month_day{today});
    const std::string tomorrow_s = iso(std::chrono::year_month_day{today + std::chrono::days{1}});

    CHECK(created(e, one("date_of_birth", "1900-01-01")).at("date_of_birth") == "1900-01-01");
    CHECK(created(e, one("date_of_birth", today_s)).at("date_of_birth") == json::value(today_s));
    CHECK(created(e, one("date_of_birth", "2000-02-29")).at("date_of_birth") == "2000-02-29");
    CHECK(created(e, one("date_of_birth", nullptr)).at("date_of_birth").is_null());

    refused(e, one("date_of_birth", "1899-12-31"), {"date_of_birth"});
    refused(e, one("date_of_birth", tomorrow_s), {"date_of_birth"});
    for (const char* bad : {"2001-02-29", "2026-02-30", "2026-13-01", "1990-5-17", "17/05/1990",
                            "1990-05-17T00:00:00Z", "yesterday"}) {
        refused(e, one("date_of_birth", bad), {"date_of_birth"});
    }
    refused(e, one("date_of_birth", 19900517), {"date_of_birth"});
    refused(e, one("date_of_birth", true), {"date_of_birth"});
}

TEST_CASE("status >= 0 and channel_id >= 1 are integers", "[customers][rules]") {
    crm::Engine e(":memory:");
    CHECK(created(e, json::object{}).at("status") == 0);
    CHECK(created(e, one("status", 0)).at("status") == 0);
    CHECK(created(e, one("status", 7)).at("status") == 7);
    CHECK(created(e, one("status", nullptr)).at("status") == 0);
    refused(e, one("status", -1), {"status"});
    refused(e, one("status", 1.5), {"status"});
    refused(e, one("status", "abc"), {"status"});
    refused(e, one("status", true), {"status"});

    CHECK(created(e, json::object{}).at("channel_id").is_null());
    CHECK(created(e, one("channel_id", 1)).at("channel_id") == 1);
    CHECK(created(e, one("channel_id", 99)).at("channel_id") == 99);
    CHECK(created(e, one("channel_id", nullptr)).at("channel_id").is_null());
    refused(e, one("channel_id", 0), {"channel_id"});
    refused(e, one("channel_id", -1), {"channel_id"});
    refused(e, one("channel_id", 2.5), {"channel_id"});
    refused(e, one("channel_id", "x"), {"channel_id"});
}

TEST_CASE("booleans accept true/false, 0/1 and \"true\"/\"false\"", "[customers][rules]") {
    crm::Engine e(":memory:");
    struct Default {
        const char* field;
        bool value;
    };
    for (auto [field, def] : {Default{"is_active", true}, Default{"archived", false},
                              Default{"accepts_marketing", false}, Default{"email_allowed", false},
                              Default{"sms_allowed", false}, Default{"call_allowed", false}}) {
        INFO("field: " << field);
        CHECK(created(e, json::object{}).at(field) == def);
        CHECK(created(e, one(field, nullptr)).at(field) == def);
        CHECK(created(e, one(field, true)).at(field) == true);
        CHECK(created(e, one(field, false)).at(field) == false);
        CHECK(created(e, one(field, 1)).at(field) == true);
        CHECK(created(e, one(field, 0)).at(field) == false);
        CHECK(created(e, one(field, "true")).at(field) == true);
        CHECK(created(e, one(field, "false")).at(field) == false);
        refused(e, one(field, 2), {field});
        refused(e, one(field, -1), {field});
        refused(e, one(field, "yes"), {field});
        refused(e, one(field, json::array{}), {field});
        refused(e, one(field, json::object{}), {field});
    }
}

TEST_CASE("loyalty_card: 1..32 ASCII letters or digits, a number is kept as text", "[customers][rules]") {
    crm::Engine e(":memory:");
    const std::string card32 = repeat("aB3", 10) + "Zz";
    REQUIRE(card32.size() == 32);
    CHECK(created(e, one("loyalty_card", card32)).at("loyalty_card") == json::value(card32));
    CHECK(created(e, one("loyalty_card", "ABC123")).at("loyalty_card") == "ABC123");
    CHECK(created(e, one("loyalty_card", " XY12 ")).at("loyalty_card") == "XY12");
    CHECK(created(e, one("loyalty_card", "7")).at("loyalty_card") == "7");
    CHECK(created(e, one("loyalty_card", 33)).at("loyalty_card") == "33");
    CHECK(created(e, one("loyalty_card", 0)).at("loyalty_card") == "0");
    CHECK(created(e, json::object{}).at("loyalty_card").is_null());

    refused(e, one("loyalty_card", card32 + "x"), {"loyalty_card"});
    for (const char* bad : {"AB-12", "AB 12", "AB_12", "\xC3\x89" "12", "12.5"})
        refused(e, one("loyalty_card", bad), {"loyalty_card"});
    refused(e, one("loyalty_card", -5), {"loyalty_card"});
    refused(e, one("loyalty_card", 1.5), {"loyalty_card"});
    refused(e, one("loyalty_card", true), {"loyalty_card"});
    refused(e, one("loyalty_card", json::array{"A1"}), {"loyalty_card"});
}

TEST_CASE("coupons: distinct trimmed codes of 1..64 code points, bad ones by index", "[customers][rules]") {
    crm::Engine e(":memory:");
    CHECK(created(e, json::object{}).at("coupons") == json::array{});
    CHECK(created(e, one("coupons", nullptr)).at("coupons") == json::array{});
    CHECK(created(e, one("coupons", json::array{})).at("coupons") == json::array{});
    CHECK(created(e, one("coupons", json::array{"A", "B"})).at("coupons") == json::array{"A", "B"});
    CHECK(created(e, one("coupons", json::array{" X ", "Y\t"})).at("coupons") == json::array{"X", "Y"});
    const std::string c64 = repeat("c", 64), e64 = repeat("\xC3\xA9", 64);
    CHECK(created(e, one("coupons", json::array{c64.c_str(), e64.c_str()})).at("coupons") ==
          json::array{c64.c_str(), e64.c_str()});

    refused(e, one("coupons", json::array{json::string(repeat("c", 65))}), {"coupons[0]"});
    refused(e, one("coupons", json::array{"ok", json::string(repeat("\xC3\xA9", 65))}), {"coupons[1]"});
    refused(e, one("coupons", json::array{"X", "X"}), {"coupons[1]"});
    refused(e, one("coupons", json::array{"X", " X "}), {"coupons[1]"});
    refused(e, one("coupons", json::array{"A", "B", "A"}), {"coupons[2]"});
    refused(e, one("coupons", json::array{"A", ""}), {"coupons[1]"});
    refused(e, one("coupons", json::array{"  ", "A"}), {"coupons[0]"});
    refused(e, one("coupons", json::array{"A", 5}), {"coupons[1]"});
    refused(e, one("coupons", json::array{nullptr}), {"coupons[0]"});
    refused(e, one("coupons", json::array{"", "B", "B"}), {"coupons[0]", "coupons[2]"});
    refused(e, one("coupons", "A"), {"coupons"});
    refused(e, one("coupons", json::object{{"a", 1}}), {"coupons"});
}

TEST_CASE("attributes, extra_field, localized_attributes are JSON objects", "[customers][rules]") {
    crm::Engine e(":memory:");
    for (const char* field : {"attributes", "extra_field", "localized_attributes"}) {
        INFO("field: " << field);
        CHECK(created(e, json::object{}).at(field) == json::object{});
        CHECK(created(e, one(field, nullptr)).at(field) == json::object{});
        const json::value nested = json::parse(R"({"a":[1,{"b":null}],"c":{"d":"e"},"n":2.5})");
        CHECK(created(e, one(field, nested)).at(field) == nested);
        refused(e, one(field, json::array{}), {field});
        refused(e, one(field, "x"), {field});
        refused(e, one(field, 5), {field});
        refused(e, one(field, true), {field});
    }
}

TEST_CASE("date_joined: RFC 3339, any offset, stored UTC", "[customers][rules]") {
    crm::Engine e(":memory:");
    CHECK(created(e, one("date_joined", "2020-01-01T10:00:00Z")).at("date_joined") == "2020-01-01T10:00:00Z");
    CHECK(created(e, one("date_joined", "2020-01-01T10:00:00+02:00")).at("date_joined") == "2020-01-01T08:00:00Z");
    CHECK(created(e, one("date_joined", "2020-01-01T01:00:00+03:00")).at("date_joined") == "2019-12-31T22:00:00Z");
    auto frac = created(e, one("date_joined", "2020-01-01T10:00:00.250Z")).at("date_joined");
    REQUIRE(frac.is_string());
    CHECK(crm::parse_timestamp(frac.as_string()) == crm::parse_timestamp("2020-01-01T10:00:00.25Z"));
    for (const char* bad : {"2020-01-01", "2020-13-01T00:00:00Z", "2020-01-01T10:00:00", "yesterday"})
        refused(e, one("date_joined", bad), {"date_joined"});
    refused(e, one("date_joined", 5), {"date_joined"});
}

TEST_CASE("wrong JSON types are refused naming the field", "[customers][rules]") {
    crm::Engine e(":memory:");
    for (const char* field : {"first_name", "last_name", "company_name", "note"}) {
        refused(e, one(field, 5), {field});
        refused(e, one(field, true), {field});
        refused(e, one(field, json::array{"x"}), {field});
        refused(e, one(field, json::object{{"x", 1}}), {field});
    }
}

TEST_CASE("unknown fields are refused naming them, read-only fields are ignored", "[customers][rules]") {
    crm::Engine e(":memory:");
    refused(e, one("foo", 1), {"foo"});
    refused(e, one("First_Name", "Ann"), {"First_Name"});
    refused(e, json::object{{"foo", 1}, {"bar", nullptr}, {"first_name", "Ann"}}, {"foo", "bar"});

    auto c = created(e, json::parse(R"({
        "first_name": "Ann", "last_name": "Smith",
        "id": 999, "uuid": "not-a-uuid", "full_name": "Someone Else", "age": 5,
        "archived_at": "2000-01-01T00:00:00Z", "credit_cents": 1000, "refusal_count": 7,
        "last_payment_date": "2000-01-01", "last_payment_cents": 500, "average_basket_cents": 250,
        "created_at": "2000-01-01T00:00:00Z", "updated_at": "2000-01-01T00:00:00Z"})"));
    CHECK(c.at("id") != 999);
    CHECK(c.at("uuid") != "not-a-uuid");
    CHECK(c.at("full_name") == "Ann Smith");
    CHECK(c.at("age").is_null());
    CHECK(c.at("archived_at").is_null());
    CHECK(c.at("credit_cents") == 0);
    CHECK(c.at("refusal_count") == 0);
    CHECK(c.at("last_payment_date").is_null());
    CHECK(c.at("last_payment_cents").is_null());
    CHECK(c.at("average_basket_cents") == 0);
    CHECK(c.at("created_at") != "2000-01-01T00:00:00Z");
    CHECK(c.at("updated_at") != "2000-01-01T00:00:00Z");
    CHECK(e.get("customers", c.at("id").as_int64()) == c);

    // Ignored means ignored, whatever their type.
    auto d = created(e, json::parse(R"({"id": "abc", "age": [], "credit_cents": "x", "created_at": 5})"));
    CHECK(d.at("credit_cents") == 0);
    CHECK(d.at("age").is_null());
}

TEST_CASE("a body that is not a JSON object is invalid", "[customers][rules]") {
    crm::Engine e(":memory:");
    for (const char* text : {"[]", "[{}]", "null", "\"x\"", "5", "true"}) {
        INFO("body: " << text);
        auto err = error_of([&] { e.create("customers", json::parse(text)); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::invalid);
    }
    CHECK(e.list("customers").at("count") == 0);
}

TEST_CASE("every failing field of one object is reported together", "[customers][rules]") {
    crm::Engine e(":memory:");
    const std::string tomorrow =
        iso(std::chrono::year_month_day{today_utc() + std::chrono::days{1}});

    SECTION("rule failures") {
        json::object body{{"first_name", repeat("a", 201)}, {"email", "bad"}, {"phone", "12"},
                          {"mobile", "+1"}, {"status", -1}, {"channel_id", 0},
                          {"date_of_birth", tomorrow}, {"loyalty_card", "a-b"},
                          {"coupons", json::array{"x", "x"}}, {"note", repeat("n", 10001)},
                          {"account", repeat("z", 101)}};
        refused(e, body, {"first_name", "email", "phone", "mobile", "status", "channel_id", "date_of_birth",
                          "loyalty_card", "coupons[1]", "note", "account"});
    }
    SECTION("type failures and unknown fields") {
        refused(e, json::parse(R"({"first_name":5,"status":"x","is_active":"yes","attributes":[],
                                   "foo":1,"gender":"m","date_joined":"2020"})"),
                {"first_name", "status", "is_active", "attributes", "foo", "gender", "date_joined"});
    }
    SECTION("type failures together with rule failures") {
        refused(e, json::parse(R"({"first_name":5,"email":"bad","foo":1,"kind":"company","channel_id":0})"),
                {"first_name", "email", "foo", "company_name", "channel_id"});
    }
    SECTION("the error JSON lists them with its count in the message") {
        auto err = error_of([&] { e.create("customers", json::parse(R"({"email":"bad","status":-1})")); });
        REQUIRE(err.has_value());
        const json::value j = json::parse(err->to_json());
        CHECK(j.at("code") == "invalid");
        CHECK(j.at("message") == "2 fields are invalid");
        Fields names;
        for (const auto& item : j.at("errors").as_array()) {
            names.insert(std::string(item.at("field").as_string()));
            CHECK_FALSE(item.at("message").as_string().empty());
        }
        CHECK(names == Fields{"email", "status"});

        auto one_err = error_of([&] { e.create("customers", json::parse(R"({"email":"bad"})")); });
        REQUIRE(one_err.has_value());
        CHECK(json::parse(one_err->to_json()).at("message") == "1 field is invalid");
    }
    CHECK(e.list("customers").at("count") == 0);
}

TEST_CASE("typed API: rules apply to crm::Customer", "[customers][rules][typed]") {
    crm::Engine e(":memory:");
    auto customers = e.customers();
    using namespace std::chrono;

    crm::Customer bad;
    bad.first_name = std::string(201, 'a');
    bad.email = "bad";
    bad.phone = "12345";
    bad.status = -1;
    bad.channel_id = 0;
    bad.loyalty_card = "a-b";
    bad.coupons = {"A", "A"};
    bad.date_of_birth = crm::Date{year{1899}, December, day{31}};
    bad.kind = crm::CustomerKind::company;
    try {
        customers.create(bad);
        FAIL("create accepted an invalid customer");
    } catch (const crm::InvalidError& err) {
        CHECK(err.code() == crm::Status::invalid);
        CHECK(field_names(err) == Fields{"first_name", "email", "phone", "status", "channel_id", "loyalty_card",
                                         "coupons[1]", "date_of_birth", "company_name"});
    }

    crm::Customer edge;
    edge.first_name = std::string(200, 'a');
    edge.last_name = "  ";
    edge.email = " Ann@Example.COM ";
    edge.phone = "123456";
    edge.loyalty_card = std::string(32, '9');
    edge.coupons = {" A ", "B"};
    edge.date_of_birth = crm::Date{year{1900}, January, day{1}};
    edge.channel_id = 1;
    const crm::Customer got = customers.create(edge);
    CHECK(got.first_name == std::string(200, 'a'));
    CHECK_FALSE(got.last_name.has_value());
    CHECK(got.email == std::optional<std::string>("ann@example.com"));
    CHECK(got.loyalty_card == std::optional<std::string>(std::string(32, '9')));
    CHECK(got.coupons == std::vector<std::string>{"A", "B"});
    CHECK(got.channel_id == std::optional<std::int64_t>(1));

    crm::Customer tomorrow;
    tomorrow.date_of_birth = crm::Date{floor<days>(system_clock::now()) + days{1}};
    auto err = error_of([&] { customers.create(tomorrow); });
    REQUIRE(err.has_value());
    CHECK(field_names(*err) == Fields{"date_of_birth"});
}

TEST_CASE("value_to<crm::Customer> names unknown fields and wrong types", "[customers][rules][json]") {
    try {
        (void)json::value_to<crm::Customer>(json::parse(R"({"foo":1,"first_name":5,"last_name":"Ok"})"));
        FAIL("value_to accepted an invalid customer");
    } catch (const crm::InvalidError& err) {
        CHECK(err.code() == crm::Status::invalid);
        CHECK(field_names(err) == Fields{"foo", "first_name"});
    }
    const auto c = json::value_to<crm::Customer>(json::parse(
        R"({"first_name":"Ann","id":42,"kind":"company","company_name":"Acme","loyalty_card":33,
            "gender":"female","user_type":"guest","coupons":["A"],"date_of_birth":"1990-05-17"})"));
    CHECK(c.first_name == std::optional<std::string>("Ann"));
    CHECK(c.kind == crm::CustomerKind::company);
    CHECK(c.gender == crm::Gender::female);
    CHECK(c.user_type == crm::UserType::guest);
    CHECK(c.loyalty_card == std::optional<std::string>("33"));
    CHECK(c.coupons == std::vector<std::string>{"A"});
    CHECK(c.date_of_birth == crm::parse_date("1990-05-17"));
    CHECK(crm::to_string(crm::CustomerKind::company) == "company");
    CHECK(crm::to_string(crm::Gender::other) == "other");
    CHECK(crm::to_string(crm::UserType::registered) == "registered");
}

// The query language's filters on customers (spec/query.md): every lookup on
// every filterable field type, aliases, specials, combinations, and the
// errors for bad lookups, bad values and unknown keys, with exact ids.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace json = boost::json;
using namespace crm_test;

namespace {

using IdSet = std::set<std::int64_t>;

// Every customer matching `q` (one page of 1000), checking that count agrees.
IdSet match(crm::Engine& e, json::object q) {
    INFO("query: " << json::serialize(q));
    q["page_size"] = 1000;
    const json::object page = e.list("customers", crm::Query::from_json(q));
    IdSet out;
    for (const auto& r : page.at("results").as_array()) out.insert(r.at("id").as_int64());
    CHECK(page.at("count").as_int64() == static_cast<std::int64_t>(out.size()));
    CHECK(page.at("results").as_array().size() == out.size());
    CHECK(page.at("next_cursor").is_null());
    return out;
}

// The query is refused as invalid; returns the names of the fields it blames.
Fields refused(crm::Engine& e, const json::object& q) {
    INFO("query: " << json::serialize(q));
    const crm::Error err = list_refused(e, q);
    for (const auto& fe : err.errors()) CHECK_FALSE(fe.message.empty());
    const auto j = json::parse(err.to_json()).as_object();
    CHECK(j.at("code") == "invalid");
    CHECK(j.at("errors").as_array().size() == err.errors().size());
    return field_names(err);
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

struct Case {
    json::object q;
    IdSet expected;
};

void run(crm::Engine& e, const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        INFO("query: " << json::serialize(c.q));
        CHECK(match(e, c.q) == c.expected);
    }
}

// Five customers covering every field type, with known values.
struct Fixture {
    crm::Engine e{":memory:"};
    std::int64_t c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0;
    json::object o1, o2, o3, o4, o5;
    IdSet all;

    Fixture() {
        o1 = e.create("customers", json::parse(R"({
            "kind": "person", "first_name": "Ann", "last_name": "Smith",
            "email": "ann.smith@example.com", "phone": "+33 6 12 34 56 78",
            "channel_code": "WEB", "erp_code": "E-100", "status": 1, "is_active": true,
            "accepts_marketing": true, "date_of_birth": "1980-05-17", "channel_id": 3,
            "coupons": ["SUMMER"], "gender": "female", "loyalty_card": "CARD1",
            "attributes": {"size": "XL", "age": 30, "vip": true},
            "extra_field": {"k": "v1"}, "localized_attributes": {"fr": "Bonjour"},
            "date_joined": "2024-03-01T23:30:00-02:00"})"));
        o2 = e.create("customers", json::parse(R"({
            "kind": "person", "first_name": "bob", "last_name": "smith",
            "email": "Bob@Example.org", "channel_code": "web", "erp_code": "e-100", "status": 2,
            "is_active": false, "date_of_birth": "1990-01-01", "channel_id": 4,
            "coupons": ["WINTER", "SUMMER"], "gender": "male", "user_type": "guest", "archived": true,
            "attributes": {"size": "L", "age": "30", "vip": false},
            "date_joined": "2024-03-01T00:00:00Z"})"));
        o3 = e.create("customers", json::parse(R"({
            "kind": "company", "company_name": "Acme 100% Corp_X", "erp_code": "X_1", "status": 0,
            "attributes": {"ratio": 1.5}, "extra_field": {"k": "v2", "n": 7},
            "date_joined": "2024-03-02T00:00:00+01:00"})"));
        o4 = e.create("customers", json::parse(R"({
            "kind": "person", "first_name": "Annabel", "last_name": "Smithers",
            "email": "annabel@test.io", "channel_code": "SHOP", "status": 5, "date_of_birth": "2000-12-31",
            "channel_id": 3, "coupons": ["WINTER"], "note": "VIP client",
            "localized_attributes": {"fr": "Salut", "de": "Hallo"},
            "date_joined": "2024-03-03T12:00:00Z"})"));
        o5 = e.create("customers", json::parse(R"({
            "kind": "company", "company_name": "acme 1000 corp", "first_name": "Zoe", "last_name": "Ng",
            "email": "zoe@acme.com", "channel_code": "WEBSHOP", "erp_code": "E-200", "status": 2,
            "date_of_birth": "1975-06-30", "attributes": {"size": "xl"}})"));
        c1 = id_of(o1);
        c2 = id_of(o2);
        c3 = id_of(o3);
        c4 = id_of(o4);
        c5 = id_of(o5);
        all = {c1, c2, c3, c4, c5};
    }
    std::string uuid(const json::object& o) const { return std::string(o.at("uuid").as_string()); }
};

}  // namespace

TEST_CASE("query filters: the fixture is stored as expected", "[customers][query][filters]") {
    Fixture f;
    CHECK(f.o1.at("date_joined") == "2024-03-02T01:30:00Z");
    CHECK(f.o2.at("email") == "bob@example.org");
    CHECK(f.o3.at("date_joined") == "2024-03-01T23:00:00Z");
    CHECK(f.o4.at("date_joined") == "2024-03-03T12:00:00Z");
    CHECK(f.o2.at("archived") == true);
    CHECK(match(f.e, {}) == f.all);
}

TEST_CASE("query filters: text lookups on first_name", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"first_name", "Ann"}}, {f.c1}},
                 {{{"first_name", "ann"}}, {}},  // exact is case-sensitive
                 {{{"first_name__in", json::array{"Ann", "bob"}}}, {f.c1, f.c2}},
                 {{{"first_name__in", "Ann, Zoe"}}, {f.c1, f.c5}},
                 {{{"first_name__in", "Ann"}}, {f.c1}},
                 {{{"first_name__in", json::array{"ann"}}}, {}},
                 {{{"first_name__exclude", json::array{"Ann", "bob"}}}, {f.c3, f.c4, f.c5}},
                 {{{"first_name__exclude", "Ann,Annabel"}}, {f.c2, f.c3, f.c5}},
                 {{{"first_name__exclude", "Ann"}}, {f.c2, f.c3, f.c4, f.c5}},
                 {{{"first_name__startswith", "Ann"}}, {f.c1, f.c4}},
                 {{{"first_name__startswith", "ann"}}, {}},
                 {{{"first_name__istartswith", "ann"}}, {f.c1, f.c4}},
                 {{{"first_name__istartswith", "BOB"}}, {f.c2}},
                 {{{"first_name__contains", "nab"}}, {f.c4}},
                 {{{"first_name__contains", "NAB"}}, {}},
                 {{{"first_name__icontains", "NAB"}}, {f.c4}},
                 {{{"first_name__icontains", "o"}}, {f.c2, f.c5}},
                 {{{"first_name__isnull", true}}, {f.c3}},
                 {{{"first_name__isnull", false}}, {f.c1, f.c2, f.c4, f.c5}},
                 {{{"first_name__isnull", "true"}}, {f.c3}},
                 {{{"first_name__isnull", 0}}, {f.c1, f.c2, f.c4, f.c5}},
             });
}

TEST_CASE("query filters: text lookups on last_name", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"last_name", "Smith"}}, {f.c1}},
                 {{{"last_name", "smith"}}, {f.c2}},
                 {{{"last_name", "SMITH"}}, {}},
                 {{{"last_name__in", "Smith,Ng"}}, {f.c1, f.c5}},
                 {{{"last_name__in", json::array{"smith", "Smithers"}}}, {f.c2, f.c4}},
                 {{{"last_name__exclude", json::array{"Smith"}}}, {f.c2, f.c3, f.c4, f.c5}},
                 {{{"last_name__exclude", "Smith,smith"}}, {f.c3, f.c4, f.c5}},
                 {{{"last_name__startswith", "Smith"}}, {f.c1, f.c4}},
                 {{{"last_name__startswith", "smith"}}, {f.c2}},
                 {{{"last_name__istartswith", "SMITH"}}, {f.c1, f.c2, f.c4}},
                 {{{"last_name__istartswith", "smithe"}}, {f.c4}},
                 {{{"last_name__contains", "ithe"}}, {f.c4}},
                 {{{"last_name__contains", "mit"}}, {f.c1, f.c2, f.c4}},
                 {{{"last_name__contains", "G"}}, {}},
                 {{{"last_name__icontains", "G"}}, {f.c5}},
                 {{{"last_name__isnull", true}}, {f.c3}},
                 {{{"last_name__isnull", false}}, {f.c1, f.c2, f.c4, f.c5}},
             });
}

TEST_CASE("query filters: text lookups on company_name, % and _ literal", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"company_name", "Acme 100% Corp_X"}}, {f.c3}},
                 {{{"company_name", "acme 1000 corp"}}, {f.c5}},
                 {{{"company_name", "ACME 1000 CORP"}}, {}},
                 {{{"company_name__in", json::array{"Acme 100% Corp_X", "acme 1000 corp"}}}, {f.c3, f.c5}},
                 {{{"company_name__in", "acme 1000 corp,nothing"}}, {f.c5}},
                 {{{"company_name__exclude", "acme 1000 corp"}}, {f.c1, f.c2, f.c3, f.c4}},
                 {{{"company_name__exclude", json::array{"acme 1000 corp", "Acme 100% Corp_X"}}},
                  {f.c1, f.c2, f.c4}},
                 {{{"company_name__startswith", "Acme 100%"}}, {f.c3}},
                 {{{"company_name__startswith", "acme 100"}}, {f.c5}},
                 {{{"company_name__startswith", "Acme 10%"}}, {}},  // a LIKE wildcard would match
                 {{{"company_name__istartswith", "acme 10%"}}, {}},
                 {{{"company_name__istartswith", "acme 100%"}}, {f.c3}},
                 {{{"company_name__istartswith", "ACME 100"}}, {f.c3, f.c5}},
                 {{{"company_name__istartswith", "acm_"}}, {}},
                 {{{"company_name__contains", "0%"}}, {f.c3}},
                 {{{"company_name__contains", "_"}}, {f.c3}},
                 {{{"company_name__contains", "%"}}, {f.c3}},
                 {{{"company_name__icontains", "P_X"}}, {f.c3}},
                 {{{"company_name__icontains", "1_0"}}, {}},  // a LIKE wildcard would match both
                 {{{"company_name__icontains", "CORP"}}, {f.c3, f.c5}},
                 {{{"company_name__isnull", true}}, {f.c1, f.c2, f.c4}},
                 {{{"company_name__isnull", false}}, {f.c3, f.c5}},
             });
}

TEST_CASE("query filters: text lookups on email lower-case their value", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"email", "ann.smith@example.com"}}, {f.c1}},
                 {{{"email", "ANN.SMITH@Example.com"}}, {f.c1}},
                 {{{"email", "Bob@Example.org"}}, {f.c2}},
                 {{{"email__in", "ann.smith@example.com, ZOE@ACME.COM"}}, {f.c1, f.c5}},
                 {{{"email__in", json::array{"annabel@test.io", "bob@example.org"}}}, {f.c2, f.c4}},
                 {{{"email__exclude", json::array{"bob@example.org"}}}, {f.c1, f.c3, f.c4, f.c5}},
                 {{{"email__exclude", "BOB@example.org,zoe@acme.com"}}, {f.c1, f.c3, f.c4}},
                 {{{"email__startswith", "ANN"}}, {f.c1, f.c4}},
                 {{{"email__startswith", "ann."}}, {f.c1}},
                 {{{"email__istartswith", "Ann."}}, {f.c1}},
                 {{{"email__istartswith", "ZOE@"}}, {f.c5}},
                 {{{"email__contains", "@EXAMPLE."}}, {f.c1, f.c2}},
                 {{{"email__icontains", "example.com"}}, {f.c1}},
                 {{{"email__contains", "_"}}, {}},
                 {{{"email__isnull", true}}, {f.c3}},
                 {{{"email__isnull", false}}, {f.c1, f.c2, f.c4, f.c5}},
             });
}

TEST_CASE("query filters: text lookups on channel_code", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"channel_code", "WEB"}}, {f.c1}},
                 {{{"channel_code", "web"}}, {f.c2}},
                 {{{"channel_code__in", "WEB,SHOP"}}, {f.c1, f.c4}},
                 {{{"channel_code__in", json::array{"web", "WEBSHOP"}}}, {f.c2, f.c5}},
                 {{{"channel_code__exclude", json::array{"WEB", "web"}}}, {f.c3, f.c4, f.c5}},
                 {{{"channel_code__exclude", "SHOP"}}, {f.c1, f.c2, f.c3, f.c5}},
                 {{{"channel_code__startswith", "WEB"}}, {f.c1, f.c5}},
                 {{{"channel_code__startswith", "web"}}, {f.c2}},
                 {{{"channel_code__istartswith", "web"}}, {f.c1, f.c2, f.c5}},
                 {{{"channel_code__contains", "SHOP"}}, {f.c4, f.c5}},
                 {{{"channel_code__contains", "shop"}}, {}},
                 {{{"channel_code__icontains", "eBs"}}, {f.c5}},
                 {{{"channel_code__isnull", true}}, {f.c3}},
                 {{{"channel_code__isnull", false}}, {f.c1, f.c2, f.c4, f.c5}},
             });
}

TEST_CASE("query filters: text lookups on erp_code", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"erp_code", "E-100"}}, {f.c1}},
                 {{{"erp_code", "e-100"}}, {f.c2}},
                 {{{"erp_code__in", "E-100,E-200"}}, {f.c1, f.c5}},
                 {{{"erp_code__in", json::array{"X_1", "e-100"}}}, {f.c2, f.c3}},
                 {{{"erp_code__exclude", json::array{"E-100"}}}, {f.c2, f.c3, f.c4, f.c5}},
                 {{{"erp_code__exclude", "E-100,e-100"}}, {f.c3, f.c4, f.c5}},
                 {{{"erp_code__startswith", "E-"}}, {f.c1, f.c5}},
                 {{{"erp_code__istartswith", "e-1"}}, {f.c1, f.c2}},
                 {{{"erp_code__startswith", "X%"}}, {}},
                 {{{"erp_code__contains", "_"}}, {f.c3}},
                 {{{"erp_code__contains", "-"}}, {f.c1, f.c2, f.c5}},
                 {{{"erp_code__icontains", "x_"}}, {f.c3}},
                 {{{"erp_code__isnull", true}}, {f.c4}},
                 {{{"erp_code__isnull", false}}, {f.c1, f.c2, f.c3, f.c5}},
             });
}

TEST_CASE("query filters: text lookups on uuid", "[customers][query][filters]") {
    Fixture f;
    const std::string u1 = f.uuid(f.o1), u2 = f.uuid(f.o2), u3 = f.uuid(f.o3), u4 = f.uuid(f.o4);
    REQUIRE(u1.size() == 36);
    run(f.e, {
                 {{{"uuid", u1}}, {f.c1}},
                 {{{"uuid", upper(u1)}}, {}},
                 {{{"uuid__in", json::array{u1.c_str(), u3.c_str()}}}, {f.c1, f.c3}},
                 {{{"uuid__in", u2 + "," + u4}}, {f.c2, f.c4}},
                 {{{"uuid__exclude", json::array{u1.c_str()}}}, {f.c2, f.c3, f.c4, f.c5}},
                 {{{"uuid__exclude", u1 + "," + u2}}, {f.c3, f.c4, f.c5}},
                 {{{"uuid__startswith", u1}}, {f.c1}},
                 {{{"uuid__istartswith", upper(u1)}}, {f.c1}},
                 {{{"uuid__contains", u1.substr(9, 18)}}, {f.c1}},
                 {{{"uuid__icontains", upper(u1.substr(9, 18))}}, {f.c1}},
                 {{{"uuid__isnull", true}}, {}},
                 {{{"uuid__isnull", false}}, f.all},
             });
}

TEST_CASE("query filters: other text fields (note, phone, loyalty_card, enums)", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"note__icontains", "vip"}}, {f.c4}},
                 {{{"note__isnull", true}}, {f.c1, f.c2, f.c3, f.c5}},
                 {{{"phone__startswith", "+33"}}, {f.c1}},
                 {{{"phone", "+33 6 12 34 56 78"}}, {f.c1}},
                 {{{"loyalty_card", "CARD1"}}, {f.c1}},
                 {{{"loyalty_card__isnull", false}}, {f.c1}},
                 {{{"kind", "company"}}, {f.c3, f.c5}},
                 {{{"type", "company"}}, {f.c3, f.c5}},
                 {{{"type", "person"}}, {f.c1, f.c2, f.c4}},
                 {{{"type__in", "person,company"}}, f.all},
                 {{{"kind__exclude", "company"}}, {f.c1, f.c2, f.c4}},
                 {{{"gender", "female"}}, {f.c1}},
                 {{{"gender__in", json::array{"male", "female"}}}, {f.c1, f.c2}},
                 {{{"gender", "unknown"}}, {f.c3, f.c4, f.c5}},
                 {{{"user_type", "guest"}}, {f.c2}},
                 {{{"user_type__exclude", "guest"}}, {f.c1, f.c3, f.c4, f.c5}},
             });
}

TEST_CASE("query filters: integer lookups (status, channel_id, id, credit_cents)", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"status", 2}}, {f.c2, f.c5}},
                 {{{"status", "2"}}, {f.c2, f.c5}},
                 {{{"status__in", json::array{0, 5}}}, {f.c3, f.c4}},
                 {{{"status__in", "1,2"}}, {f.c1, f.c2, f.c5}},
                 {{{"status__in", json::array{"1", 5}}}, {f.c1, f.c4}},
                 {{{"status__exclude", "2"}}, {f.c1, f.c3, f.c4}},
                 {{{"status__exclude", json::array{0, 1}}}, {f.c2, f.c4, f.c5}},
                 {{{"status__exclude", "0, 1"}}, {f.c2, f.c4, f.c5}},
                 {{{"status__gt", 1}}, {f.c2, f.c4, f.c5}},
                 {{{"status__gte", 2}}, {f.c2, f.c4, f.c5}},
                 {{{"status__lt", 2}}, {f.c1, f.c3}},
                 {{{"status__lte", "2"}}, {f.c1, f.c2, f.c3, f.c5}},
                 {{{"status__isnull", true}}, {}},
                 {{{"status__isnull", false}}, f.all},
                 {{{"channel_id", 3}}, {f.c1, f.c4}},
                 {{{"channel", 3}}, {f.c1, f.c4}},
                 {{{"channel", "4"}}, {f.c2}},
                 {{{"channel__in", "3,4"}}, {f.c1, f.c2, f.c4}},
                 {{{"channel_id__isnull", true}}, {f.c3, f.c5}},
                 {{{"channel_id__isnull", false}}, {f.c1, f.c2, f.c4}},
                 {{{"channel_id__gt", 3}}, {f.c2}},
                 {{{"channel_id__lte", 3}}, {f.c1, f.c4}},
                 {{{"channel_id__exclude", 3}}, {f.c2, f.c3, f.c5}},
                 {{{"channel_id__exclude", "3,4"}}, {f.c3, f.c5}},
                 {{{"id", f.c2}}, {f.c2}},
                 {{{"pk", f.c2}}, {f.c2}},
                 {{{"pk__in", json::array{f.c1, f.c3}}}, {f.c1, f.c3}},
                 {{{"pk__in", std::to_string(f.c2) + "," + std::to_string(f.c4)}}, {f.c2, f.c4}},
                 {{{"pk__in", json::array{f.c1, 999999}}}, {f.c1}},
                 {{{"id__in", json::array{f.c5}}}, {f.c5}},
                 {{{"pk__exclude", json::array{f.c1, f.c2}}}, {f.c3, f.c4, f.c5}},
                 {{{"id__gt", f.c3}}, {f.c4, f.c5}},
                 {{{"id__lte", f.c2}}, {f.c1, f.c2}},
                 {{{"credit_cents", 0}}, f.all},
                 {{{"credit_cents__gt", 0}}, {}},
                 {{{"refusal_count__lte", 0}}, f.all},
                 {{{"last_payment_cents__isnull", true}}, f.all},
             });
}

TEST_CASE("query filters: boolean lookups accept true/false, 1/0 and strings", "[customers][query][filters]") {
    Fixture f;
    const IdSet active{f.c1, f.c3, f.c4, f.c5};
    run(f.e, {
                 {{{"is_active", false}}, {f.c2}},
                 {{{"is_active", "false"}}, {f.c2}},
                 {{{"is_active", 0}}, {f.c2}},
                 {{{"is_active", true}}, active},
                 {{{"is_active", "true"}}, active},
                 {{{"is_active", 1}}, active},
                 {{{"is_active__in", "0,1"}}, f.all},  // the comma form of 1/0
                 {{{"is_active__in", "true,false"}}, f.all},
                 {{{"is_active__exclude", "1"}}, {f.c2}},
                 {{{"is_active__in", json::array{true}}}, active},
                 {{{"is_active__exclude", true}}, {f.c2}},
                 {{{"is_active__exclude", "false"}}, active},
                 {{{"is_active__isnull", false}}, f.all},
                 {{{"accepts_marketing", 1}}, {f.c1}},
                 {{{"accepts_marketing", false}}, {f.c2, f.c3, f.c4, f.c5}},
                 {{{"email_allowed", true}}, {}},
                 {{{"sms_allowed", false}}, f.all},
                 {{{"call_allowed", "false"}}, f.all},
             });
}

TEST_CASE("query filters: archived absent means both", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{}, f.all},
                 {{{"archived", true}}, {f.c2}},
                 {{{"archived", "false"}}, {f.c1, f.c3, f.c4, f.c5}},
                 {{{"archived", 0}}, {f.c1, f.c3, f.c4, f.c5}},
                 {{{"archived_at__isnull", false}}, {f.c2}},
                 {{{"archived_at__isnull", true}}, {f.c1, f.c3, f.c4, f.c5}},
             });
}

TEST_CASE("query filters: date lookups on date_of_birth", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"date_of_birth", "1990-01-01"}}, {f.c2}},
                 {{{"date_of_birth__gt", "1980-05-17"}}, {f.c2, f.c4}},
                 {{{"date_of_birth__gte", "1980-05-17"}}, {f.c1, f.c2, f.c4}},
                 {{{"date_of_birth__lt", "1990-01-01"}}, {f.c1, f.c5}},
                 {{{"date_of_birth__lte", "1990-01-01"}}, {f.c1, f.c2, f.c5}},
                 {{{"date_of_birth__in", "1980-05-17,2000-12-31"}}, {f.c1, f.c4}},
                 {{{"date_of_birth__in", json::array{"1975-06-30"}}}, {f.c5}},
                 {{{"date_of_birth__exclude", json::array{"1990-01-01"}}}, {f.c1, f.c3, f.c4, f.c5}},
                 {{{"date_of_birth__exclude", "1990-01-01,1975-06-30"}}, {f.c1, f.c3, f.c4}},
                 {{{"date_of_birth__isnull", true}}, {f.c3}},
                 {{{"date_of_birth__isnull", false}}, {f.c1, f.c2, f.c4, f.c5}},
                 {{{"last_payment_date__isnull", true}}, f.all},
             });
}

TEST_CASE("query filters: timestamp and UTC date lookups on date_joined", "[customers][query][filters]") {
    Fixture f;
    // UTC: c1 2024-03-02T01:30Z, c2 2024-03-01T00:00Z, c3 2024-03-01T23:00Z,
    // c4 2024-03-03T12:00Z, c5 now.
    run(f.e, {
                 {{{"date_joined__date", "2024-03-01"}}, {f.c2, f.c3}},
                 {{{"date_joined__date", "2024-03-02"}}, {f.c1}},
                 {{{"date_joined__date", "2024-02-29"}}, {}},
                 {{{"date_joined__date__gt", "2024-03-01"}}, {f.c1, f.c4, f.c5}},
                 {{{"date_joined__date__gte", "2024-03-02"}}, {f.c1, f.c4, f.c5}},
                 {{{"date_joined__date__lt", "2024-03-02"}}, {f.c2, f.c3}},
                 {{{"date_joined__date__lte", "2024-03-02"}}, {f.c1, f.c2, f.c3}},
                 {{{"date_joined__date__lt", "2024-03-01"}}, {}},
                 {{{"date_joined__gt", "2024-03-01T23:00:00Z"}}, {f.c1, f.c4, f.c5}},
                 {{{"date_joined__gte", "2024-03-01T23:00:00Z"}}, {f.c1, f.c3, f.c4, f.c5}},
                 {{{"date_joined__gte", "2024-03-02T00:00:00+01:00"}}, {f.c1, f.c3, f.c4, f.c5}},
                 {{{"date_joined__lt", "2024-03-02T01:30:00Z"}}, {f.c2, f.c3}},
                 {{{"date_joined__lte", "2024-03-01T23:30:00-02:00"}}, {f.c1, f.c2, f.c3}},
                 {{{"date_joined__lt", "2024-03-02"}}, {f.c2, f.c3}},  // a date means its UTC midnight
                 {{{"date_joined", "2024-03-02T01:30:00Z"}}, {f.c1}},
                 {{{"date_joined", "2024-03-01T23:30:00-02:00"}}, {f.c1}},
                 {{{"date_joined", "2024-03-02T01:30:00.000001Z"}}, {}},
                 {{{"date_joined__in", json::array{"2024-03-01T00:00:00Z", "2024-03-03T13:00:00+01:00"}}},
                  {f.c2, f.c4}},
                 {{{"date_joined__exclude", json::array{"2024-03-01T00:00:00Z"}}}, {f.c1, f.c3, f.c4, f.c5}},
                 {{{"date_joined__isnull", false}}, f.all},
             });
}

TEST_CASE("query filters: created_at lookups and the created_date alias", "[customers][query][filters]") {
    Fixture f;
    const std::vector<std::pair<std::int64_t, std::string>> created{
        {f.c1, std::string(f.o1.at("created_at").as_string())}, {f.c2, std::string(f.o2.at("created_at").as_string())},
        {f.c3, std::string(f.o3.at("created_at").as_string())}, {f.c4, std::string(f.o4.at("created_at").as_string())},
        {f.c5, std::string(f.o5.at("created_at").as_string())}};
    const std::string mid = created[2].second;  // c3's
    auto ts = [](const std::string& s) { return crm::parse_timestamp(s).value(); };
    IdSet after, upto, same_day, equal;
    for (const auto& [id, t] : created) {
        if (ts(t) > ts(mid)) after.insert(id);
        if (ts(t) == ts(mid)) equal.insert(id);
        if (ts(t) <= ts(mid)) upto.insert(id);
        if (t.substr(0, 10) == mid.substr(0, 10)) same_day.insert(id);
    }
    CHECK(upto.count(f.c3) == 1);
    CHECK(equal.count(f.c3) == 1);
    run(f.e, {
                 {{{"created_at__gt", mid}}, after},
                 {{{"created_date__gt", mid}}, after},
                 {{{"created_at__lte", mid}}, upto},
                 {{{"created_date__lte", mid}}, upto},
                 {{{"created_at", mid}}, equal},
                 {{{"created_at__date", mid.substr(0, 10)}}, same_day},
                 {{{"created_date__date", mid.substr(0, 10)}}, same_day},
                 {{{"created_at__date__lt", "2024-01-01"}}, {}},
                 {{{"created_at__date__gte", "2024-01-01"}}, f.all},
                 {{{"created_at__lt", "2024-01-01T00:00:00Z"}}, {}},
                 {{{"updated_at__gte", "2024-01-01"}}, f.all},
             });
}

TEST_CASE("query filters: JSON key filters on attributes, extra_field, localized_attributes",
          "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"attributes__size", "XL"}}, {f.c1}},
                 {{{"attributes__size", "xl"}}, {f.c5}},
                 {{{"attributes__size", "L"}}, {f.c2}},
                 {{{"attributes__age", 30}}, {f.c1, f.c2}},  // a stored 30 and a stored "30"
                 {{{"attributes__age", "30"}}, {f.c1, f.c2}},
                 {{{"attributes__age", 31}}, {}},
                 {{{"attributes__vip", true}}, {f.c1}},
                 {{{"attributes__vip", false}}, {f.c2}},
                 {{{"attributes__ratio", 1.5}}, {f.c3}},
                 {{{"attributes__ratio", "1.5"}}, {f.c3}},
                 {{{"attributes__missing", "x"}}, {}},
                 {{{"extra_field__k", "v1"}}, {f.c1}},
                 {{{"extra_field__k", "v2"}}, {f.c3}},
                 {{{"extra_field__n", 7}}, {f.c3}},
                 {{{"localized_attributes__fr", "Bonjour"}}, {f.c1}},
                 {{{"localized_attributes__fr", "Salut"}}, {f.c4}},
                 {{{"localized_attributes__de", "Hallo"}}, {f.c4}},
                 {{{"localized_attributes__de", "hallo"}}, {}},
             });
}

TEST_CASE("query filters: coupon and coupon__exclude", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"coupon", "SUMMER"}}, {f.c1, f.c2}},
                 {{{"coupon", "WINTER"}}, {f.c2, f.c4}},
                 {{{"coupon", "summer"}}, {}},
                 {{{"coupon", "NONE"}}, {}},
                 {{{"coupon__exclude", "SUMMER"}}, {f.c3, f.c4, f.c5}},
                 {{{"coupon__exclude", json::array{"SUMMER", "WINTER"}}}, {f.c3, f.c5}},
                 {{{"coupon__exclude", "SUMMER,WINTER"}}, {f.c3, f.c5}},
                 {{{"coupon__exclude", "NONE"}}, f.all},
             });
}

TEST_CASE("query filters: several filters combine with AND", "[customers][query][filters]") {
    Fixture f;
    run(f.e, {
                 {{{"last_name__istartswith", "smith"}, {"is_active", true}}, {f.c1, f.c4}},
                 {{{"status__gte", 2}, {"coupon", "WINTER"}}, {f.c2, f.c4}},
                 {{{"type", "person"}, {"channel", 3}, {"date_of_birth__lt", "1990-01-01"}}, {f.c1}},
                 {{{"type", "company"}, {"attributes__size", "xl"}}, {f.c5}},
                 {{{"type", "company"}, {"attributes__size", "XL"}}, {}},
                 {{{"archived", false}, {"coupon__exclude", "WINTER"}, {"email__isnull", false}}, {f.c1, f.c5}},
                 {{{"pk__in", json::array{f.c1, f.c2, f.c3}}, {"status__exclude", "0"}, {"first_name__icontains", "b"}},
                  {f.c2}},
                 {{{"date_joined__date", "2024-03-01"}, {"kind", "company"}}, {f.c3}},
             });

    // With an ordering and paging: -last_name puts Smithers, then Smith and
    // smith (equal without case) by id.
    const auto page = f.e.list("customers", crm::Query()
                                                .where("last_name__istartswith", "smith")
                                                .ordering("-last_name")
                                                .page_size(2));
    std::vector<std::int64_t> ids;
    for (const auto& r : page.at("results").as_array()) ids.push_back(r.at("id").as_int64());
    CHECK(ids == std::vector<std::int64_t>{f.c4, f.c1});
    CHECK(page.at("count") == 3);
    CHECK(page.at("next_cursor").is_string());
}

TEST_CASE("query filters: a lookup that does not fit the field's type is invalid, naming the key",
          "[customers][query][filters][errors]") {
    Fixture f;
    for (const char* key :
         {"email__gt", "first_name__lte", "uuid__gte", "status__startswith", "status__icontains", "channel_id__contains",
          "is_active__gt", "is_active__startswith", "date_of_birth__contains", "date_of_birth__istartswith",
          "first_name__date", "status__date", "date_of_birth__date", "date_of_birth__date__gt", "created_at__contains",
          "first_name__foo", "status__between", "date_joined__date__between", "first_name__in__in", "email__",
          "attributes", "extra_field", "localized_attributes", "coupons", "full_name", "age"}) {
        INFO("key: " << key);
        CHECK(refused(f.e, {{key, "1"}}) == Fields{key});
    }
    // null is never a value for a lookup other than isnull.
    CHECK(refused(f.e, {{"first_name", nullptr}}) == Fields{"first_name"});
    CHECK(refused(f.e, {{"status__gt", nullptr}}) == Fields{"status__gt"});
}

TEST_CASE("query filters: a bad value is invalid, naming the key", "[customers][query][filters][errors]") {
    Fixture f;
    const std::vector<std::pair<const char*, json::value>> cases{
        {"status", "abc"},
        {"status", 1.5},
        {"status", true},
        {"status__in", "1,x"},
        {"status__in", json::array{1, "x"}},
        {"status__in", json::array{}},
        {"status__exclude", ""},
        {"status__gt", "99999999999999999999"},
        {"channel", "three"},
        {"pk__in", "1,,2"},
        {"date_of_birth__gt", "2020-13-01"},
        {"date_of_birth", "2021-02-29"},
        {"date_of_birth", "01/02/2020"},
        {"date_of_birth__in", "2020-01-01,bad"},
        {"date_joined__gt", "yesterday"},
        {"date_joined__date", "2024-03-01T00:00:00Z"},
        {"created_date__gt", 12},
        {"kind", "robot"},
        {"type", "robot"},
        {"gender", "Male"},
        {"user_type__in", "guest,admin"},
        {"is_active", "maybe"},
        {"is_active", 2},
        {"archived", "yes"},
        {"first_name__isnull", "maybe"},
        {"first_name", json::array{"a"}},
        {"first_name", json::object{{"a", 1}}},
        {"first_name__startswith", true},
        {"attributes__size", json::array{1}},
        {"attributes__size", nullptr},
        {"attributes__size", json::object{}},
        {"coupon", json::array{"A"}},
        {"coupon__exclude", json::array{}},
        {"q", 5},
    };
    for (const auto& [key, value] : cases) {
        INFO("key: " << key << " value: " << json::serialize(value));
        CHECK(refused(f.e, {{key, value}}) == Fields{key});
    }
}

TEST_CASE("query filters: unknown keys are invalid, naming them, several reported together",
          "[customers][query][filters][errors]") {
    Fixture f;
    CHECK(refused(f.e, {{"nosuch", 1}}) == Fields{"nosuch"});
    CHECK(refused(f.e, {{"First_name", "Ann"}}) == Fields{"First_name"});
    CHECK(refused(f.e, {{"first_name ", "Ann"}}) == Fields{"first_name "});
    CHECK(refused(f.e, {{"__in", "1"}}) == Fields{"__in"});
    CHECK(refused(f.e, {{"", "1"}}) == Fields{""});
    CHECK(refused(f.e, {{"sort", "last_name"}}) == Fields{"sort"});
    CHECK(refused(f.e, {{"customers", 1}}) == Fields{"customers"});

    // Every bad key at once, good keys not blamed.
    CHECK(refused(f.e, {{"email__gt", "a"},
                        {"status", "abc"},
                        {"nosuch", 1},
                        {"first_name", "Ann"},
                        {"date_of_birth__gt", "2020-13-01"},
                        {"kind", "robot"},
                        {"first_name__date", "2024-01-01"},
                        {"page_size", 0}}) ==
          Fields{"email__gt", "status", "nosuch", "date_of_birth__gt", "kind", "first_name__date", "page_size"});
    auto err = error_of([&] {
        f.e.list("customers", crm::Query().where("status__startswith", "1").where("other", 2));
    });
    REQUIRE(err.has_value());
    CHECK(err->code() == crm::Status::invalid);
    CHECK(field_names(*err) == Fields{"status__startswith", "other"});
    CHECK(json::parse(err->to_json()).at("message") == "2 fields are invalid");
}

// update = JSON merge patch (RFC 7396) on customers.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace json = boost::json;
using namespace crm_test;

namespace {

json::object patch(crm::Engine& e, std::int64_t id, std::string_view text) {
    INFO("patch: " << text);
    const json::object out = e.update("customers", id, json::parse(text));
    CHECK(e.get("customers", id) == out);
    return out;
}

const char* kStart = R"({
    "kind": "person", "first_name": "Ann", "last_name": "Smith", "company_name": "Acme",
    "email": "ann@example.com", "phone": "+33 1 23 45 67 89", "mobile": "0612345678",
    "gender": "female", "date_of_birth": "1990-05-17", "note": "VIP", "status": 3,
    "is_active": false, "archived": false, "accepts_marketing": true, "email_allowed": true,
    "sms_allowed": true, "call_allowed": true, "user_type": "guest", "channel_id": 4,
    "channel_code": "WEB", "erp_code": "E1", "crm_id": "C1", "ref_id": "R1", "account": "A1",
    "loyalty_card": "CARD1", "coupons": ["X", "Y"], "date_joined": "2020-01-01T10:00:00Z",
    "attributes": {"a": 1, "b": {"c": 2, "d": 3}, "list": [1, 2]},
    "extra_field": {"paiement": 1200, "k": {"x": 1}},
    "localized_attributes": {"fr": {"title": "Mme", "greeting": "Bonjour"}, "en": {"title": "Ms"}}})";

}  // namespace

TEST_CASE("merge patch: fields not in the patch are kept", "[customers][patch]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::parse(kStart));
    const auto p = patch(e, id_of(a), R"({"note":"changed","status":5})");
    CHECK(p.at("note") == "changed");
    CHECK(p.at("status") == 5);
    CHECK(without(p, {"note", "status", "updated_at"}) == without(a, {"note", "status", "updated_at"}));

    // An empty patch changes no field.
    const auto q = patch(e, id_of(a), "{}");
    CHECK(without(q, {"updated_at"}) == without(p, {"updated_at"}));
}

TEST_CASE("merge patch: null removes a field, back to its default", "[customers][patch]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::parse(kStart));
    const auto p = patch(e, id_of(a), R"({
        "first_name": null, "phone": null, "mobile": null, "note": null, "status": null,
        "gender": null, "is_active": null, "accepts_marketing": null, "user_type": null,
        "channel_id": null, "loyalty_card": null, "coupons": null, "attributes": null,
        "extra_field": null, "localized_attributes": null, "date_of_birth": null, "email": null,
        "channel_code": null, "erp_code": null, "crm_id": null, "ref_id": null, "account": null,
        "kind": null, "company_name": null})");
    for (const char* f : {"first_name", "phone", "mobile", "note", "channel_id", "loyalty_card", "date_of_birth",
                          "age", "email", "channel_code", "erp_code", "crm_id", "ref_id", "account",
                          "company_name"}) {
        INFO("field: " << f);
        CHECK(p.at(f).is_null());
    }
    CHECK(p.at("status") == 0);
    CHECK(p.at("gender") == "unknown");
    CHECK(p.at("is_active") == true);
    CHECK(p.at("accepts_marketing") == false);
    CHECK(p.at("user_type") == "registered");
    CHECK(p.at("kind") == "person");
    CHECK(p.at("coupons") == json::array{});
    CHECK(p.at("attributes") == json::object{});
    CHECK(p.at("extra_field") == json::object{});
    CHECK(p.at("localized_attributes") == json::object{});
    CHECK(p.at("last_name") == "Smith");
    CHECK(p.at("full_name") == "Smith");
    CHECK(p.at("email_allowed") == true);
    CHECK(p.at("id") == a.at("id"));
    CHECK(p.at("uuid") == a.at("uuid"));
    CHECK(p.at("created_at") == a.at("created_at"));
}

TEST_CASE("merge patch: nested objects merge recursively, nested null deletes a key", "[customers][patch]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::parse(kStart));
    const auto p = patch(e, id_of(a), R"({
        "attributes": {"b": {"c": null, "e": 4}, "f": 5, "list": [3]},
        "extra_field": {"k": {"y": 2}, "paiement": null},
        "localized_attributes": {"fr": {"greeting": null}, "de": {"title": "Frau"}}})");
    CHECK(p.at("attributes") == json::parse(R"({"a":1,"b":{"d":3,"e":4},"f":5,"list":[3]})"));
    CHECK(p.at("extra_field") == json::parse(R"({"k":{"x":1,"y":2}})"));
    CHECK(p.at("localized_attributes") ==
          json::parse(R"({"fr":{"title":"Mme"},"en":{"title":"Ms"},"de":{"title":"Frau"}})"));

    // A nested object replaced by a scalar, and a scalar by an object.
    const auto q = patch(e, id_of(a), R"({"attributes": {"b": 7, "a": {"z": {"deep": null, "w": 1}}}})");
    CHECK(q.at("attributes") == json::parse(R"({"a":{"z":{"w":1}},"b":7,"f":5,"list":[3]})"));

    // A null inside a new nested object is not stored (RFC 7396).
    const auto r = patch(e, id_of(a), R"({"attributes": {"n": {"gone": null}}})");
    CHECK(r.at("attributes").at("n") == json::object{});

    // Deleting a missing key is a no-op.
    const auto s = patch(e, id_of(a), R"({"attributes": {"missing": null}})");
    CHECK(s.at("attributes") == r.at("attributes"));
}

TEST_CASE("merge patch: arrays are replaced whole", "[customers][patch]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::parse(kStart));
    CHECK(patch(e, id_of(a), R"({"coupons":["C"]})").at("coupons") == json::array{"C"});
    CHECK(patch(e, id_of(a), R"({"coupons":["D","E","F"]})").at("coupons") == json::array{"D", "E", "F"});
    CHECK(patch(e, id_of(a), R"({"coupons":[]})").at("coupons") == json::array{});
    CHECK(patch(e, id_of(a), R"({"attributes":{"list":[{"x":1}]}})").at("attributes").at("list") ==
          json::parse(R"([{"x":1}])"));
    // The replacing array is validated as a whole.
    auto err = error_of([&] { e.update("customers", id_of(a), json::parse(R"({"coupons":["A","A"]})")); });
    REQUIRE(err.has_value());
    CHECK(err->code() == crm::Status::invalid);
    CHECK(field_names(*err) == Fields{"coupons[1]"});
}

TEST_CASE("merge patch: a patch that is not an object is invalid", "[customers][patch]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::parse(kStart));
    for (const char* text : {"[]", "[{\"note\":\"x\"}]", "\"x\"", "5", "true", "null"}) {
        INFO("patch: " << text);
        auto err = error_of([&] { e.update("customers", id_of(a), json::parse(text)); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::invalid);
        auto typed = error_of([&] { e.customers().update(id_of(a), json::parse(text)); });
        REQUIRE(typed.has_value());
        CHECK(typed->code() == crm::Status::invalid);
    }
    CHECK(e.get("customers", id_of(a)) == a);
}

TEST_CASE("merge patch: read-only fields are ignored", "[customers][patch]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::parse(kStart));
    const auto p = patch(e, id_of(a), R"({
        "id": 12345, "uuid": "00000000-0000-4000-8000-000000000000", "full_name": "X Y", "age": 3,
        "archived_at": "2001-01-01T00:00:00Z", "credit_cents": 100, "refusal_count": 9,
        "last_payment_date": "2020-01-01", "last_payment_cents": 5, "average_basket_cents": 7,
        "created_at": "2000-01-01T00:00:00Z", "updated_at": "2000-01-01T00:00:00Z",
        "first_name": "Zoe"})");
    CHECK(p.at("first_name") == "Zoe");
    CHECK(p.at("full_name") == "Zoe Smith");
    CHECK(p.at("id") == a.at("id"));
    CHECK(p.at("uuid") == a.at("uuid"));
    CHECK(p.at("age") == a.at("age"));
    CHECK(p.at("archived_at").is_null());
    CHECK(p.at("credit_cents") == 0);
    CHECK(p.at("refusal_count") == 0);
    CHECK(p.at("last_payment_date").is_null());
    CHECK(p.at("last_payment_cents").is_null());
    CHECK(p.at("average_basket_cents") == 0);
    CHECK(p.at("created_at") == a.at("created_at"));
    CHECK(p.at("updated_at") != "2000-01-01T00:00:00Z");
    // Nulls on read-only fields are ignored too.
    const auto q = patch(e, id_of(a), R"({"uuid": null, "created_at": null, "full_name": null})");
    CHECK(q.at("uuid") == a.at("uuid"));
    CHECK(q.at("created_at") == a.at("created_at"));
    CHECK(q.at("full_name") == "Zoe Smith");
}

TEST_CASE("merge patch: the merged customer is validated, and a failure changes nothing", "[customers][patch]") {
    crm::Engine e(":memory:");
    const auto a = e.create("customers", json::parse(kStart));
    auto stored = e.get("customers", id_of(a));
    auto refused = [&](std::string_view text, const Fields& expected) {
        INFO("patch: " << text);
        auto err = error_of([&] { e.update("customers", id_of(a), json::parse(text)); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::invalid);
        CHECK(field_names(*err) == expected);
        CHECK(e.get("customers", id_of(a)) == stored);
    };
    refused(R"({"email":"bad"})", {"email"});
    refused(R"({"foo":1})", {"foo"});
    refused(R"({"note":"ok","foo":1,"bar":2})", {"foo", "bar"});
    refused(R"({"kind":"company","company_name":null})", {"company_name"});
    refused(R"({"attributes":5})", {"attributes"});
    refused(R"({"attributes":[]})", {"attributes"});
    refused(R"({"status":-1,"channel_id":0,"first_name":7})", {"status", "channel_id", "first_name"});
    refused(R"({"date_of_birth":"1899-12-31"})", {"date_of_birth"});

    // kind company is fine while company_name is kept from the stored object.
    CHECK(patch(e, id_of(a), R"({"kind":"company"})").at("kind") == "company");
    stored = e.get("customers", id_of(a));
    refused(R"({"company_name":null})", {"company_name"});
    refused(R"({"company_name":"  "})", {"company_name"});
}

TEST_CASE("merge patch through the typed API", "[customers][patch][typed]") {
    crm::Engine e(":memory:");
    auto customers = e.customers();
    crm::Customer c;
    c.first_name = "Ann";
    c.attributes = json::parse(R"({"a":{"b":1,"c":2}})").as_object();
    c.coupons = {"A", "B"};
    const auto created = customers.create(c);
    const auto u = customers.update(created.id, json::parse(R"({"attributes":{"a":{"b":null,"d":3}},"coupons":["C"],
                                                              "first_name":null,"last_name":"Lee"})"));
    CHECK(u.attributes == json::parse(R"({"a":{"c":2,"d":3}})").as_object());
    CHECK(u.coupons == std::vector<std::string>{"C"});
    CHECK_FALSE(u.first_name.has_value());
    CHECK(u.last_name == std::optional<std::string>("Lee"));
    CHECK(u.full_name == "Lee");
    CHECK(json::value_from(customers.get(created.id)) == json::value_from(u));
}

// Orders (spec/domain.md `orders`, seed 001) through the C++ API: numbers,
// status moves and submit_date, customer rules, limits, listing a
// customer's orders the seed 001 way, the seed's examples as fixtures,
// customer deletion with orders, and concurrent number assignment.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace json = boost::json;
using namespace crm_test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// expect_error (support.hpp), and the error's what() is non-empty too.
template <class F>
void expect_order_error(F&& f, crm::Status code, const Fields& fields) {
    const crm::Error err = expect_error(std::forward<F>(f), code, fields);
    INFO("error: " << err.to_json());
    CHECK(std::string(err.what()).size() > 0);
}

const Fields kOrderFields = {"id",
                             "customer_id",
                             "number",
                             "date",
                             "status",
                             "submit_date",
                             "type",
                             "quantity",
                             "activation_limit",
                             "description",
                             "is_demo",
                             "archived",
                             "archived_at",
                             "can_overwrite_container",
                             "customer_required",
                             "activation_birth_date",
                             "activation_death_date",
                             "crm_id",
                             "ref_id",
                             "total_cents",
                             "created_at",
                             "updated_at"};

std::int64_t new_customer(crm::Engine& e, std::string_view last = "Buyer") {
    return id_of(e.create("customers", json::object{{"last_name", last}}));
}

json::object order_for(std::int64_t customer, json::object extra = {}) {
    extra["customer_id"] = customer;
    return extra;
}

std::int64_t order_count(crm::Engine& e) { return e.list("orders").at("count").as_int64(); }

// The `number` of every result of a page, in order.
std::vector<std::int64_t> numbers_of(const json::object& page) {
    std::vector<std::int64_t> out;
    for (const auto& r : page.at("results").as_array()) out.push_back(r.as_object().at("number").as_int64());
    return out;
}

json::object list_orders(crm::Engine& e, std::string_view query) {
    return e.list("orders", crm::Query::from_json(json::parse(query)));
}

std::string status_name(int s) {
    static const char* kNames[] = {"draft", "submitted", "revoked"};
    return kNames[s];
}

}  // namespace

// --- create and defaults ------------------------------------------------------

TEST_CASE("orders: create returns every field with its default", "[orders]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto o = e.create("orders", json::object{{"customer_id", cust}});
    INFO(json::serialize(o));
    CHECK(keys_of(o) == kOrderFields);
    CHECK(id_of(o) >= 1);
    CHECK(o.at("customer_id") == cust);
    CHECK(o.at("number") == 1);
    CHECK(o.at("status") == "draft");
    CHECK(o.at("submit_date").is_null());
    CHECK(o.at("type") == 0);
    CHECK(o.at("quantity") == 1);
    CHECK(o.at("activation_limit") == 0);
    CHECK(o.at("description").is_null());
    CHECK(o.at("is_demo") == false);
    CHECK(o.at("archived") == false);
    CHECK(o.at("archived_at").is_null());
    CHECK(o.at("can_overwrite_container") == false);
    CHECK(o.at("customer_required") == true);
    CHECK(o.at("activation_birth_date").is_null());
    CHECK(o.at("activation_death_date").is_null());
    CHECK(o.at("crm_id").is_null());
    CHECK(o.at("ref_id").is_null());
    CHECK(o.at("total_cents") == 0);
    CHECK(rfc3339_utc(o.at("created_at")));
    CHECK(o.at("updated_at") == o.at("created_at"));
    // date defaults to the creation time
    CHECK(o.at("date") == o.at("created_at"));
    // what create returned is what get returns
    CHECK(e.get("orders", id_of(o)) == o);
    CHECK(json::parse(e.get_text("orders", id_of(o))).as_object() == o);
}

TEST_CASE("orders: create stores every writable field as given", "[orders]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto o = e.create("orders", parse_obj(R"({
        "customer_id": )" + std::to_string(cust) + R"(, "number": 7, "date": "2024-03-01T10:00:00+02:00",
        "status": "draft", "type": 3, "quantity": 4, "activation_limit": 5,
        "description": "  Big order  ", "is_demo": true, "archived": false,
        "can_overwrite_container": "true", "customer_required": 1,
        "activation_birth_date": "2024-01-01T00:00:00Z", "activation_death_date": "2025-01-01T00:00:00.5Z",
        "crm_id": " C-1 ", "ref_id": "R-1", "total_cents": 123456})"));
    INFO(json::serialize(o));
    CHECK(o.at("number") == 7);
    CHECK(o.at("date") == "2024-03-01T08:00:00Z");
    CHECK(o.at("type") == 3);
    CHECK(o.at("quantity") == 4);
    CHECK(o.at("activation_limit") == 5);
    CHECK(o.at("description") == "Big order");
    CHECK(o.at("is_demo") == true);
    CHECK(o.at("can_overwrite_container") == true);
    CHECK(o.at("customer_required") == true);
    CHECK(o.at("activation_birth_date") == "2024-01-01T00:00:00Z");
    CHECK(o.at("activation_death_date") == "2025-01-01T00:00:00.5Z");
    CHECK(o.at("crm_id") == "C-1");
    CHECK(o.at("ref_id") == "R-1");
    CHECK(o.at("total_cents") == 123456);
    CHECK(e.get("orders", id_of(o)) == o);
}

TEST_CASE("orders: read-only fields sent on create are ignored", "[orders]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto o = e.create("orders", parse_obj(R"({"customer_id": )" + std::to_string(cust) + R"(,
        "id": 777, "submit_date": "2001-01-01T00:00:00Z", "archived_at": "2001-01-01T00:00:00Z",
        "created_at": "2001-01-01T00:00:00Z", "updated_at": "2001-01-01T00:00:00Z"})"));
    CHECK(id_of(o) != 777);
    CHECK(o.at("submit_date").is_null());
    CHECK(o.at("archived_at").is_null());
    CHECK(o.at("created_at") != "2001-01-01T00:00:00Z");
    CHECK(o.at("updated_at") != "2001-01-01T00:00:00Z");
    // a GET result can be sent back as a PUT
    const auto back = e.replace("orders", id_of(o), o);
    CHECK(back.at("number") == o.at("number"));
    CHECK(back.at("date") == o.at("date"));
    CHECK(back.at("created_at") == o.at("created_at"));
}

// --- numbers ------------------------------------------------------------------

TEST_CASE("orders: numbers are 1 first, then max+1, explicit numbers are kept", "[orders][numbers]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    auto num = [&](json::object body) { return e.create("orders", order_for(cust, std::move(body))).at("number"); };
    CHECK(num({}) == 1);
    CHECK(num({}) == 2);
    CHECK(num({{"number", 10}}) == 10);
    CHECK(num({}) == 11);
    CHECK(num({{"number", 5}}) == 5);  // lower than the max: kept, max stays 11
    CHECK(num({}) == 12);
    CHECK(num({{"number", 0}}) == 0);
    CHECK(num({{"number", 12}}) == 12);  // a number already used: kept (seed 001 lists two number 0)
    CHECK(num({}) == 13);
    CHECK(num({{"number", nullptr}}) == 14);  // null = omitted
}

TEST_CASE("orders: the first number in a fresh database is 1 even after an explicit 0", "[orders][numbers]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    CHECK(e.create("orders", order_for(cust, {{"number", 0}})).at("number") == 0);
    CHECK(e.create("orders", order_for(cust)).at("number") == 1);
}

TEST_CASE("orders: number assignment uses the max over the orders that exist now", "[orders][numbers]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    e.create("orders", order_for(cust));                          // 1
    const auto two = id_of(e.create("orders", order_for(cust)));  // 2
    e.remove("orders", two);
    CHECK(e.create("orders", order_for(cust)).at("number") == 2);
    // an update that raises a number raises the next one too
    const auto one = e.list("orders", crm::Query().where("number", 1)).at("results").as_array().at(0);
    e.update("orders", one.as_object().at("id").as_int64(), json::object{{"number", 40}});
    CHECK(e.create("orders", order_for(cust)).at("number") == 41);
}

TEST_CASE("orders: replace and update keep number and date when left out", "[orders][numbers]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto o = e.create("orders", order_for(cust, {{"number", 10},
                                                        {"date", "2024-03-01T10:00:00+02:00"},
                                                        {"quantity", 3},
                                                        {"description", "first"}}));
    const auto id = id_of(o);
    e.create("orders", order_for(cust));  // 11: a later order does not renumber this one

    // PUT without number/date: both kept; other writable fields back to defaults
    const auto r = e.replace("orders", id, json::object{{"customer_id", cust}});
    CHECK(r.at("number") == 10);
    CHECK(r.at("date") == "2024-03-01T08:00:00Z");
    CHECK(r.at("quantity") == 1);
    CHECK(r.at("description").is_null());
    CHECK(r.at("created_at") == o.at("created_at"));
    CHECK(e.get("orders", id) == r);

    // PATCH of something else: kept
    const auto u = e.update("orders", id, json::object{{"quantity", 9}});
    CHECK(u.at("number") == 10);
    CHECK(u.at("date") == "2024-03-01T08:00:00Z");
    CHECK(u.at("quantity") == 9);

    // explicit values are taken
    const auto r2 = e.replace("orders", id, json::object{{"customer_id", cust}, {"number", 42}, {"date", "2020-01-02T03:04:05Z"}});
    CHECK(r2.at("number") == 42);
    CHECK(r2.at("date") == "2020-01-02T03:04:05Z");
    const auto u2 = e.update("orders", id, json::object{{"number", 43}});
    CHECK(u2.at("number") == 43);
    CHECK(u2.at("date") == "2020-01-02T03:04:05Z");

    // typed API: replace with number/date unset keeps them too
    crm::Order typed;
    typed.customer_id = cust;
    typed.quantity = 2;
    const auto t = e.orders().replace(id, typed);
    REQUIRE(t.number.has_value());
    CHECK(*t.number == 43);
    REQUIRE(t.date.has_value());
    CHECK(crm::format_timestamp(*t.date) == "2020-01-02T03:04:05Z");
    CHECK(t.quantity == 2);
}

// --- status moves -----------------------------------------------------------

TEST_CASE("orders: status input accepts names and 0/1/2", "[orders][status]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    CHECK(e.create("orders", order_for(cust, {{"status", 0}})).at("status") == "draft");
    CHECK(e.create("orders", order_for(cust, {{"status", 1}})).at("status") == "submitted");
    CHECK(e.create("orders", order_for(cust, {{"status", 2}})).at("status") == "revoked");
    CHECK(e.create("orders", order_for(cust, {{"status", "draft"}})).at("status") == "draft");
    CHECK(e.create("orders", order_for(cust, {{"status", "submitted"}})).at("status") == "submitted");
    CHECK(e.create("orders", order_for(cust, {{"status", "revoked"}})).at("status") == "revoked");
    CHECK(e.create("orders", order_for(cust, {{"status", nullptr}})).at("status") == "draft");
    const auto before = order_count(e);
    for (const char* bad : {R"(3)", R"(-1)", R"(1.5)", R"("Draft")", R"("pending")", R"(true)", R"([1])"}) {
        INFO("status " << bad);
        expect_order_error([&] { e.create("orders", order_for(cust, {{"status", json::parse(bad)}})); },
                           crm::Status::invalid, {"status"});
    }
    CHECK(order_count(e) == before);
}

TEST_CASE("orders: all 9 status moves by update, allowed ones and conflicts", "[orders][status]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    // allowed[from][to]
    const bool allowed[3][3] = {{true, true, true}, {false, true, true}, {false, false, true}};
    for (int from = 0; from < 3; ++from) {
        for (int to = 0; to < 3; ++to) {
            for (bool numeric : {false, true}) {
                INFO(status_name(from) << " -> " << status_name(to) << (numeric ? " (as number)" : " (as name)"));
                const auto o = e.create("orders", order_for(cust, {{"status", status_name(from)}, {"quantity", 2}}));
                const auto id = id_of(o);
                const json::value target = numeric ? json::value(to) : json::value(status_name(to));
                if (allowed[from][to]) {
                    const auto u = e.update("orders", id, json::object{{"status", target}, {"quantity", 3}});
                    CHECK(u.at("status") == json::value(status_name(to)));
                    CHECK(u.at("quantity") == 3);
                    CHECK(e.get("orders", id) == u);
                } else {
                    expect_order_error([&] { e.update("orders", id, json::object{{"status", target}, {"quantity", 3}}); },
                                       crm::Status::conflict, {"status"});
                    // nothing changed
                    CHECK(e.get("orders", id) == o);
                }
            }
        }
    }
}

TEST_CASE("orders: all 9 status moves by replace, allowed ones and conflicts", "[orders][status]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const bool allowed[3][3] = {{true, true, true}, {false, true, true}, {false, false, true}};
    for (int from = 0; from < 3; ++from) {
        for (int to = 0; to < 3; ++to) {
            INFO(status_name(from) << " -> " << status_name(to));
            const auto o = e.create("orders", order_for(cust, {{"status", from}}));
            const auto id = id_of(o);
            const json::object body{{"customer_id", cust}, {"status", to}, {"description", "moved"}};
            if (allowed[from][to]) {
                const auto r = e.replace("orders", id, body);
                CHECK(r.at("status") == json::value(status_name(to)));
                CHECK(r.at("description") == "moved");
            } else {
                expect_order_error([&] { e.replace("orders", id, body); }, crm::Status::conflict, {"status"});
                CHECK(e.get("orders", id) == o);
            }
        }
    }
    // a PUT that leaves status out asks for draft: from submitted that is a conflict
    const auto s = e.create("orders", order_for(cust, {{"status", "submitted"}}));
    expect_order_error([&] { e.replace("orders", id_of(s), json::object{{"customer_id", cust}}); }, crm::Status::conflict,
                       {"status"});
    // typed API
    crm::Order back = e.orders().get(id_of(s));
    back.status = crm::OrderStatus::draft;
    expect_order_error([&] { e.orders().replace(id_of(s), back); }, crm::Status::conflict, {"status"});
    back.status = crm::OrderStatus::revoked;
    CHECK(e.orders().replace(id_of(s), back).status == crm::OrderStatus::revoked);
}

TEST_CASE("orders: a conflicting move through a longer path stays refused", "[orders][status]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto id = id_of(e.create("orders", order_for(cust)));
    CHECK(e.update("orders", id, json::object{{"status", "submitted"}}).at("status") == "submitted");
    CHECK(e.update("orders", id, json::object{{"status", "revoked"}}).at("status") == "revoked");
    for (const char* to : {"draft", "submitted"})
        expect_order_error([&] { e.update("orders", id, json::object{{"status", to}}); }, crm::Status::conflict, {"status"});
    // staying revoked while changing other fields is fine
    CHECK(e.update("orders", id, json::object{{"description", "still revoked"}}).at("status") == "revoked");
}

TEST_CASE("orders: submit_date on create and on each move", "[orders][status]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);

    const auto d = e.create("orders", order_for(cust));
    CHECK(d.at("submit_date").is_null());
    const auto r = e.create("orders", order_for(cust, {{"status", "revoked"}}));
    CHECK(r.at("submit_date").is_null());
    const auto s = e.create("orders", order_for(cust, {{"status", "submitted"}}));
    CHECK(rfc3339_utc(s.at("submit_date")));
    CHECK(s.at("submit_date") == s.at("created_at"));
    const auto d2 = e.create("orders", order_for(cust));
    const auto d3 = e.create("orders", order_for(cust));

    wait_next_second();

    // draft -> submitted: set to the time of the move
    const auto ds = e.update("orders", id_of(d), json::object{{"status", "submitted"}});
    CHECK(rfc3339_utc(ds.at("submit_date")));
    CHECK(ds.at("submit_date") == ds.at("updated_at"));
    CHECK(ds.at("submit_date") != d.at("created_at"));
    // submitted -> submitted: kept (not the time of this write)
    const auto ss = e.update("orders", id_of(s), json::object{{"status", "submitted"}, {"quantity", 5}});
    CHECK(ss.at("submit_date") == s.at("submit_date"));
    CHECK(ss.at("updated_at") != s.at("updated_at"));
    // submitted -> revoked: kept
    const auto sr = e.update("orders", id_of(s), json::object{{"status", "revoked"}});
    CHECK(sr.at("submit_date") == s.at("submit_date"));
    // draft -> revoked: still null
    const auto dr = e.update("orders", id_of(d2), json::object{{"status", 2}});
    CHECK(dr.at("submit_date").is_null());
    // draft -> draft: null
    CHECK(e.update("orders", id_of(d3), json::object{{"quantity", 2}}).at("submit_date").is_null());
    // submit_date is read-only on input
    CHECK(e.update("orders", id_of(d3), json::object{{"submit_date", "2001-01-01T00:00:00Z"}}).at("submit_date").is_null());
    // replace: draft -> submitted sets it
    const auto rs = e.replace("orders", id_of(d3), json::object{{"customer_id", cust}, {"status", "submitted"}});
    CHECK(rs.at("submit_date") == rs.at("updated_at"));
    // a failed move leaves it as it was
    expect_order_error([&] { e.update("orders", id_of(r), json::object{{"status", "submitted"}}); }, crm::Status::conflict,
                       {"status"});
    CHECK(e.get("orders", id_of(r)).at("submit_date").is_null());
}

// --- customer rules -------------------------------------------------------------

TEST_CASE("orders: customer_id is required unless customer_required is false", "[orders][customer]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    expect_order_error([&] { e.create("orders", json::object{}); }, crm::Status::invalid, {"customer_id"});
    expect_order_error([&] { e.create("orders", json::object{{"customer_id", nullptr}}); }, crm::Status::invalid,
                       {"customer_id"});
    expect_order_error([&] { e.create("orders", json::object{{"customer_required", true}}); }, crm::Status::invalid,
                       {"customer_id"});
    CHECK(order_count(e) == 0);

    const auto free = e.create("orders", json::object{{"customer_required", false}});
    CHECK(free.at("customer_id").is_null());
    CHECK(free.at("customer_required") == false);
    CHECK(free.at("number") == 1);
    const auto free2 = e.create("orders", json::object{{"customer_required", "false"}, {"customer_id", cust}});
    CHECK(free2.at("customer_id") == cust);

    // turning customer_required back on without a customer is invalid
    expect_order_error([&] { e.update("orders", id_of(free), json::object{{"customer_required", true}}); },
                       crm::Status::invalid, {"customer_id"});
    CHECK(e.get("orders", id_of(free)) == free);
    // removing the customer of a required order is invalid
    const auto req = e.create("orders", order_for(cust));
    expect_order_error([&] { e.update("orders", id_of(req), json::object{{"customer_id", nullptr}}); }, crm::Status::invalid,
                       {"customer_id"});
    // ... and fine once not required
    CHECK(e.update("orders", id_of(req), json::object{{"customer_id", nullptr}, {"customer_required", false}})
              .at("customer_id")
              .is_null());
}

TEST_CASE("orders: customer_id must name an existing customer", "[orders][customer]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto gone = new_customer(e, "Gone");
    e.remove("customers", gone);

    for (bool required : {true, false}) {
        INFO("customer_required " << required);
        for (std::int64_t missing : {std::int64_t(999), gone}) {
            auto err = error_of([&] {
                e.create("orders", json::object{{"customer_id", missing}, {"customer_required", required}});
            });
            REQUIRE(err.has_value());
            CHECK(err->code() == crm::Status::invalid);
            REQUIRE(err->errors().size() == 1);
            CHECK(err->errors()[0].field == "customer_id");
            CHECK(err->errors()[0].message.find(std::to_string(missing)) != std::string::npos);
            CHECK(err->to_json().find(R"("field":"customer_id")") != std::string::npos);
        }
        for (const char* bad : {"0", "-1", R"("abc")", "1.5", "true"}) {
            INFO("customer_id " << bad);
            expect_order_error([&] {
                e.create("orders", json::object{{"customer_id", json::parse(bad)}, {"customer_required", required}});
            },
                         crm::Status::invalid, {"customer_id"});
        }
    }
    CHECK(order_count(e) == 0);

    // every invalid field is reported together with the customer
    expect_order_error([&] {
        e.create("orders", json::object{{"customer_id", 999}, {"quantity", -1}, {"crm_id", repeat("x", 101)}});
    },
                 crm::Status::invalid, {"customer_id", "quantity", "crm_id"});

    // update / replace to a missing customer: invalid, nothing changed
    const auto o = e.create("orders", order_for(cust));
    expect_order_error([&] { e.update("orders", id_of(o), json::object{{"customer_id", 999}}); }, crm::Status::invalid,
                       {"customer_id"});
    expect_order_error([&] { e.replace("orders", id_of(o), json::object{{"customer_id", gone}}); }, crm::Status::invalid,
                       {"customer_id"});
    CHECK(e.get("orders", id_of(o)) == o);
    // typed API
    crm::Order typed;
    typed.customer_id = 999;
    expect_order_error([&] { e.orders().create(typed); }, crm::Status::invalid, {"customer_id"});
    CHECK(order_count(e) == 1);
}

// --- other rules ----------------------------------------------------------------

TEST_CASE("orders: activation_death_date must not be before activation_birth_date", "[orders][rules]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    // equal: fine
    const auto same = e.create("orders", order_for(cust, {{"activation_birth_date", "2024-01-01T00:00:00Z"},
                                                          {"activation_death_date", "2024-01-01T00:00:00Z"}}));
    CHECK(same.at("activation_death_date") == "2024-01-01T00:00:00Z");
    // later: fine; offsets are converted to UTC
    const auto later = e.create("orders", order_for(cust, {{"activation_birth_date", "2024-01-01T00:00:00Z"},
                                                           {"activation_death_date", "2024-01-01T02:00:01+02:00"}}));
    CHECK(later.at("activation_death_date") == "2024-01-01T00:00:01Z");
    // one second before: invalid
    expect_order_error([&] {
        e.create("orders", order_for(cust, {{"activation_birth_date", "2024-01-01T00:00:00Z"},
                                            {"activation_death_date", "2023-12-31T23:59:59Z"}}));
    },
                 crm::Status::invalid, {"activation_death_date"});
    // before once the offset is applied
    expect_order_error([&] {
        e.create("orders", order_for(cust, {{"activation_birth_date", "2024-01-01T00:00:00Z"},
                                            {"activation_death_date", "2024-01-01T01:00:00+02:00"}}));
    },
                 crm::Status::invalid, {"activation_death_date"});
    // one microsecond before
    expect_order_error([&] {
        e.create("orders", order_for(cust, {{"activation_birth_date", "2024-01-01T00:00:00.000001Z"},
                                            {"activation_death_date", "2024-01-01T00:00:00Z"}}));
    },
                 crm::Status::invalid, {"activation_death_date"});
    // either alone: fine
    CHECK(e.create("orders", order_for(cust, {{"activation_death_date", "2000-01-01T00:00:00Z"}}))
              .at("activation_birth_date")
              .is_null());
    CHECK(e.create("orders", order_for(cust, {{"activation_birth_date", "2030-01-01T00:00:00Z"}}))
              .at("activation_death_date")
              .is_null());
    // malformed timestamps
    expect_order_error([&] {
        e.create("orders", order_for(cust, {{"activation_birth_date", "2024-13-01T00:00:00Z"},
                                            {"activation_death_date", 1538463338},
                                            {"date", "yesterday"}}));
    },
                 crm::Status::invalid, {"activation_birth_date", "activation_death_date", "date"});
    // an update moving birth after death: invalid, nothing changed
    expect_order_error([&] { e.update("orders", id_of(same), json::object{{"activation_birth_date", "2024-01-02T00:00:00Z"}}); },
                       crm::Status::invalid, {"activation_death_date"});
    CHECK(e.get("orders", id_of(same)) == same);
}

TEST_CASE("orders: integer, money and text limits at their edges", "[orders][rules]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    // zeros are fine
    const auto zero = e.create("orders", order_for(cust, {{"type", 0}, {"quantity", 0}, {"activation_limit", 0},
                                                          {"number", 0}, {"total_cents", 0}}));
    CHECK(zero.at("quantity") == 0);
    CHECK(zero.at("number") == 0);
    // -1 everywhere: every field reported at once
    expect_order_error([&] {
        e.create("orders", order_for(cust, {{"type", -1}, {"quantity", -1}, {"activation_limit", -1},
                                            {"number", -1}, {"total_cents", -1}}));
    },
                 crm::Status::invalid, {"type", "quantity", "activation_limit", "number", "total_cents"});
    // money: 10^15 is the top
    CHECK(e.create("orders", order_for(cust, {{"total_cents", 1000000000000000LL}})).at("total_cents") ==
          1000000000000000LL);
    expect_order_error([&] { e.create("orders", order_for(cust, {{"total_cents", 1000000000000001LL}})); },
                       crm::Status::invalid, {"total_cents"});
    expect_order_error([&] { e.create("orders", order_for(cust, {{"total_cents", 1.5}})); }, crm::Status::invalid,
                       {"total_cents"});
    // wrong JSON types
    expect_order_error([&] {
        e.create("orders", order_for(cust, {{"quantity", "2"}, {"is_demo", "yes"}, {"description", 5}, {"type", 1.5}}));
    },
                 crm::Status::invalid, {"quantity", "is_demo", "description", "type"});

    // description: 10000 code points (multi-byte) fine, 10001 not; trimmed first
    const std::string d10000 = repeat("\xC3\xA9", 10000);  // é
    const auto long_ok = e.create("orders", order_for(cust, {{"description", "  " + d10000 + "\n"}}));
    CHECK(long_ok.at("description") == json::value(d10000));
    expect_order_error([&] { e.create("orders", order_for(cust, {{"description", d10000 + "a"}})); }, crm::Status::invalid,
                       {"description"});
    CHECK(e.create("orders", order_for(cust, {{"description", " \t "}})).at("description").is_null());

    // crm_id / ref_id: 100 fine, 101 not
    const std::string s100 = repeat("\xE2\x82\xAC", 100);  // €
    const auto ids_ok = e.create("orders", order_for(cust, {{"crm_id", s100}, {"ref_id", repeat("r", 100)}}));
    CHECK(ids_ok.at("crm_id") == json::value(s100));
    CHECK(ids_ok.at("ref_id") == json::value(repeat("r", 100)));
    expect_order_error([&] {
        e.create("orders", order_for(cust, {{"crm_id", s100 + "x"}, {"ref_id", repeat("r", 101)}}));
    },
                 crm::Status::invalid, {"crm_id", "ref_id"});
    CHECK(e.create("orders", order_for(cust, {{"crm_id", ""}, {"ref_id", "  "}})).at("crm_id").is_null());
}

TEST_CASE("orders: unknown fields, bodies that are not objects, missing ids", "[orders][rules]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    expect_order_error([&] { e.create("orders", order_for(cust, {{"foo", 1}, {"_id", 3}})); }, crm::Status::invalid,
                       {"foo", "_id"});
    for (const char* body : {"[]", "1", "\"x\"", "null"}) {
        INFO(body);
        auto err = error_of([&] { e.create("orders", json::parse(body)); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::invalid);
    }
    const auto o = e.create("orders", order_for(cust));
    auto patch_err = error_of([&] { e.update("orders", id_of(o), json::array{1}); });
    REQUIRE(patch_err.has_value());
    CHECK(patch_err->code() == crm::Status::invalid);
    for (std::int64_t id : {std::int64_t(0), std::int64_t(-1), id_of(o) + 1000}) {
        INFO("id " << id);
        CHECK(code_of([&] { e.get("orders", id); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.replace("orders", id, order_for(cust)); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.update("orders", id, json::object{}); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.remove("orders", id); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.orders().get(id); }) == crm::Status::not_found);
    }
    e.remove("orders", id_of(o));
    CHECK(code_of([&] { e.get("orders", id_of(o)); }) == crm::Status::not_found);
    CHECK(code_of([&] { e.remove("orders", id_of(o)); }) == crm::Status::not_found);
    CHECK(order_count(e) == 0);
}

TEST_CASE("orders: archived_at follows archived", "[orders][rules]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto a = e.create("orders", order_for(cust, {{"archived", true}}));
    CHECK(a.at("archived_at") == a.at("created_at"));
    const auto b = e.create("orders", order_for(cust));
    CHECK(b.at("archived_at").is_null());
    wait_next_second();
    const auto b2 = e.update("orders", id_of(b), json::object{{"archived", true}});
    CHECK(b2.at("archived_at") == b2.at("updated_at"));
    CHECK(b2.at("archived_at") != b.at("created_at"));
    // kept while it stays archived
    CHECK(e.update("orders", id_of(a), json::object{{"quantity", 3}}).at("archived_at") == a.at("archived_at"));
    CHECK(e.update("orders", id_of(a), json::object{{"archived", 1}}).at("archived_at") == a.at("archived_at"));
    // null once un-archived
    CHECK(e.update("orders", id_of(a), json::object{{"archived", false}}).at("archived_at").is_null());
}

// --- listing ----------------------------------------------------------------------

TEST_CASE("orders: a customer's orders the seed 001 way", "[orders][list]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, "A");
    const auto b = new_customer(e, "B");
    // customer a: numbers 3,1,5,2,4 with statuses; b: 6,7 (interleaved)
    struct Row {
        std::int64_t customer;
        int number;
        const char* status;
    };
    const Row rows[] = {{a, 3, "submitted"}, {b, 6, "draft"},   {a, 1, "draft"},   {a, 5, "revoked"},
                        {a, 2, "submitted"}, {b, 7, "submitted"}, {a, 4, "draft"}};
    for (const auto& r : rows) e.create("orders", json::object{{"customer_id", r.customer}, {"number", r.number}, {"status", r.status}});
    const std::string ca = std::to_string(a);

    // default: number ascending, offset/limit echoed, limit 100
    auto p = list_orders(e, R"({"customer_id":)" + ca + R"(,"offset":0})");
    CHECK(p.at("count") == 5);
    CHECK(numbers_of(p) == std::vector<std::int64_t>{1, 2, 3, 4, 5});
    CHECK(p.at("offset") == 0);
    CHECK(p.at("limit") == 100);
    CHECK(p.at("next_cursor").is_null());
    for (const auto& r : p.at("results").as_array()) CHECK(r.as_object().at("customer_id") == a);

    // without paging keys: still number ascending
    CHECK(numbers_of(list_orders(e, R"({"customer_id":)" + ca + "}")) == std::vector<std::int64_t>{1, 2, 3, 4, 5});
    // every order: 1..7 by number
    CHECK(numbers_of(e.list("orders")) == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7});

    // sortby number + direction
    CHECK(numbers_of(list_orders(e, R"({"customer_id":)" + ca + R"(,"sortby":"number","direction":"asc"})")) ==
          std::vector<std::int64_t>{1, 2, 3, 4, 5});
    CHECK(numbers_of(list_orders(e, R"({"customer_id":)" + ca + R"(,"sortby":"number","direction":"desc"})")) ==
          std::vector<std::int64_t>{5, 4, 3, 2, 1});
    CHECK(numbers_of(list_orders(e, R"({"customer_id":)" + ca + R"(,"ordering":"-number"})")) ==
          std::vector<std::int64_t>{5, 4, 3, 2, 1});

    // offset and limit
    p = list_orders(e, R"({"customer_id":)" + ca + R"(,"sortby":"number","offset":1,"limit":2})");
    CHECK(numbers_of(p) == std::vector<std::int64_t>{2, 3});
    CHECK(p.at("count") == 5);
    CHECK(p.at("offset") == 1);
    CHECK(p.at("limit") == 2);
    CHECK(p.at("next_cursor").is_string());
    p = list_orders(e, R"({"customer_id":)" + ca + R"(,"sortby":"number","direction":"desc","offset":3,"limit":2})");
    CHECK(numbers_of(p) == std::vector<std::int64_t>{2, 1});
    CHECK(p.at("next_cursor").is_null());
    p = list_orders(e, R"({"customer_id":)" + ca + R"(,"offset":5})");
    CHECK(numbers_of(p).empty());
    CHECK(p.at("count") == 5);

    // status filters: seed 001's "0,1", names, a single value
    auto statuses = [&](std::string_view status_json) {
        return numbers_of(list_orders(e, R"({"customer_id":)" + ca + R"(,"status":)" + std::string(status_json) + "}"));
    };
    CHECK(statuses(R"("0,1")") == std::vector<std::int64_t>{1, 2, 3, 4});
    CHECK(statuses(R"(["draft","submitted"])") == std::vector<std::int64_t>{1, 2, 3, 4});
    CHECK(statuses(R"([0,1])") == std::vector<std::int64_t>{1, 2, 3, 4});
    CHECK(statuses(R"("1,2")") == std::vector<std::int64_t>{2, 3, 5});
    CHECK(statuses(R"("draft")") == std::vector<std::int64_t>{1, 4});
    CHECK(statuses(R"(1)") == std::vector<std::int64_t>{2, 3});
    CHECK(statuses(R"("2")") == std::vector<std::int64_t>{5});
    CHECK(statuses(R"("revoked")") == std::vector<std::int64_t>{5});
    CHECK(statuses(R"("0,1,2")") == std::vector<std::int64_t>{1, 2, 3, 4, 5});
    p = list_orders(e, R"({"customer_id":)" + ca + R"(,"status":"0,1","sortby":"number","direction":"desc","offset":1,"limit":2})");
    CHECK(numbers_of(p) == std::vector<std::int64_t>{3, 2});
    CHECK(p.at("count") == 4);
    // status across customers
    CHECK(numbers_of(list_orders(e, R"({"status":"submitted"})")) == std::vector<std::int64_t>{2, 3, 7});

    // other customer, unknown customer
    CHECK(numbers_of(list_orders(e, R"({"customer_id":)" + std::to_string(b) + "}")) == std::vector<std::int64_t>{6, 7});
    CHECK(list_orders(e, R"({"customer_id":99999})").at("count") == 0);

    // bad keys and values name the key
    auto bad = [&](std::string_view q, const Fields& fields) {
        INFO(q);
        expect_order_error([&] { list_orders(e, q); }, crm::Status::invalid, fields);
    };
    bad(R"({"status":"3"})", {"status"});
    bad(R"({"status":"pending"})", {"status"});
    bad(R"({"status":"0,9"})", {"status"});
    bad(R"({"sortby":"date"})", {"sortby"});
    bad(R"({"sortby":"name"})", {"sortby"});
    bad(R"({"sortby":"number","direction":"up"})", {"direction"});
    bad(R"({"ordering":"description"})", {"ordering"});
    bad(R"({"limit":0})", {"limit"});
    bad(R"({"limit":1001})", {"limit"});
    bad(R"({"offset":-1})", {"offset"});
    bad(R"({"offset":0,"page":1})", {"offset"});
    bad(R"({"customer":1})", {"customer"});
    CHECK(list_orders(e, R"({"limit":1000})").at("results").as_array().size() == 7);
}

TEST_CASE("orders: filters on scalar fields", "[orders][list]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, "A");
    e.create("orders", order_for(a, {{"number", 1}, {"date", "2024-01-10T23:30:00-02:00"}, {"total_cents", 500},
                                     {"description", "Blue Widget"}, {"is_demo", true}, {"crm_id", "X-1"}}));
    e.create("orders", order_for(a, {{"number", 2}, {"date", "2024-01-11T10:00:00Z"}, {"total_cents", 1500},
                                     {"description", "red widget"}, {"quantity", 0}}));
    e.create("orders", json::object{{"number", 3}, {"date", "2024-02-01T00:00:00Z"}, {"customer_required", false},
                                    {"archived", true}});
    auto nums = [&](std::string_view q) {
        INFO(q);
        return numbers_of(list_orders(e, q));
    };
    CHECK(nums(R"({"date__date":"2024-01-11"})") == std::vector<std::int64_t>{1, 2});  // 01:30Z and 10:00Z
    CHECK(nums(R"({"date__lt":"2024-01-11T01:30:00Z"})").empty());
    CHECK(nums(R"({"date__lte":"2024-01-11T01:30:00Z"})") == std::vector<std::int64_t>{1});
    CHECK(nums(R"({"total_cents__gte":1000})") == std::vector<std::int64_t>{2});
    CHECK(nums(R"({"total_cents__lt":1000})") == std::vector<std::int64_t>{1, 3});
    CHECK(nums(R"({"description__icontains":"WIDGET"})") == std::vector<std::int64_t>{1, 2});
    CHECK(nums(R"({"description__startswith":"Blue"})") == std::vector<std::int64_t>{1});
    CHECK(nums(R"({"description__isnull":true})") == std::vector<std::int64_t>{3});
    CHECK(nums(R"({"is_demo":true})") == std::vector<std::int64_t>{1});
    CHECK(nums(R"({"archived":"true"})") == std::vector<std::int64_t>{3});
    CHECK(nums(R"({"customer_id__isnull":true})") == std::vector<std::int64_t>{3});
    CHECK(nums(R"({"customer_required":false})") == std::vector<std::int64_t>{3});
    CHECK(nums(R"({"quantity":0})") == std::vector<std::int64_t>{2});
    CHECK(nums(R"({"crm_id":"X-1"})") == std::vector<std::int64_t>{1});
    CHECK(nums(R"({"number__in":[3,1]})") == std::vector<std::int64_t>{1, 3});
    CHECK(nums(R"({"number__gt":1,"ordering":"-date"})") == std::vector<std::int64_t>{3, 2});
    CHECK(nums(R"({"status__exclude":"draft"})").empty());
    // not sortable, wrong lookups: invalid naming the key
    expect_order_error([&] { list_orders(e, R"({"ordering":"-total_cents"})"); }, crm::Status::invalid, {"ordering"});
    expect_order_error([&] { list_orders(e, R"({"description__gt":"a"})"); }, crm::Status::invalid, {"description__gt"});
    expect_order_error([&] { list_orders(e, R"({"total_cents__icontains":"5"})"); }, crm::Status::invalid,
                       {"total_cents__icontains"});
    expect_order_error([&] { list_orders(e, R"({"date__date":"2024-13-01"})"); }, crm::Status::invalid, {"date__date"});
}

TEST_CASE("orders: limit defaults to 100 in offset paging", "[orders][list]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto other = new_customer(e, "Other");
    for (int i = 0; i < 101; ++i) e.create("orders", order_for(cust));
    e.create("orders", order_for(other));
    const std::string c = std::to_string(cust);
    auto p = list_orders(e, R"({"customer_id":)" + c + R"(,"offset":0})");
    CHECK(p.at("count") == 101);
    CHECK(p.at("limit") == 100);
    REQUIRE(p.at("results").as_array().size() == 100);
    CHECK(numbers_of(p).front() == 1);
    CHECK(numbers_of(p).back() == 100);
    CHECK(p.at("next_cursor").is_string());
    p = list_orders(e, R"({"customer_id":)" + c + R"(,"offset":100})");
    CHECK(numbers_of(p) == std::vector<std::int64_t>{101});
    CHECK(p.at("next_cursor").is_null());
    p = list_orders(e, R"({"customer_id":)" + c + R"(,"sortby":"number","direction":"desc","offset":0})");
    CHECK(p.at("results").as_array().size() == 100);
    CHECK(numbers_of(p).front() == 101);
    CHECK(numbers_of(p).back() == 2);
    // typed API: same query
    auto typed = e.orders().list(crm::Query().where("customer_id", cust).sortby("number", true).offset(0));
    CHECK(typed.count == std::optional<std::int64_t>(101));
    CHECK(typed.limit == std::optional<std::int64_t>(100));
    REQUIRE(typed.results.size() == 100);
    CHECK(typed.results.front().number == std::optional<std::int64_t>(101));
}

TEST_CASE("orders: sortby submitdate puts unsubmitted orders first ascending, last descending", "[orders][list]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto other = new_customer(e, "Other");
    wait_next_second();  // the creations below then share one second (t0)
    // numbers 1..6 in creation order (ids ascending too)
    e.create("orders", order_for(cust, {{"number", 1}}));                                 // draft
    const auto two = id_of(e.create("orders", order_for(cust, {{"number", 2}})));          // submitted later (t1)
    e.create("orders", order_for(cust, {{"number", 3}, {"status", "submitted"}}));       // t0
    e.create("orders", order_for(cust, {{"number", 4}, {"status", "revoked"}}));         // never submitted
    const auto five = id_of(e.create("orders", order_for(cust, {{"number", 5}})));        // submitted at t1
    e.create("orders", order_for(cust, {{"number", 6}, {"status", 1}}));                 // t0
    e.create("orders", order_for(other, {{"number", 7}, {"status", 1}}));
    wait_next_second();
    e.update("orders", five, json::object{{"status", "submitted"}});
    e.update("orders", two, json::object{{"status", "submitted"}});
    const std::string c = std::to_string(cust);

    // ascending: no submit_date first (by id), then t0 (by id), then t1 (by id)
    CHECK(numbers_of(list_orders(e, R"({"customer_id":)" + c + R"(,"sortby":"submitdate","offset":0})")) ==
          std::vector<std::int64_t>{1, 4, 3, 6, 2, 5});
    CHECK(numbers_of(list_orders(e, R"({"customer_id":)" + c + R"(,"sortby":"submitdate","direction":"asc"})")) ==
          std::vector<std::int64_t>{1, 4, 3, 6, 2, 5});
    // descending: t1, t0, then no submit_date; ties by id ascending
    CHECK(numbers_of(list_orders(e, R"({"customer_id":)" + c + R"(,"sortby":"submitdate","direction":"desc"})")) ==
          std::vector<std::int64_t>{2, 5, 3, 6, 1, 4});
    CHECK(numbers_of(list_orders(e, R"({"customer_id":)" + c + R"(,"ordering":"-submit_date"})")) ==
          std::vector<std::int64_t>{2, 5, 3, 6, 1, 4});
    // with status filter and paging
    auto p = list_orders(e, R"({"customer_id":)" + c +
                                R"(,"sortby":"submitdate","direction":"desc","status":"0,1","offset":1,"limit":3})");
    CHECK(p.at("count") == 5);
    CHECK(numbers_of(p) == std::vector<std::int64_t>{5, 3, 6});
}

// --- seed 001 fixtures ------------------------------------------------------------

namespace {

std::string read_seed_001() {
    for (const auto& entry : fs::directory_iterator(CRM_SEEDS_DIR)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with("001_") && name.ends_with(".txt")) {
            std::ifstream in(entry.path());
            std::stringstream ss;
            ss << in.rdbuf();
            return ss.str();
        }
    }
    return {};
}

// The {"orders":[...]} example of seed 001, parsed.
json::array seed_orders() {
    const std::string text = read_seed_001();
    const auto at = text.find("\"orders\": [");
    if (at == std::string::npos) return {};
    const auto open = text.rfind('{', at);
    const auto close = text.rfind('}');
    return json::parse(text.substr(open, close - open + 1)).as_object().at("orders").as_array();
}

std::string unix_to_rfc3339(std::int64_t seconds) {
    return crm::format_timestamp(crm::Timestamp{std::chrono::seconds{seconds}});
}

// One seed 001 order mapped to our fields: renamed keys, unix seconds as
// RFC 3339 (0 = not set), read-only fields (_id, submitdate,
// archivationdate) left out.
json::object map_seed_order(const json::object& s, std::int64_t customer) {
    static const std::pair<const char*, const char*> kNames[] = {
        {"activationlimit", "activation_limit"},
        {"archived", "archived"},
        {"canoverwritecontainer", "can_overwrite_container"},
        {"customerrequired", "customer_required"},
        {"description", "description"},
        {"isdemo", "is_demo"},
        {"number", "number"},
        {"quantity", "quantity"},
        {"status", "status"},
        {"type", "type"},
        {"crmid", "crm_id"},
        {"refid", "ref_id"},
    };
    static const std::pair<const char*, const char*> kDates[] = {
        {"date", "date"},
        {"activationbirthdate", "activation_birth_date"},
        {"activationdeathdate", "activation_death_date"},
    };
    json::object o;
    o["customer_id"] = customer;
    for (const auto& [from, to] : kNames) o[to] = s.at(from);
    for (const auto& [from, to] : kDates) {
        const auto secs = s.at(from).as_int64();
        o[to] = secs == 0 ? json::value(nullptr) : json::value(unix_to_rfc3339(secs));
    }
    return o;
}

}  // namespace

TEST_CASE("orders: seed 001 order examples load and list as the seed describes", "[orders][seed]") {
    const auto seed = seed_orders();
    REQUIRE(seed.size() == 2);
    crm::Engine e(":memory:");
    const auto cust = id_of(e.create("customers", parse_obj(R"({"first_name":"Peter","email":"mail@gmail.com"})")));

    const auto first = e.create("orders", map_seed_order(seed[0].as_object(), cust));
    INFO(json::serialize(first));
    CHECK(first.at("customer_id") == cust);
    CHECK(first.at("number") == 0);
    CHECK(first.at("date") == "2018-05-28T09:52:28Z");
    CHECK(first.at("status") == "draft");
    CHECK(first.at("submit_date").is_null());
    CHECK(first.at("type") == 0);
    CHECK(first.at("quantity") == 2);
    CHECK(first.at("activation_limit") == 7);
    CHECK(first.at("description") == "With client");
    CHECK(first.at("is_demo") == false);
    CHECK(first.at("archived") == false);
    CHECK(first.at("archived_at").is_null());
    CHECK(first.at("can_overwrite_container") == false);
    CHECK(first.at("customer_required") == true);
    CHECK(first.at("activation_birth_date").is_null());
    CHECK(first.at("activation_death_date").is_null());
    CHECK(first.at("crm_id").is_null());
    CHECK(first.at("ref_id").is_null());
    CHECK(first.at("total_cents") == 0);

    const auto second = e.create("orders", map_seed_order(seed[1].as_object(), cust));
    INFO(json::serialize(second));
    CHECK(second.at("number") == 0);
    CHECK(second.at("date") == "2018-10-02T06:55:38Z");
    CHECK(second.at("status") == "submitted");
    CHECK(second.at("submit_date") == second.at("created_at"));  // created submitted
    CHECK(second.at("quantity") == 10);
    CHECK(second.at("activation_limit") == 1);
    CHECK(second.at("description") == "test bugs in sn activation number");
    CHECK(second.at("activation_birth_date") == "2018-10-02T06:55:38Z");
    CHECK(second.at("activation_death_date").is_null());

    // the seed's defaults: sortby=number&direction=asc&offset=0&limit=100
    const std::string c = std::to_string(cust);
    auto p = list_orders(e, R"({"customer_id":)" + c + R"(,"sortby":"number","direction":"asc","offset":0,"limit":100})");
    CHECK(p.at("count") == 2);
    CHECK(ids_of(p) == std::vector<std::int64_t>{id_of(first), id_of(second)});  // equal numbers: by id
    CHECK(p.at("results").as_array()[0] == first);
    // status=0,1 keeps both, status=0 the first, status=1 the second
    CHECK(ids_of(list_orders(e, R"({"customer_id":)" + c + R"(,"status":"0,1"})")) ==
          std::vector<std::int64_t>{id_of(first), id_of(second)});
    CHECK(ids_of(list_orders(e, R"({"customer_id":)" + c + R"(,"status":"0"})")) == std::vector<std::int64_t>{id_of(first)});
    CHECK(ids_of(list_orders(e, R"({"customer_id":)" + c + R"(,"status":"1"})")) == std::vector<std::int64_t>{id_of(second)});
    CHECK(list_orders(e, R"({"customer_id":)" + c + R"(,"status":"2"})").at("count") == 0);
    // sortby=submitdate: the draft (no submit date) first, desc last
    CHECK(ids_of(list_orders(e, R"({"customer_id":)" + c + R"(,"sortby":"submitdate"})")) ==
          std::vector<std::int64_t>{id_of(first), id_of(second)});
    CHECK(ids_of(list_orders(e, R"({"customer_id":)" + c + R"(,"sortby":"submitdate","direction":"desc"})")) ==
          std::vector<std::int64_t>{id_of(second), id_of(first)});
    // the next order without a number: max(0) + 1
    CHECK(e.create("orders", order_for(cust)).at("number") == 1);
    // the seed's read-only keys under their own names are unknown to us
    json::object raw = map_seed_order(seed[0].as_object(), cust);
    raw["submitdate"] = 0;
    raw["archivationdate"] = 0;
    expect_order_error([&] { e.create("orders", raw); }, crm::Status::invalid, {"submitdate", "archivationdate"});
}

// --- customers with orders ---------------------------------------------------------

TEST_CASE("orders: deleting a customer with orders is a conflict and changes nothing", "[orders][customers]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e, "Holder");
    const auto order = e.create("orders", order_for(cust));
    const auto m1 = e.create("messages", json::object{{"customer_id", cust}, {"context", "hello"}});
    e.create("messages", json::object{{"customer_id", cust}, {"context", "again"}});
    const auto before = e.get("customers", cust);

    auto err = error_of([&] { e.remove("customers", cust); });
    REQUIRE(err.has_value());
    CHECK(err->code() == crm::Status::conflict);
    CHECK(std::string(err->what()).find("archive") != std::string::npos);
    CHECK(code_of([&] { e.customers().remove(cust); }) == crm::Status::conflict);
    // nothing changed
    CHECK(e.get("customers", cust) == before);
    CHECK(e.get("orders", id_of(order)) == order);
    CHECK(e.list("messages", crm::Query().where("customer_id", cust)).at("count") == 2);
    CHECK(e.get("messages", id_of(m1)) == m1);
    CHECK(e.list("customers").at("count") == 1);

    // archiving works and keeps the orders
    const auto archived = e.update("customers", cust, json::object{{"archived", true}});
    CHECK(archived.at("archived") == true);
    CHECK(e.list("orders", crm::Query().where("customer_id", cust)).at("count") == 1);
    CHECK(e.get("orders", id_of(order)) == order);
    // still not deletable while archived with orders
    CHECK(code_of([&] { e.remove("customers", cust); }) == crm::Status::conflict);
    // an order with customer_required false referencing it also blocks
    e.remove("orders", id_of(order));
    const auto loose = e.create("orders", json::object{{"customer_id", cust}, {"customer_required", false}});
    CHECK(code_of([&] { e.remove("customers", cust); }) == crm::Status::conflict);
    // new orders can still point at an archived customer
    CHECK(e.create("orders", order_for(cust)).at("customer_id") == cust);
    (void)loose;
}

TEST_CASE("orders: a customer without orders is deleted with its messages", "[orders][customers][messages]") {
    crm::Engine e(":memory:");
    const auto keep = new_customer(e, "Keep");
    const auto go = new_customer(e, "Go");
    std::vector<std::int64_t> gone_messages;
    for (int i = 0; i < 3; ++i)
        gone_messages.push_back(
            id_of(e.create("messages", json::object{{"customer_id", go}, {"context", "m" + std::to_string(i)}})));
    const auto kept = e.create("messages", json::object{{"customer_id", keep}, {"context", "stays"}});
    e.create("orders", order_for(keep));
    // a customer whose orders were all deleted is deletable again
    const auto o = e.create("orders", order_for(go));
    CHECK(code_of([&] { e.remove("customers", go); }) == crm::Status::conflict);
    e.remove("orders", id_of(o));

    e.remove("customers", go);
    CHECK(code_of([&] { e.get("customers", go); }) == crm::Status::not_found);
    CHECK(e.list("messages", crm::Query().where("customer_id", go)).at("count") == 0);
    for (auto id : gone_messages) CHECK(code_of([&] { e.get("messages", id); }) == crm::Status::not_found);
    CHECK(e.list("messages").at("count") == 1);
    CHECK(e.get("messages", id_of(kept)) == kept);
    CHECK(e.list("orders").at("count") == 1);
}

// --- concurrency ----------------------------------------------------------------------

TEST_CASE("orders: 4 threads creating 100 orders each on one engine get numbers 1..400", "[orders][threads]") {
    constexpr int kThreads = 4, kPerThread = 100;
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    std::mutex mu;
    std::vector<std::int64_t> numbers, ids;
    std::vector<std::string> failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::vector<std::int64_t> mine, mine_ids;
            try {
                for (int i = 0; i < kPerThread; ++i) {
                    if (t % 2 == 0) {
                        const auto o = e.create("orders", order_for(cust));
                        mine.push_back(o.at("number").as_int64());
                        mine_ids.push_back(id_of(o));
                    } else {  // the typed API too
                        crm::Order o;
                        o.customer_id = cust;
                        const auto stored = e.orders().create(o);
                        mine.push_back(stored.number.value_or(-1));
                        mine_ids.push_back(stored.id);
                    }
                }
            } catch (const std::exception& ex) {
                std::lock_guard lock(mu);
                failures.push_back(ex.what());
            }
            std::lock_guard lock(mu);
            numbers.insert(numbers.end(), mine.begin(), mine.end());
            ids.insert(ids.end(), mine_ids.begin(), mine_ids.end());
        });
    }
    for (auto& th : threads) th.join();
    {
        std::string all;
        for (const auto& f : failures) all += f + "\n";
        INFO("failures:\n" << all);
        CHECK(failures.empty());
    }
    std::set<std::int64_t> expected;
    for (int i = 1; i <= kThreads * kPerThread; ++i) expected.insert(i);
    CHECK(numbers.size() == std::size_t(kThreads * kPerThread));
    CHECK(std::set<std::int64_t>(numbers.begin(), numbers.end()) == expected);
    CHECK(std::set<std::int64_t>(ids.begin(), ids.end()).size() == std::size_t(kThreads * kPerThread));
    CHECK(order_count(e) == kThreads * kPerThread);
    CHECK(e.create("orders", order_for(cust)).at("number") == kThreads * kPerThread + 1);
}

TEST_CASE("orders: two engines on one file from two threads get distinct numbers", "[orders][threads]") {
    constexpr int kPerThread = 60;
    TempDir dir("orders-");
    const std::string path = (dir.path / "orders.db").string();
    std::int64_t cust = 0;
    {
        crm::Engine setup(path);
        cust = new_customer(setup);
    }
    crm::Engine a(path), b(path);
    std::mutex mu;
    std::vector<std::int64_t> numbers;
    std::vector<std::string> failures;
    auto run = [&](crm::Engine& eng) {
        std::vector<std::int64_t> mine;
        try {
            for (int i = 0; i < kPerThread; ++i) mine.push_back(eng.create("orders", order_for(cust)).at("number").as_int64());
        } catch (const std::exception& ex) {
            std::lock_guard lock(mu);
            failures.push_back(ex.what());
        }
        std::lock_guard lock(mu);
        numbers.insert(numbers.end(), mine.begin(), mine.end());
    };
    std::thread ta([&] { run(a); }), tb([&] { run(b); });
    ta.join();
    tb.join();
    {
        std::string all;
        for (const auto& f : failures) all += f + "\n";
        INFO("failures:\n" << all);
        CHECK(failures.empty());
    }
    std::set<std::int64_t> expected;
    for (int i = 1; i <= 2 * kPerThread; ++i) expected.insert(i);
    CHECK(numbers.size() == std::size_t(2 * kPerThread));
    CHECK(std::set<std::int64_t>(numbers.begin(), numbers.end()) == expected);
    CHECK(order_count(a) == 2 * kPerThread);
    CHECK(order_count(b) == 2 * kPerThread);
}

// Messages (spec/domain.md `messages`, seed 000 customer_message) through the
// C++ API: the required customer, context length at its edges (multi-byte),
// CRUD, listing a customer's messages newest first.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace json = boost::json;
using namespace crm_test;
using namespace std::chrono_literals;

namespace {

std::int64_t new_customer(crm::Engine& e, std::string_view last = "Writer") {
    return id_of(e.create("customers", json::object{{"last_name", last}}));
}

json::object message(std::int64_t customer, std::string_view context) {
    return json::object{{"customer_id", customer}, {"context", context}};
}

std::int64_t message_count(crm::Engine& e) { return e.list("messages").at("count").as_int64(); }

}  // namespace

TEST_CASE("messages: create returns id, customer_id, context, created_at", "[messages]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto m = e.create("messages", message(cust, "  Called about the order \n"));
    INFO(json::serialize(m));
    CHECK(keys_of(m) == Fields{"id", "customer_id", "context", "created_at"});
    CHECK(id_of(m) >= 1);
    CHECK(m.at("customer_id") == cust);
    CHECK(m.at("context") == "Called about the order");
    CHECK(rfc3339_utc(m.at("created_at")));
    CHECK(e.get("messages", id_of(m)) == m);
    CHECK(json::parse(e.get_text("messages", id_of(m))).as_object() == m);
    // read-only fields on input are ignored
    const auto m2 = e.create("messages", json::object{{"customer_id", cust},
                                                      {"context", "x"},
                                                      {"id", 999},
                                                      {"created_at", "2001-01-01T00:00:00Z"}});
    CHECK(id_of(m2) != 999);
    CHECK(m2.at("created_at") != "2001-01-01T00:00:00Z");
    // typed API
    crm::Message typed;
    typed.customer_id = cust;
    typed.context = " typed ";
    const auto t = e.messages().create(typed);
    CHECK(t.id > id_of(m2));
    CHECK(t.context == "typed");
    CHECK(t.customer_id == cust);
    CHECK(e.messages().get(t.id).context == "typed");
}

TEST_CASE("messages: customer_id is required and must exist", "[messages]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    const auto gone = new_customer(e, "Gone");
    e.remove("customers", gone);

    expect_error([&] { e.create("messages", json::object{{"context", "hi"}}); }, crm::Status::invalid, {"customer_id"});
    expect_error([&] { e.create("messages", json::object{{"customer_id", nullptr}, {"context", "hi"}}); },
                 crm::Status::invalid, {"customer_id"});
    for (const char* bad : {"0", "-3", R"("1")", "1.5", "false"}) {
        INFO("customer_id " << bad);
        expect_error([&] { e.create("messages", json::object{{"customer_id", json::parse(bad)}, {"context", "hi"}}); },
                     crm::Status::invalid, {"customer_id"});
    }
    for (std::int64_t missing : {std::int64_t(424242), gone}) {
        auto err = error_of([&] { e.create("messages", message(missing, "hi")); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::invalid);
        REQUIRE(err->errors().size() == 1);
        CHECK(err->errors()[0].field == "customer_id");
        CHECK(err->errors()[0].message.find(std::to_string(missing)) != std::string::npos);
    }
    // both fields wrong at once
    expect_error([&] { e.create("messages", json::object{}); }, crm::Status::invalid, {"customer_id", "context"});
    expect_error([&] { e.create("messages", message(424242, "")); }, crm::Status::invalid, {"customer_id", "context"});
    // unknown fields (the seed's own name `customer`) and non-object bodies
    expect_error([&] { e.create("messages", json::object{{"customer", cust}, {"context", "hi"}}); },
                 crm::Status::invalid, {"customer", "customer_id"});
    CHECK(code_of([&] { e.create("messages", json::array{}); }) == crm::Status::invalid);
    CHECK(message_count(e) == 0);

    // update / replace to a missing customer: invalid, nothing changed
    const auto m = e.create("messages", message(cust, "kept"));
    expect_error([&] { e.update("messages", id_of(m), json::object{{"customer_id", 424242}}); }, crm::Status::invalid,
                 {"customer_id"});
    expect_error([&] { e.replace("messages", id_of(m), message(gone, "changed")); }, crm::Status::invalid,
                 {"customer_id"});
    CHECK(e.get("messages", id_of(m)) == m);
}

TEST_CASE("messages: context is 1 to 10000 characters, counted in code points, trimmed", "[messages]") {
    crm::Engine e(":memory:");
    const auto cust = new_customer(e);
    // 1 character
    CHECK(e.create("messages", message(cust, "a")).at("context") == "a");
    CHECK(e.create("messages", message(cust, "\xE2\x82\xAC")).at("context") == "\xE2\x82\xAC");  // € (3 bytes)
    // empty or only white space: invalid
    for (const char* bad : {"", " ", " \t\r\n "}) {
        INFO("context '" << bad << "'");
        expect_error([&] { e.create("messages", message(cust, bad)); }, crm::Status::invalid, {"context"});
    }
    expect_error([&] { e.create("messages", json::object{{"customer_id", cust}}); }, crm::Status::invalid, {"context"});
    expect_error([&] { e.create("messages", json::object{{"customer_id", cust}, {"context", nullptr}}); },
                 crm::Status::invalid, {"context"});
    expect_error([&] { e.create("messages", json::object{{"customer_id", cust}, {"context", 5}}); },
                 crm::Status::invalid, {"context"});

    // 10000 code points of 2, 3 and 4 bytes: fine, stored exactly
    for (std::string_view unit : {std::string_view("\xC3\xA9"), std::string_view("\xE2\x82\xAC"),
                                  std::string_view("\xF0\x9F\x98\x80"), std::string_view("a")}) {
        INFO("unit bytes " << unit.size());
        const std::string ok = repeat(unit, 10000);
        const auto m = e.create("messages", message(cust, ok));
        CHECK(m.at("context") == json::value(ok));
        CHECK(e.get("messages", id_of(m)).at("context") == json::value(ok));
        // 10001: invalid
        expect_error([&] { e.create("messages", message(cust, ok + std::string(unit))); }, crm::Status::invalid,
                     {"context"});
        // white space around 10000 characters does not count
        CHECK(e.create("messages", message(cust, "   " + ok + "\n\n")).at("context") == json::value(ok));
    }
    // an update past the limit is refused and changes nothing
    const auto m = e.create("messages", message(cust, "short"));
    expect_error([&] { e.update("messages", id_of(m), json::object{{"context", repeat("x", 10001)}}); },
                 crm::Status::invalid, {"context"});
    expect_error([&] { e.update("messages", id_of(m), json::object{{"context", nullptr}}); }, crm::Status::invalid,
                 {"context"});
    CHECK(e.get("messages", id_of(m)) == m);
}

TEST_CASE("messages: get, replace, update, delete and not_found", "[messages]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, "A");
    const auto b = new_customer(e, "B");
    const auto m = e.create("messages", message(a, "first"));
    const auto id = id_of(m);

    const auto u = e.update("messages", id, json::object{{"context", " patched "}});
    CHECK(u.at("context") == "patched");
    CHECK(u.at("customer_id") == a);
    CHECK(u.at("created_at") == m.at("created_at"));
    const auto r = e.replace("messages", id, message(b, "moved"));
    CHECK(r.at("customer_id") == b);
    CHECK(r.at("context") == "moved");
    CHECK(r.at("created_at") == m.at("created_at"));
    CHECK(id_of(r) == id);
    CHECK(e.get("messages", id) == r);
    // a PUT needs the whole message
    expect_error([&] { e.replace("messages", id, json::object{{"context", "no customer"}}); }, crm::Status::invalid,
                 {"customer_id"});
    CHECK(code_of([&] { e.update("messages", id, json::value("x")); }) == crm::Status::invalid);
    expect_error([&] { e.update("messages", id, json::object{{"subject", "x"}}); }, crm::Status::invalid, {"subject"});

    for (std::int64_t bad : {std::int64_t(0), std::int64_t(-1), id + 100}) {
        INFO("id " << bad);
        CHECK(code_of([&] { e.get("messages", bad); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.replace("messages", bad, message(a, "x")); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.update("messages", bad, json::object{}); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.remove("messages", bad); }) == crm::Status::not_found);
    }
    e.remove("messages", id);
    CHECK(code_of([&] { e.get("messages", id); }) == crm::Status::not_found);
    CHECK(code_of([&] { e.messages().remove(id); }) == crm::Status::not_found);
    CHECK(message_count(e) == 0);
    // deleting a message leaves its customer alone
    CHECK(e.get("customers", b).at("id") == b);
}

TEST_CASE("messages: a customer's messages newest first", "[messages][list]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, "A");
    const auto b = new_customer(e, "B");
    std::vector<std::int64_t> a_ids;  // in creation order
    wait_next_second();  // a1, b1 and a2 then share one second
    a_ids.push_back(id_of(e.create("messages", message(a, "a1"))));
    e.create("messages", message(b, "b1"));
    a_ids.push_back(id_of(e.create("messages", message(a, "a2"))));
    wait_next_second();
    a_ids.push_back(id_of(e.create("messages", message(a, "a3"))));
    e.create("messages", message(b, "b2"));
    wait_next_second();
    a_ids.push_back(id_of(e.create("messages", message(a, "a4"))));
    const std::string ca = std::to_string(a);

    // -id: exactly the reverse of creation
    auto p = e.list("messages", crm::Query().where("customer_id", a).ordering("-id"));
    CHECK(p.at("count") == 4);
    CHECK(ids_of(p) == std::vector<std::int64_t>{a_ids[3], a_ids[2], a_ids[1], a_ids[0]});
    // -created_at: newest second first; within one second, id ascending
    p = e.list("messages", crm::Query().where("customer_id", a).ordering("-created_at"));
    CHECK(ids_of(p) == std::vector<std::int64_t>{a_ids[3], a_ids[2], a_ids[0], a_ids[1]});
    p = e.list("messages", crm::Query().where("customer_id", a).ordering("-created_at,-id"));
    CHECK(ids_of(p) == std::vector<std::int64_t>{a_ids[3], a_ids[2], a_ids[1], a_ids[0]});
    // created_at ascending and the default (id ascending)
    p = e.list("messages", crm::Query().where("customer_id", a).ordering("created_at"));
    CHECK(ids_of(p) == a_ids);
    p = e.list("messages", crm::Query().where("customer_id", a));
    CHECK(ids_of(p) == a_ids);
    for (const auto& r : p.at("results").as_array()) CHECK(r.as_object().at("customer_id") == a);
    // paging over a customer's messages, newest first
    p = e.list("messages", crm::Query::from_json(json::parse(R"({"customer_id":)" + ca +
                                                              R"(,"ordering":"-id","page":2,"page_size":3})")));
    CHECK(ids_of(p) == std::vector<std::int64_t>{a_ids[0]});
    CHECK(p.at("page") == 2);
    CHECK(p.at("page_size") == 3);
    CHECK(p.at("count") == 4);
    // a cursor walk gives the same order as one page
    p = e.list("messages", crm::Query().where("customer_id", a).ordering("-created_at").page_size(2));
    REQUIRE(p.at("next_cursor").is_string());
    std::vector<std::int64_t> walked = ids_of(p);
    p = e.list("messages", crm::Query()
                               .where("customer_id", a)
                               .ordering("-created_at")
                               .page_size(2)
                               .cursor(p.at("next_cursor").as_string()));
    for (auto id : ids_of(p)) walked.push_back(id);
    CHECK(p.at("next_cursor").is_null());
    CHECK(walked == std::vector<std::int64_t>{a_ids[3], a_ids[2], a_ids[0], a_ids[1]});
    // the other customer; a customer without messages
    CHECK(e.list("messages", crm::Query().where("customer_id", b)).at("count") == 2);
    CHECK(e.list("messages", crm::Query().where("customer_id", 99999)).at("count") == 0);
    CHECK(message_count(e) == 6);
    // filters on context and id
    CHECK(ids_of(e.list("messages", crm::Query().where("context", "a3"))) == std::vector<std::int64_t>{a_ids[2]});
    CHECK(ids_of(e.list("messages", crm::Query().where("id", a_ids[1]))) == std::vector<std::int64_t>{a_ids[1]});
    // typed API
    auto typed = e.messages().list(crm::Query().where("customer_id", a).ordering("-id").limit(2));
    CHECK(typed.count == std::optional<std::int64_t>(4));
    REQUIRE(typed.results.size() == 2);
    CHECK(typed.results[0].context == "a4");
    CHECK(typed.results[1].context == "a3");
    // what cannot be sorted or filtered names the key
    auto bad = [&](const crm::Query& q, const Fields& fields) {
        expect_error([&] { e.list("messages", q); }, crm::Status::invalid, fields);
    };
    bad(crm::Query().ordering("context"), {"ordering"});
    bad(crm::Query().ordering("-customer_id"), {"ordering"});
    bad(crm::Query().where("customer", a), {"customer"});
    bad(crm::Query().sortby("number"), {"sortby", "direction"});
}

TEST_CASE("messages: deleting a customer without orders deletes its messages", "[messages][customers]") {
    crm::Engine e(":memory:");
    const auto a = new_customer(e, "A");
    const auto b = new_customer(e, "B");
    const auto ma = id_of(e.create("messages", message(a, "of a")));
    const auto mb = id_of(e.create("messages", message(b, "of b")));
    e.remove("customers", a);
    CHECK(code_of([&] { e.get("messages", ma); }) == crm::Status::not_found);
    CHECK(e.list("messages", crm::Query().where("customer_id", a)).at("count") == 0);
    CHECK(e.list("messages").at("count") == 1);
    CHECK(e.get("messages", mb).at("context") == "of b");
    // no new message for the deleted customer
    expect_error([&] { e.create("messages", message(a, "late")); }, crm::Status::invalid, {"customer_id"});
}

// Listing customers: paging (page/page_size, offset/limit), defaults, bounds,
// ordering, count, and the crm::Query builder (spec/query.md).
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace json = boost::json;
using namespace crm_test;

namespace {

json::object list(crm::Engine& e, std::string_view query) {
    INFO("query: " << query);
    return e.list("customers", crm::Query::from_json(json::parse(query)));
}

// The query is refused as invalid; returns the error.
crm::Error refused(crm::Engine& e, std::string_view query) {
    INFO("query: " << query);
    return list_refused(e, json::parse(query));
}

// Seven customers whose default order is the reverse of their ids:
// last names L7, L6, ..., L1 created in that order.
Ids seed_seven(crm::Engine& e) {
    Ids ids;
    for (int i = 7; i >= 1; --i)
        ids.push_back(id_of(e.create("customers", json::object{{"last_name", "L" + std::to_string(i)}})));
    return Ids(ids.rbegin(), ids.rend());  // in default (last_name) order
}

Ids slice(const Ids& v, std::size_t from, std::size_t n) {
    Ids out;
    for (std::size_t i = from; i < v.size() && i < from + n; ++i) out.push_back(v[i]);
    return out;
}

}  // namespace

TEST_CASE("list: page/page_size paging with exact ids", "[customers][list]") {
    crm::Engine e(":memory:");
    const Ids ordered = seed_seven(e);

    const auto p1 = list(e, R"({"page":1,"page_size":3})");
    CHECK(keys_of(p1) == Fields{"count", "results", "next_cursor", "page", "page_size"});
    CHECK(p1.at("count") == 7);
    CHECK(p1.at("page") == 1);
    CHECK(p1.at("page_size") == 3);
    CHECK(ids_of(p1) == slice(ordered, 0, 3));

    const auto p2 = list(e, R"({"page":2,"page_size":3})");
    CHECK(ids_of(p2) == slice(ordered, 3, 3));
    CHECK(p2.at("count") == 7);
    CHECK(p2.at("page") == 2);

    const auto p3 = list(e, R"({"page":3,"page_size":3})");
    CHECK(ids_of(p3) == slice(ordered, 6, 3));
    CHECK(p3.at("count") == 7);
    CHECK(p3.at("next_cursor").is_null());

    // Past the end: no results, the right count.
    const auto p4 = list(e, R"({"page":4,"page_size":3})");
    CHECK(ids_of(p4).empty());
    CHECK(p4.at("count") == 7);
    CHECK(p4.at("page") == 4);
    CHECK(p4.at("next_cursor").is_null());
    const auto far = list(e, R"({"page":1000,"page_size":1000})");
    CHECK(ids_of(far).empty());
    CHECK(far.at("count") == 7);

    // One page holding all, and pages of one.
    CHECK(ids_of(list(e, R"({"page_size":7})")) == ordered);
    CHECK(ids_of(list(e, R"({"page":5,"page_size":1})")) == Ids{ordered[4]});
    // page_size alone means page 1; page alone means page_size 50.
    const auto only_size = list(e, R"({"page_size":2})");
    CHECK(only_size.at("page") == 1);
    CHECK(ids_of(only_size) == slice(ordered, 0, 2));
    const auto only_page = list(e, R"({"page":1})");
    CHECK(only_page.at("page_size") == 50);
    CHECK(ids_of(only_page) == ordered);
}

TEST_CASE("list: offset/limit paging with exact ids", "[customers][list]") {
    crm::Engine e(":memory:");
    const Ids ordered = seed_seven(e);

    const auto a = list(e, R"({"offset":2,"limit":3})");
    CHECK(keys_of(a) == Fields{"count", "results", "next_cursor", "offset", "limit"});
    CHECK(a.at("offset") == 2);
    CHECK(a.at("limit") == 3);
    CHECK(a.at("count") == 7);
    CHECK(ids_of(a) == slice(ordered, 2, 3));

    CHECK(ids_of(list(e, R"({"offset":0,"limit":1})")) == Ids{ordered[0]});
    CHECK(ids_of(list(e, R"({"offset":6,"limit":3})")) == Ids{ordered[6]});
    const auto end = list(e, R"({"offset":7,"limit":3})");
    CHECK(ids_of(end).empty());
    CHECK(end.at("count") == 7);
    CHECK(ids_of(list(e, R"({"offset":100,"limit":1000})")).empty());

    const auto only_limit = list(e, R"({"limit":2})");
    CHECK(keys_of(only_limit) == Fields{"count", "results", "next_cursor", "offset", "limit"});
    CHECK(only_limit.at("offset") == 0);
    CHECK(ids_of(only_limit) == slice(ordered, 0, 2));

    const auto only_offset = list(e, R"({"offset":5})");
    CHECK(keys_of(only_offset) == Fields{"count", "results", "next_cursor", "offset", "limit"});
    CHECK(only_offset.at("limit") == 100);  // seed 001's default (seed-map.md)
    CHECK(ids_of(only_offset) == slice(ordered, 5, 100));
}

TEST_CASE("list: defaults are page 1 of 50", "[customers][list]") {
    crm::Engine e(":memory:");
    const auto empty = e.list("customers");
    CHECK(empty.at("count") == 0);
    CHECK(empty.at("results") == json::array{});
    CHECK(empty.at("next_cursor").is_null());

    Ids created;
    for (int i = 0; i < 55; ++i) {
        // Same last name for all: the id tie-breaker gives creation order.
        created.push_back(id_of(e.create("customers", json::object{{"last_name", "Same"}})));
    }
    const auto p = e.list("customers");
    CHECK(keys_of(p) == Fields{"count", "results", "next_cursor", "page", "page_size"});
    CHECK(p.at("page") == 1);
    CHECK(p.at("page_size") == 50);
    CHECK(p.at("count") == 55);
    CHECK(ids_of(p) == slice(created, 0, 50));
    CHECK(ids_of(e.list("customers", crm::Query::from_json(json::object{}))) == slice(created, 0, 50));
    CHECK(ids_of(e.list("customers", crm::Query::from_json(nullptr))) == slice(created, 0, 50));
    CHECK(ids_of(list(e, R"({"page":2})")) == slice(created, 50, 50));

    // Each result is a whole customer, as get returns it.
    const auto& first = p.at("results").as_array().at(0).as_object();
    CHECK(first == e.get("customers", created[0]));

    const crm::Page<crm::Customer> typed = e.customers().list();
    CHECK(typed.count == std::optional<std::int64_t>(55));
    CHECK(typed.page == std::optional<std::int64_t>(1));
    CHECK(typed.page_size == std::optional<std::int64_t>(50));
    CHECK_FALSE(typed.offset.has_value());
    CHECK_FALSE(typed.limit.has_value());
    REQUIRE(typed.results.size() == 50);
    CHECK(typed.results.front().id == created[0]);
    CHECK(typed.results.back().id == created[49]);
}

TEST_CASE("list: paging bounds and types are checked, naming the key", "[customers][list]") {
    crm::Engine e(":memory:");
    seed_seven(e);
    struct Bad {
        const char* query;
        Fields fields;
    };
    for (const auto& [query, fields] : {
             Bad{R"({"page":0})", {"page"}},
             Bad{R"({"page":-1})", {"page"}},
             Bad{R"({"page_size":0})", {"page_size"}},
             Bad{R"({"page_size":1001})", {"page_size"}},
             Bad{R"({"page_size":-5})", {"page_size"}},
             Bad{R"({"limit":1001})", {"limit"}},
             Bad{R"({"limit":0})", {"limit"}},
             Bad{R"({"offset":-1})", {"offset"}},
             Bad{R"({"page":"x"})", {"page"}},
             Bad{R"({"page":1.5})", {"page"}},
             Bad{R"({"page_size":true})", {"page_size"}},
             Bad{R"({"offset":"zero"})", {"offset"}},
             Bad{R"({"count":"maybe"})", {"count"}},
             Bad{R"({"count":2})", {"count"}},
             Bad{R"({"ordering":5})", {"ordering"}},
             Bad{R"({"page":0,"page_size":1001})", {"page", "page_size"}},
             Bad{R"({"foo":1})", {"foo"}},
             Bad{R"({"foo":1,"bar":"x"})", {"foo", "bar"}},
             Bad{R"({"page":1,"Page_Size":10})", {"Page_Size"}},
         }) {
        INFO("query: " << query);
        CHECK(field_names(refused(e, query)) == fields);
    }
    // The edges themselves are fine.
    CHECK(list(e, R"({"page_size":1000})").at("page_size") == 1000);
    CHECK(list(e, R"({"page_size":1})").at("results").as_array().size() == 1);
    CHECK(list(e, R"({"limit":1000})").at("limit") == 1000);
    CHECK(list(e, R"({"limit":1,"offset":0})").at("results").as_array().size() == 1);
}

TEST_CASE("list: mixing paging styles is invalid, naming a key", "[customers][list]") {
    crm::Engine e(":memory:");
    seed_seven(e);
    struct Mix {
        const char* query;
        Fields keys;
    };
    for (const auto& [query, keys] : {
             Mix{R"({"page":1,"offset":0})", {"page", "offset"}},
             Mix{R"({"page":2,"limit":5})", {"page", "limit"}},
             Mix{R"({"page_size":10,"limit":10})", {"page_size", "limit"}},
             Mix{R"({"page_size":10,"offset":3})", {"page_size", "offset"}},
             Mix{R"({"page":1,"page_size":2,"offset":0,"limit":2})", {"page", "page_size", "offset", "limit"}},
         }) {
        INFO("query: " << query);
        const auto err = refused(e, query);
        const Fields named = field_names(err);
        CHECK_FALSE(named.empty());
        for (const auto& f : named) {
            INFO("named: " << f);
            CHECK(keys.count(f) == 1);
        }
    }
}

TEST_CASE("list: default ordering is company, last, first name, case-insensitive, nulls first, then id",
          "[customers][list][ordering]") {
    crm::Engine e(":memory:");
    auto make = [&](std::string_view body) { return id_of(e.create("customers", json::parse(body))); };
    const auto c1 = make(R"({"company_name":"beta","last_name":"a"})");
    const auto c2 = make(R"({"last_name":"Zed","first_name":"b"})");
    const auto c3 = make(R"({"last_name":"zed","first_name":"A"})");
    const auto c4 = make(R"({"kind":"company","company_name":"Alpha"})");
    const auto c5 = make(R"({"first_name":"x"})");
    const auto c6 = make(R"({"company_name":"alpha"})");
    const auto c7 = make(R"({"company_name":"ALPHA","last_name":"b"})");

    const Ids expected{c5, c3, c2, c4, c6, c7, c1};
    CHECK(ids_of(e.list("customers")) == expected);
    // Paging walks the same order.
    CHECK(ids_of(list(e, R"({"page":2,"page_size":3})")) == Ids{c4, c6, c7});
    CHECK(ids_of(list(e, R"({"offset":5,"limit":5})")) == Ids{c7, c1});
}

TEST_CASE("list: ordering by several fields, descending with '-'", "[customers][list][ordering]") {
    crm::Engine e(":memory:");
    auto make = [&](std::string_view body) { return id_of(e.create("customers", json::parse(body))); };
    const auto c1 = make(R"({"company_name":"beta","last_name":"a","status":2})");
    const auto c2 = make(R"({"last_name":"Zed","first_name":"b","status":1})");
    const auto c3 = make(R"({"last_name":"zed","first_name":"A","status":2})");
    const auto c4 = make(R"({"kind":"company","company_name":"Alpha","status":0})");
    const auto c5 = make(R"({"first_name":"x","status":1})");
    const auto c6 = make(R"({"company_name":"alpha","status":0})");
    const auto c7 = make(R"({"company_name":"ALPHA","last_name":"b","status":2})");

    auto order = [&](std::string_view ordering) {
        INFO("ordering: " << ordering);
        return ids_of(e.list("customers", crm::Query().ordering(ordering)));
    };
    CHECK(order("id") == Ids{c1, c2, c3, c4, c5, c6, c7});
    CHECK(order("-id") == Ids{c7, c6, c5, c4, c3, c2, c1});
    CHECK(order("-company_name") == Ids{c1, c4, c6, c7, c2, c3, c5});  // nulls last descending
    CHECK(order("company_name") == Ids{c2, c3, c5, c4, c6, c7, c1});   // nulls first ascending
    CHECK(order("last_name,-first_name") == Ids{c5, c4, c6, c1, c7, c2, c3});
    CHECK(order("-last_name") == Ids{c2, c3, c7, c1, c4, c5, c6});
    CHECK(order("first_name") == Ids{c1, c4, c6, c7, c3, c2, c5});
    CHECK(order("status,-id") == Ids{c6, c4, c5, c2, c7, c3, c1});
    CHECK(order("-status,last_name") == Ids{c1, c7, c3, c5, c2, c4, c6});
    // Paging with an ordering.
    CHECK(ids_of(e.list("customers", crm::Query().ordering("-id").page(2).page_size(2))) == Ids{c5, c4});
    CHECK(ids_of(e.list("customers", crm::Query().ordering("status,-id").offset(3).limit(3))) ==
          Ids{c2, c7, c3});

    // Every declared sortable field is accepted.
    for (const char* f : {"id", "first_name", "last_name", "company_name", "email", "status", "channel_code",
                          "date_of_birth", "date_joined", "credit_cents", "created_at", "updated_at"}) {
        INFO("sortable: " << f);
        CHECK(order(f).size() == 7);
        CHECK(order(std::string("-") + f).size() == 7);
    }
}

TEST_CASE("list: an unknown or unsortable ordering field is invalid, naming it", "[customers][list][ordering]") {
    crm::Engine e(":memory:");
    seed_seven(e);
    struct Bad {
        const char* ordering;
        const char* name;
    };
    for (const auto& [ordering, name] : {Bad{"bogus", "bogus"}, Bad{"-bogus", "bogus"},
                                         Bad{"last_name,bogus", "bogus"}, Bad{"full_name", "full_name"},
                                         Bad{"age", "age"}, Bad{"coupons", "coupons"}, Bad{"attributes", "attributes"},
                                         Bad{"id;DROP TABLE customers", "DROP"}}) {
        INFO("ordering: " << ordering);
        auto err = error_of([&] { e.list("customers", crm::Query().ordering(ordering)); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::invalid);
        CHECK_FALSE(err->errors().empty());
        CHECK(err->to_json().find(name) != std::string::npos);
    }
    CHECK(e.list("customers").at("count") == 7);
}

TEST_CASE("list: \"count\": false gives a null count", "[customers][list]") {
    crm::Engine e(":memory:");
    const Ids ordered = seed_seven(e);
    for (const char* q : {R"({"count":false,"page_size":3})", R"({"count":"false","page_size":3})",
                          R"({"count":0,"page_size":3})"}) {
        INFO("query: " << q);
        const auto p = list(e, q);
        CHECK(p.at("count").is_null());
        CHECK(ids_of(p) == slice(ordered, 0, 3));
    }
    for (const char* q : {R"({"count":true})", R"({"count":"true"})", R"({"count":1})"}) {
        INFO("query: " << q);
        CHECK(list(e, q).at("count") == 7);
    }
    const auto typed = e.customers().list(crm::Query().count(false).limit(2));
    CHECK_FALSE(typed.count.has_value());
    REQUIRE(typed.results.size() == 2);
    CHECK(typed.results[0].id == ordered[0]);
    CHECK(typed.offset == std::optional<std::int64_t>(0));
    CHECK(typed.limit == std::optional<std::int64_t>(2));
    CHECK_FALSE(typed.page.has_value());
}

TEST_CASE("list_text: the page as text, also into a buffer the caller keeps", "[customers][list]") {
    crm::Engine e(":memory:");
    const Ids ordered = seed_seven(e);
    const auto q = crm::Query::from_json(json::parse(R"({"page_size":3,"ordering":"-id"})"));
    const std::string text = e.list_text("customers", q);
    CHECK(json::parse(text) == json::value(e.list("customers", q)));
    std::string buffer = "left over from before";
    e.list_text("customers", q, buffer);
    CHECK(buffer == text);
    // Reused for a shorter page, and for another collection: cleared each time.
    e.list_text("customers", crm::Query().page_size(1).count(false), buffer);
    const auto one = json::parse(buffer).as_object();
    CHECK(one.at("count").is_null());
    CHECK(ids_of(one) == slice(ordered, 0, 1));
    e.list_text("orders", crm::Query(), buffer);
    CHECK(buffer == R"({"count":0,"results":[],"next_cursor":null,"page":1,"page_size":50})");
    // An unknown collection: not_found, and the buffer is left empty.
    try {
        e.list_text("nope", crm::Query(), buffer);
        FAIL("an unknown collection was listed");
    } catch (const crm::Error& err) {
        CHECK(err.code() == crm::Status::not_found);
    }
    CHECK(buffer.empty());
}

TEST_CASE("crm::Query builder equals its JSON form", "[customers][list][query]") {
    const auto built = crm::Query().page(2).page_size(3).ordering("-id").count(false);
    const auto from = crm::Query::from_json(json::parse(R"({"page":2,"page_size":3,"ordering":"-id","count":false})"));
    CHECK(json::value(built.json()) == json::value(from.json()));
    CHECK(built.json() == json::parse(R"({"page":2,"page_size":3,"ordering":"-id","count":false})").as_object());
    CHECK(crm::Query().offset(4).limit(9).json() == json::parse(R"({"offset":4,"limit":9})").as_object());
    CHECK(crm::Query().cursor("abc").json() == json::parse(R"({"cursor":"abc"})").as_object());
    CHECK(crm::Query().where("email__startswith", "ann").json() ==
          json::parse(R"({"email__startswith":"ann"})").as_object());
    CHECK(crm::Query().json().empty());
    CHECK(crm::Query::from_json(nullptr).json().empty());
    for (const char* bad : {"[1]", "\"page\"", "5", "true"}) {
        INFO("json: " << bad);
        auto err = error_of([&] { (void)crm::Query::from_json(json::parse(bad)); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::invalid);
    }

    crm::Engine e(":memory:");
    const Ids ordered = seed_seven(e);
    const auto a = e.list("customers", built);
    const auto b = e.list("customers", from);
    CHECK(a == b);
    CHECK(a.at("count").is_null());
    CHECK(a.at("page") == 2);
    CHECK(a.at("page_size") == 3);
    // -id: the reverse of creation order, which is `ordered` itself (created L7..L1).
    CHECK(ids_of(a) == slice(ordered, 3, 3));

    const auto typed = e.customers().list(built);
    CHECK_FALSE(typed.count.has_value());
    CHECK(typed.page == std::optional<std::int64_t>(2));
    CHECK(typed.page_size == std::optional<std::int64_t>(3));
    REQUIRE(typed.results.size() == 3);
    CHECK(typed.results[0].id == ordered[3]);
    CHECK(typed.results[2].id == ordered[5]);
}

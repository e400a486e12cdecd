// list_text() of customers streams each row from the store into the text
// (one reused row, JSON object fields copied as stored): it must equal the
// serialised list() exactly, whatever the rows before each one held, and
// refuse JSON the engine did not store.
#include "support.hpp"

#include <crm/engine.hpp>

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace json = boost::json;
using namespace crm_test;

namespace {

// A customer with every optional field set, its JSON fields nested, with
// escapes, non-ASCII text, doubles and large integers in them.
json::object full_customer(const std::string& tag) {
    return json::parse(R"({
        "first_name": "Éloïse", "last_name": ")" + tag + R"(", "company_name": "Thé \"Noir\" & Co",
        "email": ")" + tag + R"(@example.com", "phone": "+33 1 23 45 67 89", "mobile": "+33 6 00 00 00 00",
        "gender": "female", "date_of_birth": "1990-02-28", "note": "line 1\nline 2\ttabbed \\ back",
        "channel_id": 7, "channel_code": "web", "erp_code": "E-)" + tag + R"(", "crm_id": "C-)" + tag + R"(",
        "ref_id": "R-)" + tag + R"(", "account": "acc", "loyalty_card": "card)" + tag + R"(",
        "coupons": ["SPRING", "VIP-)" + tag + R"("],
        "attributes": {"tier": "gold", "score": 1.5, "big": 9007199254740993, "tags": ["a", {"b": null}],
                       "quote": "say \"hi\"\u0001", "ünï": "çödé"},
        "extra_field": {"nested": {"deep": [true, false, -0.25]}, "empty": {}},
        "localized_attributes": {"fr": {"name": "Thé"}, "ja": {"name": "緑茶"}}
    })").as_object();
}

}  // namespace

TEST_CASE("list_text of customers is the serialised list, row after row of every shape", "[customers][list]") {
    crm::Engine e(":memory:");
    // Full, bare, full, bare...: each row is read over the one before it.
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 6; ++i) {
        const json::object body = i % 2 == 0 ? full_customer("T" + std::to_string(i))
                                             : json::object{{"email", "bare" + std::to_string(i) + "@example.com"}};
        ids.push_back(id_of(e.create("customers", body)));
    }
    for (const char* q : {R"({"ordering":"id"})", R"({"ordering":"-id","page_size":4})",
                          R"({"ordering":"id","page_size":1,"count":false})", R"({"offset":1,"limit":3,"ordering":"id"})",
                          R"({"attributes__tier":"gold","ordering":"id"})", R"({"q":"eloise"})"}) {
        INFO("query: " << q);
        const auto query = crm::Query::from_json(json::parse(q));
        const std::string text = e.list_text("customers", query);
        CHECK(text == json::serialize(json::value(e.list("customers", query))));
    }
    // The bare rows hold nothing of the full rows read before them.
    const auto page = parse_obj(e.list_text("customers", crm::Query().ordering("id")));
    const auto& rows = page.at("results").as_array();
    REQUIRE(rows.size() == 6);
    const auto& full = rows[0].as_object();
    CHECK(full.at("attributes") == json::parse(R"({"tier":"gold","score":1.5,"big":9007199254740993,
        "tags":["a",{"b":null}],"quote":"say \"hi\"\u0001","ünï":"çödé"})"));
    CHECK(full.at("localized_attributes").at("ja").at("name") == "緑茶");
    CHECK(full.at("coupons") == json::parse(R"(["SPRING","VIP-T0"])"));
    CHECK(full.at("full_name") == "Éloïse T0");
    const auto& bare = rows[1].as_object();
    CHECK(bare.at("id") == ids[1]);
    CHECK(bare.at("email") == "bare1@example.com");
    for (const char* k : {"first_name", "last_name", "company_name", "phone", "mobile", "date_of_birth", "age", "note",
                          "channel_id", "channel_code", "erp_code", "crm_id", "ref_id", "account", "loyalty_card"}) {
        INFO("field: " << k);
        CHECK(bare.at(k).is_null());
    }
    CHECK(bare.at("full_name") == "");
    CHECK(bare.at("gender") == "unknown");
    CHECK(bare.at("coupons") == json::array());
    CHECK(bare.at("attributes") == json::object());
    CHECK(bare.at("extra_field") == json::object());
    CHECK(bare.at("localized_attributes") == json::object());
    CHECK(rows[2].at("last_name") == "T2");
    CHECK(rows[2].at("loyalty_card") == "cardT2");
}

TEST_CASE("a stored JSON field the engine did not write is an io error, and no text", "[customers][list]") {
    TempDir dir("list-text-");
    const std::string path = dir.file("c.db");
    std::int64_t id = 0;
    {
        crm::Engine e(path);
        id = id_of(e.create("customers", json::object{{"email", "a@example.com"}, {"attributes", {{"k", 1}}}}));
        e.create("customers", json::object{{"email", "b@example.com"}});
    }
    for (const char* column : {"attributes", "extra_field", "localized_attributes"}) {
        for (const char* stored : {R"({"k":)", "[1]", R"({"k":1} x)", "", "\"text\"", "{\"k\":\"\xff\"}"}) {
            INFO(column << " stored as: " << stored);
            {
                SQLite::Database db(path, SQLite::OPEN_READWRITE);
                SQLite::Statement u(db, std::string("UPDATE customers SET ") + column + " = ? WHERE id = ?");
                u.bind(1, stored);
                u.bind(2, id);
                REQUIRE(u.exec() == 1);
            }
            crm::Engine e(path);
            std::string buffer = "left over";
            const auto err = error_of([&] { e.list_text("customers", crm::Query(), buffer); });
            REQUIRE(err.has_value());
            CHECK(err->code() == crm::Status::io);
            CHECK(buffer.empty());
            CHECK(code_of([&] { (void)e.list("customers", crm::Query()); }) == crm::Status::io);
            CHECK(code_of([&] { (void)e.get("customers", id); }) == crm::Status::io);
            // The other customer still reads, alone on its page.
            const auto other = parse_obj(e.list_text("customers", crm::Query().where("email", "b@example.com")));
            CHECK(other.at("count") == 1);
        }
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec(std::string("UPDATE customers SET ") + column + " = '{}'");
    }
}

namespace {

// Every id of `collection` under `ordering`, page by page with cursors.
std::vector<std::int64_t> keyset_ids(crm::Engine& e, const char* collection, const char* ordering, int page_size) {
    std::vector<std::int64_t> out;
    std::optional<std::string> cursor;
    for (int pages = 0; pages < 1000; ++pages) {
        crm::Query q = crm::Query().ordering(ordering).page_size(page_size).count(false);
        if (cursor) q.cursor(*cursor);
        const auto page = parse_obj(e.list_text(collection, q));
        for (const auto& r : page.at("results").as_array()) out.push_back(r.at("id").as_int64());
        if (page.at("next_cursor").is_null()) return out;
        cursor = std::string(page.at("next_cursor").as_string());
    }
    FAIL("the cursors never ended");
    return out;
}

std::vector<std::int64_t> all_ids(crm::Engine& e, const char* collection, const char* ordering) {
    return ids_of(e.list(collection, crm::Query().ordering(ordering).page_size(1000)));
}

}  // namespace

TEST_CASE("keyset pages cross from NULL sort keys to set ones, each key kind", "[list][paging][cursor]") {
    crm::Engine e(":memory:");
    for (int i = 0; i < 23; ++i) {
        json::object c{{"last_name", "L" + std::to_string(i % 4)}};
        if (i % 3 == 0) c["email"] = "m" + std::to_string(i) + "@example.com";  // lower_text
        if (i % 2 == 0) c["date_of_birth"] = "19" + std::to_string(50 + i % 6) + "-01-01";  // date_text
        if (i % 4 == 1) c["company_name"] = i % 8 == 1 ? "Acme" : "Bolt";                // nocase_text
        const auto id = id_of(e.create("customers", c));
        json::object o{{"customer_id", id}};
        if (i % 3 == 1) o["status"] = "submitted";  // submit_date set; NULL for the others (nullable_int)
        e.create("orders", o);
    }
    for (const char* ordering : {"email", "-email", "date_of_birth", "-date_of_birth", "company_name,-last_name",
                                 "-company_name,email"}) {
        INFO("customers ordered by " << ordering);
        const auto expected = all_ids(e, "customers", ordering);
        REQUIRE(expected.size() == 23);
        for (int size : {1, 4, 7}) CHECK(keyset_ids(e, "customers", ordering, size) == expected);
    }
    for (const char* ordering : {"submit_date", "-submit_date", "-submit_date,-number"}) {
        INFO("orders ordered by " << ordering);
        const auto expected = all_ids(e, "orders", ordering);
        REQUIRE(expected.size() == 23);
        for (int size : {1, 4, 7}) CHECK(keyset_ids(e, "orders", ordering, size) == expected);
    }
}

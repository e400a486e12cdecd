// Opening an engine: options (typed and JSON), ":memory:", files, reopening,
// refused files (missing folder, not a database, not a crm database, newer
// schema), migration from an old schema, and moving an Engine.
#include <crm/crm.hpp>

#include "support.hpp"

#include "storage/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

namespace json = boost::json;
using namespace crm_test;
namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// Expects opening `path` to fail with IoError; returns its message.
std::string io_error_opening(const std::string& path) {
    INFO("path: " << path);
    try {
        crm::Engine e(path);
        FAIL("the engine opened " << path);
    } catch (const crm::IoError& err) {
        CHECK(err.code() == crm::Status::io);
        CHECK(json::parse(err.to_json()).at("code") == "io");
        return err.what();
    } catch (const crm::Error& err) {
        FAIL("expected io, got " << err.to_json());
    }
    return {};
}

}  // namespace

TEST_CASE("options: defaults, typed values, JSON form", "[engine][options]") {
    const crm::Options d;
    CHECK(d.credit_rate == "0.5");
    CHECK(d.max_refusals == 3);
    CHECK(d.credit_limit_multiplier == 10);
    CHECK(d.busy_timeout_ms == 5000);
    CHECK_NOTHROW(d.validate());

    const auto n = crm::Options::from_json(nullptr);
    CHECK(n.credit_rate == "0.5");
    CHECK(n.max_refusals == 3);
    CHECK(n.credit_limit_multiplier == 10);
    CHECK(n.busy_timeout_ms == 5000);
    const auto empty = crm::Options::from_json(json::object{});
    CHECK(empty.busy_timeout_ms == 5000);

    const auto j = crm::Options::from_json(json::parse(
        R"({"credit_rate":"0.25","max_refusals":5,"credit_limit_multiplier":2,"busy_timeout_ms":100})"));
    CHECK(j.credit_rate == "0.25");
    CHECK(j.max_refusals == 5);
    CHECK(j.credit_limit_multiplier == 2);
    CHECK(j.busy_timeout_ms == 100);
    const auto partial = crm::Options::from_json(json::parse(R"({"busy_timeout_ms":250})"));
    CHECK(partial.busy_timeout_ms == 250);
    CHECK(partial.credit_rate == "0.5");
    CHECK(partial.max_refusals == 3);

    for (const char* rate : {"0", "1", "0.125", "0.5", "1.0", "0.999"}) {
        INFO("credit_rate: " << rate);
        CHECK(crm::Options::from_json(json::object{{"credit_rate", rate}}).credit_rate == rate);
    }

    crm::Options typed;
    typed.credit_rate = "0.25";
    typed.busy_timeout_ms = 1234;
    typed.max_refusals = 0;
    crm::Engine e(":memory:", typed);
    CHECK(e.options().credit_rate == "0.25");
    CHECK(e.options().busy_timeout_ms == 1234);
    CHECK(e.options().max_refusals == 0);
    CHECK(e.options().credit_limit_multiplier == 10);
    crm::Engine e2(":memory:", j);
    CHECK(e2.options().max_refusals == 5);
    crm::Engine e3(":memory:");
    CHECK(e3.options().credit_rate == "0.5");
}

TEST_CASE("options: unknown keys and bad values are invalid, each named", "[engine][options]") {
    struct Bad {
        const char* json;
        Fields fields;
    };
    for (const auto& [text, fields] : {
             Bad{R"({"foo":1})", {"foo"}},
             Bad{R"({"Credit_Rate":"0.5"})", {"Credit_Rate"}},
             Bad{R"({"credit_rate":"1.5"})", {"credit_rate"}},
             Bad{R"({"credit_rate":"1.01"})", {"credit_rate"}},
             Bad{R"({"credit_rate":"-0.1"})", {"credit_rate"}},
             Bad{R"({"credit_rate":"abc"})", {"credit_rate"}},
             Bad{R"({"credit_rate":"0.5.1"})", {"credit_rate"}},
             Bad{R"({"credit_rate":"1e-1"})", {"credit_rate"}},
             Bad{R"({"credit_rate":0.5})", {"credit_rate"}},
             Bad{R"({"max_refusals":-1})", {"max_refusals"}},
             Bad{R"({"max_refusals":"3"})", {"max_refusals"}},
             Bad{R"({"credit_limit_multiplier":-1})", {"credit_limit_multiplier"}},
             Bad{R"({"credit_limit_multiplier":1.5})", {"credit_limit_multiplier"}},
             Bad{R"({"busy_timeout_ms":-1})", {"busy_timeout_ms"}},
             Bad{R"({"busy_timeout_ms":true})", {"busy_timeout_ms"}},
             Bad{R"({"foo":1,"bar":2})", {"foo", "bar"}},
             Bad{R"({"foo":1,"credit_rate":"2","max_refusals":-1})", {"foo", "credit_rate", "max_refusals"}},
             Bad{R"({"credit_rate":"2","busy_timeout_ms":-5})", {"credit_rate", "busy_timeout_ms"}},
         }) {
        INFO("options: " << text);
        auto err = error_of([&] { (void)crm::Options::from_json(json::parse(text)); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::invalid);
        CHECK(field_names(*err) == fields);
    }
    for (const char* text : {"[]", "\"x\"", "5", "true"}) {
        INFO("options: " << text);
        auto err = error_of([&] { (void)crm::Options::from_json(json::parse(text)); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::invalid);
    }

    crm::Options bad;
    bad.credit_rate = "2";
    bad.busy_timeout_ms = -1;
    auto err = error_of([&] { bad.validate(); });
    REQUIRE(err.has_value());
    CHECK(err->code() == crm::Status::invalid);
    CHECK(field_names(*err) == Fields{"credit_rate", "busy_timeout_ms"});
    CHECK_THROWS_AS(crm::Engine(":memory:", bad), crm::InvalidError);

    TempDir dir;
    const std::string path = dir.file("opts.db");
    CHECK_THROWS_AS(crm::Engine(path, bad), crm::InvalidError);
}

TEST_CASE("\":memory:\" engines are independent", "[engine][open]") {
    crm::Engine a(":memory:");
    crm::Engine b(":memory:");
    a.create("customers", json::object{{"first_name", "A"}});
    CHECK(a.list("customers").at("count") == 1);
    CHECK(b.list("customers").at("count") == 0);
}

TEST_CASE("a file keeps its data when reopened", "[engine][open]") {
    TempDir dir;
    const std::string path = dir.file("crm.db");
    json::object a, b;
    json::object page;
    {
        crm::Engine e(path);
        a = e.create("customers", json::parse(R"({"first_name":"Ann","email":"Ann@X.com","coupons":["A","B"],
                                                  "attributes":{"k":{"n":1}},"date_of_birth":"1990-05-17",
                                                  "loyalty_card":33,"archived":true})"));
        b = e.create("customers", json::parse(R"({"kind":"company","company_name":"Acme"})"));
        e.update("customers", id_of(b), json::parse(R"({"note":"n"})"));
        b = e.get("customers", id_of(b));
        page = e.list("customers");
    }
    CHECK(fs::exists(path));
    {
        crm::Engine e(path);
        CHECK(e.get("customers", id_of(a)) == a);
        CHECK(e.get("customers", id_of(b)) == b);
        CHECK(e.list("customers") == page);
        // Uniqueness survives too.
        auto err = error_of([&] { e.create("customers", json::parse(R"({"email":"ann@x.COM"})")); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::conflict);
        const auto c = e.create("customers", json::object{});
        CHECK(id_of(c) > id_of(b));
    }
    {
        crm::Engine e(path);
        CHECK(e.list("customers").at("count") == 3);
    }
    {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        CHECK(crm::storage::schema_version(db) == crm::storage::latest_schema_version());
    }
}

TEST_CASE("an empty existing file is opened as a new database", "[engine][open]") {
    TempDir dir;
    const std::string path = dir.file("empty.db");
    { std::ofstream(path, std::ios::binary); }
    REQUIRE(fs::file_size(path) == 0);
    crm::Engine e(path);
    CHECK(e.list("customers").at("count") == 0);
    e.create("customers", json::object{});
    CHECK(e.list("customers").at("count") == 1);
}

TEST_CASE("files that cannot be opened are IoError", "[engine][open]") {
    TempDir dir;
    SECTION("a path in a missing folder") {
        io_error_opening((dir.path / "no-such-folder" / "crm.db").string());
        CHECK_FALSE(fs::exists(dir.path / "no-such-folder"));
    }
    SECTION("a folder") { io_error_opening(dir.path.string()); }
    SECTION("a file that is not a database") {
        const std::string path = dir.file("garbage.db");
        {
            std::ofstream out(path, std::ios::binary);
            for (int i = 0; i < 200; ++i) out << "This is not an SQLite database, only garbage bytes. \x01\x02\xff";
        }
        const auto size = fs::file_size(path);
        io_error_opening(path);
        CHECK(fs::file_size(path) == size);  // left untouched
    }
    SECTION("an SQLite database that is not a crm database") {
        const std::string path = dir.file("other.db");
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            db.exec("CREATE TABLE foo (x INTEGER); INSERT INTO foo VALUES (1)");
        }
        io_error_opening(path);
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        CHECK_FALSE(db.tableExists("customers"));
    }
    SECTION("a schema newer than the library") {
        const std::string path = dir.file("newer.db");
        {
            crm::Engine e(path);
            e.create("customers", json::object{{"first_name", "Keep"}});
        }
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE);
            db.exec("UPDATE schema_version SET version = 999");
        }
        const std::string message = io_error_opening(path);
        INFO("message: " << message);
        CHECK(lower(message).find("newer") != std::string::npos);
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        CHECK(db.execAndGet("SELECT version FROM schema_version").getInt() == 999);
        CHECK(db.execAndGet("SELECT count(*) FROM customers").getInt() == 1);
    }
}

TEST_CASE("opening a file of an old schema migrates it and keeps its rows", "[engine][open][migration]") {
    TempDir dir;
    const std::string path = dir.file("v1.db");
    REQUIRE(crm::storage::latest_schema_version() >= 1);
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        CHECK(crm::storage::schema_version(db) == 0);
        crm::storage::migrate(db, 1);
        CHECK(crm::storage::schema_version(db) == 1);
        // A row in the shape of schema version 1 (timestamps in microseconds).
        db.exec(R"sql(
            INSERT INTO customers (id, uuid, kind, first_name, last_name, email, gender, date_of_birth, status,
                                   is_active, loyalty_card, coupons, date_joined, attributes, created_at, updated_at)
            VALUES (7, '1b4e28ba-2fa1-41d2-883f-0e1dd2e6f8f1', 'person', 'Old', 'Row', 'old@example.com', 'female',
                    '1980-02-03', 2, 1, '33', '["A","B"]', 1577872800000000, '{"k":"v"}',
                    1577872800000000, 1577872800000000))sql");
    }
    {
        crm::Engine e(path);
        const auto c = e.get("customers", 7);
        CHECK(c.at("uuid") == "1b4e28ba-2fa1-41d2-883f-0e1dd2e6f8f1");
        CHECK(c.at("full_name") == "Old Row");
        CHECK(c.at("email") == "old@example.com");
        CHECK(c.at("gender") == "female");
        CHECK(c.at("date_of_birth") == "1980-02-03");
        CHECK(c.at("status") == 2);
        CHECK(c.at("loyalty_card") == "33");
        CHECK(c.at("coupons") == json::array{"A", "B"});
        CHECK(c.at("attributes") == json::object{{"k", "v"}});
        CHECK(c.at("date_joined") == "2020-01-01T10:00:00Z");
        CHECK(c.at("created_at") == "2020-01-01T10:00:00Z");
        CHECK(c.at("updated_at") == "2020-01-01T10:00:00Z");
        CHECK(e.list("customers").at("count") == 1);
        // The migrated row still takes part in uniqueness, and stays writable.
        auto err = error_of([&] { e.create("customers", json::parse(R"({"email":"OLD@example.com"})")); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::conflict);
        const auto u = e.update("customers", 7, json::parse(R"({"coupons":["C"]})"));
        CHECK(u.at("coupons") == json::array{"C"});
        CHECK(id_of(e.create("customers", json::object{})) > 7);
    }
    {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        CHECK(crm::storage::schema_version(db) == crm::storage::latest_schema_version());
    }
    {
        // Reopening a migrated file is a no-op.
        crm::Engine e(path);
        CHECK(e.get("customers", 7).at("coupons") == json::array{"C"});
    }
}

TEST_CASE("storage::migrate refuses a newer schema and a foreign database", "[engine][migration]") {
    TempDir dir;
    {
        SQLite::Database db(dir.file("a.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        crm::storage::migrate(db);
        CHECK(crm::storage::schema_version(db) == crm::storage::latest_schema_version());
        crm::storage::migrate(db);  // idempotent
        CHECK(crm::storage::schema_version(db) == crm::storage::latest_schema_version());
        db.exec("UPDATE schema_version SET version = " + std::to_string(crm::storage::latest_schema_version() + 1));
        CHECK_THROWS_AS(crm::storage::migrate(db), crm::IoError);
    }
    {
        SQLite::Database db(dir.file("b.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE t (x)");
        CHECK_THROWS_AS(crm::storage::migrate(db), crm::IoError);
    }
}

TEST_CASE("Engine is movable, not copyable", "[engine]") {
    static_assert(!std::is_copy_constructible_v<crm::Engine>);
    static_assert(!std::is_copy_assignable_v<crm::Engine>);
    static_assert(std::is_nothrow_move_constructible_v<crm::Engine>);
    static_assert(std::is_nothrow_move_assignable_v<crm::Engine>);

    crm::Engine a(":memory:");
    const auto c = a.create("customers", json::object{{"first_name", "Moved"}});
    crm::Engine b(std::move(a));
    CHECK(b.get("customers", id_of(c)) == c);
    b.create("customers", json::object{});
    CHECK(b.list("customers").at("count") == 2);

    crm::Engine d(":memory:");
    d.create("customers", json::object{});
    d = std::move(b);
    CHECK(d.get("customers", id_of(c)) == c);
    CHECK(d.list("customers").at("count") == 2);
    CHECK(d.customers().get(id_of(c)).first_name == std::optional<std::string>("Moved"));

    TempDir dir;
    const std::string path = dir.file("moved.db");
    {
        crm::Engine f(path);
        f.create("customers", json::object{{"last_name", "F"}});
        crm::Engine g = std::move(f);
        g.create("customers", json::object{{"last_name", "G"}});
    }
    crm::Engine h(path);
    CHECK(h.list("customers").at("count") == 2);
}

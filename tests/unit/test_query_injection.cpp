// Hostile keys, values and orderings (spec/query.md: "no key or value ever
// reaches SQL as text"): SQL fragments, quotes, LIKE wildcards, NUL bytes,
// very long and non-ASCII text. Keys and orderings are refused naming
// exactly what was sent; values match literally; the data stays intact.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

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

// A json::string holding exactly these bytes (NULs included).
json::string bytes(std::string_view s) { return json::string(s.data(), s.size()); }

// A one-key query; the key may hold any bytes.
json::object one(std::string_view key, json::value v) {
    json::object q;
    q.emplace(key, std::move(v));
    return q;
}

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\0')
            out += "\\0";
        else
            out += c;
    }
    return out.size() > 200 ? out.substr(0, 200) + "...(" + std::to_string(out.size()) + " bytes)" : out;
}

IdSet match(crm::Engine& e, json::object q) {
    INFO("query: " << printable(json::serialize(q)));
    q["page_size"] = 1000;
    const json::object page = e.list("customers", crm::Query::from_json(q));
    IdSet out;
    for (const auto& r : page.at("results").as_array()) out.insert(r.at("id").as_int64());
    CHECK(page.at("count").as_int64() == static_cast<std::int64_t>(out.size()));
    return out;
}

Fields refused(crm::Engine& e, const json::object& q) {
    INFO("query: " << printable(json::serialize(q)));
    const crm::Error err = list_refused(e, q);
    // The error renders as JSON whatever bytes the key held.
    const auto j = json::parse(err.to_json()).as_object();
    CHECK(j.at("code") == "invalid");
    return field_names(err);
}

struct Fixture {
    crm::Engine e{":memory:"};
    std::int64_t obrien = 0, pct = 0, digits = 0, bobby = 0, muller = 0, quoted = 0, known = 0;
    std::int64_t total = 0;
    json::object known_json;

    Fixture() {
        obrien = id_of(e.create("customers", json::parse(R"({"last_name":"O'Brien","first_name":"Se\u00e1n",
                                                          "email":"o'brien@example.com"})")));
        pct = id_of(e.create("customers", json::parse(R"({"last_name":"100%","first_name":"a_b"})")));
        digits = id_of(e.create("customers", json::parse(R"({"last_name":"1000","first_name":"axb"})")));
        bobby = id_of(e.create("customers", json::parse(R"({"last_name":"Robert'); DROP TABLE customers;--",
                                                          "attributes":{"k":"'); DROP TABLE customers; --"}})")));
        muller = id_of(e.create("customers", json::parse(R"({"last_name":"M\u00fcller","first_name":"\u674e"})")));
        quoted = id_of(e.create("customers", json::parse(R"({"last_name":"say \"hi\"","note":"back\\slash",
                                                          "attributes":{"a.b":"dot"}})")));
        known_json = e.create("customers", json::parse(R"({"last_name":"Known","email":"known@example.com"})"));
        known = id_of(known_json);
        total = 7;
    }

    // Nothing was dropped, altered or added.
    void intact() {
        CHECK(e.list("customers", {}).at("count") == total);
        CHECK(e.list("customers", crm::Query().where("last_name", "Known")).at("count") == 1);
        const auto k = e.get("customers", known);
        CHECK(k.at("last_name") == "Known");
        CHECK(k.at("email") == "known@example.com");
        CHECK(k.at("updated_at") == known_json.at("updated_at"));
        CHECK(e.get("customers", bobby).at("last_name") == "Robert'); DROP TABLE customers;--");
    }
};

}  // namespace

TEST_CASE("query injection: hostile keys are invalid, naming exactly the key", "[customers][query][injection]") {
    Fixture f;
    const std::vector<std::string> keys{
        "last_name; DROP TABLE customers",
        "last_name; DROP TABLE customers; --",
        "last_name' OR '1'='1",
        "last_name\" --",
        "last_name) OR (1=1",
        "last_name__startswith; DROP TABLE customers",
        "last_name__in) OR 1=1 --",
        "1=1",
        "1 OR 1=1",
        "id--",
        "id/**/",
        "last_name/*",
        "*",
        "%",
        "_",
        "last_name%",
        "last_name_",
        "last_nam_",
        "customers.last_name",
        "\"last_name\"",
        "`last_name`",
        "[last_name]",
        "rowid",
        "ROWID",
        "oid",
        "sqlite_master",
        "last_name COLLATE NOCASE",
        "LAST_NAME",
        "nom_de_famille_\xC3\xA9",
        "\xE5\xA7\x93",
        std::string("last_name\0", 10),
        std::string("last_name\0; DROP TABLE customers", 32),
        std::string("\0", 1),
        std::string("last_name__startswith\0", 22),
        std::string(10000, 'x'),
        "last_name__" + std::string(5000, 'y'),
        "attributes__size\"",
        "attributes__a\\b",
        "attributes__a\"); DROP TABLE customers; --",
        std::string("attributes__a\0b", 15),
        "attributes__\n",
        "coupon; DROP TABLE customer_coupons",
        "q; DROP TABLE customers_fts",
        "ordering ",
        "page_size; DROP TABLE customers",
    };
    for (const auto& key : keys) {
        INFO("key: " << printable(key));
        CHECK(refused(f.e, one(key, "x")) == Fields{key});
        CHECK(refused(f.e, one(key, 1)) == Fields{key});
    }
    // Through the builder as well, and several at once.
    auto err = error_of([&] {
        f.e.list("customers", crm::Query().where("last_name; DROP TABLE customers", "x").where("1=1", 1));
    });
    REQUIRE(err.has_value());
    CHECK(field_names(*err) == Fields{"last_name; DROP TABLE customers", "1=1"});
    f.intact();
}

TEST_CASE("query injection: a key that is not UTF-8 is invalid and the error is still valid JSON",
          "[customers][query][injection]") {
    // Only the C++ API can carry such a key (the C ABI parses JSON text,
    // which must be UTF-8); the error it gets back must still be JSON.
    Fixture f;
    for (const std::string key : {"\xff\xfe", "last_name\xc3", "\xc3\x28", "\xed\xa0\x80"}) {
        INFO("key: " << printable(key));
        auto err = error_of([&] { f.e.list("customers", crm::Query::from_json(one(key, "x"))); });
        REQUIRE(err.has_value());
        CHECK(err->code() == crm::Status::invalid);
        CHECK(field_names(*err) == Fields{key});
        const std::string text = err->to_json();
        INFO("to_json: " << text);
        std::error_code ec;
        const json::value j = json::parse(text, ec);
        CHECK_FALSE(ec);
        if (!ec) {
            CHECK(j.at("code") == "invalid");
            CHECK(j.at("errors").as_array().size() == 1);
        }
    }
    f.intact();
}

TEST_CASE("query injection: hostile orderings are invalid, naming ordering or sortby",
          "[customers][query][injection]") {
    Fixture f;
    for (const std::string& o : std::vector<std::string>{
             "last_name; DROP TABLE customers",
             "last_name DESC",
             "last_name ASC",
             "last_name COLLATE BINARY",
             "last_name, (SELECT 1)",
             "(SELECT name FROM sqlite_master)",
             "1",
             "-1",
             "last_name'",
             "'last_name'",
             "\"last_name\"",
             "last_name--",
             "--last_name",
             "+last_name",
             "last_name,-first_name; DELETE FROM customers",
             "random()",
             "rowid",
             "%",
             "_",
             "last_nam_",
             "full_name",
             "note",
             "attributes",
             std::string("last_name\0", 10),
             std::string("last_name\0; DROP TABLE customers", 32),
             std::string(10000, 'z'),
             "\xC3\xA9",
         }) {
        INFO("ordering: " << printable(o));
        CHECK(refused(f.e, one("ordering", bytes(o))) == Fields{"ordering"});
    }
    CHECK(refused(f.e, one("sortby", "name; DROP TABLE customers")) == Fields{"sortby"});
    CHECK(refused(f.e, one("sortby", "last_name")) == Fields{"sortby"});
    CHECK(refused(f.e, json::object{{"sortby", "name"}, {"direction", "desc; DROP TABLE customers"}}) ==
          Fields{"direction"});
    CHECK(refused(f.e, one("ordering", 1)) == Fields{"ordering"});
    CHECK(refused(f.e, one("ordering", json::array{"last_name"})) == Fields{"ordering"});
    f.intact();
}

TEST_CASE("query injection: quotes and SQL in values match literally", "[customers][query][injection]") {
    Fixture f;
    CHECK(match(f.e, {{"last_name", "O'Brien"}}) == IdSet{f.obrien});
    CHECK(match(f.e, {{"last_name__contains", "'"}}) == IdSet{f.obrien, f.bobby});
    CHECK(match(f.e, {{"last_name", "x' OR '1'='1"}}).empty());
    CHECK(match(f.e, {{"last_name", "' OR 1=1 --"}}).empty());
    CHECK(match(f.e, {{"last_name__startswith", "' OR ''='"}}).empty());
    CHECK(match(f.e, {{"last_name__icontains", "') OR ('a'='a"}}).empty());
    CHECK(match(f.e, {{"last_name", "Robert'); DROP TABLE customers;--"}}) == IdSet{f.bobby});
    CHECK(match(f.e, {{"last_name__startswith", "Robert'); DROP"}}) == IdSet{f.bobby});
    CHECK(match(f.e, {{"last_name__istartswith", "robert'); drop"}}) == IdSet{f.bobby});
    CHECK(match(f.e, {{"last_name__in", json::array{"O'Brien", "x'); DELETE FROM customers; --"}}}) ==
          IdSet{f.obrien});
    CHECK(match(f.e, {{"last_name__in", "O'Brien,Known"}}) == IdSet{f.obrien, f.known});
    CHECK(match(f.e, {{"last_name__exclude", "O'Brien,Known"}}).size() == 5);
    CHECK(match(f.e, {{"last_name__contains", "\""}}) == IdSet{f.quoted});
    CHECK(match(f.e, {{"last_name", "say \"hi\""}}) == IdSet{f.quoted});
    CHECK(match(f.e, {{"note__contains", "\\"}}) == IdSet{f.quoted});
    CHECK(match(f.e, {{"note", "back\\slash"}}) == IdSet{f.quoted});
    CHECK(match(f.e, {{"email", "o'brien@example.com"}}) == IdSet{f.obrien});
    CHECK(match(f.e, {{"email__contains", "'"}}) == IdSet{f.obrien});
    CHECK(match(f.e, {{"email__startswith", "' OR 1=1"}}).empty());
    CHECK(match(f.e, {{"uuid", "' OR '1'='1"}}).empty());
    CHECK(match(f.e, {{"coupon", "' OR '1'='1"}}).empty());
    CHECK(match(f.e, {{"coupon__exclude", "') OR ('1'='1"}}).size() == 7);
    // JSON key filters: the value is bound, the key only ever inside a bound path.
    CHECK(match(f.e, {{"attributes__k", "'); DROP TABLE customers; --"}}) == IdSet{f.bobby});
    CHECK(match(f.e, {{"attributes__k", "' OR '1'='1"}}).empty());
    CHECK(match(f.e, {{"attributes__a') OR ('1'='1", "x"}}).empty());
    CHECK(match(f.e, {{"attributes__k') IS NOT NULL OR ('1", 1}}).empty());
    CHECK(match(f.e, {{"attributes__a.b", "dot"}}) == IdSet{f.quoted});
    CHECK(match(f.e, {{"extra_field__$", "x"}}).empty());
    CHECK(match(f.e, {{"localized_attributes__'", "'"}}).empty());
    f.intact();
}

TEST_CASE("query injection: % and _ are literal in startswith and contains", "[customers][query][injection]") {
    Fixture f;
    CHECK(match(f.e, {{"last_name__contains", "%"}}) == IdSet{f.pct});
    CHECK(match(f.e, {{"last_name__icontains", "%"}}) == IdSet{f.pct});
    CHECK(match(f.e, {{"last_name__startswith", "100%"}}) == IdSet{f.pct});
    CHECK(match(f.e, {{"last_name__startswith", "100"}}) == IdSet{f.pct, f.digits});
    CHECK(match(f.e, {{"last_name__startswith", "%"}}).empty());
    CHECK(match(f.e, {{"last_name__istartswith", "%"}}).empty());
    CHECK(match(f.e, {{"last_name__istartswith", "10%"}}).empty());
    CHECK(match(f.e, {{"last_name__contains", "1%0"}}).empty());
    CHECK(match(f.e, {{"last_name__startswith", "_"}}).empty());
    CHECK(match(f.e, {{"last_name__istartswith", "1_0"}}).empty());
    CHECK(match(f.e, {{"last_name__contains", "0_"}}).empty());
    CHECK(match(f.e, {{"first_name__contains", "_"}}) == IdSet{f.pct});
    CHECK(match(f.e, {{"first_name__icontains", "_B"}}) == IdSet{f.pct});
    CHECK(match(f.e, {{"first_name__startswith", "a_"}}) == IdSet{f.pct});
    CHECK(match(f.e, {{"first_name__istartswith", "A_"}}) == IdSet{f.pct});
    CHECK(match(f.e, {{"first_name__startswith", "a_b"}}) == IdSet{f.pct});
    CHECK(match(f.e, {{"first_name", "a_b"}}) == IdSet{f.pct});
    CHECK(match(f.e, {{"first_name", "a%"}}).empty());
    CHECK(match(f.e, {{"email__contains", "%"}}).empty());
    CHECK(match(f.e, {{"email__startswith", "%"}}).empty());
    CHECK(match(f.e, {{"email__istartswith", "_"}}).empty());
    CHECK(match(f.e, {{"email__icontains", "_"}}).empty());
    CHECK(match(f.e, {{"uuid__contains", "%"}}).empty());
    CHECK(match(f.e, {{"uuid__startswith", "_"}}).empty());
    CHECK(match(f.e, {{"last_name__contains", "*"}}).empty());
    CHECK(match(f.e, {{"last_name__startswith", "["}}).empty());
    f.intact();
}

TEST_CASE("query injection: NUL bytes in values are invalid, naming the key", "[customers][query][injection]") {
    Fixture f;
    const std::string nul_tail("O'Brien\0", 8), nul_mid("a\0b", 3), nul_only("\0", 1),
        nul_drop("x\0' OR 1=1; DROP TABLE customers; --", 36);
    for (const std::string& v : {nul_tail, nul_mid, nul_only, nul_drop}) {
        INFO("value: " << printable(v));
        for (const char* key : {"last_name", "last_name__startswith", "last_name__istartswith", "last_name__contains",
                                "last_name__icontains", "email", "email__startswith", "first_name__in",
                                "erp_code__exclude", "uuid", "note__contains", "coupon", "coupon__exclude",
                                "attributes__k", "q", "kind", "status", "date_of_birth", "date_joined",
                                "is_active"}) {
            INFO("key: " << key);
            CHECK(refused(f.e, one(key, bytes(v))) == Fields{key});
        }
        CHECK(refused(f.e, one("last_name__in", json::array{"O'Brien", bytes(v)})) == Fields{"last_name__in"});
        CHECK(refused(f.e, one("coupon__exclude", json::array{"A", bytes(v)})) == Fields{"coupon__exclude"});
    }
    f.intact();
}

TEST_CASE("query injection: SQL in typed values is invalid, naming the key", "[customers][query][injection]") {
    Fixture f;
    const std::vector<std::pair<const char*, const char*>> cases{
        {"status", "1; DROP TABLE customers"},
        {"status", "1 OR 1=1"},
        {"status", "0x10"},
        {"status", "1e3"},
        {"status__in", "1) OR (1=1"},
        {"status__gt", "-1 OR 1=1"},
        {"pk__in", "1 OR 1=1"},
        {"pk", "1--"},
        {"id__in", "1,2); DROP TABLE customers; --"},
        {"channel", "3'"},
        {"date_of_birth", "2020-01-01' OR '1'='1"},
        {"date_of_birth__lt", "date('now')"},
        {"date_joined__gt", "0 OR 1=1"},
        {"created_at__date", "2024-01-01'); --"},
        {"is_active", "1 OR 1"},
        {"archived", "false--"},
        {"kind", "person' --"},
        {"type", "company OR 1=1"},
        {"gender", "male'"},
        {"user_type__in", "guest,registered'); --"},
    };
    for (const auto& [key, value] : cases) {
        INFO("key: " << key << " value: " << value);
        CHECK(refused(f.e, one(key, value)) == Fields{key});
    }
    f.intact();
}

TEST_CASE("query injection: very long values are refused or match literally", "[customers][query][injection]") {
    Fixture f;
    // The longest stored name matches itself exactly.
    const std::string longest(200, 'L');
    const auto id = id_of(f.e.create("customers", json::object{{"last_name", longest}}));
    f.total += 1;
    CHECK(match(f.e, {{"last_name", longest}}) == IdSet{id});
    CHECK(match(f.e, {{"last_name__startswith", longest}}) == IdSet{id});
    CHECK(match(f.e, {{"last_name__icontains", std::string(150, 'l')}}) == IdSet{id});
    CHECK(match(f.e, {{"last_name", longest + "L"}}).empty());

    // Far longer than any stored value: either refused naming the key, or no match.
    for (std::size_t n : {1000u, 1001u, 5000u, 100000u, 1000000u}) {
        for (const char* key : {"last_name", "last_name__startswith", "last_name__istartswith", "last_name__contains",
                                "last_name__icontains", "email", "email__istartswith", "uuid", "coupon",
                                "attributes__k", "last_name__in", "q"}) {
            const std::string v(n, key[0] == 'q' ? 'w' : '\'');
            INFO("key: " << key << ", value of " << n << " bytes");
            auto err = error_of([&] { f.e.list("customers", crm::Query::from_json(one(key, bytes(v)))); });
            if (err) {
                CHECK(err->code() == crm::Status::invalid);
                CHECK(field_names(*err) == Fields{key});
            } else {
                CHECK(match(f.e, one(key, bytes(v))).empty());
            }
        }
    }
    // A long list of values.
    json::array many;
    for (int i = 0; i < 1000; ++i) many.emplace_back("x'" + std::to_string(i));
    many.emplace_back("Known");
    {
        auto err = error_of([&] { f.e.list("customers", crm::Query::from_json(one("last_name__in", many))); });
        if (err)
            CHECK(field_names(*err) == Fields{"last_name__in"});
        else
            CHECK(match(f.e, one("last_name__in", many)) == IdSet{f.known});
    }
    many.resize(999);
    many.emplace_back("Known");
    CHECK(match(f.e, one("last_name__in", many)) == IdSet{f.known});
    f.intact();
}

TEST_CASE("query injection: unicode values match literally", "[customers][query][injection]") {
    Fixture f;
    CHECK(match(f.e, {{"last_name", "M\xC3\xBCller"}}) == IdSet{f.muller});
    CHECK(match(f.e, {{"last_name", "Muller"}}).empty());
    CHECK(match(f.e, {{"last_name__startswith", "M\xC3\xBC"}}) == IdSet{f.muller});
    CHECK(match(f.e, {{"last_name__istartswith", "m\xC3\xBC"}}) == IdSet{f.muller});
    CHECK(match(f.e, {{"last_name__contains", "\xC3\xBCll"}}) == IdSet{f.muller});
    CHECK(match(f.e, {{"first_name", "\xE6\x9D\x8E"}}) == IdSet{f.muller});             // 李
    CHECK(match(f.e, {{"first_name", "Se\xC3\xA1n"}}) == IdSet{f.obrien});
    CHECK(match(f.e, {{"first_name", "Sean"}}).empty());
    CHECK(match(f.e, {{"last_name__contains", "\xF0\x9F\x98\x80"}}).empty());  // an emoji
    CHECK(match(f.e, {{"attributes__\xC3\xA9", "\xC3\xA9"}}).empty());
    // Bytes that are not UTF-8: refused naming the key, or no match; never a crash.
    for (const char* key : {"last_name", "last_name__istartswith", "email", "q", "attributes__k"}) {
        INFO("key: " << key);
        const json::object q = one(key, bytes("\xff\xfe\x80"));
        auto err = error_of([&] { f.e.list("customers", crm::Query::from_json(q)); });
        if (err)
            CHECK(field_names(*err) == Fields{key});
        else
            CHECK(match(f.e, q).empty());
    }
    f.intact();
}

TEST_CASE("query injection: search text with FTS5 syntax is taken as words", "[customers][query][injection]") {
    Fixture f;
    const IdSet all{f.obrien, f.pct, f.digits, f.bobby, f.muller, f.quoted, f.known};
    // The words DROP, TABLE, customers: Robert'); DROP TABLE customers;-- holds them all.
    CHECK(match(f.e, {{"q", "'; DROP TABLE customers; --"}}) == IdSet{f.bobby});
    CHECK(match(f.e, {{"q", "O'Brien"}}) == IdSet{f.obrien});
    CHECK(match(f.e, {{"q", "\"O'Brien"}}) == IdSet{f.obrien});
    CHECK(match(f.e, {{"q", "known OR robert"}}).empty());
    CHECK(match(f.e, {{"q", "NOT known"}}).empty());
    CHECK(match(f.e, {{"q", "NEAR(known robert)"}}).empty());
    CHECK(match(f.e, {{"q", "last_name:Known"}}).empty());
    CHECK(match(f.e, {{"q", "known*"}}) == IdSet{f.known});
    CHECK(match(f.e, {{"q", "^known"}}) == IdSet{f.known});
    CHECK(match(f.e, {{"q", "{last_name}: known"}}).empty());
    CHECK(match(f.e, {{"q", "\"\""}}) == all);
    CHECK(match(f.e, {{"q", "*"}}) == all);
    CHECK(match(f.e, {{"q", "' OR 1=1 --"}}).empty());
    CHECK(refused(f.e, one("q", json::array{"known"})) == Fields{"q"});
    f.intact();
}

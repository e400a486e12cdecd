// Bulk import (spec/c-api.md "Bulk, streaming, progress", spec/seed-map.md)
// through the C++ API: every format with its seed's own example payload
// (read from CRM_SEEDS_DIR, verbatim), the payload shapes, create and upsert
// by each key, atomic and not, per-row errors, progress, a 100,000-row NDJSON
// import, and processes SIGKILLed in the middle of an atomic import.
#include <crm/crm.hpp>

#include "support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <csignal>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace json = boost::json;
using namespace crm_test;
namespace fs = std::filesystem;

namespace {

// --- seeds ----------------------------------------------------------------------

// The text of the seed file whose name starts with `prefix` ("003_").
std::string read_seed(std::string_view prefix) {
    for (const auto& entry : fs::directory_iterator(CRM_SEEDS_DIR)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with(prefix) && name.ends_with(".txt")) {
            std::ifstream in(entry.path(), std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            return ss.str();
        }
    }
    FAIL("no seed " << prefix);
    return {};
}

// The JSON value (object or array) of `text` that starts at `open`, as the
// seed writes it (its exact bytes): found by matching brackets outside strings.
std::string value_at(const std::string& text, std::size_t open) {
    REQUIRE(open != std::string::npos);
    REQUIRE((text[open] == '{' || text[open] == '['));
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = open; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') {
            if (--depth == 0) return text.substr(open, i - open + 1);
        }
    }
    FAIL("unbalanced JSON in the seed at " << open);
    return {};
}

// The JSON object of the seed that holds `needle` (the innermost '{' before it).
std::string object_holding(const std::string& text, std::string_view needle) {
    const auto at = text.find(needle);
    REQUIRE(at != std::string::npos);
    return value_at(text, text.rfind('{', at));
}

// The first JSON value of the seed after `marker`.
std::string value_after(const std::string& text, std::string_view marker) {
    const auto at = text.find(marker);
    REQUIRE(at != std::string::npos);
    return value_at(text, text.find_first_of("{[", at + marker.size()));
}

// seed 003: POST /api/update_db's body {"clients":[...]}.
std::string seed_update_db() { return value_after(read_seed("003_"), "URL : /api/update_db"); }
// seed 003: POST /api/create_customer's body.
std::string seed_create_customer() { return value_after(read_seed("003_"), "URL : /api/create_customer"); }
// seed 003: GET api/data's response (an array of two clients).
std::string seed_api_data() { return value_after(read_seed("003_"), "Get the details of all customers"); }
// seed 003: GET /api/get_tickets's response {"tickets":[...]}.
std::string seed_get_tickets() { return value_after(read_seed("003_"), "URL : `/api/get_tickets/"); }
// seed 001: POST /v1.0/customers's body (its first key is " customerName").
std::string seed_v1_post() { return object_holding(read_seed("001_"), "\" customerName\""); }
// seed 001: PUT /v1.0/customers/{id}'s body.
std::string seed_v1_put() { return object_holding(read_seed("001_"), "\"customerName\" : \"PostManPut\""); }
// seed 001: GET /v1.0/customers's response {"customers":[...]}.
std::string seed_v1_list() { return object_holding(read_seed("001_"), "\"customers\": ["); }
// seed 001: GET /v1.0/customers/{id}/orders's response {"orders":[...]}.
std::string seed_v1_orders() { return object_holding(read_seed("001_"), "\"orders\": ["); }

const char* const kSeedClient = "a14e39ce-e29e-11e9-a8cb-08002751d198";  // seed 003's IdClient (a version 1 UUID)

// --- helpers --------------------------------------------------------------------

crm::ImportOptions opts(crm::ImportFormat f = crm::ImportFormat::canonical, bool atomic = true) {
    crm::ImportOptions o;
    o.format = f;
    o.atomic = atomic;
    return o;
}

crm::ImportOptions upsert_by(std::string key, bool atomic = false) {
    crm::ImportOptions o;
    o.mode = crm::ImportMode::upsert;
    o.key = std::move(key);
    o.atomic = atomic;
    return o;
}

// Every row of a collection in id order.
json::array all_of(crm::Engine& e, std::string_view collection) {
    json::array out;
    for (std::int64_t page = 1;; ++page) {
        auto p = e.list(collection, crm::Query().ordering("id").page_size(1000).page(page));
        for (auto& r : p.at("results").as_array()) out.push_back(r);
        if (static_cast<std::int64_t>(out.size()) >= p.at("count").as_int64() || p.at("results").as_array().empty())
            break;
    }
    return out;
}

std::int64_t count_of(crm::Engine& e, std::string_view collection) { return e.list(collection).at("count").as_int64(); }

// The only customer whose `field` is `value`.
json::object customer_where(crm::Engine& e, std::string_view field, json::value value) {
    auto page = e.list("customers", crm::Query().where(field, std::move(value)));
    REQUIRE(page.at("count") == 1);
    return page.at("results").as_array().at(0).as_object();
}

// The ledger entries of a customer, in id order: {delta_cents, reason}.
std::vector<std::pair<std::int64_t, std::string>> ledger_of(crm::Engine& e, std::int64_t customer) {
    std::vector<std::pair<std::int64_t, std::string>> out;
    auto page = e.list("ledger", crm::Query().where("customer_id", customer).ordering("id"));
    for (const auto& r : page.at("results").as_array())
        out.emplace_back(r.at("delta_cents").as_int64(), std::string(r.at("reason").as_string()));
    return out;
}

using FieldMessages = std::map<std::string, std::string>;

FieldMessages messages_of(const crm::RowError& r) {
    FieldMessages m;
    for (const auto& f : r.errors) m[f.field] = f.message;
    return m;
}

Fields fields_of(const crm::RowError& r) {
    Fields s;
    for (const auto& f : r.errors) s.insert(f.field);
    return s;
}

// The ImportError an atomic import throws.
crm::ImportError import_error(crm::Engine& e, std::string_view collection, std::string_view payload,
                              const crm::ImportOptions& o = {}) {
    try {
        e.import_rows(collection, payload, o);
    } catch (const crm::ImportError& err) {
        CHECK(err.code() == crm::Status::invalid);
        return err;
    }
    FAIL("the import did not throw ImportError");
    throw std::logic_error("unreachable");
}

// The InvalidError naming `field` an import throws for its payload or options.
void refused_naming(crm::Engine& e, std::string_view collection, std::string_view payload,
                    const crm::ImportOptions& o, const Fields& fields) {
    expect_error([&] { e.import_rows(collection, payload, o); }, crm::Status::invalid, fields);
}

void check_report(const crm::ImportReport& r, std::int64_t created, std::int64_t updated, std::int64_t failed) {
    INFO(json::serialize(r.to_json()));
    CHECK(r.created == created);
    CHECK(r.updated == updated);
    CHECK(r.failed == failed);
    CHECK(r.errors.size() == static_cast<std::size_t>(failed));
}

// n canonical customers as NDJSON, "u<i>@example.com".
std::string ndjson_customers(std::int64_t n, std::string_view tag = "u") {
    std::string s;
    s.reserve(static_cast<std::size_t>(n) * 80);
    for (std::int64_t i = 0; i < n; ++i) {
        s += R"({"first_name":"F)";
        s += std::to_string(i);
        s += R"(","last_name":"L)";
        s += std::to_string(i);
        s += R"(","email":")";
        s += tag;
        s += std::to_string(i);
        s += "@example.com\"}\n";
    }
    return s;
}

}  // namespace

// --- seed 003: crm-app -----------------------------------------------------------

TEST_CASE("import: seed 003 update_db clients verbatim, fractional Credit as an import ledger entry", "[import][seed]") {
    const std::string payload = seed_update_db();
    REQUIRE(payload.starts_with("{\"clients\" : ["));
    REQUIRE(payload.find("154.62542724609375") != std::string::npos);
    crm::Engine e(":memory:");
    const auto report = e.import_rows("customers", payload, opts(crm::ImportFormat::crm_app));
    check_report(report, 3, 0, 0);
    CHECK(json::serialize(report.to_json()) == R"({"created":3,"updated":0,"failed":0,"errors":[]})");

    const auto rows = all_of(e, "customers");
    REQUIRE(rows.size() == 3);
    const auto& jean = rows[0].as_object();
    CHECK(jean.at("last_name") == "Eddison-18");
    CHECK(jean.at("first_name") == "Jean");
    CHECK(jean.at("full_name") == "Jean Eddison-18");
    CHECK(jean.at("account") == "BKN1CST18");
    CHECK(jean.at("credit_cents") == 0);
    CHECK(jean.at("last_payment_date") == "2019-01-18");
    CHECK(jean.at("last_payment_cents") == 125);
    CHECK(jean.at("extra_field") == json::object{{"paiement", 25}});
    CHECK(jean.at("email").is_null());
    CHECK(jean.at("refusal_count") == 0);
    CHECK(jean.at("average_basket_cents") == 0);
    CHECK(jean.at("gender") == "unknown");
    const auto& marc = rows[1].as_object();
    CHECK(marc.at("last_name") == "Sarkozy-51");
    CHECK(marc.at("first_name") == "Marc");
    CHECK(marc.at("account") == "BKN1CST53");
    CHECK(marc.at("last_payment_date") == "2019-01-08");
    CHECK(marc.at("credit_cents") == 0);
    const auto& anne = rows[2].as_object();
    CHECK(anne.at("last_name") == "Eddison-53");
    CHECK(anne.at("first_name") == "Anne");
    CHECK(anne.at("account").is_null());
    CHECK(anne.at("credit_cents") == 15462);  // 154.62542724609375 rounded down to the cent
    CHECK(anne.at("last_payment_date") == "2020-05-19");
    CHECK(anne.at("last_payment_cents") == 125);
    CHECK(anne.at("extra_field") == json::object{{"paiement", 25}});
    // Credit 0.0 writes no entry; 154.62... writes one `import` entry.
    CHECK(ledger_of(e, id_of(jean)).empty());
    CHECK(ledger_of(e, id_of(marc)).empty());
    CHECK(ledger_of(e, id_of(anne)) == std::vector<std::pair<std::int64_t, std::string>>{{15462, "import"}});
    CHECK(count_of(e, "ledger") == 1);
    // Each got a fresh uuid (no IdClient in the seed's rows).
    for (const auto& r : rows) CHECK(r.at("uuid").as_string().size() == 36);
}

TEST_CASE("import: seed 003 api data clients (IdClient, string Credit, Sexe, Age, PanierMoyen) verbatim",
          "[import][seed]") {
    const std::string payload = seed_api_data();
    REQUIRE(payload.front() == '[');
    crm::Engine e(":memory:");
    check_report(e.import_rows("customers", payload, opts(crm::ImportFormat::crm_app)), 2, 0, 0);
    const auto jacquie = customer_where(e, "uuid", kSeedClient);  // a version 1 UUID, kept as given
    CHECK(jacquie.at("last_name") == "Jacquie");
    CHECK(jacquie.at("first_name") == "Bloggs");
    CHECK(jacquie.at("credit_cents") == 42000);  // "420" in currency units
    CHECK(jacquie.at("last_payment_date") == "2019-01-11");
    CHECK(jacquie.at("last_payment_cents") == 1330);
    CHECK(jacquie.at("refusal_count") == 0);
    CHECK(jacquie.at("account") == "BKN1CST53");
    CHECK(jacquie.at("age").is_null());  // Age is read-only: not stored
    CHECK(jacquie.at("date_of_birth").is_null());
    CHECK(jacquie.at("gender") == "male");
    CHECK(jacquie.at("email") == "jacquie@mimi.com");
    CHECK(jacquie.at("phone") == "0102030405");
    CHECK(jacquie.at("average_basket_cents") == 0);  // PanierMoyen ignored: computed
    CHECK(jacquie.at("extra_field") == json::object{});
    const auto michelle = customer_where(e, "uuid", "2c5b24e0-0d48-11ea-b85e-08002751d198");
    CHECK(michelle.at("last_name") == "Michelle");
    CHECK(michelle.at("credit_cents") == 78000);
    CHECK(michelle.at("refusal_count") == 1);
    CHECK(michelle.at("gender") == "female");
    CHECK(michelle.at("average_basket_cents") == 0);  // the seed's 780 is not taken
    CHECK(michelle.at("last_payment_cents") == 4569);
    CHECK(ledger_of(e, id_of(michelle)) == std::vector<std::pair<std::int64_t, std::string>>{{78000, "import"}});

    // The same rows again: both uuids (and emails) are taken.
    const auto err = import_error(e, "customers", payload, opts(crm::ImportFormat::crm_app));
    REQUIRE(err.report().errors.size() == 2);
    for (const auto& r : err.report().errors) {
        CHECK(r.code == crm::Status::conflict);
        CHECK(fields_of(r) == Fields{"uuid", "email"});
    }
    CHECK(count_of(e, "customers") == 2);
}

TEST_CASE("import: seed 003 create_customer body verbatim (crm-app)", "[import][seed]") {
    const std::string payload = seed_create_customer();
    REQUIRE(payload.find("\"mail\" : \"jon.doe@mail.com\"") != std::string::npos);
    crm::Engine e(":memory:");
    // The body verbatim as the one row of an array (a lone object written
    // over several lines is not NDJSON).
    check_report(e.import_rows("customers", "[" + payload + "]", opts(crm::ImportFormat::crm_app)), 1, 0, 0);
    const auto jon = customer_where(e, "email", "jon.doe@mail.com");
    CHECK(jon.at("first_name") == "Jon");
    CHECK(jon.at("last_name") == "Doe");
    CHECK(jon.at("gender") == "female");
    CHECK(jon.at("age").is_null());
    CHECK(jon.at("phone") == "+33638614907");
    CHECK(jon.at("credit_cents") == 0);
    CHECK(count_of(e, "ledger") == 0);
}

TEST_CASE("import: crm-app customers refuse unknown keys, bad Sexe, bad Credit, bad IdClient", "[import]") {
    crm::Engine e(":memory:");
    const std::string payload =
        R"([{"Nom":"A","Prenom":"B","Sexe":"x","Credit":-1,"Ville":"Paris"},)"
        R"({"Nom":"C","IdClient":"not-a-uuid","Credit":"12.3.4"},)"
        R"({"Nom":"D","Credit":"0012.999","Sexe":"F","IdClient":"A14E39CE-E29E-11E9-A8CB-08002751D198"}])";
    const auto r = e.import_rows("customers", payload, opts(crm::ImportFormat::crm_app, false));
    check_report(r, 1, 0, 2);
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].index == 0);
    CHECK(messages_of(r.errors[0]) == FieldMessages{{"Sexe", "must be h or f"},
                                                    {"Credit", "must be an amount in currency units from 0 to 10^13"},
                                                    {"Ville", "is not a known field"}});
    CHECK(r.errors[1].index == 1);
    CHECK(messages_of(r.errors[1]) == FieldMessages{{"IdClient", "must be a UUID (8-4-4-4-12 hex digits)"},
                                                    {"Credit", "must be an amount in currency units from 0 to 10^13"}});
    const auto d = customer_where(e, "last_name", "D");
    CHECK(d.at("uuid") == kSeedClient);  // stored lower-case
    CHECK(d.at("credit_cents") == 1299);  // "0012.999": rounded down
    CHECK(d.at("gender") == "female");
}

TEST_CASE("import: seed 003 get_tickets verbatim fail on total_cents, corrected prices import", "[import][seed]") {
    const std::string tickets = seed_get_tickets();
    REQUIRE(tickets.starts_with("{\"tickets\":["));
    crm::Engine e(":memory:");

    SECTION("without the client") {
        const auto err = import_error(e, "tickets", tickets, opts(crm::ImportFormat::crm_app));
        REQUIRE(err.report().errors.size() == 2);
        CHECK(fields_of(err.report().errors[0]).count("total_cents") == 1);
        CHECK(fields_of(err.report().errors[1]).count("total_cents") == 1);
        // With the prices corrected, the unknown client is what fails.
        std::string fixed = tickets;
        fixed.replace(fixed.find("\"prix\": 424,"), 12, "\"prix\": 824,");
        fixed.replace(fixed.find("\"prix\": 7582,"), 13, "\"prix\": 36,");
        const auto err2 = import_error(e, "tickets", fixed, opts(crm::ImportFormat::crm_app));
        REQUIRE(err2.report().errors.size() == 2);
        for (const auto& r : err2.report().errors)
            CHECK(messages_of(r) ==
                  FieldMessages{{"customer_uuid", "no customer with uuid 'a14e39ce-e29e-11e9-a8cb-08002751d198'"}});
        CHECK(count_of(e, "tickets") == 0);
    }

    SECTION("with the client") {
        check_report(e.import_rows("customers", seed_api_data(), opts(crm::ImportFormat::crm_app)), 2, 0, 0);
        const auto client = customer_where(e, "uuid", kSeedClient);

        // The seed's prix (424, 7582) differ from its lines' sums (824, 36).
        const auto err = import_error(e, "tickets", tickets, opts(crm::ImportFormat::crm_app));
        INFO(err.to_json());
        CHECK(std::string(err.what()) == "2 of 2 rows failed: nothing was imported");
        const auto& rep = err.report();
        CHECK(rep.failed == 2);
        CHECK(rep.created == 0);
        REQUIRE(rep.errors.size() == 2);
        CHECK(rep.errors[0].index == 0);
        CHECK(rep.errors[0].code == crm::Status::invalid);
        CHECK(messages_of(rep.errors[0]) == FieldMessages{{"total_cents", "is 42400 but the lines add up to 82400"}});
        CHECK(rep.errors[1].index == 1);
        CHECK(messages_of(rep.errors[1]) == FieldMessages{{"total_cents", "is 758200 but the lines add up to 3600"}});
        CHECK(json::parse(err.to_json()) ==
              json::parse(R"({"code":"invalid","message":"2 of 2 rows failed: nothing was imported","errors":[)"
                          R"({"index":0,"code":"invalid","errors":[{"field":"total_cents","message":"is 42400 but the lines add up to 82400"}]},)"
                          R"({"index":1,"code":"invalid","errors":[{"field":"total_cents","message":"is 758200 but the lines add up to 3600"}]}]})"));
        CHECK(count_of(e, "tickets") == 0);

        // Not atomic: the same two failures, nothing else.
        check_report(e.import_rows("tickets", tickets, opts(crm::ImportFormat::crm_app, false)), 0, 0, 2);
        CHECK(count_of(e, "tickets") == 0);

        // Corrected: prix = the sum of the lines.
        std::string fixed = tickets;
        fixed.replace(fixed.find("\"prix\": 424,"), 12, "\"prix\": 824,");
        fixed.replace(fixed.find("\"prix\": 7582,"), 13, "\"prix\": 36,");
        check_report(e.import_rows("tickets", fixed, opts(crm::ImportFormat::crm_app)), 2, 0, 0);
        const auto rows = all_of(e, "tickets");
        REQUIRE(rows.size() == 2);
        const auto& t42 = rows[0].as_object();
        CHECK(t42.at("customer_uuid") == kSeedClient);
        CHECK(t42.at("customer_id") == id_of(client));
        CHECK(t42.at("date") == "2019-10-09T17:01:29.408701Z");
        CHECK(t42.at("total_cents") == 82400);
        CHECK(t42.at("payment_mode") == "CASH");
        CHECK(t42.at("origin") == "e-commerce");
        CHECK(t42.at("loyalty_points_cents") == 0);  // no loyalty card
        CHECK(t42.at("ref").is_null());
        CHECK(t42.at("lines") == json::parse(R"([
            {"product_code":"X1-0","unit_price_before_cents":80000,"promo_percent":50,"unit_price_after_cents":40000,"quantity":2},
            {"product_code":"X1-9","unit_price_before_cents":4800,"promo_percent":50,"unit_price_after_cents":2400,"quantity":1}])"));
        const auto& t38 = rows[1].as_object();
        CHECK(t38.at("date") == "2019-10-09T18:03:45.408701Z");
        CHECK(t38.at("total_cents") == 3600);
        CHECK(t38.at("payment_mode") == "CARD");
        CHECK(t38.at("lines") == json::parse(R"([
            {"product_code":"X1-4","unit_price_before_cents":3600,"promo_percent":50,"unit_price_after_cents":1800,"quantity":2}])"));
    }
}

TEST_CASE("import: crm-app tickets report unknown article keys with their path", "[import]") {
    crm::Engine e(":memory:");
    const auto r = e.import_rows(
        "tickets", R"([{"articles":[{"codeProduit":"A","prixAvant":1,"couleur":"red"},7],"prix":"x","caisse":2}])",
        opts(crm::ImportFormat::crm_app, false));
    check_report(r, 0, 0, 1);
    CHECK(messages_of(r.errors.at(0)) ==
          FieldMessages{{"articles[0].couleur", "is not a known field"},
                        {"articles[1]", "must be a JSON object"},
                        {"prix", "must be an amount in currency units from 0 to 10^13"},
                        {"caisse", "is not a known field"}});
}

// --- seed 001: v1 -----------------------------------------------------------------

TEST_CASE("import: seed 001 POST body verbatim with its leading-space customerName key, then the PUT body as an upsert",
          "[import][seed]") {
    const std::string post = seed_v1_post();
    REQUIRE(post.find("\" customerName\" : \"My first name\"") != std::string::npos);  // the space is there
    crm::Engine e(":memory:");
    check_report(e.import_rows("customers", "[" + post + "]", opts(crm::ImportFormat::v1)), 1, 0, 0);
    const auto created = customer_where(e, "email", "postman@gmail.com");
    CHECK(created.at("first_name") == "My first name");
    CHECK(created.at("last_name") == "My last name");
    CHECK(created.at("company_name") == "Google");
    CHECK(created.at("phone") == "123-11-11");
    CHECK(created.at("note") == "Created by postman");
    CHECK(created.at("status") == 0);
    CHECK(created.at("archived") == false);
    CHECK(created.at("archived_at").is_null());
    CHECK(created.at("crm_id").is_null());  // "" is not set
    CHECK(created.at("ref_id").is_null());
    CHECK(created.at("kind") == "person");

    const std::string put = seed_v1_put();
    REQUIRE(put.find("PostManPut") != std::string::npos);
    auto o = opts(crm::ImportFormat::v1);
    o.mode = crm::ImportMode::upsert;  // key: email
    check_report(e.import_rows("customers", "[" + put + "]", o), 0, 1, 0);
    CHECK(count_of(e, "customers") == 1);
    const auto updated = customer_where(e, "email", "postman@gmail.com");
    CHECK(id_of(updated) == id_of(created));
    CHECK(updated.at("uuid") == created.at("uuid"));
    CHECK(updated.at("first_name") == "PostManPut");
    CHECK(updated.at("phone") == "111-11-11");
    CHECK(updated.at("note") == "Created by postman By");
    CHECK(updated.at("status") == 1);
    CHECK(updated.at("company_name") == "Google");
    CHECK(updated.at("created_at") == created.at("created_at"));

    // The PUT body in create mode: its email is taken (conflict).
    const auto err = import_error(e, "customers", "{\"customers\":[" + put + "]}", opts(crm::ImportFormat::v1));
    REQUIRE(err.report().errors.size() == 1);
    CHECK(err.report().errors[0].code == crm::Status::conflict);
    CHECK(messages_of(err.report().errors[0]) == FieldMessages{{"email", "is already used by another customer"}});
}

TEST_CASE("import: seed 001 customer lists (output shape) import, the bad phone is reported", "[import][seed]") {
    crm::Engine e(":memory:");
    const std::string list = seed_v1_list();
    REQUIRE(list.starts_with("{\n\"customers\": ["));
    check_report(e.import_rows("customers", list, opts(crm::ImportFormat::v1)), 1, 0, 0);
    const auto c = customer_where(e, "email", "cust@gmail.com");
    CHECK(c.at("first_name") == "My first name");
    CHECK(c.at("last_name") == "My last name");
    CHECK(c.at("company_name") == "Google");
    CHECK(c.at("phone") == "123-12-12");
    CHECK(c.at("note") == "test");
    CHECK(c.at("status") == 0);
    CHECK(id_of(c) == 1);  // "_id": 8 is not taken

    // GET /v1.0/customers/{id}'s customer object: phone "8" has one digit.
    const std::string one = value_after(read_seed("001_"), "Returns the customer object:");
    const auto obj = json::parse(one).as_object().at("customer");
    const auto err = import_error(e, "customers", json::serialize(obj), opts(crm::ImportFormat::v1));
    REQUIRE(err.report().errors.size() == 1);
    CHECK(fields_of(err.report().errors[0]) == Fields{"phone"});
    // The wrapper {"customer": {...}} on one line is one NDJSON row whose only key is unknown.
    const auto err2 = import_error(e, "customers", json::serialize(json::parse(one)), opts(crm::ImportFormat::v1));
    REQUIRE(err2.report().errors.size() == 1);
    CHECK(messages_of(err2.report().errors[0]) == FieldMessages{{"customer", "is not a known field"}});
}

TEST_CASE("import: seed 001 orders (v1, unix seconds) with a customer_id added", "[import][seed]") {
    crm::Engine e(":memory:");
    const auto cust = id_of(e.create("customers", parse_obj(R"({"first_name":"Peter","email":"mail@gmail.com"})")));
    auto doc = json::parse(seed_v1_orders()).as_object();
    auto& orders = doc.at("orders").as_array();
    REQUIRE(orders.size() == 2);
    orders[0].as_object()["customer_id"] = cust;
    orders[1].as_object()["customerId"] = cust;  // both spellings
    check_report(e.import_rows("orders", json::serialize(doc), opts(crm::ImportFormat::v1)), 2, 0, 0);
    const auto rows = all_of(e, "orders");
    REQUIRE(rows.size() == 2);
    const auto& a = rows[0].as_object();
    CHECK(a.at("customer_id") == cust);
    CHECK(a.at("number") == 0);
    CHECK(a.at("date") == "2018-05-28T09:52:28Z");
    CHECK(a.at("status") == "draft");
    CHECK(a.at("submit_date").is_null());
    CHECK(a.at("activation_limit") == 7);
    CHECK(a.at("activation_birth_date").is_null());
    CHECK(a.at("activation_death_date").is_null());
    CHECK(a.at("description") == "With client");
    CHECK(a.at("quantity") == 2);
    CHECK(a.at("type") == 0);
    CHECK(a.at("is_demo") == false);
    CHECK(a.at("archived") == false);
    CHECK(a.at("can_overwrite_container") == false);
    CHECK(a.at("customer_required") == true);
    CHECK(a.at("crm_id").is_null());
    CHECK(a.at("ref_id").is_null());
    const auto& b = rows[1].as_object();
    CHECK(b.at("date") == "2018-10-02T06:55:38Z");
    CHECK(b.at("activation_birth_date") == "2018-10-02T06:55:38Z");
    CHECK(b.at("activation_death_date").is_null());
    CHECK(b.at("activation_limit") == 1);
    CHECK(b.at("quantity") == 10);
    CHECK(b.at("status") == "submitted");
    CHECK(rfc3339_utc(b.at("submit_date")));  // set when it became submitted
    CHECK(b.at("description") == "test bugs in sn activation number");

    // The seed's rows as they are (no customer): customer_required -> customer_id.
    const auto err = import_error(e, "orders", seed_v1_orders(), opts(crm::ImportFormat::v1));
    REQUIRE(err.report().errors.size() == 2);
    CHECK(fields_of(err.report().errors[0]) == Fields{"customer_id"});
    CHECK(fields_of(err.report().errors[1]) == Fields{"customer_id"});
    // A bad unix time and an unknown key.
    const auto r = e.import_rows("orders", R"({"customer_id":1,"date":-5,"colour":"red"})",
                                 opts(crm::ImportFormat::v1, false));
    check_report(r, 0, 0, 1);
    CHECK(messages_of(r.errors.at(0)) == FieldMessages{{"date", "must be a unix time in seconds (0 for none)"},
                                                       {"colour", "is not a known field"}});
}

// --- seed 000: heidian, seed 002: akinon -------------------------------------------

TEST_CASE("import: seed 000 heidian customer (WriteCustomerSerializer fields)", "[import][seed]") {
    crm::Engine e(":memory:");
    const std::string row =
        R"({"mobile":"+90 532 123 45 67","gender":"female","note":"Prefers e-mail","birthday":"1990-04-12",)"
        R"("full_name":"  Ayse Nur Yilmaz ","accepts_marketing":true,"email":"Ayse@Example.COM"})";
    check_report(e.import_rows("customers", row, opts(crm::ImportFormat::heidian)), 1, 0, 0);
    const auto c = customer_where(e, "email", "ayse@example.com");
    CHECK(c.at("mobile") == "+90 532 123 45 67");
    CHECK(c.at("gender") == "female");
    CHECK(c.at("note") == "Prefers e-mail");
    CHECK(c.at("date_of_birth") == "1990-04-12");
    CHECK(c.at("first_name") == "Ayse Nur");  // split at the last space
    CHECK(c.at("last_name") == "Yilmaz");
    CHECK(c.at("full_name") == "Ayse Nur Yilmaz");
    CHECK(c.at("accepts_marketing") == true);
    CHECK(c.at("phone").is_null());

    // One word: a first name only. The seed's serializer has no other keys.
    const auto r = e.import_rows("customers", R"([{"full_name":"Cher"},{"full_name":"A B","first_name":"x"}])",
                                 opts(crm::ImportFormat::heidian, false));
    check_report(r, 1, 0, 1);
    CHECK(r.errors.at(0).index == 1);
    CHECK(messages_of(r.errors.at(0)) == FieldMessages{{"first_name", "is not a known field"}});
    const auto cher = customer_where(e, "first_name", "Cher");
    CHECK(cher.at("last_name").is_null());
}

TEST_CASE("import: seed 002 akinon customer (the seed's example values)", "[import][seed]") {
    crm::Engine e(":memory:");
    // The create example's values; the *_kwargs objects before extra_field.
    const std::string row = R"({"id":123,"email":"example@domain.com","first_name":"John","last_name":"Doe",)"
                            R"("phone":"+123456789","is_active":false,"channel_code":"CH123","erp_code":"ERP456",)"
                            R"("attributes":{"logged_ip":"127.0.0.1","register_client_type":"default"},)"
                            R"("localized_attributes":{"title":"Mr"},)"
                            R"("extra_field":{"key1":"value1","key2":100},)"
                            R"("attributes_kwargs":{"size":"M"},"localized_attributes_kwargs":{"tr":{"size":"Orta"}},)"
                            R"("email_allowed":true,"sms_allowed":false,"call_allowed":true,)"
                            R"("date_joined":"2023-01-15T10:30:00Z","gender":"female","user_type":"guest",)"
                            R"("date_of_birth":"1985-08-25","channel":5})";
    check_report(e.import_rows("customers", row, opts(crm::ImportFormat::akinon)), 1, 0, 0);
    const auto c = customer_where(e, "email", "example@domain.com");
    CHECK(id_of(c) == 1);  // "id": 123 is not taken
    CHECK(c.at("first_name") == "John");
    CHECK(c.at("last_name") == "Doe");
    CHECK(c.at("phone") == "+123456789");
    CHECK(c.at("is_active") == false);
    CHECK(c.at("channel_code") == "CH123");
    CHECK(c.at("erp_code") == "ERP456");
    CHECK(c.at("channel_id") == 5);
    CHECK(c.at("attributes") == json::parse(R"({"logged_ip":"127.0.0.1","register_client_type":"default"})"));
    CHECK(c.at("localized_attributes") == json::parse(R"({"title":"Mr"})"));
    CHECK(c.at("extra_field") == json::parse(R"({"key1":"value1","key2":100,"attributes_kwargs":{"size":"M"},)"
                                             R"("localized_attributes_kwargs":{"tr":{"size":"Orta"}}})"));
    CHECK(c.at("email_allowed") == true);
    CHECK(c.at("sms_allowed") == false);
    CHECK(c.at("call_allowed") == true);
    CHECK(c.at("date_joined") == "2023-01-15T10:30:00Z");
    CHECK(c.at("gender") == "female");
    CHECK(c.at("user_type") == "guest");
    CHECK(c.at("date_of_birth") == "1985-08-25");
}

// --- canonical ---------------------------------------------------------------------

TEST_CASE("import: canonical customers keep uuid, credit_cents, refusal_count and last payment", "[import]") {
    crm::Engine e(":memory:");
    const auto r = e.import_rows(
        "customers",
        R"({"first_name":"Ann","uuid":"7D444840-9DC0-11D1-B245-5FFDCE74FAD2","credit_cents":1234,"refusal_count":2,)"
        R"("last_payment_date":"2024-02-29","last_payment_cents":999,"full_name":"ignored","age":3,"id":77}
{"first_name":"Bad","uuid":"7d444840-9dc0-11d1-b245","credit_cents":-1,"refusal_count":"x","last_payment_date":"2024-02-30","last_payment_cents":1.5}
{"first_name":"Twin","uuid":"7d444840-9dc0-11d1-b245-5ffdce74fad2"}
)",
        opts(crm::ImportFormat::canonical, false));
    check_report(r, 1, 0, 2);
    CHECK(messages_of(r.errors.at(0)) == FieldMessages{{"uuid", "must be a UUID (8-4-4-4-12 hex digits)"},
                                                       {"credit_cents", "must be an integer from 0 to 10^15"},
                                                       {"refusal_count", "must be an integer >= 0"},
                                                       {"last_payment_date", "must be a date (YYYY-MM-DD)"},
                                                       {"last_payment_cents", "must be an integer from 0 to 10^15"}});
    CHECK(r.errors.at(1).index == 2);
    CHECK(r.errors.at(1).code == crm::Status::conflict);
    CHECK(fields_of(r.errors.at(1)) == Fields{"uuid"});
    const auto ann = customer_where(e, "first_name", "Ann");
    CHECK(id_of(ann) == 1);
    CHECK(ann.at("uuid") == "7d444840-9dc0-11d1-b245-5ffdce74fad2");
    CHECK(ann.at("full_name") == "Ann");
    CHECK(ann.at("credit_cents") == 1234);
    CHECK(ann.at("refusal_count") == 2);
    CHECK(ann.at("last_payment_date") == "2024-02-29");
    CHECK(ann.at("last_payment_cents") == 999);
    CHECK(ledger_of(e, 1) == std::vector<std::pair<std::int64_t, std::string>>{{1234, "import"}});
}

TEST_CASE("import: canonical orders, tickets, messages and forms", "[import]") {
    crm::Engine e(":memory:");
    check_report(e.import_rows("customers", R"([{"last_name":"One","loyalty_card":"33"},{"last_name":"Two"}])"), 2, 0, 0);
    check_report(e.import_rows("orders", R"([{"customer_id":1,"description":"a","status":"submitted"},)"
                                         R"({"customer_id":2,"number":40,"quantity":3}])"),
                 2, 0, 0);
    const auto orders = all_of(e, "orders");
    CHECK(orders.at(0).at("number") == 1);  // assigned: max + 1
    CHECK(orders.at(0).at("status") == "submitted");
    CHECK(orders.at(1).at("number") == 40);
    CHECK(orders.at(1).at("quantity") == 3);

    check_report(e.import_rows("tickets", R"({"customer_id":1,"ref":"pos-1","lines":[{"product_code":"P","unit_price_before_cents":1001,"quantity":2}]})"),
                 1, 0, 0);
    const auto t = all_of(e, "tickets").at(0).as_object();
    CHECK(t.at("total_cents") == 2002);
    CHECK(t.at("loyalty_points_cents") == 1001);  // card 33, rate 0.5
    CHECK(customer_where(e, "loyalty_card", "33").at("credit_cents") == 1001);

    check_report(e.import_rows("messages", "{\"customer_id\":2,\"context\":\"Called back\"}\n{\"customer_id\":99,\"context\":\"x\"}",
                               opts(crm::ImportFormat::canonical, false)),
                 1, 0, 1);
    CHECK(all_of(e, "messages").at(0).at("context") == "Called back");

    check_report(e.import_rows("forms", R"({"forms":[{"name":"vip","fields":"[{\"name\":\"tier\",\"type\":\"enum\",\"options\":[\"gold\"],\"required\":false}]"}]})"),
                 1, 0, 0);
    const auto f = all_of(e, "forms").at(0).as_object();
    CHECK(f.at("name") == "vip");
    CHECK(f.at("fields").as_array().at(0).at("name") == "tier");
    // The active form checks the next imported customers.
    const auto r = e.import_rows("customers", R"({"last_name":"Three","attributes":{"tier":"bronze"}})",
                                 opts(crm::ImportFormat::canonical, false));
    check_report(r, 0, 0, 1);
    CHECK(fields_of(r.errors.at(0)) == Fields{"attributes.tier"});
}

// --- shapes ------------------------------------------------------------------------

TEST_CASE("import: payload shapes (array, wrapper object, NDJSON with blank lines and CRLF, empty)", "[import]") {
    crm::Engine e(":memory:");
    auto last_names = [&] {
        std::vector<std::string> out;
        for (const auto& r : all_of(e, "customers")) out.emplace_back(r.at("last_name").as_string());
        return out;
    };
    SECTION("array") {
        check_report(e.import_rows("customers", " \n[ {\"last_name\":\"A\"} ,\n{\"last_name\":\"B\"}\n]\n "), 2, 0, 0);
        CHECK(last_names() == std::vector<std::string>{"A", "B"});
    }
    SECTION("wrapper object, any key") {
        check_report(e.import_rows("customers", R"({ "rows" : [{"last_name":"A"},{"last_name":"B"},{"last_name":"C"}] })"),
                     3, 0, 0);
        CHECK(last_names() == std::vector<std::string>{"A", "B", "C"});
    }
    SECTION("NDJSON with blank lines, CRLF and a byte order mark") {
        check_report(e.import_rows("customers", "\xEF\xBB\xBF{\"last_name\":\"A\"}\r\n\r\n  \n{\"last_name\":\"B, \\\"x\\\"\"}\r\n\t\r\n"
                                                "{\"last_name\":\"C\"}"),
                     3, 0, 0);
        CHECK(last_names() == std::vector<std::string>{"A", "B, \"x\"", "C"});
    }
    SECTION("a lone object whose member is not an array is one row") {
        check_report(e.import_rows("customers", R"({"last_name":"Solo"})"), 1, 0, 0);
        CHECK(last_names() == std::vector<std::string>{"Solo"});
    }
    SECTION("empty payloads: nothing, and a report with all four keys") {
        for (const char* p : {"", "  \n\r\n", "[]", "[ \n ]", R"({"clients":[]})"}) {
            INFO("payload: '" << p << "'");
            const auto r = e.import_rows("customers", p);
            check_report(r, 0, 0, 0);
            CHECK(json::serialize(r.to_json()) == R"({"created":0,"updated":0,"failed":0,"errors":[]})");
        }
        CHECK(count_of(e, "customers") == 0);
    }
    SECTION("rows that are not objects or not JSON are row errors with field \"\"") {
        const auto r = e.import_rows("customers", "[1, \"x\", {\"last_name\":\"ok\"}, null, [2]]",
                                     opts(crm::ImportFormat::canonical, false));
        check_report(r, 1, 0, 4);
        for (std::size_t i = 0; i < r.errors.size(); ++i) {
            CHECK(messages_of(r.errors[i]) == FieldMessages{{"", "must be a JSON object"}});
        }
        CHECK(r.errors[0].index == 0);
        CHECK(r.errors[1].index == 1);
        CHECK(r.errors[2].index == 3);
        CHECK(r.errors[3].index == 4);
        const auto n = e.import_rows("customers", "{\"last_name\":\"a\"}\n{\"last_name\":\n[1]\n{\"last_name\":\"b\"}",
                                     opts(crm::ImportFormat::canonical, false));
        check_report(n, 2, 0, 2);
        CHECK(n.errors[0].index == 1);
        CHECK(fields_of(n.errors[0]) == Fields{""});
        CHECK(n.errors[0].errors.at(0).message.starts_with("is not valid JSON: "));
        CHECK(n.errors[1].index == 2);
        CHECK(messages_of(n.errors[1]) == FieldMessages{{"", "must be a JSON object"}});
    }
    SECTION("payloads of none of the shapes: invalid naming payload, nothing written") {
        for (const char* p : {"42", "\"text\"", "null", "[{\"last_name\":\"A\"}", "[{\"last_name\":\"A\"} {\"last_name\":\"B\"}]",
                              "[{\"last_name\":\"A\"},]", "[{\"last_name\":\"A\"}] x", "]", "[{\"last_name\":\"A\"}]]"}) {
            INFO("payload: " << p);
            refused_naming(e, "customers", p, {}, {"payload"});
            refused_naming(e, "customers", p, opts(crm::ImportFormat::canonical, false), {"payload"});
        }
        CHECK(count_of(e, "customers") == 0);
    }
    SECTION("a ',' where a row should be is an empty row, not an endless loop (fuzz_import)") {
        for (const char* p : {"[,]", "[,{\"last_name\":\"A\"}]", "[ , {\"last_name\":\"A\"}]",
                              "[{\"last_name\":\"A\"},,{\"last_name\":\"B\"}]", "{\"clients\":[,]}"}) {
            INFO("payload: " << p);
            for (const bool atomic : {true, false}) {
                const auto err = expect_error([&] { e.import_rows("customers", p, opts(crm::ImportFormat::canonical, atomic)); },
                                              crm::Status::invalid, {"payload"});
                CHECK(err.errors().at(0).message == "has an empty row");
            }
        }
        CHECK(count_of(e, "customers") == 0);
    }
}

// --- options, collections ---------------------------------------------------------

TEST_CASE("import: options are checked, collections too", "[import]") {
    crm::Engine e(":memory:");
    expect_error([] { crm::ImportOptions::from_json(json::parse(R"({"format":"xml","mode":"merge","key":"phone","atomic":"maybe","speed":1})")); },
                 crm::Status::invalid, {"format", "mode", "key", "atomic", "speed"});
    expect_error([] { crm::ImportOptions::from_json(json::parse("[]")); }, crm::Status::invalid, {});
    const auto o = crm::ImportOptions::from_json(json::parse(R"({"format":"crm-app","mode":"upsert","key":"loyalty_card","atomic":false})"));
    CHECK(o.format == crm::ImportFormat::crm_app);
    CHECK(o.mode == crm::ImportMode::upsert);
    CHECK(o.key == "loyalty_card");
    CHECK(o.atomic == false);
    const auto d = crm::ImportOptions::from_json(nullptr);
    CHECK(d.format == crm::ImportFormat::canonical);
    CHECK(d.mode == crm::ImportMode::create);
    CHECK(d.key == "email");
    CHECK(d.atomic == true);
    // The JSON overload takes the same options.
    CHECK(e.import_rows("customers", R"({"Nom":"Via JSON"})", json::parse(R"({"format":"crm-app"})")).created == 1);
    expect_error([&] { e.import_rows("customers", "{}", json::parse(R"({"format":1})")); }, crm::Status::invalid, {"format"});

    // A format without a mapping for the collection; upsert outside customers.
    refused_naming(e, "orders", "[]", opts(crm::ImportFormat::heidian), {"format"});
    refused_naming(e, "tickets", "[]", opts(crm::ImportFormat::v1), {"format"});
    refused_naming(e, "messages", "[]", opts(crm::ImportFormat::akinon), {"format"});
    auto up = upsert_by("email");
    refused_naming(e, "orders", "[]", up, {"mode"});
    // Write-only-by-credit collections and unknown ones.
    CHECK(code_of([&] { e.import_rows("ledger", "[]"); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.import_rows("credit_requests", "[]"); }) == crm::Status::invalid);
    CHECK(code_of([&] { e.import_rows("nope", "[]"); }) == crm::Status::not_found);
    CHECK(code_of([&] { e.import_rows("Customers", "[]"); }) == crm::Status::not_found);
    CHECK(count_of(e, "customers") == 1);
}

// --- modes --------------------------------------------------------------------------

TEST_CASE("import: create mode reports taken unique values as conflict", "[import]") {
    crm::Engine e(":memory:");
    e.create("customers", parse_obj(R"({"last_name":"Stored","email":"taken@example.com","loyalty_card":"9"})"));
    const std::string payload = R"([{"last_name":"A","email":"TAKEN@example.com"},)"
                                R"({"last_name":"B","loyalty_card":9,"email":"b@example.com"},)"
                                R"({"last_name":"C","email":"c@example.com"},)"
                                R"({"last_name":"D","email":"c@example.com"}])";
    const auto err = import_error(e, "customers", payload);
    const auto& rep = err.report();
    REQUIRE(rep.errors.size() == 3);
    CHECK(rep.created == 1);
    CHECK(rep.errors[0].index == 0);
    CHECK(rep.errors[0].code == crm::Status::conflict);
    CHECK(messages_of(rep.errors[0]) == FieldMessages{{"email", "is already used by another customer"}});
    CHECK(rep.errors[1].index == 1);
    CHECK(rep.errors[1].code == crm::Status::conflict);
    CHECK(fields_of(rep.errors[1]) == Fields{"loyalty_card"});
    CHECK(rep.errors[2].index == 3);  // taken by row 2 of the same import
    CHECK(rep.errors[2].code == crm::Status::conflict);
    CHECK(json::parse(err.to_json()).at("errors").at(0).at("code") == "conflict");
    CHECK(count_of(e, "customers") == 1);

    const auto r = e.import_rows("customers", payload, opts(crm::ImportFormat::canonical, false));
    check_report(r, 1, 0, 3);
    CHECK(customer_where(e, "email", "c@example.com").at("last_name") == "C");
    CHECK(count_of(e, "customers") == 2);
}

TEST_CASE("import: upsert by each key updates the match, keeps other fields, creates the rest", "[import]") {
    struct Case {
        const char* key;
        const char* match;   // the key's value in the row that matches the stored customer
        const char* fresh;   // a value no customer holds
    };
    const Case cases[] = {
        {"email", R"("STORED@Example.com")", R"("fresh@example.com")"},
        {"uuid", R"("6BA7B810-9DAD-11D1-80B4-00C04FD430C8")", R"("7d444840-9dc0-11d1-b245-5ffdce74fad2")"},
        {"crm_id", R"(" CRM-1 ")", R"("CRM-2")"},
        {"erp_code", R"("ERP-1")", R"("ERP-2")"},
        {"loyalty_card", "77", R"("78")"},  // a number: its decimal text
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION("key " << c.key) {
            crm::Engine e(":memory:");
            // The stored customer (imported, to give it a known uuid).
            check_report(e.import_rows("customers",
                                       R"({"first_name":"Old","last_name":"Stored","note":"kept","email":"stored@example.com",)"
                                       R"("uuid":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","crm_id":"CRM-1","erp_code":"ERP-1",)"
                                       R"("loyalty_card":"77","credit_cents":500,"refusal_count":1})"),
                         1, 0, 0);
            const auto before = e.get("customers", 1);
            const std::string key = c.key;
            const std::string payload = "{\"" + key + "\":" + c.match + ",\"first_name\":\"New\",\"status\":4}\n" +
                                        "{\"" + key + "\":" + c.fresh + ",\"last_name\":\"Fresh\"}\n" +
                                        "{\"last_name\":\"No key\"}\n";
            const auto r = e.import_rows("customers", payload, upsert_by(key));
            check_report(r, 1, 1, 1);
            REQUIRE(r.errors.size() == 1);
            CHECK(r.errors[0].index == 2);
            CHECK(messages_of(r.errors[0]) == FieldMessages{{key, "is required to upsert by " + key}});
            CHECK(count_of(e, "customers") == 2);
            const auto after = e.get("customers", 1);
            CHECK(after.at("first_name") == "New");
            CHECK(after.at("status") == 4);
            CHECK(after.at("full_name") == "New Stored");
            // Fields not given are kept.
            for (const char* kept : {"last_name", "note", "email", "uuid", "crm_id", "erp_code", "loyalty_card",
                                     "credit_cents", "refusal_count", "created_at", "date_joined"})
                CHECK(after.at(kept) == before.at(kept));
            const auto fresh = e.get("customers", 2);
            CHECK(fresh.at("last_name") == "Fresh");
            CHECK(fresh.at("first_name").is_null());
            const auto expected_key = json::parse(c.fresh);
            CHECK(fresh.at(key) == (expected_key.is_string() ? expected_key : json::value(json::serialize(expected_key))));
            CHECK(ledger_of(e, 1) == std::vector<std::pair<std::int64_t, std::string>>{{500, "import"}});
            // Upserting the same payload again: both rows now update.
            check_report(e.import_rows("customers", payload, upsert_by(key)), 0, 2, 1);
            CHECK(count_of(e, "customers") == 2);
        }
    }
}

TEST_CASE("import: upsert details (Credit sets the balance, uuid mismatch, conflicts, atomic)", "[import]") {
    crm::Engine e(":memory:");
    check_report(e.import_rows("customers", seed_api_data(), opts(crm::ImportFormat::crm_app)), 2, 0, 0);
    const auto jacquie = customer_where(e, "uuid", kSeedClient);
    REQUIRE(jacquie.at("credit_cents") == 42000);

    auto o = upsert_by("uuid");
    o.format = crm::ImportFormat::crm_app;
    // Credit brings the balance to the amount given, by an `import` entry of the difference.
    check_report(e.import_rows("customers", std::string(R"({"IdClient":")") + kSeedClient + R"(","Credit":100.5,"NbRefus":2})", o),
                 0, 1, 0);
    auto now = e.get("customers", id_of(jacquie));
    CHECK(now.at("credit_cents") == 10050);
    CHECK(now.at("refusal_count") == 2);
    CHECK(now.at("last_name") == "Jacquie");  // kept
    CHECK(now.at("last_payment_cents") == 1330);
    CHECK(ledger_of(e, id_of(jacquie)) ==
          std::vector<std::pair<std::int64_t, std::string>>{{42000, "import"}, {-31950, "import"}});
    // The same Credit again: no entry.
    check_report(e.import_rows("customers", std::string(R"({"IdClient":")") + kSeedClient + R"(","Credit":"100.50"})", o),
                 0, 1, 0);
    CHECK(ledger_of(e, id_of(jacquie)).size() == 2);

    // By email, a row whose uuid is another one's: refused, naming the source key.
    auto by_mail = upsert_by("email");
    by_mail.format = crm::ImportFormat::crm_app;
    const auto r = e.import_rows("customers", R"({"Email":"jacquie@mimi.com","IdClient":"2c5b24e0-0d48-11ea-b85e-08002751d198"})",
                                 by_mail);
    check_report(r, 0, 0, 1);
    CHECK(messages_of(r.errors.at(0)) == FieldMessages{{"IdClient", "differs from the stored customer's uuid"}});
    // An update that takes another customer's email: conflict.
    const auto r2 = e.import_rows("customers", std::string(R"({"IdClient":")") + kSeedClient + R"(","Email":"michelle@mimi.com"})", o);
    check_report(r2, 0, 0, 1);
    CHECK(r2.errors.at(0).code == crm::Status::conflict);
    CHECK(fields_of(r2.errors.at(0)) == Fields{"email"});
    // An update's fields are validated as a whole.
    const auto r3 = e.import_rows("customers", std::string(R"({"IdClient":")") + kSeedClient + R"(","Phone":"12"})", o);
    check_report(r3, 0, 0, 1);
    CHECK(fields_of(r3.errors.at(0)) == Fields{"phone"});

    // Atomic upsert: one bad row, nothing changes.
    o.atomic = true;
    const auto err = import_error(e, "customers",
                                  std::string(R"([{"IdClient":")") + kSeedClient + R"(","Nom":"Changed"},{"Nom":"No id"}])", o);
    CHECK(err.report().updated == 1);
    CHECK(err.report().failed == 1);
    CHECK(messages_of(err.report().errors.at(0)) == FieldMessages{{"uuid", "is required to upsert by uuid"}});
    CHECK(e.get("customers", id_of(jacquie)).at("last_name") == "Jacquie");
    CHECK(count_of(e, "customers") == 2);
}

// --- atomic ----------------------------------------------------------------------------

TEST_CASE("import: atomic lists every failing row and writes nothing, not atomic keeps the valid rows", "[import]") {
    crm::Engine e(":memory:");
    e.create("customers", parse_obj(R"({"last_name":"Before","email":"before@example.com"})"));
    const std::string payload = R"({"last_name":"R0","email":"r0@example.com","credit_cents":100}
{"last_name":"R1","email":"not-an-email","phone":"12","kind":"company"}
{"last_name":"R2"}
{"last_name":"R3","colour":"blue"}
{"last_name":"R4","email":"before@example.com"}
{"last_name":"R5","date_of_birth":"1800-01-01"}
)";
    const auto err = import_error(e, "customers", payload);
    CHECK(std::string(err.what()) == "4 of 6 rows failed: nothing was imported");
    const auto& rep = err.report();
    CHECK(rep.failed == 4);
    CHECK(rep.created == 2);
    REQUIRE(rep.errors.size() == 4);
    CHECK(rep.errors[0].index == 1);
    CHECK(rep.errors[0].code == crm::Status::invalid);
    CHECK(fields_of(rep.errors[0]) == Fields{"email", "phone", "company_name"});
    CHECK(rep.errors[1].index == 3);
    CHECK(messages_of(rep.errors[1]) == FieldMessages{{"colour", "is not a known field"}});
    CHECK(rep.errors[2].index == 4);
    CHECK(rep.errors[2].code == crm::Status::conflict);
    CHECK(rep.errors[3].index == 5);
    CHECK(fields_of(rep.errors[3]) == Fields{"date_of_birth"});
    for (const auto& row : rep.errors)
        for (const auto& f : row.errors) CHECK_FALSE(f.message.empty());
    // The C ABI's error JSON carries the same list.
    const auto ej = json::parse(err.to_json()).as_object();
    CHECK(ej.at("code") == "invalid");
    CHECK(ej.at("message") == "4 of 6 rows failed: nothing was imported");
    const auto& list = ej.at("errors").as_array();
    REQUIRE(list.size() == 4);
    CHECK(list[0].at("index") == 1);
    CHECK(list[0].at("code") == "invalid");
    CHECK(list[2].at("index") == 4);
    CHECK(list[2].at("code") == "conflict");
    CHECK(list[2].at("errors") == json::parse(R"([{"field":"email","message":"is already used by another customer"}])"));
    // Nothing was written: no customer, no ledger entry, ids not consumed.
    CHECK(count_of(e, "customers") == 1);
    CHECK(count_of(e, "ledger") == 0);

    const auto r = e.import_rows("customers", payload, opts(crm::ImportFormat::canonical, false));
    check_report(r, 2, 0, 4);
    CHECK(json::serialize(r.to_json()) == json::serialize(json::object{
                                              {"created", 2}, {"updated", 0}, {"failed", 4}, {"errors", list}}));
    CHECK(count_of(e, "customers") == 3);
    CHECK(customer_where(e, "last_name", "R0").at("credit_cents") == 100);
    CHECK(customer_where(e, "last_name", "R2").at("email").is_null());
    CHECK(count_of(e, "ledger") == 1);
}

TEST_CASE("import: not atomic over several transactions keeps exactly the valid rows", "[import]") {
    crm::Engine e(":memory:");
    const std::int64_t n = 25'000;
    std::string payload = ndjson_customers(n);
    // Break rows 9999, 10000 (either side of the first 10,000-row transaction) and 20001.
    auto break_row = [&](std::int64_t i) {
        const std::string needle = "\"u" + std::to_string(i) + "@example.com\"";
        payload.replace(payload.find(needle), needle.size(), "\"bad address\"");
    };
    for (std::int64_t i : {9999, 10000, 20001}) break_row(i);
    const auto r = e.import_rows("customers", payload, opts(crm::ImportFormat::canonical, false));
    check_report(r, n - 3, 0, 3);
    REQUIRE(r.errors.size() == 3);
    CHECK(r.errors[0].index == 9999);
    CHECK(r.errors[1].index == 10000);
    CHECK(r.errors[2].index == 20001);
    CHECK(messages_of(r.errors[2]) == FieldMessages{{"email", "is not a valid email address"}});
    CHECK(count_of(e, "customers") == n - 3);
    CHECK(customer_where(e, "email", "u24999@example.com").at("last_name") == "L24999");
    CHECK(customer_where(e, "email", "u10001@example.com").at("first_name") == "F10001");
}

// --- progress ------------------------------------------------------------------------

TEST_CASE("import: progress at least every 1% and done == total at the end", "[import][progress]") {
    crm::Engine e(":memory:");
    std::vector<std::pair<std::int64_t, std::int64_t>> calls;
    e.set_progress([&](std::int64_t done, std::int64_t total) { calls.emplace_back(done, total); });

    const std::int64_t n = 1000;
    check_report(e.import_rows("customers", ndjson_customers(n)), n, 0, 0);
    REQUIRE(!calls.empty());
    CHECK(calls.back() == std::pair<std::int64_t, std::int64_t>{n, n});
    std::int64_t last = 0;
    for (const auto& [done, total] : calls) {
        CHECK(total == n);
        CHECK(done > last);        // increasing
        CHECK(done - last <= 10);  // at most 1% of 1000 between calls
        last = done;
    }
    CHECK(calls.size() >= 100);

    // Not atomic, with failures, over a wrapper: the same rule.
    calls.clear();
    std::string rows = "{\"rows\":[";
    for (int i = 0; i < 250; ++i) rows += std::string(i ? "," : "") + (i % 7 == 0 ? "{\"x\":1}" : "{\"last_name\":\"p\"}");
    rows += "]}";
    const auto r = e.import_rows("customers", rows, opts(crm::ImportFormat::canonical, false));
    CHECK(r.created + r.failed == 250);
    REQUIRE(!calls.empty());
    CHECK(calls.back() == std::pair<std::int64_t, std::int64_t>{250, 250});
    last = 0;
    for (const auto& [done, total] : calls) {
        CHECK(total == 250);
        CHECK(done > last);
        CHECK(done - last <= 2);  // 1% of 250 is 2.5
        last = done;
    }

    // Tiny imports end with done == total too.
    calls.clear();
    e.import_rows("customers", R"([{"last_name":"a"},{"last_name":"b"},{"last_name":"c"}])");
    REQUIRE(!calls.empty());
    CHECK(calls.back() == std::pair<std::int64_t, std::int64_t>{3, 3});
    calls.clear();
    e.import_rows("customers", "");
    CHECK(calls == std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 0}});

    // Removed: no more calls.
    calls.clear();
    e.set_progress({});
    e.import_rows("customers", R"([{"last_name":"d"}])");
    CHECK(calls.empty());
}

// --- size ------------------------------------------------------------------------------

TEST_CASE("import: 100,000 canonical customers from NDJSON", "[import][large]") {
    crm::Engine e(":memory:");
    const std::int64_t n = 100'000;
    const std::string payload = ndjson_customers(n);
    std::int64_t last_done = -1, calls = 0;
    e.set_progress([&](std::int64_t done, std::int64_t total) {
        CHECK(total == n);
        last_done = done;
        ++calls;
    });
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = e.import_rows("customers", payload);
    const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    WARN("100,000 rows imported in " << secs << " s");
    check_report(r, n, 0, 0);
    CHECK(last_done == n);
    CHECK(calls >= 100);
    CHECK(count_of(e, "customers") == n);
    CHECK(customer_where(e, "email", "u0@example.com").at("full_name") == "F0 L0");
    CHECK(customer_where(e, "email", "u99999@example.com").at("full_name") == "F99999 L99999");
    CHECK(e.list("customers", crm::Query().search("F77777")).at("count") == 1);  // indexed for q too
}

// --- processes -------------------------------------------------------------------------

namespace {

// Counts the customers of the file with SQLite alone, after checking it.
std::int64_t checked_customer_count(const std::string& path) {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    SQLite::Statement check(db, "PRAGMA integrity_check");
    std::vector<std::string> lines;
    while (check.executeStep()) lines.push_back(check.getColumn(0).getString());
    CHECK(lines == std::vector<std::string>{"ok"});
    SQLite::Statement count(db, "SELECT count(*) FROM customers");
    REQUIRE(count.executeStep());
    return count.getColumn(0).getInt64();
}

}  // namespace

TEST_CASE("import: processes SIGKILLed during a large atomic import leave the file as before", "[import][processes]") {
    TempDb db("import_kill");
    {
        crm::Engine e(db.path);
        check_report(e.import_rows("customers", ndjson_customers(10, "before")), 10, 0, 0);
    }
    const std::int64_t n = 60'000;
    const std::string payload = ndjson_customers(n, "big");  // built before fork: the child only imports
    std::mt19937 rng(std::random_device{}());
    const std::int64_t thresholds[] = {1, 15, 35, 60, 90};  // percent of rows done when the kill comes
    for (std::int64_t pct : thresholds) {
        INFO("kill after " << pct << "% of the rows, plus a random delay");
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(fds[0]);
            int status = 0;
            try {
                crm::Engine e(db.path);
                e.set_progress([&](std::int64_t done, std::int64_t) {
                    const std::int64_t v = done;
                    if (::write(fds[1], &v, sizeof v) != static_cast<ssize_t>(sizeof v)) status = 3;
                });
                e.import_rows("customers", payload);
                status = 2;  // it finished: the parent was too late
            } catch (...) {
                status = 4;
            }
            ::_exit(status);
        }
        ::close(fds[1]);
        const std::int64_t target = n * pct / 100;
        std::int64_t done = 0;
        while (done < target) {
            std::int64_t v = 0;
            if (::read(fds[0], &v, sizeof v) != static_cast<ssize_t>(sizeof v)) break;
            done = v;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20'000)(rng)));
        ::kill(child, SIGKILL);
        int wstatus = 0;
        REQUIRE(::waitpid(child, &wstatus, 0) == child);
        ::close(fds[0]);
        std::error_code ec;
        INFO("rows done when killed: " << done << ", WAL bytes: " << fs::file_size(db.path + "-wal", ec));
        REQUIRE(WIFSIGNALED(wstatus));
        CHECK(WTERMSIG(wstatus) == SIGKILL);
        CHECK(done >= target);
        CHECK(done < n);
        // All or nothing: the 10 customers from before, an intact file.
        CHECK(checked_customer_count(db.path) == 10);
        crm::Engine again(db.path);
        CHECK(count_of(again, "customers") == 10);
        CHECK(count_of(again, "ledger") == 0);
    }
    // The file still takes the whole import.
    crm::Engine e(db.path);
    check_report(e.import_rows("customers", ndjson_customers(1000, "after")), 1000, 0, 0);
    CHECK(checked_customer_count(db.path) == 1010);
}

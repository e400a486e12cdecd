// Query plans of customer lists (white-box, through the storage layer's
// EXPLAIN QUERY PLAN diagnostics): the common listings and filters use the
// indexes made for them and never scan the customers table.
#include <crm/crm.hpp>

#include "support.hpp"

#include "query/list_plan.hpp"
#include "storage/store.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace json = boost::json;
using namespace crm_test;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

// A line reading the customers table in full, without an index.
bool table_scan(std::string_view line) {
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (!line.starts_with("SCAN customers")) return false;
    line.remove_prefix(std::string_view("SCAN customers").size());
    if (line.empty()) return true;
    if (line.front() == '_') return false;  // customers_fts, another table
    return line.find("INDEX") == std::string_view::npos && line.find("PRIMARY KEY") == std::string_view::npos;
}

// A line scanning a whole index of customers (SCAN ... USING [COVERING] INDEX).
bool index_scan(std::string_view line) {
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    return line.starts_with("SCAN customers USING");
}

// ~200 customers with varied names, emails, channels and coupons, in a file
// the plan tests read through the storage layer.
struct Fixture {
    TempDb db{"plans"};
    std::string cursor;  // the default ordering's first next_cursor
    std::unique_ptr<crm::storage::Store> store;

    Fixture() {
        {
            crm::Engine e(db.path);
            static const char* kLast[] = {"Smith", "Jones", "Brown", "Ng", "Martin", "Dupont", "Lee", "Garcia"};
            static const char* kFirst[] = {"Ann", "Bob", "Zoe", "Eve", "Hans", "Li"};
            for (int i = 0; i < 200; ++i) {
                json::object c{{"last_name", kLast[i % 8]},
                               {"first_name", kFirst[i % 6]},
                               {"email", "user" + std::to_string(i) + "@example.com"},
                               {"channel_code", i % 3 == 0 ? "WEB" : i % 3 == 1 ? "SHOP" : "APP"},
                               {"status", i % 4}};
                if (i % 10 == 0) {
                    c["kind"] = "company";
                    c["company_name"] = "Company " + std::to_string(i);
                }
                if (i % 5 == 0) c["coupons"] = json::array{"SUMMER", "C" + std::to_string(i)};
                e.create("customers", c);
            }
            cursor = std::string(e.list("customers", crm::Query().page_size(20)).at("next_cursor").as_string());
        }
        store = crm::storage::open_sqlite_store(db.path, crm::Options{});
    }

    std::string explain(const json::object& q) {
        auto tx = store->begin(false);
        const auto plan = crm::query::plan_list(crm::query::customers_decl(), q, store->cursor_key());
        return store->explain_list(plan);
    }
};

// The plan uses `index` and reads the customers table through indexes only.
void check_plan(Fixture& f, const json::object& q, std::string_view index, bool allow_index_scan) {
    const std::string plan = f.explain(q);
    INFO("query: " << json::serialize(q));
    INFO("plan:\n" << plan);
    CHECK(plan.find(index) != std::string::npos);
    for (const auto& line : lines_of(plan)) {
        INFO("line: " << line);
        CHECK_FALSE(table_scan(line));
        if (!allow_index_scan) CHECK_FALSE(index_scan(line));
    }
}

}  // namespace

TEST_CASE("query plans: orderings walk their index", "[customers][query][plans]") {
    Fixture f;
    // The first page of an ordering reads its index in order (a scan of
    // the index, stopped by LIMIT), with no sort.
    for (const auto& [q, index] : std::vector<std::pair<json::object, std::string_view>>{
             {{}, "customers_default_order"},
             {{{"page_size", 100}}, "customers_default_order"},
             {{{"sortby", "default"}}, "customers_default_order"},
             {{{"ordering", "-created_at"}}, "customers_created_at"},
             {{{"sortby", "name"}}, "customers_name_order"},
             {{{"ordering", "last_name,first_name"}}, "customers_name_order"},
         }) {
        check_plan(f, q, index, true);
        const std::string plan = f.explain(q);
        INFO("query: " << json::serialize(q) << "\nplan:\n" << plan);
        // KNOWN GAP (reported to the lead): customers_created_at is on
        // (created_at) alone and created_at has whole seconds, so
        // "-created_at" (then id ascending) sorts each group of equal
        // created_at in a temp b-tree ("USE TEMP B-TREE FOR RIGHT PART OF
        // ORDER BY"). Kept as a CHECK so the failure stays visible.
        CHECK(plan.find("TEMP B-TREE") == std::string::npos);
    }
}

TEST_CASE("query plans: filters search their index", "[customers][query][plans]") {
    Fixture f;
    // Each page query and its count query search the index (no full scan of
    // the table, and no full scan of an index either).
    check_plan(f, {{"email", "user7@example.com"}}, "USING INDEX customers_email", false);
    check_plan(f, {{"email__istartswith", "USER1"}}, "customers_email", false);
    check_plan(f, {{"email__startswith", "user1"}}, "customers_email", false);
    check_plan(f, {{"channel_code", "WEB"}}, "customers_channel_code", false);
    {
        // created_at__gt under the default ordering: the planner may walk the
        // ordering's index (stopping at LIMIT) rather than search the range
        // and sort; either reads the table through an index. The count
        // searches the range.
        const json::object q{{"created_at__gt", "2020-01-01T00:00:00Z"}};
        check_plan(f, q, "customers_created_at", true);
        const auto lines = lines_of(f.explain(q));
        INFO("plan:\n" << f.explain(q));
        REQUIRE(lines.size() == 2);
        CHECK((lines[0].find("SEARCH customers USING INDEX customers_created_at") != std::string::npos ||
               lines[0] == "SCAN customers USING INDEX customers_default_order"));
        CHECK(lines[1] == "SEARCH customers USING COVERING INDEX customers_created_at (created_at>?)");
    }
    check_plan(f, {{"last_name", "Smith"}}, "customers_name_order", false);
    check_plan(f, {{"first_name", "Ann"}}, "customers_first_name", false);
    check_plan(f, {{"company_name", "Company 10"}}, "customers_default_order", false);
    check_plan(f, {{"last_name__istartswith", "smi"}}, "customers_name_order", false);
    check_plan(f, {{"coupon", "SUMMER"}}, "customer_coupons", false);
    check_plan(f, {{"pk__in", json::array{1, 5, 9}}}, "INTEGER PRIMARY KEY", false);
    check_plan(f, {{"uuid", "00000000-0000-4000-8000-000000000000"}}, "customers_uuid", false);
    check_plan(f, {{"loyalty_card", "CARD1"}}, "customers_loyalty_card", false);
}

TEST_CASE("query plans: a keyset page seeks its index", "[customers][query][plans]") {
    Fixture f;
    const json::object q{{"cursor", f.cursor}, {"page_size", 20}};
    const std::string plan = f.explain(q);
    INFO("plan:\n" << plan);
    CHECK(plan.find("SEARCH customers USING INDEX customers_default_order") != std::string::npos);
    for (const auto& line : lines_of(plan)) {
        INFO("line: " << line);
        CHECK_FALSE(table_scan(line));
        CHECK_FALSE(index_scan(line));
    }
    // The cursor page itself holds the right rows.
    crm::Engine e(f.db.path);
    const auto via_cursor = e.list("customers", crm::Query().cursor(f.cursor).page_size(20));
    const auto via_page = e.list("customers", crm::Query().page(2).page_size(20));
    CHECK(via_cursor.at("results") == via_page.at("results"));
}

TEST_CASE("query plans: a search collects its ids, then walks or seeks", "[customers][query][plans][search]") {
    Fixture f;  // "ann" matches first_name Ann: 34 of the 200 customers
    auto check_lines = [&](const json::object& q, const std::vector<std::string>& want) {
        const std::string plan = f.explain(q);
        INFO("query: " << json::serialize(q) << "\nplan:\n" << plan);
        CHECK(lines_of(plan) == want);
    };
    // The ids, in rowid order straight from the index (64: ORDER BY rowid
    // consumed by FTS5, no sort).
    const std::string ids = "SCAN customers_fts VIRTUAL TABLE INDEX 64:M5";
    // Few matches per wanted row (34 <= 20 x 50): the matches are looked up
    // by id and sorted; the count is the number of ids collected.
    check_lines({{"q", "ann"}},
                {ids, "SEARCH customers USING INTEGER PRIMARY KEY (rowid=?)", "LIST SUBQUERY 1",
                 "SCAN customers_fts VIRTUAL TABLE INDEX 0:M5", "USE TEMP B-TREE FOR ORDER BY"});
    // Many (34 > 20 x 1): the ordering's index is walked, each id probed
    // (crm_in_ids), no sort; a page of 1 row stops after a few entries.
    check_lines({{"q", "ann"}, {"page_size", 1}}, {ids, "SCAN customers USING INDEX customers_default_order"});
    check_lines({{"q", "ann"}, {"page_size", 1}, {"ordering", "-created_at"}},
                {ids, "SCAN customers USING INDEX customers_created_at"});
    // With another filter the count is SQL, and its plan is shown too.
    {
        const auto lines = lines_of(f.explain({{"q", "ann"}, {"channel_code", "WEB"}}));
        INFO("plan:\n" << f.explain({{"q", "ann"}, {"channel_code", "WEB"}}));
        REQUIRE(lines.size() > 2);
        CHECK(lines.front() == ids);
        CHECK(std::count(lines.begin(), lines.end(), "LIST SUBQUERY 1") == 2);  // the page's and the count's
    }
    // Without a count, the number of ids decides alike.
    check_lines({{"q", "ann"}, {"page_size", 1}, {"count", false}},
                {ids, "SCAN customers USING INDEX customers_default_order"});
}

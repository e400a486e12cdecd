// Streaming export (spec/c-api.md "Bulk, streaming, progress") through the
// C++ API: NDJSON lines, filters and ordering, stopping from the sink,
// refused paging keys, progress, every collection, an export -> import round
// trip, and rows inserted by another thread during an export.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
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

// What one export wrote: the parsed lines, after checking each is one
// JSON object on one line ending with '\n'.
struct Exported {
    std::vector<json::object> rows;
    Ids ids() const {
        Ids out;
        for (const auto& r : rows) out.push_back(r.at("id").as_int64());
        return out;
    }
};

Exported export_all(crm::Engine& e, std::string_view collection, const crm::Query& q = {}) {
    Exported out;
    e.export_rows(collection, q, [&](std::string_view line) {
        CHECK(!line.empty());
        CHECK(line.back() == '\n');
        CHECK(line.find('\n') == line.size() - 1);
        out.rows.push_back(json::parse(line).as_object());
        return true;
    });
    return out;
}

Exported export_all(crm::Engine& e, std::string_view collection, std::string_view query_json) {
    return export_all(e, collection, crm::Query::from_json(json::parse(query_json)));
}

// Every row of a listing with the same query (keyset pages of 1000).
std::vector<json::object> list_all(crm::Engine& e, std::string_view collection, json::object q = {}) {
    std::vector<json::object> out;
    q["page_size"] = 1000;
    for (;;) {
        auto page = e.list(collection, crm::Query::from_json(q));
        for (auto& r : page.at("results").as_array()) out.push_back(r.as_object());
        if (page.at("next_cursor").is_null()) break;
        q["cursor"] = page.at("next_cursor");
        q["count"] = false;
    }
    return out;
}

std::int64_t count_of(crm::Engine& e, std::string_view collection) { return e.list(collection).at("count").as_int64(); }

// n customers "Cust<i>" imported at once; returns nothing.
void many_customers(crm::Engine& e, std::int64_t n, std::string_view prefix = "Cust") {
    std::string s;
    for (std::int64_t i = 0; i < n; ++i)
        s += "{\"last_name\":\"" + std::string(prefix) + std::to_string(100000 + i) + "\"}\n";
    REQUIRE(e.import_rows("customers", s).created == n);
}

using Calls = std::vector<std::pair<std::int64_t, std::int64_t>>;

// Checks the progress calls of one export of `n` rows.
void check_progress(const Calls& calls, std::int64_t n) {
    INFO("rows: " << n << ", calls: " << calls.size());
    REQUIRE(!calls.empty());
    CHECK(calls.back() == std::pair<std::int64_t, std::int64_t>{n, n});
    const std::int64_t step = std::max<std::int64_t>(1, n / 100);
    std::int64_t last = 0;
    for (const auto& [done, total] : calls) {
        CHECK(total == n);
        CHECK(done >= last);
        CHECK(done - last <= step);
        last = done;
    }
}

}  // namespace

TEST_CASE("export: NDJSON lines equal the stored objects, filters and ordering honoured", "[export]") {
    crm::Engine e(":memory:");
    struct C {
        const char* first;
        const char* last;
        const char* email;
        const char* company;
    };
    const C people[] = {
        {"Zoe", "Brown", "zoe@example.com", "Acme"},     // 1
        {"Adam", "bell", "adam@sample.org", nullptr},    // 2
        {"Mia", "Ash", "mia@example.com", "Zeta"},       // 3
        {"Bob", "Baker", "bob@example.com", "Acme"},     // 4
        {"Eve", "Stone", "eve@sample.org", "Beta"},      // 5
        {"Carl", "Berg", nullptr, nullptr},              // 6
        {"Anna", "Brown", "anna@example.com", "Beta"},   // 7
    };
    for (const auto& p : people) {
        json::object o{{"first_name", p.first}, {"last_name", p.last}};
        if (p.email) o["email"] = p.email;
        if (p.company) o["company_name"] = p.company;
        e.create("customers", o);
    }
    // Everything: without an ordering an export goes in id order.
    const auto all = export_all(e, "customers");
    CHECK(all.ids() == Ids{1, 2, 3, 4, 5, 6, 7});
    // The collection's default ordering when asked for (company_name, last_name, first_name; nulls first).
    CHECK(export_all(e, "customers", R"({"sortby":"default"})").ids() == Ids{2, 6, 4, 1, 7, 5, 3});
    for (const auto& row : all.rows) CHECK(row == e.get("customers", row.at("id").as_int64()));
    // Filters and orderings: the same ids as the listing, exactly.
    CHECK(export_all(e, "customers", R"({"last_name__istartswith":"b","ordering":"-first_name"})").ids() == Ids{1, 6, 4, 7, 2});
    CHECK(export_all(e, "customers", R"({"email__contains":"example","ordering":"email"})").ids() == Ids{7, 4, 3, 1});
    CHECK(export_all(e, "customers", R"({"company_name":"Acme"})").ids() == Ids{1, 4});
    CHECK(export_all(e, "customers", R"({"sortby":"name","direction":"desc"})").ids() == Ids{5, 1, 7, 6, 2, 4, 3});
    CHECK(export_all(e, "customers", R"({"pk__in":"3,5,6","ordering":"-id"})").ids() == Ids{6, 5, 3});
    CHECK(export_all(e, "customers", R"({"q":"brown"})").ids() == Ids{1, 7});
    CHECK(export_all(e, "customers", R"({"email__isnull":true})").ids() == Ids{6});
    CHECK(export_all(e, "customers", R"({"last_name":"nobody"})").rows.empty());
    // The typed builder too.
    CHECK(export_all(e, "customers", crm::Query().where("first_name", crm::Lookup::istartswith, "a").ordering("first_name")).ids() ==
          Ids{2, 7});
}

TEST_CASE("export: crosses pages (1000 rows each) in order, without repeats", "[export]") {
    crm::Engine e(":memory:");
    many_customers(e, 2345);
    const auto asc = export_all(e, "customers", R"({"ordering":"id"})");
    REQUIRE(asc.rows.size() == 2345);
    for (std::int64_t i = 0; i < 2345; ++i) CHECK(asc.ids()[static_cast<std::size_t>(i)] == i + 1);
    const auto desc = export_all(e, "customers", R"({"ordering":"-last_name"})");
    REQUIRE(desc.rows.size() == 2345);
    CHECK(desc.rows.front().at("last_name") == "Cust102344");
    CHECK(desc.rows.back().at("last_name") == "Cust100000");
    const auto some = export_all(e, "customers", R"({"id__gt":1500,"ordering":"-id"})");
    CHECK(some.rows.size() == 845);
    CHECK(some.ids().front() == 2345);
    CHECK(some.ids().back() == 1501);
}

TEST_CASE("export: stops at once when the sink returns false", "[export]") {
    crm::Engine e(":memory:");
    many_customers(e, 2500);
    for (std::int64_t stop_at : {1, 999, 1000, 1001, 2499}) {
        INFO("stop at call " << stop_at);
        std::int64_t calls = 0;
        std::string last;
        e.export_rows("customers", crm::Query().ordering("id"), [&](std::string_view line) {
            ++calls;
            last = std::string(line);
            return calls < stop_at;
        });
        CHECK(calls == stop_at);  // no call after the one that said stop
        CHECK(json::parse(last).at("id") == stop_at);
    }
    // The engine is free afterwards: another call and another export run.
    CHECK(e.create("customers", parse_obj(R"({"last_name":"After"})")).at("id") == 2501);
    CHECK(export_all(e, "customers").rows.size() == 2501);
}

TEST_CASE("export: refuses paging keys, bad queries and unknown collections", "[export]") {
    crm::Engine e(":memory:");
    many_customers(e, 3);
    bool called = false;
    auto sink = [&](std::string_view) {
        called = true;
        return true;
    };
    const std::pair<const char*, json::value> paging[] = {
        {"page", 1}, {"page_size", 10}, {"offset", 0}, {"limit", 10}, {"cursor", "abc"}, {"count", false},
    };
    for (const auto& [key, value] : paging) {
        INFO("key " << key);
        expect_error([&] { e.export_rows("customers", crm::Query().where(key, value), sink); }, crm::Status::invalid,
                     {key});
    }
    expect_error([&] { e.export_rows("customers", crm::Query().page(1).page_size(5).count(false), sink); },
                 crm::Status::invalid, {"page", "page_size", "count"});
    expect_error([&] { e.export_rows("customers", crm::Query().where("colour", "red"), sink); }, crm::Status::invalid,
                 {"colour"});
    expect_error([&] { e.export_rows("customers", crm::Query().ordering("full_name"), sink); }, crm::Status::invalid,
                 {"ordering"});
    expect_error([&] { e.export_rows("orders", crm::Query().where("status", "lost"), sink); }, crm::Status::invalid,
                 {"status"});
    CHECK(code_of([&] { e.export_rows("nope", {}, sink); }) == crm::Status::not_found);
    CHECK(code_of([&] { e.export_rows("Customers", {}, sink); }) == crm::Status::not_found);
    CHECK_FALSE(called);
}

TEST_CASE("export: progress at least every 1% and done == total at the end", "[export][progress]") {
    crm::Engine e(":memory:");
    Calls calls;
    e.set_progress([&](std::int64_t done, std::int64_t total) { calls.emplace_back(done, total); });
    export_all(e, "customers");
    CHECK(calls == Calls{{0, 0}});  // nothing to export: one call at the end

    many_customers(e, 2500);
    calls.clear();
    CHECK(export_all(e, "customers").rows.size() == 2500);
    check_progress(calls, 2500);
    CHECK(calls.size() >= 100);

    calls.clear();
    CHECK(export_all(e, "customers", R"({"id__lte":300})").rows.size() == 300);
    check_progress(calls, 300);

    calls.clear();
    CHECK(export_all(e, "customers", R"({"id__lte":7})").rows.size() == 7);
    check_progress(calls, 7);

    calls.clear();
    e.set_progress({});
    export_all(e, "customers");
    CHECK(calls.empty());
}

TEST_CASE("export: every collection, each line equal to its listing", "[export]") {
    crm::Engine e(":memory:");
    const auto ann = id_of(e.create("customers", parse_obj(R"({"first_name":"Ann","loyalty_card":"33","email":"ann@example.com"})")));
    const auto bob = id_of(e.create("customers", parse_obj(R"({"first_name":"Bob"})")));
    e.create("orders", parse_obj(R"({"customer_id":1,"description":"first","status":"submitted"})"));
    e.create("orders", parse_obj(R"({"customer_id":2,"number":7})"));
    e.create("orders", parse_obj(R"({"customer_required":false,"number":3})"));
    e.create("tickets", parse_obj(R"({"customer_id":1,"date":"2024-01-02T10:00:00Z","lines":[{"product_code":"A","unit_price_before_cents":1000,"quantity":3}]})"));
    e.create("tickets", parse_obj(R"({"date":"2024-03-02T10:00:00Z","payment_mode":"card","lines":[{"product_code":"B","unit_price_before_cents":250}]})"));
    e.create("messages", parse_obj(R"({"customer_id":2,"context":"Called back"})"));
    e.create("messages", parse_obj(R"({"customer_id":1,"context":"Wrote"})"));
    e.create("forms", parse_obj(R"({"name":"vip","fields":[{"name":"tier","type":"string"}]})"));
    e.credit_redeem("33", 200, std::string("r-1"));
    e.credit_check(parse_obj(R"({"customer_id":2,"amount_cents":100,"date":"2024-05-01"})"));
    (void)ann;
    (void)bob;

    const std::map<std::string, std::size_t> sizes = {{"customers", 2}, {"orders", 3},  {"tickets", 2},
                                                      {"messages", 2},  {"forms", 1},   {"ledger", 2},
                                                      {"credit_requests", 1}};
    for (const auto& [collection, n] : sizes) {
        INFO("collection " << collection);
        const auto exported = export_all(e, collection);
        const auto listed = list_all(e, collection, {{"ordering", "id"}});
        CHECK(exported.rows.size() == n);
        CHECK(exported.rows == listed);
    }
    // Without an ordering an export goes in id order (ids never change).
    CHECK(export_all(e, "orders").ids() == Ids{1, 2, 3});
    CHECK(export_all(e, "tickets").ids() == Ids{1, 2});
    CHECK(export_all(e, "orders", R"({"status":"0","customer_id":2})").ids() == Ids{2});
    CHECK(export_all(e, "ledger", R"({"reason":"redemption"})").rows.at(0).at("delta_cents") == -200);
    CHECK(export_all(e, "tickets", R"({"total_cents__gt":1000})").ids() == Ids{1});
}

TEST_CASE("export: an export imported into a fresh engine gives the same customers", "[export][import]") {
    crm::Engine src(":memory:");
    src.create("forms", parse_obj(R"({"name":"vip","fields":[{"name":"tier","type":"enum","options":["gold","silver"]}]})"));
    const std::string rows = R"(
{"first_name":"Éloïse","last_name":"Müller","email":"Eloise@Example.com","phone":"+33 6 12 34 56 78","mobile":"06.12.34.56.78","gender":"female","date_of_birth":"1990-02-28","note":"line1\nline2 \"quoted\"","status":3,"is_active":false,"archived":true,"accepts_marketing":true,"email_allowed":true,"sms_allowed":true,"call_allowed":true,"user_type":"guest","channel_id":4,"channel_code":"WEB","erp_code":"E-1","crm_id":"C-1","ref_id":"R-1","account":"ACC","loyalty_card":"L77","coupons":["WELCOME","VIP"],"date_joined":"2020-01-02T03:04:05.123456Z","attributes":{"tier":"gold","n":1.5},"extra_field":{"a":[1,2,{"b":null}]},"localized_attributes":{"fr":"oui"},"credit_cents":4321,"refusal_count":2,"last_payment_date":"2023-12-31","last_payment_cents":777}
{"kind":"company","company_name":"Acme SA","uuid":"6ba7b810-9dad-11d1-80b4-00c04fd430c8"}
{"last_name":"Plain"}
)";
    REQUIRE(src.import_rows("customers", rows).created == 3);
    std::string ndjson;
    src.export_rows("customers", {}, [&](std::string_view line) {
        ndjson += line;
        return true;
    });

    crm::Engine dst(":memory:");
    dst.create("forms", parse_obj(R"({"name":"vip","fields":[{"name":"tier","type":"enum","options":["gold","silver"]}]})"));
    const auto report = dst.import_rows("customers", ndjson);
    INFO(json::serialize(report.to_json()));
    CHECK(report.created == 3);
    CHECK(report.failed == 0);

    // The same customers, but for what the engine sets on each write: id
    // (here the same, as both start empty), created_at, updated_at and
    // archived_at (the time `archived` became true).
    auto comparable = [](json::object o) { return without(std::move(o), {"id", "created_at", "updated_at", "archived_at"}); };
    const auto a = list_all(src, "customers", {{"ordering", "email,last_name"}});
    const auto b = list_all(dst, "customers", {{"ordering", "email,last_name"}});
    REQUIRE(a.size() == 3);
    REQUIRE(b.size() == 3);
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO(json::serialize(a[i]) << "\n" << json::serialize(b[i]));
        CHECK(comparable(a[i]) == comparable(b[i]));
        CHECK(b[i].at("archived_at").is_null() == a[i].at("archived_at").is_null());
    }
    const auto eloise = list_all(dst, "customers", {{"email", "eloise@example.com"}}).at(0);
    CHECK(eloise.at("uuid") == a[2].at("uuid"));
    CHECK(eloise.at("credit_cents") == 4321);
    CHECK(eloise.at("date_joined") == "2020-01-02T03:04:05.123456Z");
    CHECK(list_all(dst, "ledger").size() == 1);  // the balance as an opening `import` entry

    // Exporting the copy gives the same text, timestamps aside.
    std::vector<json::object> again;
    dst.export_rows("customers", {}, [&](std::string_view line) {
        again.push_back(comparable(json::parse(line).as_object()));
        return true;
    });
    std::vector<json::object> first;
    for (const auto& o : list_all(src, "customers", {{"ordering", "id"}})) first.push_back(comparable(o));
    CHECK(again == first);

    // The export upserted back by uuid changes nothing.
    crm::ImportOptions up;
    up.mode = crm::ImportMode::upsert;
    up.key = "uuid";
    const auto r = src.import_rows("customers", ndjson, up);
    CHECK(r.updated == 3);
    CHECK(r.created == 0);
    CHECK(list_all(src, "ledger").size() == 1);
    std::vector<json::object> after;
    for (const auto& o : list_all(src, "customers", {{"ordering", "id"}})) after.push_back(comparable(o));
    CHECK(after == first);
}

TEST_CASE("export: rows inserted by another thread during an export are never duplicated", "[export][threads]") {
    crm::Engine e(":memory:");
    const std::int64_t n = 3000;
    many_customers(e, n, "M");  // last names M100000 .. M102999
    std::atomic<std::int64_t> inserted{0};
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        // Names that sort before, inside and after the exported range.
        const char* prefixes[] = {"A", "M101500x", "Z", "M1", "M102999z"};
        for (std::int64_t i = 0; !stop && i < 100'000; ++i) {
            e.create("customers", json::object{{"last_name", std::string(prefixes[i % 5]) + std::to_string(i)}});
            ++inserted;
            std::this_thread::sleep_for(200us);
        }
    });
    // Waits until the writer has inserted `k` more rows (it runs between pages).
    auto wait_for_inserts = [&](std::int64_t k) {
        const std::int64_t target = inserted + k;
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (inserted < target && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    };

    for (const char* ordering : {"last_name", "-last_name", "id", "-created_at"}) {
        INFO("ordering " << ordering);
        // Ids run 1..count (no deletes): these rows exist for the whole export.
        const std::int64_t existing = count_of(e, "customers");
        REQUIRE(existing >= n);
        std::vector<json::object> rows;
        std::int64_t seen = 0;
        e.export_rows("customers", crm::Query().ordering(ordering), [&](std::string_view line) {
            rows.push_back(json::parse(line).as_object());
            if (++seen % 400 == 0) wait_for_inserts(7);
            return true;
        });
        std::map<std::int64_t, int> times;
        for (const auto& r : rows) ++times[r.at("id").as_int64()];
        Ids repeated, missing;
        for (const auto& [id, k] : times)
            if (k != 1) repeated.push_back(id);
        // Every row that existed for the whole export is there once.
        for (std::int64_t id = 1; id <= existing; ++id)
            if (!times.count(id)) missing.push_back(id);
        CHECK(repeated.empty());
        CHECK(missing.empty());
        CHECK(rows.size() == times.size());
        CHECK(static_cast<std::int64_t>(rows.size()) >= existing);
        CHECK(count_of(e, "customers") > existing);  // rows did arrive meanwhile
        // And the rows keep the export's order.
        if (std::string_view(ordering) == "id") {
            bool increasing = true;
            for (std::size_t i = 1; i < rows.size(); ++i)
                increasing = increasing && rows[i - 1].at("id").as_int64() < rows[i].at("id").as_int64();
            CHECK(increasing);
        }
    }
    stop = true;
    writer.join();
    CHECK(inserted > 0);
}

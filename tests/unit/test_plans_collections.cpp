// Query plans of the other collections' common listings: each walks or
// searches an index instead of sorting or scanning the whole table.
#include "query/list_plan.hpp"
#include "storage/store.hpp"

#include <crm/crm.hpp>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct PlanFixture {
    fs::path dir = fs::temp_directory_path() / ("crm-plans-" + std::to_string(std::random_device{}()));
    std::string path = (dir / "plans.db").string();
    PlanFixture() {
        fs::create_directories(dir);
        crm::Engine e(path);
        for (int i = 0; i < 30; ++i) {
            auto c = e.create("customers", json::parse(R"({"first_name":"P"})"));
            for (int k = 0; k < 3; ++k) {
                e.create("orders", json::object{{"customer_id", c.at("id")}, {"status", k % 3}});
                e.create("messages", json::object{{"customer_id", c.at("id")}, {"context", "hi"}});
            }
        }
        e.create("forms", json::parse(R"({"name":"f","fields":[]})"));
    }
    ~PlanFixture() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string plan(const crm::query::CollectionDecl& decl, const char* query) {
        auto store = crm::storage::open_sqlite_store(path, crm::Options{});
        auto p = crm::query::plan_list(decl, json::parse(query).as_object(), store->cursor_key());
        return store->explain_list(p);
    }
};

}  // namespace

TEST_CASE_METHOD(PlanFixture, "plans: orders list by number, by customer and by submit date through indexes") {
    using crm::query::orders_decl;
    std::string p = plan(orders_decl(), "{}");
    INFO(p);
    CHECK(p.find("USING INDEX orders_number") != std::string::npos);
    CHECK(p.find("TEMP B-TREE") == std::string::npos);

    p = plan(orders_decl(), R"({"customer_id": 3})");
    INFO(p);
    CHECK(p.find("USING INDEX orders_customer (customer_id=?)") != std::string::npos);
    CHECK(p.find("TEMP B-TREE") == std::string::npos);

    p = plan(orders_decl(), R"({"customer_id": 3, "status": "0,1", "sortby": "number", "offset": 0, "limit": 100})");
    INFO(p);
    CHECK(p.find("USING INDEX orders_customer (customer_id=?)") != std::string::npos);
    CHECK(p.find("SCAN orders") == std::string::npos);

    p = plan(orders_decl(), R"({"sortby": "submitdate"})");
    INFO(p);
    CHECK(p.find("USING INDEX orders_submit_date") != std::string::npos);
    CHECK(p.find("TEMP B-TREE") == std::string::npos);
}

TEST_CASE_METHOD(PlanFixture, "plans: a customer's messages, newest first, through their index") {
    std::string p = plan(crm::query::messages_decl(), R"({"customer_id": 3, "ordering": "-id"})");
    INFO(p);
    CHECK((p.find("INDEX messages_customer (customer_id=?)") != std::string::npos));
    CHECK(p.find("TEMP B-TREE") == std::string::npos);
}

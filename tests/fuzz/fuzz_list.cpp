// fuzz_list: crm_list on each collection with the input as query_json.
//
// One ":memory:" engine, made once, holds a few customers (one archived,
// with coupons, attributes, accents), orders, messages and forms; listing
// never writes, so the inputs do not change what later inputs see. The
// input, up to its first NUL, is the query text, tried on every collection.
//
// Beyond the checks of fuzz_common.hpp, a page must be a JSON object with a
// "results" array of at most 1000 rows, and a "next_cursor" it hands out
// must be accepted when sent back with the same query (query.md).
#include "fuzz_common.hpp"

#include <boost/json/serialize.hpp>

namespace {

using namespace crm_fuzz;

constexpr const char* kCollections[] = {"customers", "orders", "messages", "forms"};

crm_engine* engine() {
    static crm_engine* e = [] {
        crm_engine* db = open_memory();
        const std::int64_t ann = must_create(
            db, "customers",
            R"({"first_name":"Ann","last_name":"Lee","email":"ann@example.com","phone":"+33 6 12 34 56 78",)"
            R"("loyalty_card":"33","coupons":["A1","WELCOME"],"attributes":{"size":"M","age":30},"date_of_birth":"1990-05-17"})");
        const std::int64_t eloise = must_create(
            db, "customers",
            R"({"first_name":"Éloïse","last_name":"Müller","kind":"company","company_name":"Google","status":2,)"
            R"("extra_field":{"erp":"X1"},"localized_attributes":{"fr":"oui"}})");
        must_create(db, "customers", R"({"first_name":"Bob","last_name":"Brown","archived":true,"is_active":false})");
        for (std::int64_t c : {ann, eloise}) {
            const std::string id = std::to_string(c);
            must_create(db, "orders", (R"({"customer_id":)" + id + R"(,"description":"draft","quantity":2})").c_str());
            must_create(db, "orders",
                        (R"({"customer_id":)" + id + R"(,"status":"submitted","total_cents":2600,"date":"2026-01-15T10:30:00Z"})").c_str());
            must_create(db, "messages", (R"({"customer_id":)" + id + R"(,"context":"Called back"})").c_str());
        }
        must_create(db, "forms", R"({"name":"vip","fields":[{"name":"size","type":"enum","options":["S","M","L"]}]})");
        must_create(db, "forms", R"({"name":"old","active":false,"fields":[]})");
        return db;
    }();
    return e;
}

// The query with "cursor" set to `cursor` (paging keys kept).
std::string with_cursor(const boost::json::object& query, const boost::json::string& cursor) {
    boost::json::object q = query;
    q.erase("page");
    q.erase("offset");
    q["cursor"] = cursor;
    return boost::json::serialize(q);
}

void list_one(crm_engine* e, const char* collection, const std::string& text, int depth) {
    char* out = nullptr;
    const int rc = crm_list(e, collection, text.c_str(), &out);
    boost::json::value page;
    if (rc == CRM_OK && out != nullptr) {
        if (!parse_json(out, page) || !page.is_object()) die("crm_list", rc, "the page is not a JSON object", out);
        const auto* results = page.get_object().if_contains("results");
        if (results == nullptr || !results->is_array() || results->get_array().size() > 1000)
            die("crm_list", rc, "the page has no results array of at most 1000 rows", out);
        if (!page.get_object().contains("next_cursor")) die("crm_list", rc, "the page has no next_cursor", out);
    }
    // Every collection here exists: not_found would be a bug.
    check_out("crm_list", rc, out, kClientErrors & ~bit(CRM_ENOTFOUND) & ~bit(CRM_ECONFLICT), text);
    if (rc != CRM_OK || depth > 0) return;
    // Follow the next page once: the cursor is accepted with the same query.
    const auto& next = page.get_object().at("next_cursor");
    boost::json::value query;
    if (next.is_string() && parse_json(text, query) && query.is_object()) {
        const std::string again = with_cursor(query.get_object(), next.get_string());
        char* out2 = nullptr;
        const int rc2 = crm_list(e, collection, again.c_str(), &out2);
        if (rc2 != CRM_OK) die("crm_list with next_cursor", rc2, "the page's next_cursor is refused", again.c_str());
        check_out("crm_list with next_cursor", rc2, out2, 0, again);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text = as_text(data, size);
    crm_engine* e = engine();
    for (const char* collection : kCollections) list_one(e, collection, text, 0);
    return 0;
}

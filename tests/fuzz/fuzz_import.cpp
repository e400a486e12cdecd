// fuzz_import: crm_import with a fuzzed payload, in every format.
//
// Input: the first byte picks the target and the options; the rest, up to
// its first NUL, is the payload text.
//   - bits 0-3: (format, collection), one of kTargets below: the eleven
//     pairs crm_import maps (spec/seed-map.md, src/domain/formats.cpp), then
//     five it must refuse whatever the payload (a format with no mapping for
//     the collection, a list-only collection, an unknown format, an unknown
//     collection);
//   - bit 4: "atomic": false (else atomic, the default; said explicitly
//     when bits 5-7 are 1);
//   - bits 5-7, customers: 0 no "mode", 1 "mode":"create", 2-6 "mode":"upsert"
//     with "key" email, uuid, crm_id, erp_code, loyalty_card, 7 "upsert"
//     with no key (email); other collections: 7 "upsert" (refused: customers
//     only), else like 0 and 1.
//   A first byte of 0 sends options_json NULL (canonical customers, create,
//   atomic).
//
// One ":memory:" engine serves every input. Setup imports two customers
// with known uuids, cards, crm_id and erp_code (so the seeds' payloads and
// upserts find them; one has an opening balance), a form, an order, a
// message and a ticket with a ref (so a replayed ticket is "unchanged").
// After an input the engine is as setup left it: rows the input created in
// orders, messages or forms (or customers, with no ledger entry) are
// deleted; anything else that wrote (an upsert, tickets, opening balances)
// makes a fresh engine. An artifact replayed alone runs on a fresh engine.
//
// Beyond the checks of fuzz_common.hpp:
//   - the status is invalid (or nomem), not_found only for the unknown
//     collection, and always the refusal for the five refused targets;
//   - a report is {"created","updated","failed","errors"}: errors has
//     `failed` entries {"index","code":"invalid"|"conflict","errors":[...]}
//     with increasing indexes below the row count, and created + updated +
//     failed is the row count (at most, for tickets: a replayed ticket is
//     in none); an atomic import reports no failure;
//   - the row count is the one progress reports at its end (done == total);
//   - the collection holds `created` more rows than before, and exports
//     them: one JSON object per line, a line per row;
//   - a failed import, or one that created and updated nothing, changed
//     nothing: the collection, the customers and the ledger list as before.
#include <boost/json/serialize.hpp>
#include <vector>

#include "fuzz_common.hpp"

namespace {

using namespace crm_fuzz;

struct Target {
    const char* format;  // nullptr: no "format" key (canonical)
    const char* collection;
    int refused;  // CRM_OK, or the status every input gets
};

constexpr Target kTargets[16] = {
    {nullptr, "customers", CRM_OK},
    {"canonical", "orders", CRM_OK},
    {"canonical", "tickets", CRM_OK},
    {"canonical", "messages", CRM_OK},
    {"canonical", "forms", CRM_OK},
    {"crm-app", "customers", CRM_OK},
    {"crm-app", "tickets", CRM_OK},
    {"v1", "customers", CRM_OK},
    {"v1", "orders", CRM_OK},
    {"heidian", "customers", CRM_OK},
    {"akinon", "customers", CRM_OK},
    // refused whatever the payload
    {"v1", "tickets", CRM_EINVAL},
    {"heidian", "orders", CRM_EINVAL},
    {"canonical", "ledger", CRM_EINVAL},
    {"csv", "customers", CRM_EINVAL},
    {"canonical", "nope", CRM_ENOTFOUND},
};

constexpr const char* kKeys[] = {"email", "uuid", "crm_id", "erp_code", "loyalty_card"};

// The collections an import may write, beside its own.
constexpr const char* kCollections[] = {"customers", "orders", "tickets", "messages", "forms"};

struct Progress {
    std::int64_t done = -1, total = -1, calls = 0;
};

void on_progress(void* ctx, std::int64_t done, std::int64_t total) {
    auto* p = static_cast<Progress*>(ctx);
    p->done = done;
    p->total = total;
    ++p->calls;
}

struct Setup {
    crm_engine* e = nullptr;
    Progress progress;
    std::int64_t max_id[5] = {0, 0, 0, 0, 0};  // the last setup id of each of kCollections
    std::int64_t rows[5] = {0, 0, 0, 0, 0};    // and its row count
    std::string before[5];                     // snapshot() of each import's collections
    std::int64_t ledger_rows = 0;
};

int index_of(const char* collection) {
    for (int i = 0; i < 5; ++i)
        if (std::strcmp(kCollections[i], collection) == 0) return i;
    return -1;
}

// What an import into `collection` may write: itself, the customers
// (tickets' statistics) and the ledger (accruals, opening balances).
std::string snapshot(crm_engine* e, const char* collection) {
    if (std::strcmp(collection, "customers") == 0) {
        static const char* const kSome[] = {"customers", "ledger"};
        return dump(e, kSome);
    }
    const char* const some[] = {collection, "customers", "ledger"};
    return dump(e, some);
}

std::int64_t last_id(crm_engine* e, const char* collection) {
    const boost::json::object page =
        list_page(e, collection, R"({"ordering":"-id","page_size":1})");
    const auto& results = page.at("results").as_array();
    return results.empty() ? 0 : results[0].as_object().at("id").as_int64();
}

void build(Setup& s) {
    s.e = open_memory();
    must_import(
        s.e, "customers",
        R"([{"uuid":"a14e39ce-e29e-11e9-a8cb-08002751d198","first_name":"Ann","last_name":"Lee",)"
        R"("email":"ann@example.com","loyalty_card":"33","crm_id":"C1","erp_code":"E1","coupons":["A1"]},)"
        R"({"uuid":"2c5b24e0-0d48-11ea-b85e-08002751d198","first_name":"Bob","email":"bob@example.com",)"
        R"("loyalty_card":"42","credit_cents":500,"refusal_count":1}])");
    must_create(
        s.e, "forms",
        R"({"name":"vip","fields":[{"name":"tier","type":"enum","options":["gold","silver"]}]})");
    must_create(s.e, "orders", R"({"customer_id":1,"description":"With client","quantity":2})");
    must_create(s.e, "messages", R"({"customer_id":1,"context":"Called back"})");
    must_create(
        s.e, "tickets",
        R"({"customer_id":1,"date":"2019-10-09T17:01:29Z","payment_mode":"CASH","ref":"t-1",)"
        R"("lines":[{"product_code":"X1-0","unit_price_before_cents":800,"promo_percent":50,"quantity":2}]})");
    crm_set_progress(s.e, on_progress, &s.progress);
    for (int i = 0; i < 5; ++i) {
        s.max_id[i] = last_id(s.e, kCollections[i]);
        s.rows[i] = count_rows(s.e, kCollections[i]);
        s.before[i] = snapshot(s.e, kCollections[i]);
    }
    s.ledger_rows = count_rows(s.e, "ledger");
}

Setup& setup() { return built_once<Setup>(build); }

void rebuild(Setup& s) {
    crm_close(s.e);
    s.progress = {};
    build(s);
}

std::string options_for(std::uint8_t selector, const Target& t) {
    const bool customers = std::strcmp(t.collection, "customers") == 0;
    const int mode = selector >> 5;
    boost::json::object o;
    if (t.format) o["format"] = t.format;
    if (selector & 0x10)
        o["atomic"] = false;
    else if (mode == 1)
        o["atomic"] = true;
    if (mode == 1) o["mode"] = "create";
    if (mode == 7) o["mode"] = "upsert";
    if (customers && mode >= 2 && mode <= 6) {
        o["mode"] = "upsert";
        o["key"] = kKeys[mode - 2];
    }
    return boost::json::serialize(o);
}

[[noreturn]] void bad_report(const char* why, const char* report, const std::string& input) {
    die_showing("crm_import", "report", report, why, input);
}

std::int64_t report_int(const boost::json::object& r, const char* key, const char* text,
                        const std::string& input) {
    const auto* v = r.if_contains(key);
    if (v == nullptr || !v->is_int64() || v->get_int64() < 0)
        bad_report("a report count is missing or negative", text, input);
    return v->get_int64();
}

// Deletes every row of `collection` past `max_id`; false when one cannot be.
bool delete_after(crm_engine* e, const char* collection, std::int64_t max_id) {
    const std::string query = R"({"ordering":"id","page_size":1000,"count":false,"id__gt":)" +
                              std::to_string(max_id) + "}";
    for (;;) {
        const boost::json::object page = list_page(e, collection, query.c_str());
        const auto& results = page.at("results").as_array();
        if (results.empty()) return true;
        for (const auto& row : results)
            if (crm_delete(e, collection, row.as_object().at("id").as_int64()) != CRM_OK)
                return false;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t selector = data[0];
    const Target& t = kTargets[selector & 15];
    const std::string payload = as_text(data + 1, size - 1);
    const std::string options = options_for(selector, t);
    const bool atomic = (selector & 0x10) == 0;
    const bool upsert_elsewhere =
        std::strcmp(t.collection, "customers") != 0 && (selector >> 5) == 7;
    const int which = index_of(t.collection);  // -1: a collection it cannot write

    Setup& s = setup();
    s.progress = {};
    char* out = nullptr;
    const int rc = crm_import(s.e, t.collection, payload.c_str(),
                              selector == 0 ? nullptr : options.c_str(), &out);
    std::string report_text = rc == CRM_OK && out != nullptr ? std::string(out) : std::string();
    const std::string input = options + " " + payload;
    unsigned allowed = bit(CRM_EINVAL) | bit(CRM_ENOMEM);
    if (t.refused == CRM_ENOTFOUND) allowed = bit(CRM_ENOTFOUND);
    check_out("crm_import", rc, out, allowed, input);
    if (t.refused != CRM_OK || upsert_elsewhere) {
        const int want = t.refused != CRM_OK ? t.refused : CRM_EINVAL;
        if (rc != want)
            die("crm_import", rc, "this format, collection and mode must be refused",
                input.c_str());
        for (int i = 0; i < 5; ++i) {
            if (count_rows(s.e, kCollections[i]) != s.rows[i])
                die("crm_import", rc, "a refused import wrote rows", input.c_str());
        }
        return 0;
    }
    if (rc != CRM_OK) {
        // Nothing written, atomic or not (a bad payload is found before any row).
        same_state("crm_import (failed)", s.before[which], snapshot(s.e, t.collection), input);
        return 0;
    }

    // The report.
    boost::json::value rv;
    if (!parse_json(report_text, rv) || !rv.is_object())
        bad_report("the report is not an object", report_text.c_str(), input);
    const auto& r = rv.get_object();
    if (r.size() != 4)
        bad_report("the report does not have exactly its four keys", report_text.c_str(), input);
    const std::int64_t created = report_int(r, "created", report_text.c_str(), input);
    const std::int64_t updated = report_int(r, "updated", report_text.c_str(), input);
    const std::int64_t failed = report_int(r, "failed", report_text.c_str(), input);
    const auto* errors = r.if_contains("errors");
    if (errors == nullptr || !errors->is_array())
        bad_report("the report has no errors array", report_text.c_str(), input);
    if (static_cast<std::int64_t>(errors->get_array().size()) != failed)
        bad_report("errors does not list `failed` rows", report_text.c_str(), input);
    if (atomic && failed != 0)
        bad_report("an atomic import succeeded with failed rows", report_text.c_str(), input);

    // The row count: progress's last call has done == total == the rows.
    if (s.progress.calls < 1 || s.progress.done != s.progress.total)
        bad_report("progress did not end with done == total", report_text.c_str(), input);
    const std::int64_t rows = s.progress.total;
    const bool tickets = std::strcmp(t.collection, "tickets") == 0;
    const std::int64_t sum = created + updated + failed;
    if (tickets ? sum > rows : sum != rows)
        bad_report(tickets ? "created + updated + failed is more than the rows"
                           : "created + updated + failed is not the number of rows",
                   report_text.c_str(), input);
    if (updated != 0 && std::strcmp(t.collection, "customers") != 0)
        bad_report("rows updated outside customers", report_text.c_str(), input);
    std::int64_t last_index = -1;
    for (const auto& item : errors->get_array()) {
        if (!item.is_object())
            bad_report("an errors entry is not an object", report_text.c_str(), input);
        const auto& o = item.get_object();
        const auto* index = o.if_contains("index");
        if (index == nullptr || !index->is_int64() || index->get_int64() <= last_index ||
            index->get_int64() >= rows)
            bad_report("an errors entry's index is not increasing within the rows",
                       report_text.c_str(), input);
        last_index = index->get_int64();
        const auto* code = o.if_contains("code");
        if (code == nullptr || !code->is_string() ||
            (code->get_string() != "invalid" && code->get_string() != "conflict"))
            bad_report("an errors entry's code is not invalid or conflict", report_text.c_str(),
                       input);
        const auto* fields = o.if_contains("errors");
        if (fields == nullptr || !fields->is_array() || fields->get_array().empty())
            bad_report("an errors entry has no errors", report_text.c_str(), input);
        for (const auto& f : fields->get_array()) {
            const auto* fo = f.if_object();
            const auto* field = fo ? fo->if_contains("field") : nullptr;
            const auto* message = fo ? fo->if_contains("message") : nullptr;
            if (field == nullptr || !field->is_string() || message == nullptr ||
                !message->is_string() || message->get_string().empty())
                bad_report("a row error is not {field, message}", report_text.c_str(), input);
        }
    }

    // What was written.
    if (count_rows(s.e, t.collection) != s.rows[which] + created)
        bad_report("the collection did not grow by `created` rows", report_text.c_str(), input);
    if (created > 0 || updated > 0) {
        // What was imported exports: one object per line, every row once.
        ExportLines lines;
        must("crm_export (check)", crm_export(s.e, t.collection, nullptr, ExportLines::write, &lines),
             t.collection);
        if (lines.bad)
            bad_report("an exported line is not one JSON object", report_text.c_str(), input);
        if (lines.n != s.rows[which] + created)
            bad_report("the export does not have a line per row", report_text.c_str(), input);
    }
    if (created == 0 && updated == 0) {
        same_state("crm_import (nothing created or updated)", s.before[which],
                   snapshot(s.e, t.collection), input);
        return 0;
    }

    // Back to the setup state: delete what was created, or start afresh.
    // (An upsert changed setup rows; a ticket or an opening balance wrote
    // ledger entries, which are never deleted.)
    const bool deletable = updated == 0 && !tickets && count_rows(s.e, "ledger") == s.ledger_rows;
    if (deletable && delete_after(s.e, t.collection, s.max_id[which])) {
        same_state("restoring after crm_import", s.before[which], snapshot(s.e, t.collection),
                   input);
        return 0;
    }
    rebuild(s);
    return 0;
}

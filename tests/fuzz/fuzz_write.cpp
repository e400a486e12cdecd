// fuzz_write: crm_create / crm_replace / crm_update with fuzzed JSON.
//
// Input: the first byte picks the collection (bits 0-1: customers, orders,
// messages, forms; bit 7 set: tickets) and the operation (((byte & 0x7f) >>
// 2) % 3: create, replace or update of a row created at setup); the rest,
// up to its first NUL, is the JSON text. Tickets are immutable: a replace or
// update of one must be refused (invalid) whatever the text.
//
// One ":memory:" engine serves every input (opening one per input would cost
// most of the time): it holds one customer, one order and one message of
// that customer, one active form and one ticket of that customer (with its
// accrual). After each input the engine is put
// back: a row the input created is deleted, and a row it replaced or updated
// is replaced with its setup body again (an order whose status moved on is
// deleted and made anew). An artifact replayed alone runs on a fresh engine.
//
// Beyond the checks of fuzz_common.hpp, a write that succeeds must be read
// back by crm_get as the same object, and that object sent back as a PUT
// must be accepted (read-only fields are ignored: domain.md).
#include "fuzz_common.hpp"

#include <boost/json/serialize.hpp>

namespace {

using namespace crm_fuzz;

constexpr const char* kCollections[] = {"customers", "orders", "messages", "forms", "tickets"};
constexpr int kTickets = 4;
constexpr const char* kOps[] = {"crm_create", "crm_replace", "crm_update"};

struct Setup {
    crm_engine* e = nullptr;
    std::int64_t ids[5] = {0, 0, 0, 0, 0};  // the row of each collection replaced or updated
    std::string bodies[5];                  // what each was made from
};

Setup& setup() {
    static Setup s = [] {
        Setup t;
        t.e = open_memory();
        t.bodies[0] =
            R"({"first_name":"Ann","last_name":"Lee","email":"ann@example.com","loyalty_card":"33",)"
            R"("coupons":["A1"],"attributes":{"tier":"gold"}})";
        t.ids[0] = must_create(t.e, "customers", t.bodies[0].c_str());
        const std::string customer = std::to_string(t.ids[0]);
        t.bodies[1] = R"({"customer_id":)" + customer + R"(,"description":"With client","quantity":2})";
        t.ids[1] = must_create(t.e, "orders", t.bodies[1].c_str());
        t.bodies[2] = R"({"customer_id":)" + customer + R"(,"context":"Called back"})";
        t.ids[2] = must_create(t.e, "messages", t.bodies[2].c_str());
        t.bodies[3] = R"({"name":"vip","fields":[{"name":"tier","type":"enum","options":["gold","silver"]}]})";
        t.ids[3] = must_create(t.e, "forms", t.bodies[3].c_str());
        t.bodies[4] = R"({"customer_id":)" + customer +
                      R"(,"ref":"setup-1","date":"2026-01-02T03:04:05Z","lines":[{"product_code":"P1",)"
                      R"("unit_price_before_cents":1000,"quantity":2}]})";
        t.ids[4] = must_create(t.e, "tickets", t.bodies[4].c_str());
        return t;
    }();
    return s;
}

// Puts row `which` back as setup made it.
void restore(Setup& s, int which) {
    char* out = nullptr;
    int rc = crm_replace(s.e, kCollections[which], s.ids[which], s.bodies[which].c_str(), &out);
    crm_free(out);
    if (rc == CRM_ECONFLICT && which == 1) {  // an order past draft cannot go back: make it anew
        rc = crm_delete(s.e, "orders", s.ids[1]);
        if (rc != CRM_OK) die("restore: crm_delete of the order", rc, "cannot delete the moved order", nullptr);
        s.ids[1] = must_create(s.e, "orders", s.bodies[1].c_str());
        return;
    }
    if (rc != CRM_OK) die("restore: crm_replace", rc, "cannot put the setup row back", s.bodies[which].c_str());
}

// A write that succeeded: read back, compare, and PUT the result back.
void check_round_trip(crm_engine* e, const char* collection, const boost::json::value& written, bool put_back) {
    const std::int64_t id = written.get_object().at("id").as_int64();
    char* got = nullptr;
    int rc = crm_get(e, collection, id, &got);
    if (rc != CRM_OK) die("crm_get after a write", rc, "cannot read the written row back", collection);
    boost::json::value read;
    if (!parse_json(got, read)) die("crm_get after a write", rc, "not JSON", got);
    if (read != written) {
        const std::string w = boost::json::serialize(written);
        std::fprintf(stderr, "written: %s\nread:    %s\n", w.c_str(), got);
        die("crm_get after a write", rc, "the row read back differs from the write's result", collection);
    }
    if (!put_back) {  // tickets: immutable
        crm_free(got);
        return;
    }
    char* put = nullptr;
    rc = crm_replace(e, collection, id, got, &put);
    if (rc != CRM_OK) die("crm_replace with the crm_get result", rc, "a GET result sent back as PUT is refused", got);
    crm_free(put);
    crm_free(got);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const int which = (data[0] & 0x80) ? kTickets : data[0] & 3;
    const int op = ((data[0] & 0x7f) >> 2) % 3;
    const std::string text = as_text(data + 1, size - 1);
    const char* collection = kCollections[which];

    Setup& s = setup();
    char* out = nullptr;
    int rc = CRM_OK;
    switch (op) {
        case 0: rc = crm_create(s.e, collection, text.c_str(), &out); break;
        case 1: rc = crm_replace(s.e, collection, s.ids[which], text.c_str(), &out); break;
        default: rc = crm_update(s.e, collection, s.ids[which], text.c_str(), &out); break;
    }
    // Keep a copy of a successful result for the round trip (check_out frees it).
    boost::json::value written;
    if (rc == CRM_OK && out != nullptr && !parse_json(out, written)) die(kOps[op], rc, "out_json is not valid JSON", out);
    // not_found only for a collection or an id that does not exist: all do here.
    check_out(kOps[op], rc, out, kClientErrors & ~bit(CRM_ENOTFOUND), text);
    if (which == kTickets && op != 0 && rc != CRM_EINVAL)
        die(kOps[op], rc, "a ticket was replaced or updated: tickets are immutable", text.c_str());
    if (rc != CRM_OK) return 0;
    check_round_trip(s.e, collection, written, which != kTickets);
    if (op == 0) {
        const std::int64_t id = written.get_object().at("id").as_int64();
        if (which == kTickets && id == s.ids[kTickets]) return 0;  // the setup ticket's ref, replayed: kept
        const int rc2 = crm_delete(s.e, collection, id);
        if (rc2 != CRM_OK) die("crm_delete of the created row", rc2, "cannot delete a row just created", text.c_str());
    } else {
        restore(s, which);
    }
    return 0;
}

// fuzz_credit_check: crm_credit_check with a fuzzed request JSON.
//
// The input, up to its first NUL, is request_json: ours
// ({"customer_id" | "customer_uuid", "amount_cents", "date"}) or seed 003's
// ({"idClient", "Montant", "Date"}).
//
// One ":memory:" engine holds five customers with known uuids (the seed's
// first two among them), each failing a different rule or none: Ann (active,
// card 33, tickets around the 365-day window of 2019-12-06), Bob (archived,
// one ticket), Cara (3 refusals already), Dan (not active, 5 refusals), Eve
// (active, no ticket, 2 refusals). A failed call leaves it as it was
// (checked); a successful one stored a credit request, which is never
// deleted, so the next input gets a fresh engine. An artifact replayed
// alone runs on a fresh engine.
//
// Beyond the checks of fuzz_common.hpp (the status is invalid, not_found or
// nomem):
//   - a failure changed nothing: customers, tickets, ledger and
//     credit_requests list as before;
//   - a success is the stored request (crm_get "credit_requests" gives the
//     same object, the only one there), for a setup customer with its uuid,
//     with the amount and date given (date: today, UTC, when not given);
//     `reasons` is exactly what the rules say for that customer, amount and
//     date (inactive; refusal_count >= 3; amount > 10 x the customer's
//     ticket totals from date - 365 days through date), and `allowed` is
//     reasons == [];
//   - the call changed nothing else: the customers list as before except
//     the refusal_count of this customer, 1 more when refused; tickets and
//     the ledger list as before.
#include <boost/json/serialize.hpp>
#include <chrono>
#include <optional>
#include <vector>

#include "fuzz_common.hpp"

namespace {

using namespace crm_fuzz;
using namespace std::chrono;

struct TicketAt {
    sys_seconds at;
    std::int64_t total_cents;
};

struct Customer {
    const char* uuid;
    const char* fields;     // the rest of its import row
    bool active;            // is_active and not archived
    std::int64_t refusals;  // refusal_count after setup
    std::vector<TicketAt> tickets;
    std::int64_t id = 0;
};

constexpr sys_seconds at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
    return sys_seconds{sys_days{year{y} / month{m} / day{d}}} + hours{hh} + minutes{mm} +
           seconds{ss};
}

std::vector<Customer> expected_customers() {
    return {
        {"a14e39ce-e29e-11e9-a8cb-08002751d198",
         R"("first_name":"Ann","loyalty_card":"33")",
         true,
         0,
         {{at(2019, 10, 9, 17, 1, 29), 42400},
          {at(2019, 1, 15, 10), 10000},
          {at(2018, 12, 6), 500},
          {at(2018, 12, 5, 23, 59, 59), 300},
          {at(2019, 12, 7), 700},
          {at(2019, 12, 6, 23, 59, 59), 11}}},
        {"2c5b24e0-0d48-11ea-b85e-08002751d198",
         R"("first_name":"Bob","archived":true)",
         false,
         0,
         {{at(2019, 6, 1, 12), 5000}}},
        {"7d444840-9dc0-11d1-b245-5ffdce74fad2",
         R"("first_name":"Cara","refusal_count":3)",
         true,
         3,
         {}},
        {"c3a35bf1-5b7e-4a25-9cf6-2b6f2b3f6a41",
         R"("first_name":"Dan","is_active":false,"refusal_count":5)",
         false,
         5,
         {}},
        {"0f0e3e72-4f2b-4a4e-8f0d-6f6e0b8d0c11",
         R"("first_name":"Eve","refusal_count":2)",
         true,
         2,
         {}},
    };
}

constexpr const char* kState[] = {"customers", "tickets", "ledger", "credit_requests"};

struct Setup {
    crm_engine* e = nullptr;
    std::vector<Customer> customers;
    std::string before;                // dump of kState
    boost::json::array customer_rows;  // the customers, listed in id order
    std::string tickets_and_ledger;    // dump of those two
};

std::string format_at(sys_seconds t) {
    const auto days = floor<std::chrono::days>(t);
    const year_month_day ymd{days};
    const hh_mm_ss<seconds> tod{t - days};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<long long>(tod.hours().count()),
                  static_cast<long long>(tod.minutes().count()),
                  static_cast<long long>(tod.seconds().count()));
    return buf;
}

void build(Setup& s) {
    s.e = open_memory();
    s.customers = expected_customers();
    std::string customers = "[";
    for (const auto& c : s.customers) {
        if (customers.size() > 1) customers += ',';
        customers += std::string(R"({"uuid":")") + c.uuid + "\"," + c.fields + "}";
    }
    customers += ']';
    must_import(s.e, "customers", customers.c_str());
    const boost::json::object page = list_page(s.e, "customers", R"({"ordering":"id"})");
    const auto& rows = page.at("results").as_array();
    if (rows.size() != s.customers.size()) die("setup", CRM_OK, "not five customers", nullptr);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i].as_object();
        s.customers[i].id = row.at("id").as_int64();
        if (row.at("uuid").as_string() != s.customers[i].uuid ||
            row.at("refusal_count").as_int64() != s.customers[i].refusals)
            die("setup", CRM_OK, "a customer is not as imported", nullptr);
        for (const auto& t : s.customers[i].tickets) {
            // one line of 1 x total (total_cents is computed from the lines)
            const std::string body =
                R"({"customer_id":)" + std::to_string(s.customers[i].id) + R"(,"date":")" +
                format_at(t.at) + R"(","lines":[{"product_code":"P","unit_price_before_cents":)" +
                std::to_string(t.total_cents) + R"(,"quantity":1}]})";
            must_create(s.e, "tickets", body.c_str());
        }
    }
    s.before = dump(s.e, kState);
    s.customer_rows = list_page(s.e, "customers", R"({"ordering":"id","page_size":1000})")
                          .at("results")
                          .as_array();
    static const char* const kUnchanged[] = {"tickets", "ledger"};
    s.tickets_and_ledger = dump(s.e, kUnchanged);
}

Setup& setup() { return built_once<Setup>(build); }

[[noreturn]] void bad(const char* why, const std::string& result, const std::string& input) {
    die_showing("crm_credit_check", "result", result, why, input);
}

std::optional<sys_days> parse_day(std::string_view s) {
    int y = 0;
    unsigned m = 0, d = 0;
    if (s.size() != 10 || std::sscanf(std::string(s).c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3)
        return std::nullopt;
    const year_month_day ymd{year{y}, month{m}, day{d}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd};
}

// What the rules decide (spec/domain.md "Credit requests"; default options).
std::vector<std::string> reasons_for(const Customer& c, std::int64_t amount, sys_days date) {
    std::vector<std::string> reasons;
    if (!c.active) reasons.emplace_back("inactive");
    if (c.refusals >= 3) reasons.emplace_back("too_many_refusals");
    const sys_seconds from{date - days{365}}, to{date + days{1}};
    std::int64_t recent = 0;
    for (const auto& t : c.tickets)
        if (t.at >= from && t.at < to) recent += t.total_cents;
    if (amount > 10 * recent) reasons.emplace_back("over_limit");
    return reasons;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text = as_text(data, size);
    Setup& s = setup();
    char* out = nullptr;
    const int rc = crm_credit_check(s.e, text.c_str(), &out);
    const std::string result = rc == CRM_OK && out != nullptr ? std::string(out) : std::string();
    check_out("crm_credit_check", rc, out, bit(CRM_EINVAL) | bit(CRM_ENOTFOUND) | bit(CRM_ENOMEM),
              text);
    if (rc != CRM_OK) {
        same_state("crm_credit_check (failed)", s.before, dump(s.e, kState), text);
        return 0;
    }

    boost::json::value in, rv;
    if (!parse_json(text, in) || !in.is_object())
        bad("accepted input that is not a JSON object", result, text);
    const auto& io = in.get_object();
    const bool seed = io.contains("idClient") || io.contains("Montant") || io.contains("Date");
    if (!parse_json(result, rv)) bad("not JSON", result, text);
    const auto& r = rv.get_object();

    // The shape:
    // {"id","customer_id","customer_uuid","amount_cents","date","allowed","reasons","created_at"}.
    static constexpr const char* kKeys[] = {"id",   "customer_id", "customer_uuid", "amount_cents",
                                            "date", "allowed",     "reasons",       "created_at"};
    if (r.size() != 8) bad("the request does not have exactly its eight keys", result, text);
    for (const char* k : kKeys)
        if (!r.contains(k)) bad("the request lacks a key", result, text);
    const auto& id = r.at("id");
    const auto& customer_id = r.at("customer_id");
    const auto& amount = r.at("amount_cents");
    const auto& date = r.at("date");
    const auto& allowed = r.at("allowed");
    const auto& reasons = r.at("reasons");
    if (!id.is_int64() || id.get_int64() <= 0 || !customer_id.is_int64() ||
        !r.at("customer_uuid").is_string() || !amount.is_int64() || !date.is_string() ||
        !allowed.is_bool() || !reasons.is_array() || !r.at("created_at").is_string())
        bad("a field of the request has the wrong type", result, text);

    // The customer: a setup one, with its uuid, the one the input named by id.
    const Customer* c = nullptr;
    std::size_t row = 0;
    for (std::size_t i = 0; i < s.customers.size(); ++i)
        if (s.customers[i].id == customer_id.get_int64()) c = &s.customers[row = i];
    if (c == nullptr) bad("the request is for no setup customer", result, text);
    if (r.at("customer_uuid").get_string() != c->uuid)
        bad("customer_uuid is not the customer's uuid", result, text);
    if (!seed) {
        if (const auto* given = io.if_contains("customer_id");
            given && given->is_int64() && given->get_int64() != c->id)
            bad("the request is not for the customer_id given", result, text);
    }

    // The amount and the date, as given.
    if (const auto* given = io.if_contains(seed ? "Montant" : "amount_cents");
        given && given->is_int64()) {
        if (amount.get_int64() != (seed ? given->get_int64() * 100 : given->get_int64()))
            bad("amount_cents is not the amount given", result, text);
    }
    const auto day = parse_day(date.get_string());
    if (!day) bad("the request's date is not YYYY-MM-DD", result, text);
    const auto* given_date = io.if_contains(seed ? "Date" : "date");
    if (given_date && given_date->is_string()) {
        if (date.get_string() != given_date->get_string())
            bad("the date is not the date given", result, text);
    } else if (given_date == nullptr || given_date->is_null()) {
        if (*day != floor<days>(system_clock::now()))
            bad("the date given none is not today (UTC)", result, text);
    }

    // The decision.
    const std::vector<std::string> want = reasons_for(*c, amount.get_int64(), *day);
    bool same = reasons.get_array().size() == want.size();
    for (std::size_t i = 0; same && i < want.size(); ++i)
        same = reasons.get_array()[i].is_string() && reasons.get_array()[i].get_string() == want[i];
    if (!same) bad("the reasons are not what the rules decide", result, text);
    if (allowed.get_bool() != want.empty()) bad("allowed is not reasons == []", result, text);

    // Stored, the only one, as handed out.
    char* got = nullptr;
    must("crm_get credit_requests (check)", crm_get(s.e, "credit_requests", id.get_int64(), &got),
         result.c_str());
    boost::json::value gv;
    if (!parse_json(got, gv) || gv != rv) {
        std::fprintf(stderr, "stored: %s\n", got);
        crm_free(got);
        bad("the stored request is not the one handed out", result, text);
    }
    crm_free(got);
    if (count_rows(s.e, "credit_requests") != 1)
        bad("not exactly one credit request stored", result, text);

    // Nothing else changed but this customer's refusal_count.
    boost::json::array want_rows = s.customer_rows;
    if (!want.empty()) {
        auto& o = want_rows[row].as_object();
        o["refusal_count"] = o.at("refusal_count").as_int64() + 1;
    }
    const boost::json::array rows =
        list_page(s.e, "customers", R"({"ordering":"id","page_size":1000})")
            .at("results")
            .as_array();
    if (rows != want_rows) {
        std::fprintf(stderr, "customers before: %s\nafter: %s\n",
                     boost::json::serialize(s.customer_rows).c_str(),
                     boost::json::serialize(rows).c_str());
        bad("the customers changed beyond the refusal_count", result, text);
    }
    static const char* const kUnchanged[] = {"tickets", "ledger"};
    same_state("crm_credit_check", s.tickets_and_ledger, dump(s.e, kUnchanged), text);

    // A stored request is never deleted: the next input gets a fresh engine.
    crm_close(s.e);
    build(s);
    return 0;
}

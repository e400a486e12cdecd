// fuzz_credit_accrue: crm_credit_accrue with fuzzed payments JSON.
//
// The input, up to its first NUL, is payments_json: ours
// ({"payments":[{"card","amount_cents","ref"}]}) or seed 003's
// ({"Tickets":[{"carteFid","Montant"}]}).
//
// One ":memory:" engine holds four customers: card "33" with 1300 cents
// accrued under ref "pos1-42", card "42" with an opening balance of 500,
// card "A7" 1000 cents short of the 10^15 limit, and one with no card. A
// failed call leaves it as it was (checked); a successful one wrote ledger
// entries, which are never deleted, so the next input gets a fresh engine.
// An artifact replayed alone runs on a fresh engine.
//
// Beyond the checks of fuzz_common.hpp (the status is invalid, not_found or
// nomem; never conflict: an accrual adds credit):
//   - a failure changed nothing: the customers and the ledger list as before;
//   - a success has one result per payment, in order, each for a setup card
//     holder; a duplicate accrues 0; a payment of integer amount_cents (or
//     integer Montant in currency units) accrues floor(amount * 0.5) (the
//     default credit_rate); each result's balance_cents is the holder's
//     balance before it plus what it accrued (the balance when a duplicate);
//   - afterwards each holder's crm_credit_balance is that running balance,
//     equal to the sum of the holder's ledger entries (exported with
//     crm_export) and to the customer's credit_cents.
#include <boost/json/serialize.hpp>
#include <map>
#include <optional>

#include "fuzz_common.hpp"

namespace {

using namespace crm_fuzz;

struct Holder {
    const char* card;  // nullptr: no card
    std::int64_t id = 0;
    std::int64_t balance = 0;  // after setup
};

constexpr std::int64_t kMaxCents = 1'000'000'000'000'000;

struct Setup {
    crm_engine* e = nullptr;
    Holder holders[4] = {{"33"}, {"42"}, {"A7"}, {nullptr}};
    std::string before;  // dump of customers and ledger
};

constexpr const char* kState[] = {"customers", "ledger"};

void build(Setup& s) {
    s.e = open_memory();
    must_import(s.e, "customers",
                R"([{"uuid":"a14e39ce-e29e-11e9-a8cb-08002751d198","first_name":"Ann","loyalty_card":"33"},)"
                R"({"first_name":"Bob","loyalty_card":"42","credit_cents":500},)"
                R"({"first_name":"Cara","loyalty_card":"A7","credit_cents":999999999999000},)"
                R"({"first_name":"Dan","email":"dan@example.com"}])");
    must_accrue(s.e, R"({"payments":[{"card":"33","amount_cents":2600,"ref":"pos1-42"}]})");
    const boost::json::object page = list_page(s.e, "customers", R"({"ordering":"id"})");
    const auto& rows = page.at("results").as_array();
    if (rows.size() != 4) die("setup", CRM_OK, "not four customers", nullptr);
    for (int i = 0; i < 4; ++i) {
        s.holders[i].id = rows[i].as_object().at("id").as_int64();
        s.holders[i].balance = rows[i].as_object().at("credit_cents").as_int64();
    }
    if (s.holders[0].balance != 1300 || s.holders[1].balance != 500 ||
        s.holders[2].balance != kMaxCents - 1000)
        die("setup", CRM_OK, "unexpected setup balances", nullptr);
    s.before = dump(s.e, kState);
}

Setup& setup() { return built_once<Setup>(build); }

[[noreturn]] void bad(const char* why, const std::string& result, const std::string& input) {
    die_showing("crm_credit_accrue", "result", result, why, input);
}

// The amount in cents a payment item gives, when it is a plain integer.
std::optional<std::int64_t> integer_amount(const boost::json::value& item, bool seed) {
    const auto* o = item.if_object();
    if (o == nullptr) return std::nullopt;
    const auto* v = o->if_contains(seed ? "Montant" : "amount_cents");
    if (v == nullptr || !v->is_int64()) return std::nullopt;
    return seed ? v->get_int64() * 100 : v->get_int64();  // the call succeeded: within 0..10^15
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text = as_text(data, size);
    Setup& s = setup();
    char* out = nullptr;
    const int rc = crm_credit_accrue(s.e, text.c_str(), &out);
    const std::string result = rc == CRM_OK && out != nullptr ? std::string(out) : std::string();
    check_out("crm_credit_accrue", rc, out, bit(CRM_EINVAL) | bit(CRM_ENOTFOUND) | bit(CRM_ENOMEM),
              text);
    if (rc != CRM_OK) {
        same_state("crm_credit_accrue (failed)", s.before, dump(s.e, kState), text);
        return 0;
    }

    // The input the engine took, as the harness reads it.
    boost::json::value in;
    if (!parse_json(text, in) || !in.is_object())
        bad("accepted input that is not a JSON object", result, text);
    const auto& io = in.get_object();
    const bool seed = io.contains("Tickets") && !io.contains("payments");
    const auto* items = io.if_contains(seed ? "Tickets" : "payments");
    if (items == nullptr || !items->is_array())
        bad("accepted input with no list of payments", result, text);

    boost::json::value rv;
    if (!parse_json(result, rv)) bad("not JSON", result, text);
    const auto* results = rv.get_object().if_contains("results");
    if (rv.get_object().size() != 1 || results == nullptr || !results->is_array())
        bad("the result is not {\"results\":[...]}", result, text);
    const auto& list = results->get_array();
    if (list.size() != items->get_array().size()) bad("not one result per payment", result, text);

    std::map<std::int64_t, std::int64_t> running;  // customer id -> balance
    for (const auto& h : s.holders)
        if (h.card) running[h.id] = h.balance;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto* r = list[i].if_object();
        if (r == nullptr || r->size() != 5)
            bad("a result is not {card, customer_id, accrued_cents, balance_cents, duplicate}",
                result, text);
        const auto* card = r->if_contains("card");
        const auto* id = r->if_contains("customer_id");
        const auto* accrued = r->if_contains("accrued_cents");
        const auto* balance = r->if_contains("balance_cents");
        const auto* duplicate = r->if_contains("duplicate");
        if (!card || !card->is_string() || !id || !id->is_int64() || !accrued ||
            !accrued->is_int64() || !balance || !balance->is_int64() || !duplicate ||
            !duplicate->is_bool())
            bad("a result field is missing or of the wrong type", result, text);
        auto it = running.find(id->get_int64());
        if (it == running.end()) bad("a result for a customer holding no card", result, text);
        const Holder* holder = nullptr;
        for (const auto& h : s.holders)
            if (h.id == it->first) holder = &h;
        if (card->get_string() != holder->card)
            bad("a result's card is not its customer's card", result, text);
        const std::int64_t a = accrued->get_int64();
        if (a < 0) bad("negative accrued_cents", result, text);
        if (duplicate->get_bool() && a != 0) bad("a duplicate accrued credit", result, text);
        if (!duplicate->get_bool()) {
            if (auto amount = integer_amount(items->get_array()[i], seed);
                amount && a != *amount / 2)
                bad("accrued_cents is not floor(amount * 0.5)", result, text);
        }
        if (balance->get_int64() != it->second + a)
            bad("balance_cents is not the balance before plus the accrual", result, text);
        if (balance->get_int64() > kMaxCents) bad("a balance above 10^15", result, text);
        it->second = balance->get_int64();
    }

    // Each holder's balance, three ways.
    for (const auto& h : s.holders) {
        if (!h.card) continue;
        char* b = nullptr;
        must("crm_credit_balance (check)", crm_credit_balance(s.e, h.card, &b), h.card);
        boost::json::value bv;
        if (!parse_json(b, bv) || !bv.is_object())
            die("crm_credit_balance (check)", CRM_OK, "not an object", b);
        const std::int64_t reported = bv.get_object().at("balance_cents").as_int64();
        crm_free(b);
        if (reported != running[h.id])
            bad("crm_credit_balance is not the running balance of the results", result, text);
        ExportLines sum{true};
        const std::string q = R"({"customer_id":)" + std::to_string(h.id) + "}";
        must("crm_export ledger (check)", crm_export(s.e, "ledger", q.c_str(), ExportLines::write, &sum),
             q.c_str());
        if (sum.bad)
            die("crm_export ledger (check)", CRM_OK, "a ledger line without an integer delta_cents",
                q.c_str());
        if (sum.delta_cents != reported) bad("the balance is not the sum of the ledger", result, text);
        char* c = nullptr;
        must("crm_get customer (check)", crm_get(s.e, "customers", h.id, &c), h.card);
        boost::json::value cv;
        if (!parse_json(c, cv) || !cv.is_object())
            die("crm_get (check)", CRM_OK, "not an object", c);
        const std::int64_t credit = cv.get_object().at("credit_cents").as_int64();
        crm_free(c);
        if (credit != reported) bad("the customer's credit_cents is not its balance", result, text);
    }

    // Ledger entries are never deleted: the next input gets a fresh engine.
    crm_close(s.e);
    build(s);
    return 0;
}

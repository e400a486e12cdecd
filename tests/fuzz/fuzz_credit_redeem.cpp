// fuzz_credit_redeem: crm_credit_redeem and crm_credit_balance with a fuzzed
// card, amount and ref.
//
// Input: byte 0 holds flags (bit 0: ref is NULL; bits 1-2 pick how the
// amount is made from bytes 1-8, a little-endian int64: 0 as it is, 1 that
// modulo 2,000, 2 exactly 100 (the setup redemption's amount), 3 modulo
// 10^6); the rest is "card\nref" (each a C string: a NUL ends it).
//
// One ":memory:" engine holds card "33" (1,300 cents accrued, then 100
// redeemed under ref "r-1"), card "42" (an opening balance of 500), card
// "A7" (10^15 - 1,000) and a customer with no card. A failed call leaves it
// as it was (checked); a redemption writes a ledger entry, which is never
// deleted, so the next input after a successful one gets a fresh engine.
// An artifact replayed alone runs on a fresh engine.
//
// Beyond the checks of fuzz_common.hpp (redeem answers invalid, not_found or
// conflict; balance only not_found; never misuse: every pointer is set):
//   - an amount outside 1 .. 10^15 is invalid; one above the card's balance
//     is conflict;
//   - a success is for a setup card holder (exactly the holder when the card
//     is one of theirs as given), and its balance_cents is the balance before
//     less the amount, or unchanged when "duplicate": true;
//   - afterwards crm_credit_balance of that card, and the customer's
//     credit_cents, are that balance;
//   - crm_credit_balance of the fuzzed card, before the redemption, is either
//     not_found or a setup holder's balance.
#include "fuzz_common.hpp"

#include <cstring>

namespace {

using namespace crm_fuzz;

constexpr std::int64_t kMaxCents = 1'000'000'000'000'000;

struct Holder {
    const char* card;
    std::int64_t id = 0;
    std::int64_t balance = 0;  // after setup
};

struct Setup {
    crm_engine* e = nullptr;
    Holder holders[3] = {{"33"}, {"42"}, {"A7"}};
    std::string before;  // dump of customers and ledger
    bool dirty = false;  // a redemption wrote to the ledger: rebuild before the next input
};

constexpr const char* kState[] = {"customers", "ledger"};

// The int64 field `key` of a result object, or dies.
std::int64_t int_field(const boost::json::object& o, const char* key, const std::string& shown,
                       const std::string& input) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_int64()) die_showing("crm_credit_*", "result", shown, "an integer field is missing", input);
    return v->get_int64();
}

boost::json::object result_object(const char* call, const char* text, const std::string& input) {
    boost::json::value v;
    if (!parse_json(text, v) || !v.is_object()) die_showing(call, "result", text, "not a JSON object", input);
    return v.get_object();
}

void build(Setup& s) {
    s.e = open_memory();
    char* out = nullptr;
    must_import(s.e, "customers",
                R"([{"first_name":"Ann","loyalty_card":"33"},)"
                R"({"first_name":"Bob","loyalty_card":"42","credit_cents":500},)"
                R"({"first_name":"Cara","loyalty_card":"A7","credit_cents":999999999999000},)"
                R"({"first_name":"Dan"}])");
    must_accrue(s.e, R"({"payments":[{"card":"33","amount_cents":2600,"ref":"pos1-42"}]})");
    must("setup crm_credit_redeem", crm_credit_redeem(s.e, "33", 100, "r-1", &out), "setup");
    crm_free(out);
    const std::int64_t want[3] = {1200, 500, kMaxCents - 1000};
    for (int i = 0; i < 3; ++i) {
        out = nullptr;
        must("setup crm_credit_balance", crm_credit_balance(s.e, s.holders[i].card, &out), s.holders[i].card);
        const boost::json::object b = result_object("setup crm_credit_balance", out, "");
        crm_free(out);
        s.holders[i].id = int_field(b, "customer_id", "", "setup");
        s.holders[i].balance = int_field(b, "balance_cents", "", "setup");
        if (s.holders[i].balance != want[i]) die("setup", CRM_OK, "unexpected setup balance", s.holders[i].card);
    }
    s.before = dump(s.e, kState);
    s.dirty = false;
}

Setup& setup() {
    Setup& s = built_once<Setup>(build);
    if (s.dirty) {
        crm_close(s.e);
        build(s);
    }
    return s;
}

const Holder* holder_by_card(const Setup& s, std::string_view card) {
    for (const auto& h : s.holders)
        if (card == h.card) return &h;
    return nullptr;
}

const Holder* holder_by_id(const Setup& s, std::int64_t id) {
    for (const auto& h : s.holders)
        if (h.id == id) return &h;
    return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 9) return 0;
    const bool null_ref = data[0] & 1;
    std::int64_t raw = 0;
    std::memcpy(&raw, data + 1, 8);
    std::int64_t amount = raw;
    switch ((data[0] >> 1) & 3) {
        case 1: amount = raw % 2000; break;
        case 2: amount = 100; break;
        case 3: amount = raw % 1'000'000; break;
        default: break;
    }
    const std::string rest = as_text(data + 9, size - 9);
    const std::size_t nl = rest.find('\n');
    const std::string card = rest.substr(0, nl);
    const std::string ref = nl == std::string::npos ? std::string() : rest.substr(nl + 1);
    const std::string input = "card=" + card + " amount=" + std::to_string(amount) +
                              (null_ref ? std::string(" ref=NULL") : " ref=" + ref);

    Setup& s = setup();

    // The balance of the fuzzed card: not_found, or a holder's.
    char* out = nullptr;
    int rc = crm_credit_balance(s.e, card.c_str(), &out);
    std::string text = rc == CRM_OK && out != nullptr ? std::string(out) : std::string();
    check_out("crm_credit_balance", rc, out, bit(CRM_ENOTFOUND) | bit(CRM_ENOMEM), input);
    const Holder* h = nullptr;
    if (rc == CRM_OK) {
        const boost::json::object b = result_object("crm_credit_balance", text.c_str(), input);
        h = holder_by_id(s, int_field(b, "customer_id", text, input));
        if (h == nullptr) die_showing("crm_credit_balance", "result", text, "a balance of no card holder", input);
        if (int_field(b, "balance_cents", text, input) != h->balance)
            die_showing("crm_credit_balance", "result", text, "not the holder's balance", input);
    }
    if (const Holder* exact = holder_by_card(s, card); exact != nullptr && h != exact)
        die("crm_credit_balance", rc, "a holder's own card does not give its balance", input.c_str());

    out = nullptr;
    rc = crm_credit_redeem(s.e, card.c_str(), amount, null_ref ? nullptr : ref.c_str(), &out);
    text = rc == CRM_OK && out != nullptr ? std::string(out) : std::string();
    check_out("crm_credit_redeem", rc, out, bit(CRM_EINVAL) | bit(CRM_ENOTFOUND) | bit(CRM_ECONFLICT) | bit(CRM_ENOMEM),
              input);
    if ((amount < 1 || amount > kMaxCents) && rc != CRM_EINVAL && h != nullptr)
        die("crm_credit_redeem", rc, "an amount out of 1..10^15 was not invalid", input.c_str());
    if (rc != CRM_OK) {
        same_state("crm_credit_redeem (failed)", s.before, dump(s.e, kState), input);
        return 0;
    }
    s.dirty = true;
    if (h == nullptr) die_showing("crm_credit_redeem", "result", text, "redeemed on a card with no balance", input);
    const boost::json::object r = result_object("crm_credit_redeem", text.c_str(), input);
    if (int_field(r, "customer_id", text, input) != h->id)
        die_showing("crm_credit_redeem", "result", text, "redeemed from another customer", input);
    const auto* duplicate = r.if_contains("duplicate");
    if (duplicate == nullptr || !duplicate->is_bool())
        die_showing("crm_credit_redeem", "result", text, "no boolean duplicate", input);
    const std::int64_t balance = int_field(r, "balance_cents", text, input);
    const std::int64_t want = duplicate->get_bool() ? h->balance : h->balance - amount;
    if (!duplicate->get_bool() && amount > h->balance)
        die_showing("crm_credit_redeem", "result", text, "redeemed more than the balance", input);
    if (balance != want) die_showing("crm_credit_redeem", "result", text, "balance_cents is not before - amount", input);

    out = nullptr;
    must("crm_credit_balance (check)", crm_credit_balance(s.e, h->card, &out), h->card);
    const boost::json::object after = result_object("crm_credit_balance (check)", out, input);
    crm_free(out);
    if (int_field(after, "balance_cents", text, input) != balance)
        die_showing("crm_credit_redeem", "result", text, "crm_credit_balance disagrees afterwards", input);
    out = nullptr;
    must("crm_get (check)", crm_get(s.e, "customers", h->id, &out), h->card);
    const boost::json::object c = result_object("crm_get (check)", out, input);
    crm_free(out);
    if (int_field(c, "credit_cents", text, input) != balance)
        die_showing("crm_credit_redeem", "result", text, "the customer's credit_cents is not its balance", input);
    return 0;
}

// Shared checks of the libFuzzer targets (tests/fuzz/fuzz_*.cpp).
//
// Every target drives the C ABI (include/crm/crm.h) only, and checks after
// each call what the contract promises whatever the input:
//   - the status is one of CRM_OK..CRM_EINTERNAL, and never CRM_EINTERNAL
//     (a bug by definition) nor CRM_EMISUSE (no pointer is NULL here);
//   - on success the out-pointer is set to valid JSON of the expected kind
//     and crm_last_error() is NULL;
//   - on failure the out-pointer is NULL and crm_last_error() is valid JSON
//     {"code": crm_status_name(status), "message": "<non-empty>", "errors": [...]};
//   - every char* handed out is released with crm_free() (LeakSanitizer
//     reports anything else).
// A broken promise aborts (a crash for libFuzzer), with the call and the
// input's text on stderr.
#ifndef CRM_TESTS_FUZZ_COMMON_HPP
#define CRM_TESTS_FUZZ_COMMON_HPP

#include <crm/crm.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace crm_fuzz {

[[noreturn]] inline void die(const char* call, int status, const char* why, const char* detail) {
    const char* err = crm_last_error();
    std::fprintf(stderr, "crm fuzz: %s -> %d (%s): %s\n  detail: %s\n  crm_last_error(): %s\n", call, status,
                 crm_status_name(status), why, detail ? detail : "(none)", err ? err : "(null)");
    std::abort();
}

// The input as a C string: the C ABI takes NUL-terminated text, so the text
// ends at the first NUL byte of the input.
inline std::string as_text(const std::uint8_t* data, std::size_t size) {
    const char* p = reinterpret_cast<const char*>(data);
    return std::string(p, strnlen(p, size));
}

inline bool parse_json(std::string_view text, boost::json::value& out) {
    boost::json::parse_options opts;
    opts.max_depth = 1000;  // anything the engine wrote, however deep
    std::error_code ec;
    out = boost::json::parse(text, ec, {}, opts);
    return !ec;
}

// The last error after a failed call: valid JSON naming the status.
inline void check_error(const char* call, int status) {
    const char* err = crm_last_error();
    if (err == nullptr) die(call, status, "failed without a last error", nullptr);
    boost::json::value v;
    if (!parse_json(err, v)) die(call, status, "the last error is not valid JSON", err);
    if (!v.is_object()) die(call, status, "the last error is not a JSON object", err);
    const auto& o = v.get_object();
    const auto* code = o.if_contains("code");
    if (code == nullptr || !code->is_string() || code->get_string() != crm_status_name(status))
        die(call, status, "the last error's code is not the status's name", err);
    const auto* message = o.if_contains("message");
    if (message == nullptr || !message->is_string() || message->get_string().empty())
        die(call, status, "the last error has no message", err);
    const auto* errors = o.if_contains("errors");
    if (errors != nullptr && !errors->is_array()) die(call, status, "the last error's errors is not an array", err);
}

// Checks a call that hands out JSON through `out`, then frees it. `status`
// must be one of `allowed` (a bit set of statuses, bit n = status n) besides
// CRM_OK. Returns the status.
inline int check_out(const char* call, int status, char* out, unsigned allowed, const std::string& input) {
    if (status < CRM_OK || status > CRM_EINTERNAL) die(call, status, "status out of 0..8", input.c_str());
    if (status == CRM_OK) {
        if (out == nullptr) die(call, status, "success without out_json", input.c_str());
        if (crm_last_error() != nullptr) die(call, status, "success left a last error", input.c_str());
        boost::json::value v;
        if (!parse_json(out, v)) die(call, status, "out_json is not valid JSON", out);
        if (!v.is_object()) die(call, status, "out_json is not a JSON object", out);
        crm_free(out);
        return status;
    }
    if (out != nullptr) {
        crm_free(out);
        die(call, status, "failure left out_json set", input.c_str());
    }
    check_error(call, status);
    if ((allowed & (1u << status)) == 0) die(call, status, "a status this call must not answer", input.c_str());
    return status;
}

// Bit sets for check_out's `allowed`.
constexpr unsigned bit(int status) { return 1u << status; }
// What a call taking client JSON may answer; busy, io and misuse would be
// bugs on a private ":memory:" engine with every pointer set, and internal
// is a bug by definition.
constexpr unsigned kClientErrors = bit(CRM_EINVAL) | bit(CRM_ENOTFOUND) | bit(CRM_ECONFLICT) | bit(CRM_ENOMEM);

// Opens a fresh ":memory:" engine or aborts.
inline crm_engine* open_memory() {
    crm_engine* e = nullptr;
    const int rc = crm_open(":memory:", nullptr, &e);
    if (rc != CRM_OK || e == nullptr) die("crm_open(\":memory:\", NULL)", rc, "cannot open", nullptr);
    return e;
}

// Creates `json` in `collection` (setup, must succeed); returns the id.
inline std::int64_t must_create(crm_engine* e, const char* collection, const char* json) {
    char* out = nullptr;
    const int rc = crm_create(e, collection, json, &out);
    if (rc != CRM_OK) die("setup crm_create", rc, "setup failed", json);
    boost::json::value v;
    if (!parse_json(out, v) || !v.is_object() || !v.get_object().contains("id"))
        die("setup crm_create", rc, "no id in the result", out);
    const std::int64_t id = v.get_object().at("id").as_int64();
    crm_free(out);
    return id;
}

// A setup or check call that must succeed: aborts otherwise.
inline void must(const char* call, int status, const char* detail) {
    if (status != CRM_OK) die(call, status, "a setup or check call failed", detail);
}

// Imports `payload` into `collection` with the default options (setup, must succeed).
inline void must_import(crm_engine* e, const char* collection, const char* payload) {
    char* out = nullptr;
    must("setup crm_import", crm_import(e, collection, payload, nullptr, &out), payload);
    crm_free(out);
}

// Accrues the payments of `batch` (setup, must succeed).
inline void must_accrue(crm_engine* e, const char* batch) {
    char* out = nullptr;
    must("setup crm_credit_accrue", crm_credit_accrue(e, batch, &out), batch);
    crm_free(out);
}

// The page crm_list gives for `query` (setup and checks: must succeed), as
// text; the caller frees nothing.
inline std::string list_text(crm_engine* e, const char* collection, const char* query) {
    char* out = nullptr;
    must("crm_list (check)", crm_list(e, collection, query, &out), collection);
    std::string text(out);
    crm_free(out);
    return text;
}

// The page crm_list gives for `query`, parsed.
inline boost::json::object list_page(crm_engine* e, const char* collection, const char* query) {
    const std::string text = list_text(e, collection, query);
    boost::json::value v;
    if (!parse_json(text, v) || !v.is_object()) die("crm_list (check)", CRM_OK, "the page is not a JSON object", text.c_str());
    return v.get_object();
}

// How many rows of `collection` match `query` (NULL: all).
inline std::int64_t count_rows(crm_engine* e, const char* collection, const char* query = nullptr) {
    const boost::json::object page = list_page(e, collection, query ? query : R"({"page_size":1})");
    const auto* count = page.if_contains("count");
    if (count == nullptr || !count->is_int64()) die("crm_list (check)", CRM_OK, "the page has no count", collection);
    return count->get_int64();
}

// Every row of each of `collections` in id order (at most 1000 each: the
// targets' engines are small), as one text: a snapshot to compare.
template <std::size_t N>
std::string dump(crm_engine* e, const char* const (&collections)[N]) {
    std::string all;
    for (const char* c : collections) {
        all += c;
        all += ": ";
        all += list_text(e, c, R"({"ordering":"id","page_size":1000})");
        all += '\n';
    }
    return all;
}

// Dies when `after` is not `before` (a call that must not write wrote).
inline void same_state(const char* call, const std::string& before, const std::string& after, const std::string& input) {
    if (before == after) return;
    std::fprintf(stderr, "before: %s\nafter:  %s\n", before.c_str(), after.c_str());
    die(call, -1, "the database changed when it must not", input.c_str());
}

// A crm_write_fn that checks what crm_export writes: each call one JSON
// object and its newline. Counts them in `n`; `delta_cents` sums that field
// of each (ledger lines); `bad` is set, and the export stopped, at the first
// line that is not an object (or, with `want_delta`, lacks an integer
// delta_cents).
struct ExportLines {
    bool want_delta = false;
    std::int64_t n = 0;
    std::int64_t delta_cents = 0;
    bool bad = false;

    static int write(void* ctx, const char* data, std::size_t len) {
        auto* l = static_cast<ExportLines*>(ctx);
        boost::json::value v;
        if (len == 0 || data[len - 1] != '\n' || !parse_json(std::string_view(data, len - 1), v) || !v.is_object())
            return l->fail();
        if (l->want_delta) {
            const auto* d = v.get_object().if_contains("delta_cents");
            if (d == nullptr || !d->is_int64()) return l->fail();
            l->delta_cents += d->get_int64();
        }
        ++l->n;
        return 0;
    }

private:
    int fail() {
        bad = true;
        return 1;
    }
};

// The target's one setup, made in place by `build` on first use (never
// copied: a setup may hand its own address to the engine, as the progress
// callback's context). An artifact replayed alone runs on a fresh one.
template <class S>
S& built_once(void (*build)(S&)) {
    static S s;
    static const bool built = (build(s), true);
    (void)built;
    return s;
}

// Dies for `call`, showing what it returned (`label`: `shown`) first.
[[noreturn]] inline void die_showing(const char* call, const char* label, const std::string& shown, const char* why,
                                     const std::string& input) {
    std::fprintf(stderr, "%s: %s\n", label, shown.c_str());
    die(call, CRM_OK, why, input.c_str());
}

}  // namespace crm_fuzz

#endif  // CRM_TESTS_FUZZ_COMMON_HPP

// The C ABI (include/crm/crm.h): a thin wrapper over the public C++ API.
// Every entry point parses its JSON, calls crm::Engine, serialises the
// result, and turns every exception into a status code plus the thread's
// last error. No exception crosses this file's functions.
#include <crm/crm.h>
#include <crm/crm.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string>

struct crm_engine {
    crm::Engine engine;
};

namespace {

namespace json = boost::json;

// The calling thread's last error; empty means none.
thread_local std::string t_last_error;
thread_local bool t_has_error = false;

int fail(crm::Status code, const std::string& json_text) {
    try {
        t_last_error = json_text;
        t_has_error = true;
    } catch (...) {
        t_has_error = false;  // cannot even record it; the code still says what happened
    }
    return static_cast<int>(code);
}

int fail(const crm::Error& e) { return fail(e.code(), e.to_json()); }

int fail(crm::Status code, const char* message) { return fail(crm::Error(code, message)); }

// Runs body() and maps every exception to a status code.
template <class F>
int guard(F&& body) noexcept {
    t_has_error = false;
    try {
        body();
        return CRM_OK;
    } catch (const crm::ImportError& e) {
        return fail(e.code(), e.to_json());  // its errors are the per-row list
    } catch (const crm::Error& e) {
        return fail(e);
    } catch (const std::bad_alloc&) {
        t_last_error = R"({"code":"nomem","message":"out of memory","errors":[]})";
        t_has_error = true;
        return CRM_ENOMEM;
    } catch (const std::exception& e) {
        try {
            return fail(crm::Status::internal, e.what());
        } catch (...) {
            return CRM_EINTERNAL;
        }
    } catch (...) {
        try {
            return fail(crm::Status::internal, "unknown exception");
        } catch (...) {
            return CRM_EINTERNAL;
        }
    }
}

void require(const void* p, const char* what) {
    if (!p) throw crm::MisuseError(std::string(what) + " must not be NULL");
}

// The largest JSON text one call takes (a documented limit: import
// payloads are streamed and only bounded per row).
constexpr std::size_t kMaxJsonText = 16u << 20;
constexpr std::size_t kMaxKeptPage = 1u << 20;  // crm_list's per-thread buffer keeps at most this

json::value parse_json(const char* text, const char* what) {
    const std::size_t size = std::strlen(text);
    if (size > kMaxJsonText)
        throw crm::InvalidError(std::string(what) + " is larger than 16 MiB",
                                {{what, "must be at most 16 MiB of JSON text"}});
    json::parse_options opts;
    opts.max_depth = 64;  // deeper documents are refused, not a stack risk
    std::error_code ec;
    json::value v = json::parse(text, ec, {}, opts);
    if (ec) throw crm::InvalidError(std::string(what) + " is not valid JSON: " + ec.message());
    return v;
}

// A query's JSON text: an object (NULL, not `null`, means no query).
crm::Query query_of(const char* text) {
    json::value v = parse_json(text, "query_json");
    if (!v.is_object()) throw crm::InvalidError("query_json must be a JSON object", {{"query_json", "must be a JSON object"}});
    return crm::Query::from_json(v);
}

// Hands a malloc'ed copy of JSON text to the caller (crm_free).
char* hand_out(std::string_view s) {
    char* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (!out) throw std::bad_alloc();
    std::memcpy(out, s.data(), s.size());
    out[s.size()] = '\0';
    return out;
}

char* hand_out(const json::value& v) { return hand_out(json::serialize(v)); }

// Common shape: check pointers, clear the out-pointer, run.
template <class F>
int with_out(crm_engine* e, char** out, F&& body) noexcept {
    if (out) *out = nullptr;
    return guard([&] {
        require(e, "engine");
        require(out, "out_json");
        *out = hand_out(body(e->engine));
    });
}

}  // namespace

extern "C" {

const char* crm_version(void) {
#define CRM_STR2(x) #x
#define CRM_STR(x) CRM_STR2(x)
    return CRM_STR(CRM_VERSION_MAJOR) "." CRM_STR(CRM_VERSION_MINOR) "." CRM_STR(CRM_VERSION_PATCH);
#undef CRM_STR
#undef CRM_STR2
}

const char* crm_status_name(int status) {
    if (status < CRM_OK || status > CRM_EINTERNAL) return "internal";
    return crm::status_name(static_cast<crm::Status>(status));
}

const char* crm_last_error(void) { return t_has_error ? t_last_error.c_str() : nullptr; }

int crm_open(const char* path, const char* options_json, crm_engine** out_engine) {
    if (out_engine) *out_engine = nullptr;
    return guard([&] {
        require(path, "path");
        require(out_engine, "out_engine");
        crm::Options options;
        if (options_json) options = crm::Options::from_json(parse_json(options_json, "options_json"));
        *out_engine = new crm_engine{crm::Engine(path, std::move(options))};
    });
}

void crm_close(crm_engine* engine) { delete engine; }

void crm_free(char* json) { std::free(json); }

int crm_create(crm_engine* e, const char* collection, const char* json, char** out_json) {
    return with_out(e, out_json, [&](crm::Engine& engine) {
        require(collection, "collection");
        require(json, "json");
        return json::value(engine.create(collection, parse_json(json, "json")));
    });
}

int crm_get(crm_engine* e, const char* collection, int64_t id, char** out_json) {
    return with_out(e, out_json, [&](crm::Engine& engine) {
        require(collection, "collection");
        return engine.get_text(collection, id);
    });
}

int crm_replace(crm_engine* e, const char* collection, int64_t id, const char* json, char** out_json) {
    return with_out(e, out_json, [&](crm::Engine& engine) {
        require(collection, "collection");
        require(json, "json");
        return json::value(engine.replace(collection, id, parse_json(json, "json")));
    });
}

int crm_update(crm_engine* e, const char* collection, int64_t id, const char* patch, char** out_json) {
    return with_out(e, out_json, [&](crm::Engine& engine) {
        require(collection, "collection");
        require(patch, "patch");
        return json::value(engine.update(collection, id, parse_json(patch, "patch")));
    });
}

int crm_delete(crm_engine* e, const char* collection, int64_t id) {
    return guard([&] {
        require(e, "engine");
        require(collection, "collection");
        e->engine.remove(collection, id);
    });
}

int crm_list(crm_engine* e, const char* collection, const char* query_json, char** out_json) {
    return with_out(e, out_json, [&](crm::Engine& engine) {
        require(collection, "collection");
        crm::Query q;
        if (query_json) q = query_of(query_json);
        // One buffer per thread, kept with its capacity: no page-sized
        // allocation (and no heap growth and trim) per call, only the copy
        // handed out. Released when the thread ends; a buffer grown past
        // kMaxKeptPage (pages of many large rows) is let go at the next call.
        thread_local std::string page;
        if (page.capacity() > kMaxKeptPage) std::string().swap(page);
        engine.list_text(collection, q, page);
        return std::string_view(page);
    });
}

int crm_import(crm_engine* e, const char* collection, const char* payload, const char* options_json,
               char** out_report_json) {
    return with_out(e, out_report_json, [&](crm::Engine& engine) {
        require(collection, "collection");
        require(payload, "payload");
        crm::ImportOptions options;
        if (options_json) options = crm::ImportOptions::from_json(parse_json(options_json, "options_json"));
        return json::value(engine.import_rows(collection, payload, options).to_json());
    });
}

int crm_export(crm_engine* e, const char* collection, const char* query_json, crm_write_fn write, void* ctx) {
    return guard([&] {
        require(e, "engine");
        require(collection, "collection");
        require(reinterpret_cast<const void*>(write), "write");
        crm::Query q;
        if (query_json) q = query_of(query_json);
        e->engine.export_rows(collection, q,
                              [&](std::string_view line) { return write(ctx, line.data(), line.size()) == 0; });
    });
}

void crm_set_progress(crm_engine* e, crm_progress_fn fn, void* ctx) {
    if (!e) return;
    try {
        if (fn)
            e->engine.set_progress([fn, ctx](int64_t done, int64_t total) { fn(ctx, done, total); });
        else
            e->engine.set_progress({});
    } catch (...) {  // std::function's allocation failed: progress stays as it was
    }
}

int crm_credit_accrue(crm_engine* e, const char* payments_json, char** out_json) {
    return with_out(e, out_json, [&](crm::Engine& engine) {
        require(payments_json, "payments_json");
        return json::value(engine.credit_accrue(parse_json(payments_json, "payments_json")));
    });
}

int crm_credit_redeem(crm_engine* e, const char* card, int64_t amount_cents, const char* ref, char** out_json) {
    return with_out(e, out_json, [&](crm::Engine& engine) {
        require(card, "card");
        std::optional<std::string> r;
        if (ref) r = ref;
        return json::value(engine.credit_redeem(card, amount_cents, std::move(r)));
    });
}

int crm_credit_balance(crm_engine* e, const char* card, char** out_json) {
    return with_out(e, out_json, [&](crm::Engine& engine) {
        require(card, "card");
        return json::value(engine.credit_balance(card));
    });
}

int crm_credit_check(crm_engine* e, const char* request_json, char** out_json) {
    return with_out(e, out_json, [&](crm::Engine& engine) {
        require(request_json, "request_json");
        return json::value(engine.credit_check(parse_json(request_json, "request_json")));
    });
}

}  // extern "C"

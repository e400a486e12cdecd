// Routing and the route adapters (see app.hpp and README.md for the routes).
#include "app.hpp"

#include "shapes.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace crm_http {

namespace {

using Names = std::map<std::string, std::string>;
using Segments = std::vector<std::string>;

constexpr std::string_view kJson = "application/json";

std::string error_json(std::string_view code, std::string_view message) {
    return json::serialize(json::object{{"code", code}, {"message", message}});
}

// A request whose route is not known, or whose id cannot be one.
[[noreturn]] void no_such_route() { throw crm::NotFoundError("no such resource"); }

struct MethodNotAllowed {
    std::string allow;
};

// The path's segments, percent-decoded; empty segments (a trailing or a
// doubled slash) are dropped, so /api/allow_credit/ and /api/allow_credit
// are one route.
Segments split_path(std::string_view path) {
    Segments segs;
    while (!path.empty()) {
        const std::size_t slash = path.find('/');
        const std::string_view piece = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
        if (piece.empty()) continue;
        auto decoded = percent_decode(piece, false);
        if (!decoded) throw crm::InvalidError("the path is malformed", {{"path", "has a malformed escape"}});
        segs.push_back(std::move(*decoded));
    }
    return segs;
}

std::int64_t parse_id(std::string_view s) {
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string_view::npos) no_such_route();
    return std::stoll(std::string(s));
}

json::value parse_body(const Request& req) {
    if (req.body().empty()) throw crm::InvalidError("the request body is empty", {{"body", "is required"}});
    json::parse_options opt;
    opt.max_depth = 64;  // as the C ABI
    boost::system::error_code ec;
    json::value v = json::parse(req.body(), ec, {}, opt);
    if (ec) throw crm::InvalidError("the request body is not valid JSON", {{"body", ec.message()}});
    return v;
}

json::object body_object(const Request& req) {
    json::value v = parse_body(req);
    if (!v.is_object()) throw crm::InvalidError("the request body must be a JSON object", {{"body", "must be a JSON object"}});
    return std::move(v.get_object());
}

bool has_paging_key(const json::object& q) {
    for (std::string_view k : {"page", "page_size", "offset", "limit", "cursor", "count"})
        if (q.contains(k)) return true;
    return false;
}

// Seed 001 lists: offset 0 and limit 100 unless the client pages otherwise.
void default_offset(json::object& q) {
    if (!q.contains("offset") && !q.contains("page") && !q.contains("page_size") && !q.contains("cursor"))
        q["offset"] = "0";
}

const json::object& object_of(const json::value& v) {
    static const json::object empty;
    return v.is_object() ? v.get_object() : empty;
}

}  // namespace

// --- responses -------------------------------------------------------------------

http::status status_of(crm::Status code) noexcept {
    switch (code) {
        case crm::Status::ok: return http::status::ok;
        case crm::Status::invalid: return http::status::bad_request;
        case crm::Status::not_found: return http::status::not_found;
        case crm::Status::conflict: return http::status::conflict;
        case crm::Status::busy: return http::status::service_unavailable;
        default: return http::status::internal_server_error;
    }
}

Response error_response(unsigned version, bool keep_alive, http::status status, std::string_view code,
                        std::string_view message) {
    Response res{status, version};
    res.set(http::field::server, "crm-http");
    res.set(http::field::content_type, kJson);
    if (status == http::status::unauthorized) res.set(http::field::www_authenticate, "Bearer");
    res.keep_alive(keep_alive);
    res.body() = error_json(code, message);
    res.prepare_payload();
    return res;
}

bool token_equals(std::string_view given, std::string_view expected) noexcept {
    // Every byte of the expected token is looked at whatever the given one
    // holds, so the time does not tell how much of a guess was right.
    volatile unsigned char diff = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
        diff = diff | static_cast<unsigned char>(g ^ static_cast<unsigned char>(expected[i]));
    }
    return diff == 0;
}

// --- the application ---------------------------------------------------------------

struct App::Reply {
    http::status status = http::status::ok;
    std::string body;  // JSON text; empty with 204
    std::vector<std::pair<std::string, std::string>> headers;
};

App::App(crm::Engine& engine, AppConfig config) : engine_(engine), config_(std::move(config)) {}

bool App::authorized(const Request& req, bool crm_app_route) const {
    if (!config_.token) return true;
    if (crm_app_route && config_.open_crm_app) return true;
    auto it = req.find(http::field::authorization);
    if (it == req.end()) return false;
    std::string_view h = it->value();
    // "Bearer <token>": the scheme is case-insensitive (RFC 9110).
    constexpr std::string_view scheme = "bearer ";
    if (h.size() <= scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        char c = h[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != scheme[i]) return false;
    }
    h.remove_prefix(scheme.size());
    while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
    while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
    return token_equals(h, *config_.token);
}

Response App::handle(const Request& req) noexcept {
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    auto with_body = [&](http::status status, std::string body) {
        Response res{status, version};
        res.set(http::field::server, "crm-http");
        if (!body.empty()) res.set(http::field::content_type, kJson);
        res.keep_alive(keep_alive);
        res.body() = std::move(body);
        res.prepare_payload();
        return res;
    };
    try {
        try {
            Reply r = dispatch(req);
            Response res = with_body(r.status, std::move(r.body));
            for (auto& [f, v] : r.headers) res.set(f, v);
            return res;
        } catch (const crm::ImportError& e) {
            return with_body(http::status::bad_request, e.to_json());
        } catch (const crm::Error& e) {
            return with_body(status_of(e.code()), e.to_json());
        } catch (const MethodNotAllowed& m) {
            Response res = error_response(version, keep_alive, http::status::method_not_allowed,
                                          "method_not_allowed", "this method is not allowed here");
            res.set(http::field::allow, m.allow);
            return res;
        } catch (const std::bad_alloc&) {
            return error_response(version, keep_alive, http::status::internal_server_error, "nomem", "out of memory");
        } catch (const std::exception& e) {
            return error_response(version, keep_alive, http::status::internal_server_error, "internal", e.what());
        }
    } catch (...) {
        // Building the error response itself failed (memory): an empty 500.
        try {
            Response res{http::status::internal_server_error, version};
            res.keep_alive(false);
            res.prepare_payload();
            return res;
        } catch (...) {
            std::terminate();  // nothing can be answered without memory
        }
    }
}

App::Reply App::dispatch(const Request& req) {
    const std::string_view target = req.target();
    const std::size_t qmark = target.find('?');
    const std::string_view path = target.substr(0, qmark);
    const std::string_view qs = qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
    // A malformed path is refused only after authorization (it then routes nowhere).
    std::optional<crm::InvalidError> bad_path;
    Segments segs;
    if (path.empty() || path.front() != '/')
        bad_path.emplace("the request target must be a path", std::vector<crm::FieldError>{{"path", "must start with /"}});
    else
        try {
            segs = split_path(path);
        } catch (const crm::InvalidError& e) {
            bad_path.emplace(e);
        }
    const std::size_t n = segs.size();
    auto seg = [&](std::size_t i) -> std::string_view { return i < n ? std::string_view(segs[i]) : std::string_view(); };

    // Seed 003's routes: /api/<one of these>[/...].
    static constexpr std::array<std::string_view, 6> kCrmApp = {"data",   "update_db",    "create_customer",
                                                               "credit", "allow_credit", "get_tickets"};
    bool crm_app = false;
    if (seg(0) == "api")
        for (auto r : kCrmApp) crm_app = crm_app || seg(1) == r;

    // Authorization comes before routing: a 401 says nothing of what exists.
    if (!authorized(req, crm_app)) {
        Reply r;
        r.status = http::status::unauthorized;
        r.body = error_json("unauthorized", "a valid bearer token is required");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
    }
    if (bad_path) throw *bad_path;

    const http::verb method = req.method();
    auto allow = [&](std::string allowed) -> MethodNotAllowed { return {std::move(allowed)}; };
    auto ok = [](std::string body, http::status status = http::status::ok) {
        Reply r;
        r.status = status;
        r.body = std::move(body);
        return r;
    };
    auto no_content = [] {
        Reply r;
        r.status = http::status::no_content;
        return r;
    };
    auto query = [&](const json::object& q) { return crm::Query::from_json(q); };

    // One collection's CRUD: list/create on /base, get/put/patch/delete on
    // /base/{id}. `in` maps a body to canonical fields (filling the error
    // names), `out` a canonical object to the route's shape; without them the
    // canonical JSON goes through unchanged (reads use the text fast path).
    using InFn = std::function<json::object(const json::object&, Names&)>;
    using OutFn = std::function<json::object(const json::object&)>;
    auto crud = [&](std::string_view collection, std::optional<std::string_view> id_seg, const InFn& in,
                    const OutFn& out, http::status created) -> Reply {
        auto write_body = [&](Names& names) {
            json::object body = body_object(req);
            return in ? in(body, names) : body;
        };
        auto emit = [&](const json::object& o) { return json::serialize(out ? json::value(out(o)) : json::value(o)); };
        auto renamed = [&](auto&& call) {
            Names names;
            try {
                return call(names);
            } catch (const crm::Error& e) {
                rethrow_renamed(e, names);
            }
        };
        if (!id_seg) {
            if (method == http::verb::get) {
                json::object q = parse_query_string(qs);
                if (!out) return ok(engine_.list_text(collection, query(q)));
                json::object page = engine_.list(collection, query(q));
                json::array results;
                for (const auto& row : page["results"].as_array()) results.push_back(out(object_of(row)));
                page["results"] = std::move(results);
                return ok(json::serialize(page));
            }
            if (method == http::verb::post)
                return ok(renamed([&](Names& names) { return emit(engine_.create(collection, write_body(names))); }),
                          created);
            throw allow("GET, POST");
        }
        const std::int64_t id = parse_id(*id_seg);
        switch (method) {
            case http::verb::get:
                return ok(out ? emit(engine_.get(collection, id)) : engine_.get_text(collection, id));
            case http::verb::put:
                return ok(renamed([&](Names& names) { return emit(engine_.replace(collection, id, write_body(names))); }));
            case http::verb::patch:
                return ok(renamed([&](Names& names) { return emit(engine_.update(collection, id, write_body(names))); }));
            case http::verb::delete_:
                engine_.remove(collection, id);
                return no_content();
            default: throw allow("GET, PUT, PATCH, DELETE");
        }
    };

    // Every row a query matches: one page when the query pages, otherwise
    // the whole collection streamed by the engine (keyset pages).
    auto all_rows = [&](std::string_view collection, const json::object& q) {
        json::array rows;
        if (has_paging_key(q)) {
            json::object page = engine_.list(collection, query(q));
            rows = std::move(page["results"].as_array());
        } else {
            engine_.export_rows(collection, query(q), [&](std::string_view line) {
                rows.push_back(json::parse(line));
                return true;
            });
        }
        return rows;
    };

    // ---- seed 000: /api/crm/... -----------------------------------------------------
    if (seg(0) == "api" && seg(1) == "crm" && (n == 3 || n == 4)) {
        std::optional<std::string_view> id;
        if (n == 4) id = seg(3);
        if (seg(2) == "customer") return crud("customers", id, heidian_customer_in, nullptr, http::status::ok);
        if (seg(2) == "custom_form") return crud("forms", id, nullptr, nullptr, http::status::ok);
        if (seg(2) == "customer_message" && n == 3) {
            if (method == http::verb::get) {
                json::object q = parse_query_string(qs);
                if (auto it = q.find("customer"); it != q.end()) {
                    json::value v = it->value();
                    q.erase(it);
                    q["customer_id"] = std::move(v);
                }
                json::object page = engine_.list("messages", query(q));
                json::array results;
                for (const auto& row : page["results"].as_array()) results.push_back(message_out(object_of(row)));
                page["results"] = std::move(results);
                return ok(json::serialize(page));
            }
            if (method == http::verb::post) {
                json::object body = body_object(req);
                try {
                    return ok(json::serialize(message_out(engine_.create("messages", message_in(body)))));
                } catch (const crm::Error& e) {
                    rethrow_renamed(e, {{"customer_id", "customer"}});
                }
            }
            throw allow("GET, POST");
        }
        no_such_route();
    }

    // ---- seed 001: /v1.0/customers ... -------------------------------------------------
    if (seg(0) == "v1.0" && seg(1) == "customers") {
        auto envelope = [](std::string_view name, json::value v) {
            return json::serialize(json::object{{name, std::move(v)}});
        };
        if (n == 2) {
            if (method == http::verb::get) {
                json::object q = parse_query_string(qs);
                // "If the parameter ... does not match one of {company, person},
                // then all clients ... will be selected."
                if (auto it = q.find("type");
                    it != q.end() && !(it->value() == json::value("company") || it->value() == json::value("person")))
                    q.erase(it);
                default_offset(q);
                json::object page = engine_.list("customers", query(q));
                json::array rows;
                for (const auto& c : page["results"].as_array()) rows.push_back(v1_customer_out(object_of(c)));
                Reply r = ok(envelope("customers", std::move(rows)));
                // The seed's envelope has no room for paging: headers carry it.
                if (page["count"].is_int64()) r.headers.emplace_back("X-Total-Count", std::to_string(page["count"].get_int64()));
                if (page["next_cursor"].is_string())
                    r.headers.emplace_back("X-Next-Cursor", std::string(page["next_cursor"].get_string()));
                return r;
            }
            if (method == http::verb::post) {
                json::object body = body_object(req);
                Names names;
                try {
                    json::object c = engine_.create("customers", v1_customer_in(body, names));
                    return ok(envelope("customer", v1_customer_out(c)));
                } catch (const crm::Error& e) {
                    rethrow_renamed(e, names);
                }
            }
            throw allow("GET, POST");
        }
        const std::int64_t id = parse_id(seg(2));
        if (n == 3) {
            switch (method) {
                case http::verb::get: return ok(envelope("customer", v1_customer_out(engine_.get("customers", id))));
                case http::verb::put: {
                    json::object body = body_object(req);
                    Names names;
                    try {
                        json::object c = engine_.replace("customers", id, v1_customer_in(body, names));
                        return ok(envelope("customer", v1_customer_out(c)));
                    } catch (const crm::Error& e) {
                        rethrow_renamed(e, names);
                    }
                }
                case http::verb::delete_: engine_.remove("customers", id); return no_content();
                default: throw allow("GET, PUT, DELETE");
            }
        }
        if (n == 4 && seg(3) == "orders") {
            if (method != http::verb::get) throw allow("GET");
            engine_.get("customers", id);  // 404 for a customer that does not exist
            json::object q = parse_query_string(qs);
            q["customer_id"] = id;
            default_offset(q);
            json::object page = engine_.list("orders", query(q));
            json::array rows;
            for (const auto& o : page["results"].as_array()) rows.push_back(v1_order_out(object_of(o)));
            return ok(envelope("orders", std::move(rows)));
        }
        no_such_route();
    }

    // ---- seed 003: /api/... --------------------------------------------------------------
    if (crm_app) {
        const std::string_view route = seg(1);
        if (route == "data" && n <= 3) {
            json::object q;
            if (method == http::verb::get) {
                q = parse_query_string(qs);
                if (n == 3) q["uuid"] = seg(2);
            } else if (method == http::verb::post) {
                // "Show one customer by email": {"email": "..."}; a slug in the
                // path must be that customer's IdClient too.
                if (!qs.empty()) throw crm::InvalidError("this route takes no query string", {{"query", "is not allowed"}});
                json::object body = body_object(req);
                std::vector<crm::FieldError> errors;
                for (const auto& kv : body)
                    if (kv.key() != "email") errors.push_back({std::string(kv.key()), "is not a known field"});
                auto it = body.find("email");
                if (it == body.end() || !it->value().is_string() || it->value().get_string().empty())
                    errors.push_back({"email", "is required (a string)"});
                if (!errors.empty()) throw crm::InvalidError(std::move(errors));
                q["email"] = it->value();
                if (n == 3) q["uuid"] = seg(2);
            } else {
                throw allow("GET, POST");
            }
            // The seed's table lists customers as they were registered.
            if (!q.contains("ordering") && !q.contains("sortby")) q["ordering"] = "id";
            json::array rows;
            for (const auto& c : all_rows("customers", q)) rows.push_back(crm_app_customer_out(object_of(c)));
            if (rows.empty() && (n == 3 || method == http::verb::post))
                throw crm::NotFoundError("no such customer");
            return ok(json::serialize(rows));
        }
        if (route == "update_db" && n == 2) {
            if (method != http::verb::post) throw allow("POST");
            // Import format crm-app; mode, key and atomic may come in the query string.
            json::object options{{"format", "crm-app"}};
            std::vector<crm::FieldError> errors;
            for (auto& kv : parse_query_string(qs)) {
                if (!kv.value().is_string()) {
                    errors.push_back({std::string(kv.key()), "is given more than once"});
                } else if (kv.key() == "mode" || kv.key() == "key") {
                    options[kv.key()] = kv.value();
                } else if (kv.key() == "atomic") {
                    const std::string_view v = kv.value().get_string();
                    if (v == "true" || v == "1")
                        options["atomic"] = true;
                    else if (v == "false" || v == "0")
                        options["atomic"] = false;
                    else
                        errors.push_back({"atomic", "must be true or false"});
                } else {
                    errors.push_back({std::string(kv.key()), "is not a known option (mode, key, atomic)"});
                }
            }
            if (!errors.empty()) throw crm::InvalidError(std::move(errors));
            if (req.body().empty()) throw crm::InvalidError("the request body is empty", {{"body", "is required"}});
            crm::ImportReport report = engine_.import_rows("customers", req.body(), json::value(options));
            return ok(json::serialize(report.to_json()));
        }
        if (route == "create_customer" && n == 2) {
            if (method != http::verb::post) throw allow("POST");
            json::object body = body_object(req);
            Names names;
            try {
                json::object c = engine_.create("customers", crm_app_new_customer_in(body, names));
                return ok(json::serialize(json::object{{"idClient", c["uuid"]}}));
            } catch (const crm::Error& e) {
                rethrow_renamed(e, names);
            }
        }
        if (route == "credit" && n == 2) {
            if (method != http::verb::post) throw allow("POST");
            return ok(json::serialize(engine_.credit_accrue(parse_body(req))));
        }
        if (route == "credit" && n == 3) {
            if (method != http::verb::get) throw allow("GET");
            json::object b = engine_.credit_balance(std::string(seg(2)));
            // The seed writes the card as a number ({"carteFid": 33}).
            json::value card = b["card"];
            if (card.is_string()) {
                const std::string_view s = card.get_string();
                if (!s.empty() && s.size() <= 15 && s.find_first_not_of("0123456789") == std::string_view::npos &&
                    (s.size() == 1 || s.front() != '0'))
                    card = std::stoll(std::string(s));
            }
            const std::int64_t cents = b["balance_cents"].to_number<std::int64_t>();
            return ok(write_json(json::object{{"carteFid", card}, {"Credit", units_value(cents)}}));
        }
        if (route == "allow_credit" && n == 2) {
            if (method != http::verb::post) throw allow("POST");
            json::object r = engine_.credit_check(parse_body(req));
            return ok(json::serialize(json::object{{"idClient", r["customer_uuid"]}, {"Allowed", r["allowed"]}}));
        }
        if (route == "get_tickets" && n == 2) {
            if (method != http::verb::get) throw allow("GET");
            json::array tickets;
            for (const auto& t : all_rows("tickets", parse_query_string(qs)))
                tickets.push_back(crm_app_ticket_out(object_of(t)));
            return ok(write_json(json::object{{"tickets", std::move(tickets)}}));
        }
        no_such_route();
    }

    // ---- canonical: /v1/credit/..., /v1/{collection}[/{id}] --------------------------------
    if (seg(0) == "v1" && seg(1) == "credit" && n >= 3) {
        const std::string_view what = seg(2);
        if (what == "balance" && n == 4) {
            if (method != http::verb::get) throw allow("GET");
            return ok(json::serialize(engine_.credit_balance(std::string(seg(3)))));
        }
        if (n != 3) no_such_route();
        if (what == "accrue" || what == "check" || what == "redeem") {
            if (method != http::verb::post) throw allow("POST");
            if (what == "accrue") return ok(json::serialize(engine_.credit_accrue(parse_body(req))));
            if (what == "check") return ok(json::serialize(engine_.credit_check(parse_body(req))));
            // redeem: {"card", "amount_cents", "ref"?}
            json::object body = body_object(req);
            std::vector<crm::FieldError> errors;
            std::string card;
            std::int64_t amount = 0;
            std::optional<std::string> ref;
            for (const auto& kv : body) {
                const json::value& v = kv.value();
                if (kv.key() == "card") {
                    if (v.is_string())
                        card = v.get_string();
                    else if (v.is_int64() && v.get_int64() >= 0)
                        card = std::to_string(v.get_int64());
                    else
                        errors.push_back({"card", "must be a card number (string or integer)"});
                } else if (kv.key() == "amount_cents") {
                    if (v.is_int64())
                        amount = v.get_int64();
                    else
                        errors.push_back({"amount_cents", "must be an integer"});
                } else if (kv.key() == "ref") {
                    if (v.is_string())
                        ref = std::string(v.get_string());
                    else if (!v.is_null())
                        errors.push_back({"ref", "must be a string"});
                } else {
                    errors.push_back({std::string(kv.key()), "is not a known field"});
                }
            }
            if (!body.contains("card")) errors.push_back({"card", "is required"});
            if (!body.contains("amount_cents")) errors.push_back({"amount_cents", "is required"});
            if (!errors.empty()) throw crm::InvalidError(std::move(errors));
            return ok(json::serialize(engine_.credit_redeem(card, amount, ref)));
        }
        no_such_route();
    }
    if (seg(0) == "v1" && (n == 2 || n == 3)) {
        std::optional<std::string_view> id;
        if (n == 3) id = seg(2);
        return crud(seg(1), id, nullptr, nullptr, http::status::created);
    }

    no_such_route();
}

}  // namespace crm_http

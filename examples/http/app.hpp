// The HTTP application: authorization, routing, and the thin adapters from
// each route to the crm C++ API. No networking here (server.hpp does it):
// App::handle() turns one parsed request into one response, and never
// throws.
#pragma once

#include <crm/crm.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace crm_http {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// Who may call what.
struct AppConfig {
    /// The bearer token every request must carry; nullopt: none required
    /// (`--no-auth`, allowed on a loopback address only).
    std::optional<std::string> token;
    /// Seed 003's routes (/api/data, /api/update_db, /api/create_customer,
    /// /api/credit, /api/allow_credit, /api/get_tickets) without a token:
    /// the seed says "Auth required: NO", for local use.
    bool open_crm_app = false;
};

/// The crm HTTP status of an engine code: invalid 400, not_found 404,
/// conflict 409, busy 503, anything else 500.
http::status status_of(crm::Status code) noexcept;

/// A JSON error response {"code","message"} (HTTP-level errors: 401, 404
/// of a route, 405, 413, ...), keep-alive as asked.
Response error_response(unsigned version, bool keep_alive, http::status status, std::string_view code,
                        std::string_view message);

/// Constant-time comparison of a presented token with the expected one (the
/// time depends on the expected token's length only).
bool token_equals(std::string_view given, std::string_view expected) noexcept;

/// The routes of issue #8 over one engine. Thread-safe (the engine is).
class App {
public:
    App(crm::Engine& engine, AppConfig config);
    /// One request -> one response. Never throws: an engine error becomes
    /// its status (status_of) with the error JSON as body; anything else 500.
    Response handle(const Request& req) noexcept;

private:
    struct Reply;
    Reply dispatch(const Request& req);
    bool authorized(const Request& req, bool crm_app_route) const;

    crm::Engine& engine_;
    AppConfig config_;
};

}  // namespace crm_http

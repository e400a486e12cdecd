// crm-http - the seeds' REST endpoints served over one crm::Engine.
//
//   CRM_TOKEN=s3cret crm-http --db crm.db --port 8080 --token-env CRM_TOKEN
//
// Prints "listening on http://ADDRESS:PORT" on stdout once it accepts
// connections (the port actually bound, so --port 0 can be read back), and
// serves until SIGINT or SIGTERM. See README.md for the routes.
#include "app.hpp"
#include "server.hpp"

#include <crm/crm.hpp>

#include <boost/asio/ip/address.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view usage_text = R"(Usage: crm-http [OPTIONS]

Serves the seeds' REST endpoints and /v1/{collection} over one crm database.

Options:
  --db FILE              the database file (default crm.db; created readable
                         by its owner only, 0600)
  --address ADDR         the address to listen on (default 127.0.0.1)
  --port N               the port (default 8080; 0 picks a free one); the
                         bound address is printed as "listening on http://ADDR:PORT"
  --threads N            io threads (default 4)
  --token-file PATH      the bearer token is the first line of this file
  --token-env NAME       the bearer token is this environment variable's value
  --no-auth              no token at all (refused unless ADDR is loopback)
  --open-crm-app         seed 003's routes (/api/data, /api/update_db,
                         /api/create_customer, /api/credit, /api/allow_credit,
                         /api/get_tickets) without a token, as the seed has them
  --body-limit BYTES     larger request bodies get 413 (default 1048576 = 1 MiB)
  --busy-timeout-ms N    how long a write waits for another process's lock
                         before 503 (default 5000)
  -h, --help             show this help
)";

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "crm-http: " << message << "\n";
    std::exit(2);
}

template <class Int>
Int parse_number(std::string_view name, std::string_view text, Int min, Int max) {
    Int v{};
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max)
        fail(std::string(name) + " must be a number from " + std::to_string(min) + " to " + std::to_string(max));
    return v;
}

std::string trim_token(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    std::size_t start = 0;
    while (start < s.size() && (s[start] == ' ' || s[start] == '\t')) ++start;
    return s.substr(start);
}

std::string read_token_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot read the token file " + path + ": " + std::strerror(errno));
    std::string line;
    std::getline(in, line);
    return trim_token(line);
}

// The database file is created readable and writable by its owner only
// (SQLite gives its -wal and -shm files the same mode); an existing file
// keeps its mode, with a warning when others may read it.
void prepare_db_file(const std::string& path) {
    ::umask(077);
    if (path == ":memory:" || path.empty()) return;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if ((st.st_mode & 077) != 0)
            std::cerr << "crm-http: warning: " << path << " is readable by others (mode "
                      << std::oct << (st.st_mode & 0777) << std::dec << ")\n";
        return;
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) fail("cannot create " + path + ": " + std::strerror(errno));
    if (fd >= 0) ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
    std::string db = "crm.db";
    crm_http::ServerOptions server_options;
    server_options.port = 8080;
    std::optional<std::string> token_file, token_env;
    bool no_auth = false;
    bool open_crm_app = false;
    crm::Options engine_options;

    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string_view {
            if (i + 1 >= argc) fail(std::string(arg) + " needs a value (see --help)");
            return argv[++i];
        };
        if (arg == "-h" || arg == "--help") {
            std::cout << usage_text;
            return 0;
        } else if (arg == "--db") {
            db = value();
        } else if (arg == "--address") {
            server_options.address = value();
        } else if (arg == "--port") {
            server_options.port = parse_number<unsigned short>("--port", value(), 0, 65535);
        } else if (arg == "--threads") {
            server_options.threads = parse_number<int>("--threads", value(), 1, 256);
        } else if (arg == "--token-file") {
            token_file = std::string(value());
        } else if (arg == "--token-env") {
            token_env = std::string(value());
        } else if (arg == "--no-auth") {
            no_auth = true;
        } else if (arg == "--open-crm-app") {
            open_crm_app = true;
        } else if (arg == "--body-limit") {
            server_options.body_limit = parse_number<std::size_t>("--body-limit", value(), 1, std::size_t{1} << 30);
        } else if (arg == "--busy-timeout-ms") {
            engine_options.busy_timeout_ms = parse_number<std::int64_t>("--busy-timeout-ms", value(), 0, 3'600'000);
        } else {
            fail("unknown option " + std::string(arg) + " (see --help)");
        }
    }

    // --- authorization ----------------------------------------------------------------
    crm_http::AppConfig config;
    config.open_crm_app = open_crm_app;
    if (token_file && token_env) fail("give --token-file or --token-env, not both");
    if (token_file) config.token = read_token_file(*token_file);
    if (token_env) {
        const char* v = std::getenv(token_env->c_str());
        if (!v) fail("the environment variable " + *token_env + " is not set");
        config.token = trim_token(v);
    }
    if (config.token && config.token->empty()) fail("the token is empty");
    if (config.token && no_auth) fail("--no-auth contradicts a token");
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(server_options.address, ec);
    if (ec) fail("--address " + server_options.address + " is not an IP address");
    if (!config.token) {
        if (!address.is_loopback())
            fail("refusing to listen on " + server_options.address +
                 " without a token: give --token-file or --token-env (only loopback may go without)");
        if (!no_auth) fail("a token is required: --token-file PATH or --token-env NAME (or --no-auth on loopback)");
    }

    // --- the engine and the server -----------------------------------------------------
    prepare_db_file(db);
    std::optional<crm::Engine> engine;
    try {
        engine.emplace(db, engine_options);
    } catch (const crm::Error& e) {
        fail("cannot open " + db + ": " + e.to_json());
    }
    crm_http::App app(*engine, config);
    std::optional<crm_http::Server> server;
    try {
        server.emplace(app, server_options);
    } catch (const std::exception& e) {
        fail("cannot listen on " + server_options.address + ":" + std::to_string(server_options.port) + ": " + e.what());
    }
    server->stop_on_signals();
    server->start();
    const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    std::cout << "listening on http://" << host << ":" << server->port() << std::endl;
    server->wait();
    server.reset();
    std::cerr << "crm-http: stopped\n";
    return 0;
}

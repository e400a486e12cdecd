// http_bench - requests per second of the HTTP host (examples/http) beside
// the engine called directly, in the same run.
//
// One database of N customers (default 10,000; canonical NDJSON through
// engine.import_rows, varied names, unique emails) in a temporary folder
// (removed at the end), one crm::Engine over it, and the very server of
// examples/http (crm_http::App + crm_http::Server, bearer token checked)
// listening on an ephemeral 127.0.0.1 port in this process. Two requests:
//
//   get_by_id      GET /v1/customers/{id}, ids drawn at random
//                  direct: engine.get_text("customers", id)
//   filtered_list  GET /v1/customers?last_name__istartswith=<p>&ordering=-created_at&page_size=20
//                  (the prefix rotating over the generated last names)
//                  direct: engine.list_text("customers", the same query object)
//
// The client is Boost.Beast, synchronous, one keep-alive connection per
// client thread: first one client (every request timed on its own, so p50
// and p99 are real), then --clients clients at once (aggregate rate only).
// The direct side runs the same sequence of calls on one thread. Before
// timing, the HTTP body of a sample of each request is checked to be the
// very text the engine returns. Ratios are HTTP req/s over direct calls/s.
// Informative only; the exit status is 0 unless a check fails.
//
// Usage: http_bench [--rows N] [--requests R] [--clients C] [--threads T] [--json]
#include "app.hpp"
#include "server.hpp"
#include "shapes.hpp"

#include <crm/crm.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kToken = "bench-token";

struct Config {
    std::int64_t rows = 10'000;
    std::int64_t requests = 20'000;
    int clients = 4;
    int threads = 2;
    bool json_lines = false;
};

[[noreturn]] void usage(int status) {
    std::fputs(
        "usage: http_bench [--rows N] [--requests R] [--clients C] [--threads T] [--json]\n"
        "  --rows N       customers in the database (default 10000)\n"
        "  --requests R   requests per measurement (default 20000)\n"
        "  --clients C    concurrent keep-alive clients of the second HTTP run (default 4)\n"
        "  --threads T    the server's io threads (default 2)\n"
        "  --json         one JSON object per result line instead of the table\n",
        status == 0 ? stdout : stderr);
    std::exit(status);
}

std::int64_t number(std::string_view flag, const char* text, std::int64_t min) {
    std::int64_t v = 0;
    const std::string_view s = text;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < min) {
        fmt::print(stderr, "http_bench: {} needs an integer >= {}\n", flag, min);
        usage(2);
    }
    return v;
}

Config parse_args(int argc, char** argv) {
    Config c;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) usage(2);
            return argv[++i];
        };
        if (a == "--rows")
            c.rows = number(a, next(), 1);
        else if (a == "--requests")
            c.requests = number(a, next(), 1);
        else if (a == "--clients")
            c.clients = static_cast<int>(number(a, next(), 1));
        else if (a == "--threads")
            c.threads = static_cast<int>(number(a, next(), 1));
        else if (a == "--json")
            c.json_lines = true;
        else if (a == "--help" || a == "-h")
            usage(0);
        else
            usage(2);
    }
    return c;
}

constexpr std::string_view kFirst[] = {"Ann", "Bob", "Chloé", "David", "Emma", "Farid", "Greta", "Hugo", "Inès", "Jon"};
constexpr std::string_view kLast[] = {"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
                                      "Durand", "Leroy",   "Moreau",  "Simon",  "Laurent", "Lefebvre", "Michel",
                                      "Garcia", "David",   "Bertrand", "Roux",  "Vincent", "Fournier"};
constexpr std::string_view kPrefixes[] = {"ma", "be", "du", "th", "ro", "ri", "pe", "le", "mo", "si", "la", "mi", "ga", "fo"};

void load(crm::Engine& engine, std::int64_t rows) {
    std::string ndjson;
    for (std::int64_t i = 0; i < rows; ++i) {
        json::object c{{"first_name", kFirst[i % std::size(kFirst)]},
                       {"last_name", kLast[(i * 7) % std::size(kLast)]},
                       {"email", fmt::format("user{}@bench.example", i)}};
        if (i % 5 == 0) c["company_name"] = fmt::format("Company {}", i % 97);
        ndjson += json::serialize(c);
        ndjson += '\n';
    }
    const crm::ImportReport report = engine.import_rows("customers", ndjson);
    if (report.created != rows) throw std::runtime_error("the import did not create every row");
}

struct Workload {
    std::string op;
    std::vector<std::string> targets;                // HTTP request targets
    std::vector<std::function<std::string()>> calls;  // the same requests, called directly
};

Workload get_by_id(crm::Engine& engine, std::int64_t rows, std::int64_t n, std::uint32_t seed) {
    Workload w{"get_by_id", {}, {}};
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::int64_t> pick(1, rows);
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t id = pick(rng);
        w.targets.push_back(fmt::format("/v1/customers/{}", id));
        w.calls.emplace_back([&engine, id] { return engine.get_text("customers", id); });
    }
    return w;
}

Workload filtered_list(crm::Engine& engine, std::int64_t n) {
    Workload w{"filtered_list", {}, {}};
    for (std::int64_t i = 0; i < n; ++i) {
        const std::string_view prefix = kPrefixes[i % std::size(kPrefixes)];
        const std::string qs = fmt::format("last_name__istartswith={}&ordering=-created_at&page_size=20", prefix);
        w.targets.push_back("/v1/customers?" + qs);
        // What a host holds: the query object (values as strings, as the
        // server makes them), turned into a crm::Query per call.
        json::object q = crm_http::parse_query_string(qs);
        w.calls.emplace_back([&engine, q] { return engine.list_text("customers", crm::Query::from_json(q)); });
    }
    return w;
}

class Client {
public:
    explicit Client(unsigned short port) : socket_(ioc_) {
        socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        socket_.set_option(tcp::no_delay(true));
        req_.version(11);
        req_.method(http::verb::get);
        req_.set(http::field::host, "127.0.0.1");
        req_.set(http::field::authorization, std::string("Bearer ") + std::string(kToken));
        req_.keep_alive(true);
    }

    // One request on the kept-alive connection; returns the body.
    const std::string& get(const std::string& target) {
        req_.target(target);
        http::write(socket_, req_);
        res_ = {};
        http::read(socket_, buffer_, res_);
        if (res_.result() != http::status::ok) throw std::runtime_error(fmt::format("{} -> {}", target, res_.result_int()));
        if (!res_.keep_alive()) throw std::runtime_error("the server closed the connection");
        return res_.body();
    }

private:
    net::io_context ioc_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
    http::request<http::empty_body> req_;
    http::response<http::string_body> res_;
};

struct Result {
    std::string op, side;
    int clients = 1;
    std::int64_t requests = 0;
    double seconds = 0;
    double p50_us = -1, p99_us = -1;
    double ratio = -1;  // req/s over the direct calls' rate
    double rate() const { return static_cast<double>(requests) / seconds; }
};

double percentile(std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    return v[i];
}

template <class F>
Result timed(const std::string& op, const std::string& side, std::size_t n, F&& one) {
    std::vector<double> us(n);
    const auto start = Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
        const auto t0 = Clock::now();
        one(i);
        us[i] = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    }
    Result r{op, side, 1, static_cast<std::int64_t>(n), std::chrono::duration<double>(Clock::now() - start).count()};
    r.p50_us = percentile(us, 0.50);
    r.p99_us = percentile(us, 0.99);
    return r;
}

std::vector<Result> measure(const Workload& w, unsigned short port, int clients) {
    std::vector<Result> out;
    const std::size_t n = w.targets.size();

    // Checked first: the HTTP body is the engine's own text.
    {
        Client c(port);
        for (std::size_t i = 0; i < std::min<std::size_t>(n, 50); ++i)
            if (c.get(w.targets[i]) != w.calls[i]())
                throw std::runtime_error(fmt::format("{}: HTTP and direct bodies differ for {}", w.op, w.targets[i]));
        for (std::size_t i = 0; i < std::min<std::size_t>(n, 500); ++i) c.get(w.targets[i]);  // warm-up
    }

    std::size_t sink = 0;
    Result direct = timed(w.op, "engine", n, [&](std::size_t i) { sink += w.calls[i]().size(); });
    Client c(port);
    Result one = timed(w.op, "http", n, [&](std::size_t i) { sink += c.get(w.targets[i]).size(); });
    one.ratio = one.rate() / direct.rate();

    // `clients` connections at once, each its share of the same requests.
    std::vector<std::thread> threads;
    std::atomic<bool> failed{false};
    std::vector<std::unique_ptr<Client>> conns;
    for (int k = 0; k < clients; ++k) conns.push_back(std::make_unique<Client>(port));
    const auto start = Clock::now();
    for (int k = 0; k < clients; ++k)
        threads.emplace_back([&, k] {
            try {
                for (std::size_t i = static_cast<std::size_t>(k); i < n; i += static_cast<std::size_t>(clients))
                    conns[static_cast<std::size_t>(k)]->get(w.targets[i]);
            } catch (const std::exception& e) {
                fmt::print(stderr, "http_bench: {}\n", e.what());
                failed = true;
            }
        });
    for (auto& t : threads) t.join();
    if (failed) throw std::runtime_error("a client failed");
    Result many{w.op, "http", clients, static_cast<std::int64_t>(n), std::chrono::duration<double>(Clock::now() - start).count()};
    many.ratio = many.rate() / direct.rate();

    if (sink == 0) throw std::runtime_error("empty bodies");
    out.push_back(direct);
    out.push_back(one);
    out.push_back(many);
    return out;
}

void print_table(const std::vector<Result>& results) {
    fmt::print("{:<14} {:<7} {:>7} {:>9} {:>10} {:>9} {:>9} {:>7}\n", "op", "side", "clients", "requests", "req/s",
               "p50 µs", "p99 µs", "ratio");
    for (const auto& r : results) {
        const std::string p50 = r.p50_us < 0 ? "-" : fmt::format("{:.1f}", r.p50_us);
        const std::string p99 = r.p99_us < 0 ? "-" : fmt::format("{:.1f}", r.p99_us);
        const std::string ratio = r.ratio < 0 ? "-" : fmt::format("{:.3f}", r.ratio);
        fmt::print("{:<14} {:<7} {:>7} {:>9} {:>10.0f} {:>9} {:>9} {:>7}\n", r.op, r.side, r.clients, r.requests,
                   r.rate(), p50, p99, ratio);
    }
}

void print_json_lines(const std::vector<Result>& results) {
    for (const auto& r : results) {
        json::object o{{"op", r.op},          {"side", r.side},         {"clients", r.clients},
                       {"requests", r.requests}, {"seconds", r.seconds}, {"req_per_s", r.rate()}};
        o["p50_us"] = r.p50_us < 0 ? json::value(nullptr) : json::value(r.p50_us);
        o["p99_us"] = r.p99_us < 0 ? json::value(nullptr) : json::value(r.p99_us);
        o["ratio"] = r.ratio < 0 ? json::value(nullptr) : json::value(r.ratio);
        fmt::print("{}\n", json::serialize(o));
    }
}

}  // namespace

int main(int argc, char** argv) {
    const Config config = parse_args(argc, argv);
    const fs::path dir = fs::temp_directory_path() / fmt::format("crm_http_bench_{}", ::getpid());
    fs::create_directories(dir);
    int status = 0;
    try {
        std::FILE* info = config.json_lines ? stderr : stdout;
        crm::Engine engine((dir / "bench.db").string());
        const auto t0 = Clock::now();
        load(engine, config.rows);
        fmt::print(info, "{} customers loaded in {:.2f} s; server: {} io threads; clients: 1 then {}\n", config.rows,
                   std::chrono::duration<double>(Clock::now() - t0).count(), config.threads, config.clients);

        crm_http::App app(engine, crm_http::AppConfig{std::string(kToken), false});
        crm_http::ServerOptions options;
        options.threads = config.threads;
        crm_http::Server server(app, options);
        server.start();

        std::vector<Result> results;
        for (const Workload& w : {get_by_id(engine, config.rows, config.requests, 42), filtered_list(engine, config.requests)})
            for (auto& r : measure(w, server.port(), config.clients)) results.push_back(std::move(r));
        server.stop();
        server.wait();

        if (config.json_lines)
            print_json_lines(results);
        else
            print_table(results);
    } catch (const std::exception& e) {
        fmt::print(stderr, "http_bench: {}\n", e.what());
        status = 1;
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return status;
}

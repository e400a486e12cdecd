// crm-cli - a small command-line front end to the crm engine.
//
// It is written only against the public C++ API (<crm/crm.hpp>), so it is
// also a tour of that API:
//   * `demo` uses the typed API: crm::Customer structs, engine.customers(),
//     crm::Query built with its methods, crm::Page<crm::Customer>;
//   * `customer ...` uses the JSON API (engine.create("customers", json),
//     ...), which is what the C ABI exposes, so a JSON body given on the
//     command line reaches the engine unchanged.
// Every failure is a crm::Error carrying a status code; see report_error().
#include "pretty_json.hpp"
#include "table.hpp"

#include <crm/crm.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <fmt/core.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <iterator>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

// Exit statuses: 1 when the request itself was refused (bad data, no such
// record, a uniqueness conflict), 2 for everything else (bad usage, I/O, a
// busy database, internal errors).
constexpr int exit_ok = 0;
constexpr int exit_refused = 1;
constexpr int exit_failure = 2;

constexpr std::string_view default_db = "crm.db";

constexpr std::string_view usage_text =
    R"(Usage: crm-cli [--db FILE] COMMAND [ARGS...]

A command-line front end to the crm engine (an embeddable CRM over SQLite).

Options:
  --db FILE        the database file (default: crm.db in the current folder;
                   created when missing; ":memory:" for a throw-away one)
  -h, --help       show this help and exit

Commands:
  demo                          add a few sample customers (taken from the
                                seed APIs; safe to run again), list every
                                customer and show one as JSON
  customer create JSON          create a customer, print it as stored
  customer get ID               print one customer
  customer update ID PATCH      apply a JSON merge patch (RFC 7396)
  customer replace ID JSON      replace every writable field
  customer delete ID            delete a customer
  customer list [QUERY] [--json]
                                list customers as a table, or print the
                                page object with --json; QUERY is a JSON
                                object such as '{"page":2,"page_size":10}'
                                or '{"ordering":"last_name,-created_at"}'
  version                       print the versions of crm-cli and libcrm
  help                          show this help

JSON arguments are JSON text (quote them for the shell); "-" reads the
text from standard input.

Examples:
  crm-cli demo
  crm-cli customer create '{"first_name":"Ann","last_name":"Lee","email":"ann@example.com"}'
  crm-cli customer update 1 '{"phone":"+1 555 0100","attributes":{"tier":"gold"}}'
  crm-cli customer list '{"ordering":"-created_at","page_size":5}'

Exit status: 0 on success; 1 when the engine refused the request (invalid,
not_found, conflict); 2 for usage errors and any other failure. Errors are
printed to standard error as "error: CODE: MESSAGE", then one line per
failing field.
)";

/// A mistake in the command line itself (exit status 2).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using Args = std::span<const std::string_view>;

// ---------------------------------------------------------------------------
// Argument helpers

std::int64_t parse_id(std::string_view text) {
    std::int64_t id = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, id);
    if (text.empty() || ec != std::errc{} || ptr != end) {
        throw UsageError(fmt::format("ID must be an integer, got '{}'", text));
    }
    return id;  // 0 and negative ids are the engine's to refuse (not_found)
}

/// Parses a JSON argument; "-" reads standard input. Malformed text is the
/// engine's `invalid`, as it is through the C ABI.
boost::json::value parse_json_arg(std::string_view text, std::string_view what) {
    std::string input;
    if (text == "-") {
        input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        text = input;
    }
    boost::system::error_code ec;
    boost::json::value jv = boost::json::parse(text, ec);
    if (ec) throw crm::InvalidError(fmt::format("{} is not valid JSON: {}", what, ec.message()));
    return jv;
}

void expect_args(Args args, std::size_t count, std::string_view synopsis) {
    if (args.size() != count) {
        throw UsageError(fmt::format("{} argument{} expected: crm-cli {}",
                                     args.size() < count ? "missing" : "too many",
                                     args.size() < count ? "" : "s", synopsis));
    }
}

// ---------------------------------------------------------------------------
// Output helpers

void print_json(const boost::json::value& jv) {
    fmt::print("{}\n", crm_cli::pretty_json(jv));
}

/// A table cell from a JSON value: strings as they are, null as empty.
std::string cell(const boost::json::value* jv) {
    if (jv == nullptr || jv->is_null()) return {};
    if (const auto* s = jv->if_string()) return std::string(s->data(), s->size());
    return boost::json::serialize(*jv);
}

crm_cli::Table customer_table() {
    crm_cli::Table table({"id", "full_name", "email", "phone", "company_name", "kind"});
    table.align(0, crm_cli::Table::Align::right);
    return table;
}

std::string plural(std::int64_t n, std::string_view word) {
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// ---------------------------------------------------------------------------
// demo: the typed C++ API

struct DemoCustomer {
    std::string_view origin;
    crm::Customer customer;
};

// One customer per seed API, written with our canonical field names
// (spec/seed-map.md says where each seed field lands).
std::vector<DemoCustomer> demo_customers() {
    using std::chrono::year;
    std::vector<DemoCustomer> demo;

    {   // Seed 000, the Heidian Django API: mobile, gender, note, birthday,
        // full_name (split at the last space), accepts_marketing, email.
        crm::Customer c;
        c.first_name = "Ayşe Nur";
        c.last_name = "Yılmaz";
        c.email = "ayse.yilmaz@example.com";
        c.mobile = "+90 532 555 12 34";
        c.gender = crm::Gender::female;
        c.date_of_birth = year{1990} / 4 / 12;
        c.accepts_marketing = true;
        c.note = "Signed up through the Heidian shop.";
        demo.push_back({"seed 000, Heidian", std::move(c)});
    }
    {   // Seed 001, "/v1.0/customers": the create example of its docs.
        crm::Customer c;
        c.kind = crm::CustomerKind::company;
        c.first_name = "My first name";
        c.last_name = "My last name";
        c.email = "postman@gmail.com";
        c.company_name = "Google";
        c.phone = "123-11-11";
        c.note = "Created by postman";
        c.status = 0;
        demo.push_back({"seed 001, /v1.0/customers", std::move(c)});
    }
    {   // Seed 002, Akinon: channel, ERP code and free-form JSON objects.
        crm::Customer c;
        c.first_name = "John";
        c.last_name = "Doe";
        c.email = "example@domain.com";
        c.phone = "+123456789";
        c.channel_id = 5;
        c.channel_code = "CH123";
        c.erp_code = "ERP456";
        c.attributes = {{"logged_ip", "127.0.0.1"}, {"register_client_type", "default"}};
        c.extra_field = {{"key1", "value1"}, {"key2", 100}};
        c.email_allowed = true;
        c.call_allowed = true;
        c.date_joined = crm::parse_timestamp("2023-01-15T10:30:00Z");
        c.gender = crm::Gender::female;
        c.user_type = crm::UserType::guest;
        c.date_of_birth = year{1985} / 8 / 25;
        demo.push_back({"seed 002, Akinon", std::move(c)});
    }
    {   // Seed 003, the French CRM-app: Nom -> last_name, Prenom ->
        // first_name, Sexe "h" -> male, Compte -> account, carteFid 33.
        crm::Customer c;
        c.last_name = "Jacquie";
        c.first_name = "Bloggs";
        c.gender = crm::Gender::male;
        c.email = "Jacquie@mimi.com";  // stored lower-case
        c.phone = "0102030405";
        c.account = "BKN1CST53";
        c.loyalty_card = "33";
        demo.push_back({"seed 003, CRM-app", std::move(c)});
    }
    return demo;
}

std::string lower_ascii(std::string s) {
    for (char& ch : s) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    return s;
}

/// Every customer, page after page.
std::vector<crm::Customer> all_customers(crm::Customers customers) {
    constexpr std::int64_t page_size = 200;
    std::vector<crm::Customer> all;
    for (std::int64_t page = 1;; ++page) {
        crm::Page<crm::Customer> p = customers.list(crm::Query().page(page).page_size(page_size));
        const auto got = p.results.size();
        for (auto& c : p.results) all.push_back(std::move(c));
        if (got < static_cast<std::size_t>(page_size)) break;
    }
    return all;
}

/// The stored customer with this e-mail, if any (stored e-mails are lower-case).
std::optional<crm::Customer> find_by_email(crm::Customers customers, const std::string& email) {
    const std::string wanted = lower_ascii(email);
    for (auto& c : all_customers(customers)) {
        if (c.email == wanted) return std::move(c);
    }
    return std::nullopt;
}

int cmd_demo(const std::string& db, Args args) {
    expect_args(args, 0, "demo");
    crm::Engine engine(db);
    crm::Customers customers = engine.customers();

    fmt::print("Adding the demo customers to {}:\n", db);
    const auto demo = demo_customers();
    for (const auto& d : demo) {
        try {
            const crm::Customer stored = customers.create(d.customer);
            fmt::print("  created customer {}: {} <{}> ({})\n", stored.id, stored.full_name,
                       stored.email.value_or(""), d.origin);
        } catch (const crm::ConflictError&) {
            // Run twice on the same file: this customer is already there
            // (the engine may name its e-mail or its loyalty card, both
            // unique). Any other conflict is a real error.
            const auto existing = find_by_email(customers, *d.customer.email);
            if (!existing) throw;
            fmt::print("  skipped {}: already there as customer {} ({})\n", *existing->email,
                       existing->id, d.origin);
        }
    }

    const auto all = all_customers(customers);
    crm_cli::Table table = customer_table();
    for (const auto& c : all) {
        table.add_row({std::to_string(c.id), c.full_name, c.email.value_or(""),
                       c.phone.value_or(""), c.company_name.value_or(""),
                       std::string(crm::to_string(c.kind))});
    }
    fmt::print("\nAll customers:\n{}{}\n", table.render(),
               plural(static_cast<std::int64_t>(all.size()), "customer"));

    // One of them in full, as the canonical JSON object.
    const std::string shown = lower_ascii(*demo[2].customer.email);
    for (const auto& c : all) {
        if (c.email == shown) {
            fmt::print("\nCustomer {} ({}) as JSON:\n", c.id, demo[2].origin);
            print_json(boost::json::value_from(c));
            break;
        }
    }
    return exit_ok;
}

// ---------------------------------------------------------------------------
// customer ...: the JSON API, by collection name

constexpr std::string_view collection = "customers";

int cmd_customer_list(crm::Engine& engine, const boost::json::value& query, bool as_json) {
    const boost::json::object page = engine.list(collection, crm::Query::from_json(query));
    if (as_json) {
        print_json(page);
        return exit_ok;
    }

    crm_cli::Table table = customer_table();
    const auto* results = page.if_contains("results");
    if (results != nullptr && results->is_array()) {
        for (const auto& row : results->get_array()) {
            const auto& obj = row.as_object();
            table.add_row({cell(obj.if_contains("id")), cell(obj.if_contains("full_name")),
                           cell(obj.if_contains("email")), cell(obj.if_contains("phone")),
                           cell(obj.if_contains("company_name")), cell(obj.if_contains("kind"))});
        }
    }
    const auto shown = static_cast<std::int64_t>(table.rows());
    std::string footer = plural(shown, "customer");
    if (const auto* count = page.if_contains("count"); count != nullptr && count->is_int64()) {
        footer = fmt::format("{} of {}", shown, plural(count->get_int64(), "customer"));
    }
    const auto* p = page.if_contains("page");
    const auto* offset = page.if_contains("offset");
    if (p != nullptr && p->is_int64()) {
        footer += fmt::format(" (page {}, {} per page)", p->get_int64(),
                              cell(page.if_contains("page_size")));
    } else if (offset != nullptr && offset->is_int64()) {
        footer += fmt::format(" (offset {}, limit {})", offset->get_int64(),
                              cell(page.if_contains("limit")));
    }
    fmt::print("{}{}\n", table.render(), footer);
    return exit_ok;
}

int cmd_customer(const std::string& db, Args args) {
    if (args.empty()) throw UsageError("missing subcommand: crm-cli customer create|get|update|replace|delete|list");
    const std::string_view sub = args.front();
    const Args rest = args.subspan(1);

    // Check the whole command line before opening (and maybe creating) the file.
    if (sub == "create") {
        expect_args(rest, 1, "customer create JSON");
        const auto body = parse_json_arg(rest[0], "JSON");
        crm::Engine engine(db);
        print_json(engine.create(collection, body));
    } else if (sub == "get") {
        expect_args(rest, 1, "customer get ID");
        const auto id = parse_id(rest[0]);
        crm::Engine engine(db);
        print_json(engine.get(collection, id));
    } else if (sub == "update") {
        expect_args(rest, 2, "customer update ID PATCH");
        const auto id = parse_id(rest[0]);
        const auto patch = parse_json_arg(rest[1], "PATCH");
        crm::Engine engine(db);
        print_json(engine.update(collection, id, patch));
    } else if (sub == "replace") {
        expect_args(rest, 2, "customer replace ID JSON");
        const auto id = parse_id(rest[0]);
        const auto body = parse_json_arg(rest[1], "JSON");
        crm::Engine engine(db);
        print_json(engine.replace(collection, id, body));
    } else if (sub == "delete") {
        expect_args(rest, 1, "customer delete ID");
        const auto id = parse_id(rest[0]);
        crm::Engine engine(db);
        engine.remove(collection, id);
        fmt::print("deleted customer {}\n", id);
    } else if (sub == "list") {
        bool as_json = false;
        std::optional<std::string_view> query_text;
        for (const auto arg : rest) {
            if (arg == "--json") {
                as_json = true;
            } else if (!query_text && (arg == "-" || !arg.starts_with("-"))) {
                query_text = arg;
            } else {
                throw UsageError(fmt::format("unexpected argument '{}': crm-cli customer list [QUERY] [--json]", arg));
            }
        }
        const boost::json::value query =
            query_text ? parse_json_arg(*query_text, "QUERY") : boost::json::value();
        crm::Engine engine(db);
        return cmd_customer_list(engine, query, as_json);
    } else {
        throw UsageError(fmt::format("unknown subcommand 'customer {}'", sub));
    }
    return exit_ok;
}

int cmd_version(Args args) {
    expect_args(args, 0, "version");
    fmt::print("crm-cli {}.{}.{} (libcrm {})\n", CRM_VERSION_MAJOR, CRM_VERSION_MINOR,
               CRM_VERSION_PATCH, crm_version());
    return exit_ok;
}

// ---------------------------------------------------------------------------

int run(Args args) {
    std::string db(default_db);
    while (!args.empty() && args.front().starts_with("-")) {
        const std::string_view opt = args.front();
        if (opt == "-h" || opt == "--help") {
            fmt::print("{}", usage_text);
            return exit_ok;
        }
        if (opt == "--db") {
            if (args.size() < 2) throw UsageError("--db needs a FILE");
            db = args[1];
            args = args.subspan(2);
        } else if (opt.starts_with("--db=")) {
            db = opt.substr(5);
            args = args.subspan(1);
        } else {
            throw UsageError(fmt::format("unknown option '{}'", opt));
        }
        if (db.empty()) throw UsageError("--db needs a FILE");
    }
    if (args.empty()) throw UsageError("missing command");

    const std::string_view command = args.front();
    const Args rest = args.subspan(1);
    for (const auto arg : rest) {
        if (arg == "-h" || arg == "--help") {
            fmt::print("{}", usage_text);
            return exit_ok;
        }
    }
    if (command == "demo") return cmd_demo(db, rest);
    if (command == "customer") return cmd_customer(db, rest);
    if (command == "version") return cmd_version(rest);
    if (command == "help") {
        fmt::print("{}", usage_text);
        return exit_ok;
    }
    throw UsageError(fmt::format("unknown command '{}'", command));
}

/// "error: CODE: MESSAGE", then one line per failing field.
int report_error(const crm::Error& e) {
    fmt::print(stderr, "error: {}: {}\n", crm::status_name(e.code()), e.what());
    for (const auto& fe : e.errors()) fmt::print(stderr, "  {}: {}\n", fe.field, fe.message);
    switch (e.code()) {
        case crm::Status::invalid:
        case crm::Status::not_found:
        case crm::Status::conflict:
            return exit_refused;
        default:
            return exit_failure;
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    try {
        return run(args);
    } catch (const UsageError& e) {
        fmt::print(stderr, "error: usage: {}\nTry 'crm-cli --help'.\n", e.what());
        return exit_failure;
    } catch (const crm::Error& e) {
        return report_error(e);
    } catch (const std::exception& e) {
        fmt::print(stderr, "error: internal: {}\n", e.what());
        return exit_failure;
    }
}

// crm-cli - a small command-line front end to the crm engine.
//
// It is written only against the public C++ API (<crm/crm.hpp>), so it is
// also a tour of that API:
//   * `demo` uses the typed API: crm::Customer, crm::Order and crm::Message
//     structs, engine.customers(), engine.orders(), engine.messages(),
//     crm::Query built with its methods, crm::Page<T> and its next_cursor;
//   * `customer orders` and `customer messages` build a crm::Query with its
//     methods (seed 001's sortby/direction, offset/limit, a status list);
//   * `customer|order|message|form create|get|update|replace|delete|list`,
//     `ticket add|get|delete|list`, `ledger list`, `credit accrue|check`
//     and `credit requests` use the JSON API (engine.create("orders", json),
//     engine.credit_accrue(json), ...), which is what the C ABI exposes, so
//     a JSON body given on the command line reaches the engine unchanged;
//   * `credit balance` and `credit redeem` use the typed credit view,
//     engine.credit() (crm::Balance, crm::Redemption);
//   * `import` and `export` use the bulk API: engine.import_rows() over a
//     memory-mapped file (crm::ImportReport, crm::ImportError),
//     engine.export_rows() into a sink, and engine.set_progress() for the
//     progress bar.
// Every failure is a crm::Error carrying a status code; see report_error().
#include "pretty_json.hpp"
#include "table.hpp"

#include <crm/crm.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <fmt/core.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
// record, a uniqueness conflict, a status move the rules forbid), 2 for
// everything else (bad usage, I/O, a busy database, internal errors).
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
                                seed APIs), two orders and a message for
                                one of them (safe to run again: what is
                                there is kept), list every customer, show
                                one as JSON and list the orders
  customer create JSON          create a customer, print it as stored
  customer get ID               print one customer
  customer update ID PATCH      apply a JSON merge patch (RFC 7396)
  customer replace ID JSON      replace every writable field
  customer delete ID            delete a customer (and its messages);
                                refused while it has orders: archive it
                                instead with '{"archived":true}'
  customer list [QUERY] [--json]
                                list customers as a table, or print the
                                page object with --json; QUERY is a JSON
                                object such as '{"page":2,"page_size":10}'
                                or '{"ordering":"last_name,-created_at"}'
  customer orders ID [--sortby number|submitdate] [--desc] [--status LIST]
                     [--offset N] [--limit N] [--json]
                                the customer's orders as seed 001's
                                GET /customers/{id}/orders lists them: by
                                number (descending with --desc); LIST keeps
                                some statuses ("0,1" or "draft,submitted");
                                offset 0 and limit 100 unless given
  customer messages ID          the customer's messages, newest first
  order create JSON             create an order; "number" is assigned when
                                left out; status is draft, submitted or
                                revoked (or 0, 1, 2)
  order get ID                  print one order
  order update ID PATCH         apply a JSON merge patch; status moves only
                                draft -> submitted -> revoked or
                                draft -> revoked (else: conflict)
  order replace ID JSON         replace every writable field (number and
                                date are kept when left out)
  order delete ID               delete an order
  order list [QUERY] [--json]   list orders (by number), e.g. QUERY
                                '{"customer_id":2,"status":"0,1"}'
  message create JSON           add a message about a customer, e.g.
                                '{"customer_id":2,"context":"Called back"}'
  message list [QUERY] [--json] list messages (by id)
  form create JSON              create a form: the attributes customers
                                must have while it is active (see the
                                examples)
  form get ID                   print one form
  form update ID PATCH          apply a JSON merge patch ('{"active":false}')
  form replace ID JSON          replace every writable field
  form delete ID                delete a form
  form list [QUERY] [--json]    list forms; in the table a field shows as
                                name:type, with a * when it is required
  ticket add JSON               record a sales ticket (seed 003): customer_id
                                or customer_uuid, date, payment_mode, origin,
                                ref and lines; the total and the credit it
                                accrues (customers with a loyalty_card) are
                                computed; prints it as stored
  ticket get ID                 print one ticket
  ticket delete ID              delete a ticket and take back the credit it
                                accrued (refused when that was spent)
  ticket list [QUERY] [--json]  list tickets (newest first), e.g. QUERY
                                '{"customer_id":1,"payment_mode":"CARD"}'
  ledger list [QUERY] [--json]  list the loyalty ledger (append-only), e.g.
                                '{"customer_id":1,"reason":"accrual"}'
  credit accrue JSON            accrue credit for bare payments, all or
                                nothing: '{"payments":[{"card":"33",
                                "amount_cents":2600,"ref":"pos1-42"}]}' (or
                                just the array), or seed 003's
                                '{"Tickets":[{"carteFid":33,"Montant":26}]}'
                                (Montant in currency units); a ref already
                                applied is skipped ("duplicate": true)
  credit balance CARD           print a loyalty card's balance
  credit redeem CARD AMOUNT_CENTS [--ref REF]
                                spend credit (at most the balance); a REF
                                already redeemed is not spent again
  credit check JSON             decide a credit request and store it:
                                '{"customer_id":1,"amount_cents":3600000,
                                "date":"2019-12-06"}' (customer_uuid, or seed
                                003's idClient, Montant and Date, also do)
  credit requests [QUERY] [--json]
                                list the decided credit requests
  import [COLLECTION] FILE [--format F] [--mode create|upsert] [--key K]
         [--no-atomic] [--progress]
                                import the rows of FILE ("-": standard input)
                                into COLLECTION (default customers; also
                                orders, tickets, messages, forms): a JSON
                                array of rows, an object holding one array
                                ('{"clients":[...]}') or NDJSON (one row per
                                line). F: canonical (default), crm-app, v1,
                                heidian or akinon (the seeds' field names);
                                upsert updates the customers whose K (email,
                                uuid, crm_id, erp_code, loyalty_card) matches
                                and creates the others. All rows or none,
                                unless --no-atomic: then the valid rows are
                                kept. Prints the report; the failing rows on
                                standard error (exit status 1)
  export [COLLECTION] [--filter KEY=VALUE ...] [--ordering FIELDS] [-o FILE]
         [--progress]
                                write every row of COLLECTION (default
                                customers; any collection) matching the
                                filters (list query keys such as
                                email__istartswith=ann, channel_code=web,
                                q=ann; no paging keys) as NDJSON, one JSON
                                object per line, to standard output or to
                                FILE (written whole or not at all)
  version                       print the versions of crm-cli and libcrm
  help                          show this help

Messages also take get, update, replace and delete like the others.
Tickets are immutable: they take no update or replace. Money is in integer
cents ("_cents" fields).

JSON arguments are JSON text (quote them for the shell); "-" reads the
text from standard input.

import and export draw a progress bar on standard error when it is a
terminal (--progress: always). FILE is mapped into memory, not read into
it, so a file of any size can be imported.

Examples:
  crm-cli demo
  crm-cli customer create '{"first_name":"Ann","last_name":"Lee","email":"ann@example.com"}'
  crm-cli customer update 1 '{"phone":"+1 555 0100","attributes":{"tier":"gold"}}'
  crm-cli customer list '{"ordering":"-created_at","page_size":5}'
  crm-cli order create '{"customer_id":1,"quantity":3,"description":"Starter kit"}'
  crm-cli order update 1 '{"status":"submitted"}'
  crm-cli customer orders 1 --sortby submitdate --desc --status 0,1
  crm-cli form create '{"name":"loyalty","fields":[{"name":"tier","type":"enum","options":["gold","silver"],"required":true}]}'
  crm-cli ticket add '{"customer_id":1,"payment_mode":"card","lines":[{"product_code":"X1-4","unit_price_before_cents":3600,"promo_percent":50,"quantity":2}]}'
  crm-cli credit accrue '{"Tickets":[{"carteFid":33,"Montant":26}]}'
  crm-cli credit redeem 33 500 --ref pos1-43
  crm-cli credit check '{"customer_id":1,"amount_cents":3600000}'
  crm-cli import clients.json --format crm-app
  crm-cli import customers people.ndjson --mode upsert --key email --no-atomic
  crm-cli export --filter channel_code=web --ordering -created_at -o web.ndjson
  crm-cli export tickets --filter date__gte=2019-01-01 > tickets.ndjson

Exit status: 0 on success; 1 when the engine refused the request (invalid,
not_found, conflict; for an import, any failing row); 2 for usage errors
and any other failure. Errors are printed to standard error as
"error: CODE: MESSAGE", then one line per failing field (for an import,
"rows[INDEX].FIELD: MESSAGE", INDEX counting the file's rows from 0).
)";

/// A mistake in the command line itself (exit status 2).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using Args = std::span<const std::string_view>;

// ---------------------------------------------------------------------------
// Argument helpers

std::optional<std::int64_t> to_int(std::string_view text) {
    std::int64_t n = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
    return n;
}

std::int64_t parse_id(std::string_view text) {
    const auto id = to_int(text);
    if (!id) throw UsageError(fmt::format("ID must be an integer, got '{}'", text));
    return *id;  // 0 and negative ids are the engine's to refuse (not_found)
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

/// A form's fields in one cell: "tier:enum*, visits:integer" (* = required).
std::string form_fields_cell(const boost::json::value* jv) {
    if (jv == nullptr || !jv->is_array()) return cell(jv);
    std::string text;
    for (const auto& f : jv->get_array()) {
        const auto* obj = f.if_object();
        if (obj == nullptr) continue;
        if (!text.empty()) text += ", ";
        text += cell(obj->if_contains("name"));
        text += ':';
        text += cell(obj->if_contains("type"));
        if (const auto* req = obj->if_contains("required"); req != nullptr && req->is_bool() && req->get_bool()) {
            text += '*';
        }
    }
    return text;
}

/// An array's number of elements ("lines": 2).
std::string array_size_cell(const boost::json::value* jv) {
    if (jv == nullptr || !jv->is_array()) return cell(jv);
    return std::to_string(jv->get_array().size());
}

/// An array of strings in one cell: "inactive, over_limit".
std::string string_list_cell(const boost::json::value* jv) {
    if (jv == nullptr || !jv->is_array()) return cell(jv);
    std::string text;
    for (const auto& v : jv->get_array()) {
        if (!text.empty()) text += ", ";
        text += cell(&v);
    }
    return text;
}

std::string plural(std::int64_t n, std::string_view word) {
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

/// One column of a table: a field of the row's canonical JSON object.
struct Column {
    std::string_view field;
    bool numeric = false;  ///< right-aligned
    std::string (*format)(const boost::json::value*) = cell;
};

/// One collection as the tool shows it.
struct Noun {
    std::string_view name;        ///< the command, and the word in messages: "order"
    std::string_view collection;  ///< the engine's name for it: "orders"
    std::vector<Column> columns;  ///< its table
    std::string_view one = {};    ///< a row in counts when not `name`: "ledger entry"
    std::string_view many = {};   ///< rows in counts when not name + "s": "ledger entries"
};

/// "1 order", "2 orders", "2 ledger entries".
std::string count_of(std::int64_t n, const Noun& noun) {
    if (noun.one.empty()) return plural(n, noun.name);
    return fmt::format("{} {}", n, n == 1 ? noun.one : noun.many);
}

const Noun customer_noun{"customer", "customers",
                         {{"id", true}, {"full_name"}, {"email"}, {"phone"}, {"company_name"}, {"kind"}}};
const Noun order_noun{"order", "orders",
                      {{"id", true},
                       {"number", true},
                       {"customer_id", true},
                       {"status"},
                       {"date"},
                       {"quantity", true},
                       {"description"}}};
const Noun message_noun{"message", "messages",
                        {{"id", true}, {"customer_id", true}, {"created_at"}, {"context"}}};
const Noun form_noun{"form", "forms", {{"id", true}, {"name"}, {"active"}, {"fields", false, form_fields_cell}}};
const Noun ticket_noun{"ticket", "tickets",
                       {{"id", true},
                        {"date"},
                        {"customer_id", true},
                        {"payment_mode"},
                        {"origin"},
                        {"lines", true, array_size_cell},
                        {"total_cents", true},
                        {"loyalty_points_cents", true},
                        {"ref"}}};
const Noun ledger_noun{"ledger",
                       "ledger",
                       {{"id", true},
                        {"customer_id", true},
                        {"delta_cents", true},
                        {"reason"},
                        {"ref"},
                        {"ticket_id", true},
                        {"created_at"}},
                       "ledger entry",
                       "ledger entries"};
const Noun credit_request_noun{"credit request",
                               "credit_requests",
                               {{"id", true},
                                {"customer_id", true},
                                {"amount_cents", true},
                                {"date"},
                                {"allowed"},
                                {"reasons", false, string_list_cell},
                                {"created_at"}}};

crm_cli::Table make_table(const Noun& noun) {
    std::vector<std::string> headers;
    for (const auto& c : noun.columns) headers.emplace_back(c.field);
    crm_cli::Table table(std::move(headers));
    for (std::size_t i = 0; i < noun.columns.size(); ++i) {
        if (noun.columns[i].numeric) table.align(i, crm_cli::Table::Align::right);
    }
    return table;
}

/// A row's cells from its canonical JSON object.
std::vector<std::string> row_cells(const Noun& noun, const boost::json::object& row) {
    std::vector<std::string> cells;
    for (const auto& c : noun.columns) cells.push_back(c.format(row.if_contains(c.field)));
    return cells;
}

/// A typed row's cells: through the same canonical JSON object, so that a
/// row looks the same whichever API fetched it.
template <class T>
std::vector<std::string> row_cells(const Noun& noun, const T& row) {
    return row_cells(noun, boost::json::value_from(row).as_object());
}

/// What a page says about itself, for the line under its table.
struct PageInfo {
    std::optional<std::int64_t> count, page, page_size, offset, limit;
};

std::optional<std::int64_t> int_member(const boost::json::object& obj, std::string_view key) {
    if (const auto* v = obj.if_contains(key); v != nullptr && v->is_int64()) return v->get_int64();
    return std::nullopt;
}

PageInfo page_info(const boost::json::object& page) {
    return {int_member(page, "count"), int_member(page, "page"), int_member(page, "page_size"),
            int_member(page, "offset"), int_member(page, "limit")};
}

template <class T>
PageInfo page_info(const crm::Page<T>& page) {
    return {page.count, page.page, page.page_size, page.offset, page.limit};
}

/// "1 of 2 customers (page 1, 1 per page)", "2 of 2 orders (offset 0, limit 100)".
std::string page_footer(std::int64_t shown, const PageInfo& info, const Noun& noun) {
    std::string footer = info.count ? fmt::format("{} of {}", shown, count_of(*info.count, noun))
                                    : count_of(shown, noun);
    if (info.page) {
        footer += fmt::format(" (page {}, {} per page)", *info.page,
                              info.page_size ? std::to_string(*info.page_size) : std::string());
    } else if (info.offset) {
        footer += fmt::format(" (offset {}, limit {})", *info.offset,
                              info.limit ? std::to_string(*info.limit) : std::string());
    }
    return footer;
}

/// A JSON page object as a table, with its footer.
void print_page(const Noun& noun, const boost::json::object& page) {
    crm_cli::Table table = make_table(noun);
    if (const auto* results = page.if_contains("results"); results != nullptr && results->is_array()) {
        for (const auto& row : results->get_array()) {
            if (const auto* obj = row.if_object()) table.add_row(row_cells(noun, *obj));
        }
    }
    const auto shown = static_cast<std::int64_t>(table.rows());
    fmt::print("{}{}\n", table.render(), page_footer(shown, page_info(page), noun));
}

/// A typed page as a table, with its footer.
template <class T>
void print_page(const Noun& noun, const crm::Page<T>& page) {
    crm_cli::Table table = make_table(noun);
    for (const auto& row : page.results) table.add_row(row_cells(noun, row));
    const auto shown = static_cast<std::int64_t>(table.rows());
    fmt::print("{}{}\n", table.render(), page_footer(shown, page_info(page), noun));
}

/// Typed rows as a table, with their number.
template <class T>
void print_rows(const Noun& noun, const std::vector<T>& rows) {
    crm_cli::Table table = make_table(noun);
    for (const auto& row : rows) table.add_row(row_cells(noun, row));
    fmt::print("{}{}\n", table.render(), count_of(static_cast<std::int64_t>(rows.size()), noun));
}

// ---------------------------------------------------------------------------
// Typed queries

/// Every row matching `q`, page after page: keyset paging, following each
/// page's next_cursor (sent back with the same filters and ordering).
template <class T>
std::vector<T> all_rows(crm::Collection<T> collection, const crm::Query& q = {}) {
    constexpr std::int64_t page_size = 200;
    std::vector<T> all;
    std::optional<std::string> cursor;
    for (;;) {
        crm::Query page_query = q;
        page_query.page_size(page_size).count(false);
        if (cursor) page_query.cursor(*cursor);
        crm::Page<T> p = collection.list(page_query);
        const bool empty = p.results.empty();
        for (auto& row : p.results) all.push_back(std::move(row));
        if (!p.next_cursor || empty) break;
        cursor = std::move(p.next_cursor);
    }
    return all;
}

/// How many rows match `q` (the page's count; no rows fetched but one).
template <class T>
std::int64_t count_rows(crm::Collection<T> collection, crm::Query q) {
    const crm::Page<T> p = collection.list(q.limit(1));
    return p.count.value_or(static_cast<std::int64_t>(p.results.size()));
}

/// seed 001's GET /customers/{id}/orders: sortby number|submitdate with a
/// direction, status "0,1", offset 0 and limit 100 by default.
struct OrdersRequest {
    std::optional<std::string> sortby;
    bool descending = false;
    std::optional<std::string> status;
    std::int64_t offset = 0;
    std::int64_t limit = 100;
};

crm::Query customer_orders_query(std::int64_t customer_id, const OrdersRequest& r) {
    crm::Query q;
    q.where("customer_id", customer_id).offset(r.offset).limit(r.limit);
    if (r.sortby || r.descending) q.sortby(r.sortby.value_or("number"), r.descending);
    if (r.status) q.where("status", boost::json::string_view(*r.status));  // "0,1", "draft,submitted", "1"
    return q;
}

/// A customer's messages, newest first (the id breaks ties between two
/// written in the same microsecond).
crm::Query customer_messages_query(std::int64_t customer_id) {
    crm::Query q;
    q.where("customer_id", customer_id).ordering("-created_at,-id");
    return q;
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

/// The index in demo_customers() of the one that gets orders and a message.
constexpr std::size_t demo_orders_customer = 1;  // seed 001: the seed with orders
/// The index of the one shown as JSON.
constexpr std::size_t demo_json_customer = 2;

// The two orders of seed 001's GET /customers/{id}/orders example (its
// Unix times written as timestamps; its number 0 left out, so the engine
// numbers them).
std::vector<crm::Order> demo_orders(std::int64_t customer_id) {
    std::vector<crm::Order> orders;
    {
        crm::Order o;
        o.customer_id = customer_id;
        o.date = crm::parse_timestamp("2018-05-28T09:52:28Z");  // 1527501148
        o.description = "With client";
        o.quantity = 2;
        o.activation_limit = 7;
        orders.push_back(std::move(o));
    }
    {
        crm::Order o;
        o.customer_id = customer_id;
        o.date = crm::parse_timestamp("2018-10-02T06:55:38Z");  // 1538463338
        o.activation_birth_date = o.date;
        o.description = "test bugs in sn activation number";
        o.quantity = 10;
        o.activation_limit = 1;
        o.status = crm::OrderStatus::submitted;  // submit_date: now
        orders.push_back(std::move(o));
    }
    return orders;
}

constexpr std::string_view demo_message = "Wants ten more activation numbers.";

std::string lower_ascii(std::string s) {
    for (char& ch : s) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    return s;
}

/// The stored customer with this e-mail, if any (stored e-mails are lower-case).
std::optional<crm::Customer> find_by_email(crm::Customers customers, const std::string& email) {
    const std::string wanted = lower_ascii(email);
    crm::Query q;
    q.where("email", boost::json::string_view(wanted));
    auto found = customers.list(q).results;
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
}

/// Adds the demo orders and message for `customer_id`, each only when the
/// customer has none yet (so that a second run adds nothing).
void add_demo_orders(crm::Engine& engine, std::int64_t customer_id) {
    crm::Orders orders = engine.orders();
    crm::Query of_customer;
    of_customer.where("customer_id", customer_id);
    if (const auto n = count_rows(orders, of_customer); n > 0) {
        fmt::print("  skipped the orders: customer {} already has {}\n", customer_id, plural(n, "order"));
    } else {
        for (const auto& o : demo_orders(customer_id)) {
            const crm::Order stored = orders.create(o);
            fmt::print("  created order {}: number {}, {}, {}\n", stored.id, stored.number.value_or(0),
                       crm::to_string(stored.status), stored.description.value_or(""));
        }
    }

    crm::Messages messages = engine.messages();
    if (const auto n = count_rows(messages, of_customer); n > 0) {
        fmt::print("  skipped the message: customer {} already has {}\n", customer_id, plural(n, "message"));
    } else {
        crm::Message m;
        m.customer_id = customer_id;
        m.context = demo_message;
        const crm::Message stored = messages.create(m);
        fmt::print("  created message {}: {}\n", stored.id, stored.context);
    }
}

int cmd_demo(const std::string& db, Args args) {
    expect_args(args, 0, "demo");
    crm::Engine engine(db);
    crm::Customers customers = engine.customers();

    fmt::print("Adding the demo customers to {}:\n", db);
    const auto demo = demo_customers();
    std::vector<std::int64_t> ids;  // each demo customer's id, created or found
    for (const auto& d : demo) {
        try {
            const crm::Customer stored = customers.create(d.customer);
            fmt::print("  created customer {}: {} <{}> ({})\n", stored.id, stored.full_name,
                       stored.email.value_or(""), d.origin);
            ids.push_back(stored.id);
        } catch (const crm::ConflictError&) {
            // Run twice on the same file: this customer is already there
            // (the engine may name its e-mail or its loyalty card, both
            // unique). Any other conflict is a real error.
            const auto existing = find_by_email(customers, *d.customer.email);
            if (!existing) throw;
            fmt::print("  skipped {}: already there as customer {} ({})\n", *existing->email,
                       existing->id, d.origin);
            ids.push_back(existing->id);
        }
    }

    const std::int64_t orders_of = ids[demo_orders_customer];
    fmt::print("\nAdding orders and a message for customer {} ({}):\n", orders_of,
               demo[demo_orders_customer].origin);
    add_demo_orders(engine, orders_of);

    fmt::print("\nAll customers:\n");
    print_rows(customer_noun, all_rows(customers));

    // One of them in full, as the canonical JSON object.
    const std::int64_t shown = ids[demo_json_customer];
    fmt::print("\nCustomer {} ({}) as JSON:\n", shown, demo[demo_json_customer].origin);
    print_json(boost::json::value_from(customers.get(shown)));

    // The orders as seed 001's GET /customers/{id}/orders lists them.
    fmt::print("\nOrders of customer {} ({}):\n", orders_of, demo[demo_orders_customer].origin);
    print_page(order_noun, engine.orders().list(customer_orders_query(orders_of, {})));
    return exit_ok;
}

// ---------------------------------------------------------------------------
// NOUN create|get|update|replace|delete|list: the JSON API, by collection name

/// NOUN list [QUERY] [--json]; `command` is what the usage error shows
/// ("credit requests"), by default "NOUN list".
int cmd_list(const std::string& db, const Noun& noun, Args args, std::string_view command = {}) {
    const std::string synopsis =
        fmt::format("{} [QUERY] [--json]", command.empty() ? fmt::format("{} list", noun.name) : std::string(command));
    bool as_json = false;
    std::optional<std::string_view> query_text;
    for (const auto arg : args) {
        if (arg == "--json") {
            as_json = true;
        } else if (!query_text && (arg == "-" || !arg.starts_with("-"))) {
            query_text = arg;
        } else {
            throw UsageError(fmt::format("unexpected argument '{}': crm-cli {}", arg, synopsis));
        }
    }
    const boost::json::value query =
        query_text ? parse_json_arg(*query_text, "QUERY") : boost::json::value();
    crm::Engine engine(db);
    const boost::json::object page = engine.list(noun.collection, crm::Query::from_json(query));
    if (as_json) {
        print_json(page);
    } else {
        print_page(noun, page);
    }
    return exit_ok;
}

/// Runs one of the generic subcommands; nullopt when `sub` is none of them.
std::optional<int> cmd_crud(const std::string& db, const Noun& noun, std::string_view sub, Args rest) {
    const auto synopsis = [&](std::string_view tail) { return fmt::format("{} {} {}", noun.name, sub, tail); };
    // Check the whole command line before opening (and maybe creating) the file.
    if (sub == "create") {
        expect_args(rest, 1, synopsis("JSON"));
        const auto body = parse_json_arg(rest[0], "JSON");
        crm::Engine engine(db);
        print_json(engine.create(noun.collection, body));
    } else if (sub == "get") {
        expect_args(rest, 1, synopsis("ID"));
        const auto id = parse_id(rest[0]);
        crm::Engine engine(db);
        print_json(engine.get(noun.collection, id));
    } else if (sub == "update") {
        expect_args(rest, 2, synopsis("ID PATCH"));
        const auto id = parse_id(rest[0]);
        const auto patch = parse_json_arg(rest[1], "PATCH");
        crm::Engine engine(db);
        print_json(engine.update(noun.collection, id, patch));
    } else if (sub == "replace") {
        expect_args(rest, 2, synopsis("ID JSON"));
        const auto id = parse_id(rest[0]);
        const auto body = parse_json_arg(rest[1], "JSON");
        crm::Engine engine(db);
        print_json(engine.replace(noun.collection, id, body));
    } else if (sub == "delete") {
        expect_args(rest, 1, synopsis("ID"));
        const auto id = parse_id(rest[0]);
        crm::Engine engine(db);
        engine.remove(noun.collection, id);
        fmt::print("deleted {} {}\n", noun.name, id);
    } else if (sub == "list") {
        return cmd_list(db, noun, rest);
    } else {
        return std::nullopt;
    }
    return exit_ok;
}

int cmd_noun(const std::string& db, const Noun& noun, Args args) {
    if (args.empty()) {
        throw UsageError(fmt::format("missing subcommand: crm-cli {} create|get|update|replace|delete|list",
                                     noun.name));
    }
    if (const auto rc = cmd_crud(db, noun, args.front(), args.subspan(1))) return *rc;
    throw UsageError(fmt::format("unknown subcommand '{} {}'", noun.name, args.front()));
}

// ---------------------------------------------------------------------------
// customer orders|messages: a customer's rows, through typed queries

int cmd_customer_orders(const std::string& db, Args args) {
    constexpr std::string_view synopsis =
        "customer orders ID [--sortby number|submitdate] [--desc] [--status LIST] [--offset N] [--limit N] "
        "[--json]";
    std::optional<std::int64_t> id;
    OrdersRequest request;
    bool as_json = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const auto value = [&]() -> std::string_view {
            if (i + 1 >= args.size()) throw UsageError(fmt::format("{} needs a value: crm-cli {}", arg, synopsis));
            return args[++i];
        };
        const auto number = [&]() {
            const std::string_view text = value();
            const auto n = to_int(text);
            if (!n) throw UsageError(fmt::format("{} must be an integer, got '{}'", arg, text));
            return *n;  // the engine checks the range (offset >= 0, limit 1..1000)
        };
        if (arg == "--json") {
            as_json = true;
        } else if (arg == "--desc") {
            request.descending = true;
        } else if (arg == "--sortby") {
            request.sortby = std::string(value());
        } else if (arg == "--status") {
            request.status = std::string(value());
        } else if (arg == "--offset") {
            request.offset = number();
        } else if (arg == "--limit") {
            request.limit = number();
        } else if (!id && (!arg.starts_with("-") || to_int(arg))) {
            id = parse_id(arg);
        } else {
            throw UsageError(fmt::format("unexpected argument '{}': crm-cli {}", arg, synopsis));
        }
    }
    if (!id) throw UsageError(fmt::format("missing argument: crm-cli {}", synopsis));

    crm::Engine engine(db);
    (void)engine.customers().get(*id);  // not_found for a missing customer, as seed 001's 404
    const crm::Query q = customer_orders_query(*id, request);
    if (as_json) {
        print_json(engine.list(order_noun.collection, q));
    } else {
        print_page(order_noun, engine.orders().list(q));
    }
    return exit_ok;
}

int cmd_customer_messages(const std::string& db, Args args) {
    expect_args(args, 1, "customer messages ID");
    const auto id = parse_id(args[0]);
    crm::Engine engine(db);
    (void)engine.customers().get(id);  // not_found for a missing customer
    print_rows(message_noun, all_rows(engine.messages(), customer_messages_query(id)));
    return exit_ok;
}

int cmd_customer(const std::string& db, Args args) {
    if (args.empty()) {
        throw UsageError("missing subcommand: crm-cli customer create|get|update|replace|delete|list|orders|messages");
    }
    const std::string_view sub = args.front();
    const Args rest = args.subspan(1);
    if (sub == "orders") return cmd_customer_orders(db, rest);
    if (sub == "messages") return cmd_customer_messages(db, rest);
    if (const auto rc = cmd_crud(db, customer_noun, sub, rest)) return *rc;
    throw UsageError(fmt::format("unknown subcommand 'customer {}'", sub));
}

// ---------------------------------------------------------------------------
// ticket add|get|delete|list, ledger list: seed 003's sales tickets and the
// loyalty ledger, through the JSON API

int cmd_ticket(const std::string& db, Args args) {
    if (args.empty()) throw UsageError("missing subcommand: crm-cli ticket add|get|delete|list");
    const std::string_view sub = args.front();
    const Args rest = args.subspan(1);
    if (sub == "add" || sub == "create") {
        expect_args(rest, 1, fmt::format("ticket {} JSON", sub));
        const auto body = parse_json_arg(rest[0], "JSON");
        crm::Engine engine(db);
        print_json(engine.create(ticket_noun.collection, body));
        return exit_ok;
    }
    if (sub == "update" || sub == "replace") {
        throw UsageError(fmt::format("tickets are immutable: no 'ticket {}' (delete one to reverse its credit)", sub));
    }
    if (sub == "get" || sub == "delete" || sub == "list") return *cmd_crud(db, ticket_noun, sub, rest);
    throw UsageError(fmt::format("unknown subcommand 'ticket {}'", sub));
}

int cmd_ledger(const std::string& db, Args args) {
    if (args.empty()) throw UsageError("missing subcommand: crm-cli ledger list");
    if (args.front() != "list") {
        throw UsageError(fmt::format("unknown subcommand 'ledger {}' (the ledger is list-only)", args.front()));
    }
    return cmd_list(db, ledger_noun, args.subspan(1));
}

// ---------------------------------------------------------------------------
// credit accrue|balance|redeem|check|requests: loyalty credit (seed 003)

int cmd_credit_redeem(const std::string& db, Args args) {
    constexpr std::string_view synopsis = "credit redeem CARD AMOUNT_CENTS [--ref REF]";
    std::vector<std::string_view> positional;
    std::optional<std::string> ref;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--ref") {
            if (i + 1 >= args.size()) throw UsageError(fmt::format("--ref needs a value: crm-cli {}", synopsis));
            ref = std::string(args[++i]);
        } else if (positional.size() < 2 && (!arg.starts_with("-") || to_int(arg))) {
            positional.push_back(arg);
        } else {
            throw UsageError(fmt::format("unexpected argument '{}': crm-cli {}", arg, synopsis));
        }
    }
    if (positional.size() < 2) throw UsageError(fmt::format("missing argument: crm-cli {}", synopsis));
    const auto amount = to_int(positional[1]);
    if (!amount) throw UsageError(fmt::format("AMOUNT_CENTS must be an integer, got '{}'", positional[1]));
    crm::Engine engine(db);
    // amounts out of 1..10^15 are the engine's to refuse (invalid)
    const crm::Redemption r = engine.credit().redeem(std::string(positional[0]), *amount, std::move(ref));
    print_json(boost::json::value_from(r));
    return exit_ok;
}

int cmd_credit(const std::string& db, Args args) {
    if (args.empty()) throw UsageError("missing subcommand: crm-cli credit accrue|balance|redeem|check|requests");
    const std::string_view sub = args.front();
    const Args rest = args.subspan(1);
    if (sub == "accrue") {
        expect_args(rest, 1, "credit accrue JSON");
        auto body = parse_json_arg(rest[0], "JSON");
        // A bare array of payments is the "payments" of the request.
        if (body.is_array()) body = boost::json::object{{"payments", std::move(body)}};
        crm::Engine engine(db);
        print_json(engine.credit_accrue(body));
    } else if (sub == "balance") {
        expect_args(rest, 1, "credit balance CARD");
        crm::Engine engine(db);
        print_json(boost::json::value_from(engine.credit().balance(std::string(rest[0]))));
    } else if (sub == "redeem") {
        return cmd_credit_redeem(db, rest);
    } else if (sub == "check") {
        expect_args(rest, 1, "credit check JSON");
        const auto body = parse_json_arg(rest[0], "JSON");
        crm::Engine engine(db);
        print_json(engine.credit_check(body));
    } else if (sub == "requests") {
        return cmd_list(db, credit_request_noun, rest, "credit requests");
    } else {
        throw UsageError(fmt::format("unknown subcommand 'credit {}'", sub));
    }
    return exit_ok;
}

// ---------------------------------------------------------------------------
// import and export: the bulk API, a memory-mapped input, a progress bar

/// The errno text of `err`: "No such file or directory".
std::string errno_text(int err) { return std::strerror(err); }

/// A file's bytes: mapped into memory when it is a regular file (its pages
/// are the file's, not anonymous memory, so a 1 GB file costs no 1 GB of
/// RAM), read whole otherwise ("-" for standard input, pipes).
class InputFile {
public:
    explicit InputFile(const std::string& path) {
        if (path == "-") {
            data_.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
            if (std::cin.bad()) throw crm::IoError("cannot read standard input");
            text_ = data_;
            return;
        }
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw crm::IoError(fmt::format("cannot open {}: {}", path, errno_text(errno)));
        struct Closer {
            int fd;
            ~Closer() { ::close(fd); }
        } closer{fd};  // the mapping outlives the descriptor
        struct stat st {};
        if (::fstat(fd, &st) != 0) throw crm::IoError(fmt::format("cannot read {}: {}", path, errno_text(errno)));
        if (S_ISDIR(st.st_mode)) throw crm::IoError(fmt::format("cannot read {}: it is a folder", path));
        if (S_ISREG(st.st_mode)) {
            size_ = static_cast<std::size_t>(st.st_size);
            if (size_ == 0) return;  // nothing to map: no rows
            void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED) throw crm::IoError(fmt::format("cannot map {}: {}", path, errno_text(errno)));
            map_ = p;
            ::madvise(map_, size_, MADV_SEQUENTIAL);  // read once, front to back: read ahead, drop behind
            text_ = std::string_view(static_cast<const char*>(map_), size_);
            return;
        }
        char buffer[65536];  // a FIFO or a device: read it
        for (;;) {
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n == 0) break;
            if (n < 0) {
                if (errno == EINTR) continue;
                throw crm::IoError(fmt::format("cannot read {}: {}", path, errno_text(errno)));
            }
            data_.append(buffer, static_cast<std::size_t>(n));
        }
        text_ = data_;
    }
    ~InputFile() {
        if (map_ != nullptr) ::munmap(map_, size_);
    }
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    std::string_view text() const noexcept { return text_; }

private:
    void* map_ = nullptr;
    std::size_t size_ = 0;
    std::string data_;
    std::string_view text_;
};

/// A progress bar on standard error, "[#########...........]  45% 450/1000",
/// redrawn in place (\r) each time the engine reports progress, and ended
/// with a newline once done (or when the bar is destroyed: a failed import).
/// Disabled, it draws nothing.
class ProgressBar {
public:
    static constexpr int width = 30;

    explicit ProgressBar(bool enabled) : enabled_(enabled) {}
    ~ProgressBar() { end_line(); }
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    /// The engine's progress function (set_progress), drawing on this bar.
    crm::ProgressFn function() {
        if (!enabled_) return {};
        return [this](std::int64_t done, std::int64_t total) { draw(done, total); };
    }

    void draw(std::int64_t done, std::int64_t total) {
        const std::int64_t percent = total <= 0 ? 100 : std::clamp<std::int64_t>(done * 100 / total, 0, 100);
        const auto filled = static_cast<std::size_t>(percent * width / 100);
        fmt::print(stderr, "\r[{}{}] {:>3}% {}/{}", std::string(filled, '#'),
                   std::string(static_cast<std::size_t>(width) - filled, '.'), percent, done, total);
        std::fflush(stderr);
        open_ = true;
        if (total >= 0 && done >= total) end_line();  // the last call: done == total
    }

    /// Ends the bar's line, if one is drawn.
    void end_line() {
        if (!open_) return;
        std::fputc('\n', stderr);
        std::fflush(stderr);
        open_ = false;
    }

private:
    bool enabled_;
    bool open_ = false;
};

/// The bar is drawn when standard error is a terminal, or with --progress.
bool want_progress(bool forced) { return forced || ::isatty(STDERR_FILENO) == 1; }

/// The collections of the engine, for telling `import customers` (a FILE
/// left out) from `import FILE`.
bool is_collection_name(std::string_view name) {
    static constexpr std::string_view kNames[] = {"customers", "orders",  "tickets",        "messages",
                                                  "forms",     "ledger", "credit_requests"};
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

/// One "  rows[INDEX].FIELD: MESSAGE" line per failing field of each failing
/// row ("  rows[INDEX]: MESSAGE" when the whole row is at fault), as other
/// commands print one line per failing field.
void print_row_errors(const std::vector<crm::RowError>& rows) {
    for (const auto& row : rows) {
        for (const auto& fe : row.errors) {
            fmt::print(stderr, "  rows[{}]{}{}: {}{}\n", row.index, fe.field.empty() ? "" : ".", fe.field,
                       row.code == crm::Status::conflict ? "conflict: " : "", fe.message);
        }
    }
}

int cmd_import(const std::string& db, Args args) {
    constexpr std::string_view synopsis =
        "import [COLLECTION] FILE [--format F] [--mode create|upsert] [--key K] [--no-atomic] [--progress]";
    std::vector<std::string_view> positional;
    boost::json::object options;
    bool progress = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const auto value = [&]() -> std::string_view {
            if (i + 1 >= args.size()) throw UsageError(fmt::format("{} needs a value: crm-cli {}", arg, synopsis));
            return args[++i];
        };
        if (arg == "--format") {
            options["format"] = value();
        } else if (arg == "--mode") {
            options["mode"] = value();
        } else if (arg == "--key") {
            options["key"] = value();
        } else if (arg == "--no-atomic") {
            options["atomic"] = false;
        } else if (arg == "--progress") {
            progress = true;
        } else if (positional.size() < 2 && (arg == "-" || !arg.starts_with("-"))) {
            positional.push_back(arg);
        } else {
            throw UsageError(fmt::format("unexpected argument '{}': crm-cli {}", arg, synopsis));
        }
    }
    if (positional.empty() ||
        (positional.size() == 1 && is_collection_name(positional[0]) &&
         ::access(std::string(positional[0]).c_str(), F_OK) != 0)) {
        throw UsageError(fmt::format("missing FILE: crm-cli {}", synopsis));
    }
    const std::string collection(positional.size() == 2 ? positional[0] : std::string_view("customers"));
    const std::string path(positional.back());
    // Check the options and read the file before opening (maybe creating) the database.
    const crm::ImportOptions import_options = crm::ImportOptions::from_json(options);
    const InputFile input(path);

    ProgressBar bar(want_progress(progress));  // before the engine, which holds its function
    crm::Engine engine(db);
    engine.set_progress(bar.function());
    crm::ImportReport report;
    try {
        report = engine.import_rows(collection, input.text(), import_options);
    } catch (const crm::ImportError& e) {  // atomic: nothing was written
        bar.end_line();
        fmt::print(stderr, "error: {}: {}\n", crm::status_name(e.code()), e.what());
        print_row_errors(e.report().errors);
        return exit_refused;
    }
    bar.end_line();
    print_json(report.to_json());
    if (report.failed == 0) return exit_ok;
    fmt::print(stderr, "error: invalid: {} of {} rows failed ({} imported)\n", report.failed,
               report.created + report.updated + report.failed, report.created + report.updated);
    print_row_errors(report.errors);
    return exit_refused;
}

/// Where an export writes: standard output, or FILE through a temporary
/// file beside it, renamed over FILE once the export succeeded (a failed
/// export leaves FILE as it was).
class ExportOutput {
public:
    explicit ExportOutput(std::optional<std::string> path) : path_(std::move(path)) {
        if (!path_) {
            out_ = stdout;  // nothing was written to it yet: its buffer can still change
            if (::isatty(STDOUT_FILENO) != 1) std::setvbuf(out_, nullptr, _IOFBF, kBuffer);
            return;
        }
        std::string pattern = *path_ + ".tmp-XXXXXX";
        const int fd = ::mkstemp(pattern.data());
        if (fd < 0) throw crm::IoError(fmt::format("cannot create {}: {}", *path_, errno_text(errno)));
        temp_ = pattern;
        const mode_t mask = ::umask(0);  // mkstemp makes it 0600: give it what open() would
        ::umask(mask);
        ::fchmod(fd, 0666 & ~mask);
        out_ = ::fdopen(fd, "wb");
        if (out_ == nullptr) {
            const int err = errno;
            ::close(fd);
            throw crm::IoError(fmt::format("cannot create {}: {}", *path_, errno_text(err)));
        }
        std::setvbuf(out_, nullptr, _IOFBF, kBuffer);
    }
    ~ExportOutput() {
        if (temp_.empty()) return;  // standard output, or renamed
        if (out_ != nullptr) std::fclose(out_);
        ::unlink(temp_.c_str());
    }
    ExportOutput(const ExportOutput&) = delete;
    ExportOutput& operator=(const ExportOutput&) = delete;

    /// Writes one line; false (and the error kept) when it cannot.
    bool write(std::string_view line) {
        if (std::fwrite(line.data(), 1, line.size(), out_) == line.size()) return true;
        error_ = errno;
        return false;
    }

    /// After the last line: flushes, and puts FILE in place. Throws IoError
    /// when any write failed.
    void finish() {
        if (error_ == 0 && std::fflush(out_) != 0) error_ = errno;
        if (path_) {
            FILE* f = std::exchange(out_, nullptr);
            if (std::fclose(f) != 0 && error_ == 0) error_ = errno;
        }
        if (error_ != 0) throw crm::IoError(fmt::format("cannot write to {}: {}", where(), errno_text(error_)));
        if (path_) {
            if (::rename(temp_.c_str(), path_->c_str()) != 0) {
                throw crm::IoError(fmt::format("cannot write to {}: {}", where(), errno_text(errno)));
            }
            temp_.clear();
        }
    }

private:
    static constexpr std::size_t kBuffer = 1 << 16;  // bytes per write(2), not one line each

    std::string where() const { return path_ ? *path_ : std::string("standard output"); }

    std::optional<std::string> path_;
    std::string temp_;
    FILE* out_ = nullptr;
    int error_ = 0;
};

int cmd_export(const std::string& db, Args args) {
    constexpr std::string_view synopsis =
        "export [COLLECTION] [--filter KEY=VALUE ...] [--ordering FIELDS] [-o FILE] [--progress]";
    std::optional<std::string_view> collection;
    std::optional<std::string> output;
    crm::Query query;
    bool progress = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const auto value = [&]() -> std::string_view {
            if (i + 1 >= args.size()) throw UsageError(fmt::format("{} needs a value: crm-cli {}", arg, synopsis));
            return args[++i];
        };
        if (arg == "--filter") {
            const std::string_view filter = value();
            const auto eq = filter.find('=');
            if (eq == std::string_view::npos || eq == 0) {
                throw UsageError(fmt::format("--filter takes KEY=VALUE, got '{}'", filter));
            }
            // As in a query string: the value is text; the engine reads
            // numbers, booleans, dates and lists ("0,1") from it.
            query.where(filter.substr(0, eq), boost::json::string_view(filter.substr(eq + 1)));
        } else if (arg == "--ordering") {
            query.ordering(value());
        } else if (arg == "-o" || arg == "--output") {
            output = std::string(value());
            if (output->empty()) throw UsageError(fmt::format("{} needs a FILE: crm-cli {}", arg, synopsis));
        } else if (arg == "--progress") {
            progress = true;
        } else if (!collection && !arg.starts_with("-")) {
            collection = arg;
        } else {
            throw UsageError(fmt::format("unexpected argument '{}': crm-cli {}", arg, synopsis));
        }
    }

    ProgressBar bar(want_progress(progress));  // before the engine, which holds its function
    crm::Engine engine(db);
    ExportOutput out(output);
    engine.set_progress(bar.function());
    std::int64_t rows = 0;
    engine.export_rows(collection.value_or("customers"), query, [&](std::string_view line) {
        ++rows;
        return out.write(line);
    });
    bar.end_line();
    out.finish();
    if (output) fmt::print("exported {} to {}\n", plural(rows, "row"), *output);
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
    if (command == "order") return cmd_noun(db, order_noun, rest);
    if (command == "message") return cmd_noun(db, message_noun, rest);
    if (command == "form") return cmd_noun(db, form_noun, rest);
    if (command == "ticket") return cmd_ticket(db, rest);
    if (command == "ledger") return cmd_ledger(db, rest);
    if (command == "credit") return cmd_credit(db, rest);
    if (command == "import") return cmd_import(db, rest);
    if (command == "export") return cmd_export(db, rest);
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

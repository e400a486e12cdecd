// The SQLite backend: renders plans to SQL with bound parameters only.
// This folder is the only place that knows SQLite.
#include "storage/list_sql.hpp"
#include "storage/row_codecs.hpp"
#include "storage/sqlite_values.hpp"
#include "storage/schema.hpp"
#include "storage/store.hpp"

#include "domain/json_reader.hpp"
#include "domain/json_text.hpp"

#include <crm/error.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <cctype>
#include <set>
#include <unordered_map>

namespace crm::storage {

namespace json = boost::json;

namespace {

// --- errors --------------------------------------------------------------

// Turns an SQLite failure into the engine's error for it.
[[noreturn]] void translate(const SQLite::Exception& e) {
    const int primary = e.getErrorCode() & 0xFF;
    // The schema's own guards (RAISE in a trigger: a balance below zero, a
    // write to the append-only ledger) are rules, not bugs.
    if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_TRIGGER) {
        std::string_view what = e.what();
        if (what.starts_with("crm: ")) what.remove_prefix(5);
        throw ConflictError(std::string(what));
    }
    switch (primary) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            throw BusyError(fmt::format("the database is locked: {}", e.what()));
        case SQLITE_NOMEM:
            throw std::bad_alloc();
        case SQLITE_IOERR:
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
        case SQLITE_FULL:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
            throw IoError(fmt::format("database error: {}", e.what()));
        default:
            throw Error(Status::internal, fmt::format("database error: {}", e.what()));
    }
}

// Runs f, turning SQLite's exceptions into the engine's.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const SQLite::Exception& e) {
        translate(e);
    }
}


// --- customers -----------------------------------------------------------

// Every column of `customers` in one fixed order; read_customer() and the
// binds of insert/update follow it.
constexpr const char* kCustomerColumns =
    "id, uuid, kind, first_name, last_name, company_name, email, phone, mobile, gender, date_of_birth, note, "
    "status, is_active, archived, archived_at, accepts_marketing, email_allowed, sms_allowed, call_allowed, "
    "user_type, channel_id, channel_code, erp_code, crm_id, ref_id, account, loyalty_card, coupons, date_joined, "
    "attributes, extra_field, localized_attributes, credit_cents, refusal_count, last_payment_date, "
    "last_payment_cents, average_basket_cents, created_at, updated_at";
constexpr int kCustomerColumnCount = 40;

// Reads a row into `c`: a default Customer, or the previous row of a page
// read into one Customer (strings keep their storage). With `json`, the
// three JSON object columns are checked and left as text there, and `c`'s
// objects are not touched. read_customer() below returns a new one.
void read_customer_into(const RowView& q, Customer& c, domain::CustomerJsonFields* json = nullptr) {
    int i = 0;
    c.id = q.getColumn(i++).getInt64();
    assign_text(q.getColumn(i++), c.uuid);
    c.kind = enum_col<CustomerKind>(q.getColumn(i++), {{"person", CustomerKind::person}, {"company", CustomerKind::company}});
    assign_text(q.getColumn(i++), c.first_name);
    assign_text(q.getColumn(i++), c.last_name);
    assign_text(q.getColumn(i++), c.company_name);
    assign_text(q.getColumn(i++), c.email);
    assign_text(q.getColumn(i++), c.phone);
    assign_text(q.getColumn(i++), c.mobile);
    c.gender = enum_col<Gender>(q.getColumn(i++), {{"unknown", Gender::unknown}, {"male", Gender::male},
                                                   {"female", Gender::female}, {"other", Gender::other}});
    c.date_of_birth = date_col(q.getColumn(i++));
    assign_text(q.getColumn(i++), c.note);
    c.status = q.getColumn(i++).getInt64();
    c.is_active = q.getColumn(i++).getInt() != 0;
    c.archived = q.getColumn(i++).getInt() != 0;
    c.archived_at = ts_col(q.getColumn(i++));
    c.accepts_marketing = q.getColumn(i++).getInt() != 0;
    c.email_allowed = q.getColumn(i++).getInt() != 0;
    c.sms_allowed = q.getColumn(i++).getInt() != 0;
    c.call_allowed = q.getColumn(i++).getInt() != 0;
    c.user_type = enum_col<UserType>(q.getColumn(i++), {{"registered", UserType::registered}, {"guest", UserType::guest}});
    c.channel_id = int_col(q.getColumn(i++));
    assign_text(q.getColumn(i++), c.channel_code);
    assign_text(q.getColumn(i++), c.erp_code);
    assign_text(q.getColumn(i++), c.crm_id);
    assign_text(q.getColumn(i++), c.ref_id);
    assign_text(q.getColumn(i++), c.account);
    assign_text(q.getColumn(i++), c.loyalty_card);
    {
        std::string_view text = q.getColumn(i++).getText();
        c.coupons.clear();
        json::value coupons = text == "[]" ? json::value(json::array()) : stored_json(text);
        if (coupons.is_array())
            for (const auto& code : coupons.get_array())
                if (code.is_string()) c.coupons.emplace_back(code.get_string());
    }
    c.date_joined = ts_col(q.getColumn(i++));
    if (json) {
        auto text = [&](const char* name) {
            const std::string_view t = q.getColumn(i++).view();
            if (!domain::is_json_object(t))
                throw IoError(fmt::format("customer {}: the stored {} is not a JSON object (was the database "
                                          "changed outside the engine?)", c.id, name));
            return t;
        };
        json->attributes = text("attributes");
        json->extra_field = text("extra_field");
        json->localized_attributes = text("localized_attributes");
    } else {
        c.attributes = object_col(q.getColumn(i++));
        c.extra_field = object_col(q.getColumn(i++));
        c.localized_attributes = object_col(q.getColumn(i++));
    }
    c.credit_cents = q.getColumn(i++).getInt64();
    c.refusal_count = q.getColumn(i++).getInt64();
    c.last_payment_date = date_col(q.getColumn(i++));
    c.last_payment_cents = int_col(q.getColumn(i++));
    c.average_basket_cents = q.getColumn(i++).getInt64();
    c.created_at = from_micros(q.getColumn(i++).getInt64());
    c.updated_at = from_micros(q.getColumn(i++).getInt64());
}

Customer read_customer(const RowView& q) {
    Customer c;
    read_customer_into(q, c);
    return c;
}

// Binds every column but id, from parameter `first` on, in kCustomerColumns order.
void bind_customer(SQLite::Statement& s, const Customer& c, int first) {
    int i = first;
    s.bind(i++, c.uuid);
    s.bind(i++, std::string(to_string(c.kind)));
    bind_opt(s, i++, c.first_name);
    bind_opt(s, i++, c.last_name);
    bind_opt(s, i++, c.company_name);
    bind_opt(s, i++, c.email);
    bind_opt(s, i++, c.phone);
    bind_opt(s, i++, c.mobile);
    s.bind(i++, std::string(to_string(c.gender)));
    bind_opt(s, i++, c.date_of_birth);
    bind_opt(s, i++, c.note);
    s.bind(i++, (c.status));
    s.bind(i++, c.is_active ? 1 : 0);
    s.bind(i++, c.archived ? 1 : 0);
    bind_opt(s, i++, c.archived_at);
    s.bind(i++, c.accepts_marketing ? 1 : 0);
    s.bind(i++, c.email_allowed ? 1 : 0);
    s.bind(i++, c.sms_allowed ? 1 : 0);
    s.bind(i++, c.call_allowed ? 1 : 0);
    s.bind(i++, std::string(to_string(c.user_type)));
    bind_opt(s, i++, c.channel_id);
    bind_opt(s, i++, c.channel_code);
    bind_opt(s, i++, c.erp_code);
    bind_opt(s, i++, c.crm_id);
    bind_opt(s, i++, c.ref_id);
    bind_opt(s, i++, c.account);
    bind_opt(s, i++, c.loyalty_card);
    s.bind(i++, json::serialize(json::array(c.coupons.begin(), c.coupons.end())));
    bind_opt(s, i++, c.date_joined);
    s.bind(i++, json::serialize(c.attributes));
    s.bind(i++, json::serialize(c.extra_field));
    s.bind(i++, json::serialize(c.localized_attributes));
    s.bind(i++, (c.credit_cents));
    s.bind(i++, (c.refusal_count));
    bind_opt(s, i++, c.last_payment_date);
    bind_opt(s, i++, c.last_payment_cents);
    s.bind(i++, (c.average_basket_cents));
    s.bind(i++, (micros(c.created_at)));
    s.bind(i++, (micros(c.updated_at)));
}

std::string placeholders(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += i ? ", ?" : "?";
    return s;
}

// The customers table as the list renderer sees it.
constexpr ColumnDecl kCustomerColumnDecls[] = {
    {"id", "id", ColumnKind::plain},
    {"uuid", "uuid", ColumnKind::text},
    {"kind", "kind", ColumnKind::text},
    {"first_name", "first_name", ColumnKind::nocase_text},
    {"last_name", "last_name", ColumnKind::nocase_text},
    {"company_name", "company_name", ColumnKind::nocase_text},
    {"email", "email", ColumnKind::lower_text},
    {"phone", "phone", ColumnKind::text},
    {"mobile", "mobile", ColumnKind::text},
    {"gender", "gender", ColumnKind::text},
    {"date_of_birth", "date_of_birth", ColumnKind::date_text},
    {"note", "note", ColumnKind::text},
    {"status", "status", ColumnKind::plain},
    {"is_active", "is_active", ColumnKind::plain},
    {"archived", "archived", ColumnKind::plain},
    {"archived_at", "archived_at", ColumnKind::timestamp},
    {"accepts_marketing", "accepts_marketing", ColumnKind::plain},
    {"email_allowed", "email_allowed", ColumnKind::plain},
    {"sms_allowed", "sms_allowed", ColumnKind::plain},
    {"call_allowed", "call_allowed", ColumnKind::plain},
    {"user_type", "user_type", ColumnKind::text},
    {"channel_id", "channel_id", ColumnKind::plain},
    {"channel_code", "channel_code", ColumnKind::nocase_text},
    {"erp_code", "erp_code", ColumnKind::text},
    {"crm_id", "crm_id", ColumnKind::text},
    {"ref_id", "ref_id", ColumnKind::text},
    {"account", "account", ColumnKind::text},
    {"loyalty_card", "loyalty_card", ColumnKind::text},
    {"date_joined", "date_joined", ColumnKind::timestamp},
    {"attributes", "attributes", ColumnKind::json},
    {"extra_field", "extra_field", ColumnKind::json},
    {"localized_attributes", "localized_attributes", ColumnKind::json},
    {"credit_cents", "credit_cents", ColumnKind::plain},
    {"refusal_count", "refusal_count", ColumnKind::plain},
    {"last_payment_date", "last_payment_date", ColumnKind::date_text},
    {"last_payment_cents", "last_payment_cents", ColumnKind::plain},
    {"average_basket_cents", "average_basket_cents", ColumnKind::plain},
    {"created_at", "created_at", ColumnKind::timestamp},
    {"updated_at", "updated_at", ColumnKind::timestamp},
};

const TableDecl kCustomersTable{
    "customers",
    kCustomerColumnDecls,
    "id IN (SELECT customer_id FROM customer_coupons WHERE code = {})",
    "id NOT IN (SELECT customer_id FROM customer_coupons WHERE code IN ({}))",
    "id IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH {})",
    "SELECT rowid FROM customers_fts WHERE customers_fts MATCH {} ORDER BY rowid",
};

// Customers for the generic row operations (the other models' codecs are
// in row_codecs.cpp; this one stays beside its long column list).
struct CustomerCodec {
    using Row = Customer;
    static constexpr std::string_view kTable = "customers";
    static constexpr std::string_view kName = "customer";
    static const char* columns() { return kCustomerColumns; }
    static int column_count() { return kCustomerColumnCount; }
    static const TableDecl& table() { return kCustomersTable; }
    static void bind(SQLite::Statement& s, const Customer& c) { bind_customer(s, c, 1); }
    static Customer read(const RowView& r) { return read_customer(r); }
    static void read_into(const RowView& r, Customer& c) { read_customer_into(r, c); }
    static std::vector<UniqueValue> unique_values(const Customer& c) {
        return {{"email", c.email}, {"loyalty_card", c.loyalty_card}, {"uuid", c.uuid}};
    }
};

// crm_in_ids(id): whether `id` is one of the ids a search collected
// (binary search in the vector the store points the function's user data
// at while a page query runs; NULL when none is set). A search that matches
// many rows collects its ids once, then the page walks the ordering's index
// and probes each row here: cheaper than materialising the matches as an
// IN (subquery) table, and far cheaper than sorting them.
using IdSetSlot = const std::vector<std::int64_t>*;

void in_ids(sqlite3_context* ctx, int, sqlite3_value** argv) {
    const IdSetSlot ids = *static_cast<IdSetSlot*>(sqlite3_user_data(ctx));
    if (!ids || sqlite3_value_type(argv[0]) != SQLITE_INTEGER) return sqlite3_result_null(ctx);
    sqlite3_result_int(ctx, std::binary_search(ids->begin(), ids->end(), sqlite3_value_int64(argv[0])) ? 1 : 0);
}

template <class Statement>  // an SQLite::Statement or a Reader
void bind_all(Statement& s, const std::vector<Bind>& binds) {
    int i = 1;
    for (const auto& b : binds) {
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::nullptr_t>)
                    s.bind(i);
                else
                    s.bind(i, v);
            },
            b);
        ++i;
    }
}

// A sort key's value as a cursor holds it: what its SQL expression gives
// (sort_expr() in list_sql.cpp), read from the row's column `c`.
json::value key_value(const Cell& c, SortKeySource::Null null) {
    if (c.isInteger()) return json::value(c.getInt64());
    if (c.isNull()) {
        switch (null) {
            case SortKeySource::Null::empty_text: return json::value(json::string());
            case SortKeySource::Null::min_int: return json::value(std::numeric_limits<std::int64_t>::min() + 1);
            case SortKeySource::Null::stays: break;
        }
        return json::value(nullptr);
    }
    return json::value(c.getString());
}

// --- the store -----------------------------------------------------------

// The statements that open and close transactions, prepared once per
// connection (sqlite3_exec would parse them on every call).
struct TransactionStatements {
    explicit TransactionStatements(SQLite::Database& db)
        : begin_write(db, "BEGIN IMMEDIATE"), begin_read(db, "BEGIN"), commit(db, "COMMIT"), rollback(db, "ROLLBACK") {}
    SQLite::Statement begin_write, begin_read, commit, rollback;
};

// Runs a prepared statement that returns no rows, leaving it reset.
void run(SQLite::Statement& s) {
    struct Reset {
        SQLite::Statement& s;
        ~Reset() { s.tryReset(); }
    } r{s};
    s.exec();
}

class SqliteTransaction final : public Transaction {
public:
    SqliteTransaction(TransactionStatements& st, bool write) : st_(st) {
        guarded([&] { run(write ? st_.begin_write : st_.begin_read); });
    }
    ~SqliteTransaction() override {
        if (done_) return;
        try {
            run(st_.rollback);
        } catch (...) {  // nothing to do: SQLite has already rolled back, or the connection is gone
        }
    }
    void commit() override {
        guarded([&] { run(st_.commit); });
        done_ = true;
    }

private:
    TransactionStatements& st_;
    bool done_ = false;
};

struct SavepointStatements {
    explicit SavepointStatements(SQLite::Database& db)
        : begin(db, "SAVEPOINT crm_row"), release(db, "RELEASE crm_row"), rollback(db, "ROLLBACK TO crm_row") {}
    SQLite::Statement begin, release, rollback;
};

class SqliteSavepoint final : public Transaction {
public:
    explicit SqliteSavepoint(SavepointStatements& st) : st_(st) { guarded([&] { run(st_.begin); }); }
    ~SqliteSavepoint() override {
        if (done_) return;
        try {
            run(st_.rollback);
            run(st_.release);
        } catch (...) {  // the enclosing transaction is gone: it rolled back whole
        }
    }
    void commit() override {
        guarded([&] { run(st_.release); });
        done_ = true;
    }

private:
    SavepointStatements& st_;
    bool done_ = false;
};

class SqliteStore final : public Store {
public:
    SqliteStore(const std::string& path, const Options& options) : db_(open(path, options)) {
        guarded([&] {
            if (path != ":memory:") {
                db_.exec("PRAGMA journal_mode = WAL");
                db_.exec("PRAGMA synchronous = NORMAL");
                // 8 MiB of pages per connection (SQLite's default is 2 MiB):
                // keyset pages at several depths of a 1,000,000-row table
                // touch a table page per row, and stay cached (the keyset
                // benchmark: 238 -> 204 us p50); larger did not pay, as
                // long scans then spread over more cold memory.
                db_.exec("PRAGMA cache_size = -8192");
            }
            db_.exec("PRAGMA foreign_keys = ON");
            // DIRECTONLY: never from a trigger or view; not DETERMINISTIC, as
            // its answer depends on the ids set for the statement.
            if (sqlite3_create_function_v2(db_.getHandle(), "crm_in_ids", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                           &walk_ids_, in_ids, nullptr, nullptr, nullptr) != SQLITE_OK)
                throw IoError("cannot register the SQL function crm_in_ids");
            migrate(db_);
            SQLite::Statement q(db_, "SELECT substr(name, 16) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'customers\\_attr\\_%' ESCAPE '\\'");
            while (q.executeStep()) indexed_attributes_.insert(q.getColumn(0).getString());
        });
    }

    std::unique_ptr<Transaction> begin(bool write) override {
        if (!tx_) tx_ = std::make_unique<TransactionStatements>(db_);
        return std::make_unique<SqliteTransaction>(*tx_, write);
    }

    std::unique_ptr<Transaction> savepoint() override {
        if (!sp_) sp_ = std::make_unique<SavepointStatements>(db_);
        return std::make_unique<SqliteSavepoint>(*sp_);
    }

    std::optional<Customer> find_customer_by(std::string_view key, const std::string& value) override {
        // `key` picks one of these fixed statements; it never becomes SQL text.
        static constexpr std::string_view kKeys[] = {"email", "uuid", "crm_id", "erp_code", "loyalty_card"};
        if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
            throw Error(Status::internal, fmt::format("no customer key '{}'", key));
        return guarded([&]() -> std::optional<Customer> {
            auto& q = reader(fmt::format("SELECT {} FROM customers WHERE {} = ? ORDER BY id LIMIT 1",
                                         kCustomerColumns, key));
            ReaderReset r{q};
            q.bind(1, value);
            if (!q.step()) return std::nullopt;
            return read_customer(q.row());
        });
    }

    void insert_customer(Customer& c) override {
        guarded([&] {
            insert_row<CustomerCodec>(c);
            write_coupons(c, false);
        });
    }

    std::optional<Customer> find_customer(std::int64_t id) override { return find_row<CustomerCodec>(id); }

    void update_customer(const Customer& c) override {
        guarded([&] {
            update_row<CustomerCodec>(c);
            write_coupons(c, true);
        });
    }

    bool delete_customer(std::int64_t id) override { return delete_row<CustomerCodec>(id); }

    query::CursorKey cursor_key() override {
        return guarded([&] {
            SQLite::Statement q(db_, "SELECT value FROM crm_meta WHERE key = 'cursor_key'");
            query::CursorKey key{};
            if (!q.executeStep() || q.getColumn(0).getBytes() != static_cast<int>(key.size()))
                throw IoError("the database has no valid cursor key: not a crm database");
            std::memcpy(key.data(), q.getColumn(0).getBlob(), key.size());
            return key;
        });
    }

    ListResult<Customer> list_customers(const query::ListPlan& plan) override { return list_rows<CustomerCodec>(plan); }

    PageEnd each_customer(const query::ListPlan& plan, CustomerSink& sink) override {
        return scan_rows<CustomerCodec>(
            plan, [&](const std::optional<std::int64_t>& n) { sink.count(n); },
            [&](const RowView& row) {
                domain::CustomerJsonFields json;
                read_customer_into(row, page_row_, &json);
                sink.row({page_row_, json});
            });
    }

    bool customer_exists(std::int64_t id) override {
        return guarded([&] {
            auto& q = statement("SELECT 1 FROM customers WHERE id = ?");
            Reset r{q};
            q.bind(1, id);
            return q.executeStep();
        });
    }

    void insert_order(Order& o) override { insert_row<OrderCodec>(o); }
    std::optional<Order> find_order(std::int64_t id) override { return find_row<OrderCodec>(id); }
    void update_order(const Order& o) override { update_row<OrderCodec>(o); }
    bool delete_order(std::int64_t id) override { return delete_row<OrderCodec>(id); }
    ListResult<Order> list_orders(const query::ListPlan& plan) override { return list_rows<OrderCodec>(plan); }
    std::int64_t next_order_number() override {
        return guarded([&] {
            auto& q = statement("SELECT ifnull(max(number), 0) FROM orders");
            Reset r{q};
            q.executeStep();
            const std::int64_t max = q.getColumn(0).getInt64();
            if (max == std::numeric_limits<std::int64_t>::max())
                throw ConflictError("no order number is left above the largest one: give the order a number",
                                    {{"number", "cannot be assigned: the largest number is taken"}});
            return max + 1;
        });
    }

    void insert_message(Message& m) override { insert_row<MessageCodec>(m); }
    std::optional<Message> find_message(std::int64_t id) override { return find_row<MessageCodec>(id); }
    void update_message(const Message& m) override { update_row<MessageCodec>(m); }
    bool delete_message(std::int64_t id) override { return delete_row<MessageCodec>(id); }
    ListResult<Message> list_messages(const query::ListPlan& plan) override { return list_rows<MessageCodec>(plan); }

    void insert_form(Form& f) override { insert_row<FormCodec>(f); }
    std::optional<Form> find_form(std::int64_t id) override { return find_row<FormCodec>(id); }
    void update_form(const Form& f) override { update_row<FormCodec>(f); }
    bool delete_form(std::int64_t id) override { return delete_row<FormCodec>(id); }
    ListResult<Form> list_forms(const query::ListPlan& plan) override { return list_rows<FormCodec>(plan); }

    std::vector<Form> active_forms() override {
        return guarded([&] {
            static const std::string sql =
                fmt::format("SELECT {} FROM forms WHERE active = 1 ORDER BY id", FormCodec::columns());
            auto& q = reader(sql);
            ReaderReset r{q};
            std::vector<Form> out;
            while (q.step()) out.push_back(FormCodec::read(q.row()));
            return out;
        });
    }

    std::int64_t forms_version() override {
        return guarded([&] {
            auto& q = statement("SELECT value FROM crm_meta WHERE key = 'forms_version'");
            Reset r{q};
            return q.executeStep() ? q.getColumn(0).getInt64() : std::int64_t{0};
        });
    }

    void index_attribute(const std::string& name) override {
        // `name` is an identifier (checked by the form rules) and is checked
        // again here, since it becomes part of the index's SQL text.
        if (name.empty() || name.size() > 64 ||
            !std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }) ||
            std::isdigit(static_cast<unsigned char>(name[0])))
            throw Error(Status::internal, "an attribute index needs an identifier");
        guarded([&] {
            db_.exec(fmt::format("CREATE INDEX IF NOT EXISTS customers_attr_{0} ON customers ({1})", name,
                                 attribute_expression(name)));
        });
        indexed_attributes_.insert(name);
    }


    // --- tickets, ledger, credit requests ---

    std::optional<CustomerRef> customer_ref(std::int64_t id) override {
        return customer_ref_where("id", id);
    }
    std::optional<CustomerRef> customer_by_uuid(const std::string& uuid) override {
        return customer_ref_where("uuid", uuid);
    }
    std::optional<CustomerRef> customer_by_card(const std::string& card) override {
        return customer_ref_where("loyalty_card", card);
    }

    void insert_ticket(Ticket& t) override { insert_row<TicketCodec>(t); }
    std::optional<Ticket> find_ticket(std::int64_t id) override { return find_row<TicketCodec>(id); }
    std::optional<Ticket> find_ticket_by_ref(const std::string& ref) override {
        return guarded([&]() -> std::optional<Ticket> {
            static const std::string sql = fmt::format("SELECT {} FROM tickets WHERE ref = ?", TicketCodec::columns());
            auto& q = reader(sql);
            ReaderReset r{q};
            q.bind(1, ref);
            if (!q.step()) return std::nullopt;
            return TicketCodec::read(q.row());
        });
    }
    bool delete_ticket(std::int64_t id) override { return delete_row<TicketCodec>(id); }
    ListResult<Ticket> list_tickets(const query::ListPlan& plan) override { return list_rows<TicketCodec>(plan); }
    std::int64_t ticket_total_between(std::int64_t customer_id, Timestamp from, Timestamp to) override {
        return guarded([&] {
            auto& q = statement("SELECT ifnull(sum(total_cents), 0) FROM tickets WHERE customer_id = ? AND date >= ? AND date < ?");
            Reset r{q};
            q.bind(1, customer_id);
            q.bind(2, micros(from));
            q.bind(3, micros(to));
            q.executeStep();
            return q.getColumn(0).getInt64();
        });
    }

    void insert_ledger(LedgerEntry& e) override {
        insert_row<LedgerCodec>(e);  // below zero: the schema's trigger refuses it (ConflictError)
    }
    std::optional<LedgerEntry> find_ledger_by_ref(LedgerReason reason, const std::string& ref) override {
        return guarded([&]() -> std::optional<LedgerEntry> {
            static const std::string sql =
                fmt::format("SELECT {} FROM ledger WHERE reason = ? AND ref = ?", LedgerCodec::columns());
            auto& q = reader(sql);
            ReaderReset r{q};
            q.bind(1, to_string(reason));
            q.bind(2, ref);
            if (!q.step()) return std::nullopt;
            return LedgerCodec::read(q.row());
        });
    }
    ListResult<LedgerEntry> list_ledger(const query::ListPlan& plan) override { return list_rows<LedgerCodec>(plan); }

    void insert_credit_request(CreditRequest& r) override { insert_row<CreditRequestCodec>(r); }
    std::optional<CreditRequest> find_credit_request(std::int64_t id) override {
        return find_row<CreditRequestCodec>(id);
    }
    ListResult<CreditRequest> list_credit_requests(const query::ListPlan& plan) override {
        return list_rows<CreditRequestCodec>(plan);
    }
    void add_refusal(std::int64_t customer_id) override {
        guarded([&] {
            auto& q = statement("UPDATE customers SET refusal_count = refusal_count + 1 WHERE id = ?");
            Reset r{q};
            q.bind(1, customer_id);
            q.exec();
        });
    }

    std::string explain_list(const query::ListPlan& plan) override {
        const std::string_view name = plan.collection ? plan.collection->name : std::string_view{};
        if (name == "customers") return explain_rows<CustomerCodec>(plan);
        if (name == "orders") return explain_rows<OrderCodec>(plan);
        if (name == "messages") return explain_rows<MessageCodec>(plan);
        if (name == "forms") return explain_rows<FormCodec>(plan);
        if (name == "tickets") return explain_rows<TicketCodec>(plan);
        if (name == "ledger") return explain_rows<LedgerCodec>(plan);
        if (name == "credit_requests") return explain_rows<CreditRequestCodec>(plan);
        throw Error(Status::internal, fmt::format("no table for collection '{}'", name));
    }

private:
    // The customer whose `column` (a fixed name from the callers above)
    // equals `key`, with the columns of CustomerRef.
    template <class Key>
    std::optional<CustomerRef> customer_ref_where(std::string_view column, const Key& key) {
        return guarded([&]() -> std::optional<CustomerRef> {
            auto& q = statement(fmt::format("SELECT id, uuid, loyalty_card, credit_cents, refusal_count, is_active, "
                                            "archived FROM customers WHERE {} = ?",
                                            column));
            Reset r{q};
            q.bind(1, key);
            if (!q.executeStep()) return std::nullopt;
            CustomerRef c;
            c.id = q.getColumn(0).getInt64();
            c.uuid = q.getColumn(1).getString();
            c.loyalty_card = text_col(q.getColumn(2));
            c.credit_cents = q.getColumn(3).getInt64();
            c.refusal_count = q.getColumn(4).getInt64();
            c.is_active = bool_col(q.getColumn(5));
            c.archived = bool_col(q.getColumn(6));
            return c;
        });
    }

    // --- generic row operations over a codec (row_codecs.hpp) ---

    template <class Codec>
    static const std::string& insert_sql() {
        static const std::string sql = [] {
            std::string_view cols = Codec::columns();
            return fmt::format("INSERT INTO {} ({}) VALUES ({})", Codec::kTable, cols.substr(4),
                               placeholders(Codec::column_count() - 1));
        }();
        return sql;
    }

    template <class Codec>
    static const std::string& update_sql() {
        static const std::string sql = [] {
            std::string set;
            std::string_view cols = std::string_view(Codec::columns()).substr(4);
            for (std::size_t start = 0; start < cols.size();) {
                std::size_t end = cols.find(", ", start);
                if (end == std::string_view::npos) end = cols.size();
                set += fmt::format("{}{} = ?", set.empty() ? "" : ", ", cols.substr(start, end - start));
                start = end + 2;
            }
            return fmt::format("UPDATE {} SET {} WHERE id = ?", Codec::kTable, set);
        }();
        return sql;
    }

    // Runs the insert or update of `row`; a unique constraint becomes a
    // ConflictError naming every unique field that another row holds.
    template <class Codec>
    void run_write(SQLite::Statement& s, const typename Codec::Row& row) {
        Reset r{s};
        try {
            s.exec();
        } catch (const SQLite::Exception& e) {
            if (e.getExtendedErrorCode() != SQLITE_CONSTRAINT_UNIQUE) throw;
            std::vector<FieldError> taken;
            for (const auto& [column, value] : Codec::unique_values(row)) {
                if (!value) continue;
                // `column` comes from the codec's fixed list, never from input.
                auto& q = statement(fmt::format("SELECT 1 FROM {} WHERE {} = ? AND id IS NOT ?", Codec::kTable, column));
                Reset rq{q};
                q.bind(1, *value);
                if (row.id > 0) q.bind(2, row.id); else q.bind(2);
                if (q.executeStep())
                    taken.push_back({std::string(column), fmt::format("is already used by another {}", Codec::kName)});
            }
            if (taken.empty()) throw;  // not one of the declared unique fields: a bug
            std::string message = taken.size() == 1
                                      ? fmt::format("{} is already used by another {}", taken[0].field, Codec::kName)
                                      : fmt::format("{} fields are already used by other {}s", taken.size(), Codec::kName);
            throw ConflictError(message, std::move(taken));
        }
    }

    template <class Codec>
    void insert_row(typename Codec::Row& row) {
        guarded([&] {
            auto& s = statement(insert_sql<Codec>());
            Codec::bind(s, row);
            run_write<Codec>(s, row);
            row.id = db_.getLastInsertRowid();
        });
    }

    template <class Codec>
    void update_row(const typename Codec::Row& row) {
        guarded([&] {
            auto& s = statement(update_sql<Codec>());
            Codec::bind(s, row);
            s.bind(Codec::column_count(), row.id);
            run_write<Codec>(s, row);
        });
    }

    template <class Codec>
    std::optional<typename Codec::Row> find_row(std::int64_t id) {
        return guarded([&]() -> std::optional<typename Codec::Row> {
            static const std::string sql = fmt::format("SELECT {} FROM {} WHERE id = ?", Codec::columns(), Codec::kTable);
            auto& s = reader(sql);
            ReaderReset r{s};
            s.bind(1, id);
            if (!s.step()) return std::nullopt;
            return Codec::read(s.row());
        });
    }

    template <class Codec>
    bool delete_row(std::int64_t id) {
        return guarded([&] {
            static const std::string sql = fmt::format("DELETE FROM {} WHERE id = ?", Codec::kTable);
            auto& s = statement(sql);
            Reset r{s};
            s.bind(1, id);
            try {
                return s.exec() > 0;
            } catch (const SQLite::Exception& e) {
                // Other rows refer to it (a customer's orders, tickets, ledger entries).
                if (e.getExtendedErrorCode() != SQLITE_CONSTRAINT_FOREIGNKEY) throw;
                throw ConflictError(fmt::format("{} {} is still referred to (a customer's orders, tickets or ledger "
                                                "entries): archive it instead",
                                                Codec::kName, id));
            }
        });
    }

    template <class Codec>
    ListResult<typename Codec::Row> list_rows(const query::ListPlan& plan) {
        ListResult<typename Codec::Row> out;
        out.rows.reserve(static_cast<std::size_t>(std::min<std::int64_t>(plan.take(), 1000)));
        static_cast<PageEnd&>(out) = scan_rows<Codec>(plan, [](const std::optional<std::int64_t>&) {}, [&](const RowView& row) {
            if constexpr (requires { Codec::read_into(row, out.rows.emplace_back()); })
                Codec::read_into(row, out.rows.emplace_back());  // in place: no move of a large row
            else
                out.rows.push_back(Codec::read(row));
        });
        return out;
    }

    // Runs the page of `plan`: on_count(count) first, then on_row(row) for
    // each of its rows in order.
    template <class Codec, class OnCount, class OnRow>
    PageEnd scan_rows(const query::ListPlan& plan, OnCount&& on_count, OnRow&& on_row) {
        return guarded([&] {
            RenderedList sql = render_list(Codec::table(), Codec::columns(), plan, &indexed_attributes_);
            PageEnd out;
            const std::int64_t take = plan.take();
            const Searched searched = search_first<Codec>(plan, sql);
            out.count = searched.count;
            if (plan.count && !out.count) out.count = count(sql, std::string(Codec::table().table));
            on_count(out.count);
            struct WalkIds {  // crm_in_ids answers from `matches` until the page is read
                IdSetSlot& slot;
                ~WalkIds() { slot = nullptr; }
            } walking{walk_ids_};
            walk_ids_ = &searched.matches;
            std::int64_t rows = 0;
            // Reads rows of one statement until the page (and one more row,
            // which says a next page exists) is complete.
            auto read_rows = [&](Reader& s) {
                while (!out.has_more && s.step()) {
                    if (rows == take) {
                        out.has_more = true;
                        break;
                    }
                    const RowView row = s.row();
                    on_row(row);
                    if (++rows == take) {  // the page's last row: keep its keys
                        out.last.id = row.getColumn(0).getInt64();
                        out.last.sort_values.clear();
                        for (const SortKeySource& k : sql.sort_keys)
                            out.last.sort_values.push_back(key_value(row.getColumn(k.column), k.null));
                    }
                }
            };
            if (sql.branches.empty()) {
                auto& s = reader(sql.sql);
                ReaderReset r{s};
                bind_all(s, sql.binds);
                read_rows(s);
            }
            for (const auto& branch : sql.branches) {
                if (out.has_more) break;
                auto& s = reader(branch.sql);
                ReaderReset r{s};
                bind_all(s, branch.binds);
                s.bind(static_cast<int>(branch.binds.size()) + 1, take + 1 - rows);
                read_rows(s);
            }
            return out;
        });
    }

    // A search first collects the ids it matches (one pass over the FTS
    // index): their number is the count when the search is the only filter,
    // and when the rows are many (> kManyMatches per wanted row) `sql` is
    // rendered anew to walk the ordering's index, probing each row's id in
    // them (crm_in_ids), which stops after a page, rather than sort them all.
    struct Searched {
        bool searched = false;
        std::string match_text;               // the FTS5 query
        std::vector<std::int64_t> matches;    // the ids it matches, ascending
        std::optional<std::int64_t> count;    // the page's count, when asked for and already known
    };

    template <class Codec>
    Searched search_first(const query::ListPlan& plan, RenderedList& sql) {
        Searched out;
        const auto search = std::find_if(plan.filters.begin(), plan.filters.end(),
                                         [](const query::Filter& f) { return f.op == query::Op::search; });
        if (search == plan.filters.end() || Codec::table().search_ids_sql.empty()) return out;
        out.searched = true;
        out.match_text = search_match_text(*search);
        out.matches = match_ids(Codec::table(), out.match_text);
        std::optional<std::int64_t> rows;  // how many rows the filters match, when known
        if (plan.filters.size() == 1) rows = static_cast<std::int64_t>(out.matches.size());
        if (plan.count) {
            if (!rows) rows = count(sql, std::string(Codec::table().table));
            out.count = rows;
        }
        if (rows && *rows > kManyMatches * plan.take())
            sql = render_list(Codec::table(), Codec::columns(), plan, &indexed_attributes_, true);
        return out;
    }

    template <class Codec>
    std::string explain_rows(const query::ListPlan& plan) {
        return guarded([&] {
            RenderedList sql = render_list(Codec::table(), Codec::columns(), plan, &indexed_attributes_);
            const Searched searched = search_first<Codec>(plan, sql);
            std::string out;
            if (searched.searched)
                out = explain(fmt::format(fmt::runtime(Codec::table().search_ids_sql), "?"), {searched.match_text});
            if (sql.branches.empty()) out += explain(sql.sql, sql.binds);
            for (auto branch : sql.branches) {
                branch.binds.emplace_back(plan.take() + 1);
                out += explain(branch.sql, branch.binds);
            }
            // A search as the only filter is counted by its ids, with no SQL.
            const bool counted_by_ids = searched.searched && plan.filters.size() == 1;
            if (plan.count && !counted_by_ids && !sql.count_sql.empty()) out += explain(sql.count_sql, sql.count_binds);
            return out;
        });
    }

    std::string explain(const std::string& sql, const std::vector<Bind>& binds) {
        SQLite::Statement q(db_, "EXPLAIN QUERY PLAN " + sql);
        bind_all(q, binds);
        std::string out;
        while (q.executeStep()) out += q.getColumn(3).getString() + "\n";
        return out;
    }

    // Resets a cached statement when the scope ends, so it holds no lock.
    struct Reset {
        SQLite::Statement& s;
        ~Reset() { s.tryReset(); }
    };

    static SQLite::Database open(const std::string& path, const Options& options) {
        if (path != ":memory:") {
            auto parent = std::filesystem::path(path).parent_path();
            std::error_code ec;
            if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
                throw IoError(fmt::format("cannot open '{}': folder '{}' does not exist", path, parent.string()));
            // SQLite takes a file shorter than its header for an empty
            // database and would overwrite it: anything non-empty must be a
            // database already.
            const auto size = std::filesystem::file_size(path, ec);
            if (!ec && size > 0) {
                char header[16] = {};
                std::ifstream in(path, std::ios::binary);
                in.read(header, sizeof header);
                if (in.gcount() != static_cast<std::streamsize>(sizeof header) ||
                    std::memcmp(header, "SQLite format 3", 16) != 0)
                    throw IoError(fmt::format("cannot open '{}': the file is not a database", path));
            }
        }
        try {
            // NOMUTEX: the engine's own mutex already serialises every use of
            // this connection (and of the statement cache).
            return SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
                                    static_cast<int>(options.busy_timeout_ms));
        } catch (const SQLite::Exception& e) {
            throw IoError(fmt::format("cannot open '{}': {}", path, e.what()));
        }
    }

    // The count of a list: kept by triggers when unfiltered, else counted.
    std::int64_t count(const RenderedList& sql, const std::string& collection) {
        if (sql.count_sql.empty()) {
            auto& c = statement("SELECT n FROM row_counts WHERE collection = ?");
            Reset r{c};
            c.bind(1, collection);
            if (!c.executeStep()) throw Error(Status::internal, "no row count kept for this collection");
            return c.getColumn(0).getInt64();
        }
        auto& c = statement(sql.count_sql);
        Reset r{c};
        bind_all(c, sql.count_binds);
        c.executeStep();
        return c.getColumn(0).getInt64();
    }

    // The ids the FTS5 query `match` matches, ascending.
    std::vector<std::int64_t> match_ids(const TableDecl& table, const std::string& match) {
        auto& q = statement(fmt::format(fmt::runtime(table.search_ids_sql), "?"));
        Reset r{q};
        q.bind(1, match);
        std::vector<std::int64_t> ids;
        while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
        if (!std::is_sorted(ids.begin(), ids.end())) std::sort(ids.begin(), ids.end());
        return ids;
    }

    // A prepared statement kept for the connection's life, keyed by its SQL.
    SQLite::Statement& statement(const std::string& sql) {
        auto it = cache_.find(sql);
        if (it == cache_.end()) {
            if (cache_.size() >= kMaxCachedStatements) cache_.clear();
            it = cache_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
        }
        return *it->second;
    }

    // The same, for the SELECTs whose rows the codecs read.
    Reader& reader(const std::string& sql) {
        auto it = readers_.find(sql);
        if (it == readers_.end()) {
            if (readers_.size() >= kMaxCachedStatements) readers_.clear();
            it = readers_.emplace(sql, std::make_unique<Reader>(db_.getHandle(), sql)).first;
        }
        return *it->second;
    }

    void write_coupons(const Customer& c, bool replace) {
        if (replace) {
            auto& del = statement("DELETE FROM customer_coupons WHERE customer_id = ?");
            Reset r{del};
            del.bind(1, (c.id));
            del.exec();
        }
        if (c.coupons.empty()) return;
        auto& ins = statement("INSERT INTO customer_coupons (code, customer_id) VALUES (?, ?)");
        for (const auto& code : c.coupons) {
            Reset r{ins};
            ins.bind(1, code);
            ins.bind(2, (c.id));
            ins.exec();
        }
    }

    static constexpr std::size_t kMaxCachedStatements = 128;
    static constexpr std::int64_t kManyMatches = 20;  // matches per wanted row above which a search walks the order
    SQLite::Database db_;
    std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> cache_;
    std::unordered_map<std::string, std::unique_ptr<Reader>> readers_;  // SELECTs of rows (sqlite_row.hpp)
    std::unique_ptr<TransactionStatements> tx_;  // after db_: destroyed before it
    std::unique_ptr<SavepointStatements> sp_;
    std::set<std::string> indexed_attributes_;   // attributes.<name> with an expression index
    IdSetSlot walk_ids_ = nullptr;                // what crm_in_ids answers from (scan_rows sets it)
    Customer page_row_;                           // each_customer() reads every row into it
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, const Options& options) {
    return std::make_unique<SqliteStore>(path, options);
}

}  // namespace crm::storage

// crm_bench - the cost of the engine beside plain SQLite.
//
// Creates N customers through the C++ API (typed crm::Customer) and through
// the C ABI (JSON text), then gets up to 10,000 of them by id, and does the
// same inserts and reads directly on the sqlite3 C API, on a database with the
// engine's own schema, indexes and pragmas. Each side writes its own fresh
// file in a temporary folder (removed at the end). Every operation is timed
// on its own with std::chrono::steady_clock, so percentiles are real.
//
// One create is one transaction in the engine, so the raw side commits each
// insert too (BEGIN IMMEDIATE; INSERT; COMMIT, all prepared once and reused).
//
// Targets (informative only; the exit status is 0 either way):
//   create_cpp / create_capi within 1.3x of raw_insert;
//   get_capi_json within 2x of raw_get_json, and its p50 under 10 us.
//
// Usage: crm_bench [--n N] [--json] [--help]

#include <crm/crm.h>
#include <crm/crm.hpp>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kDefaultCustomers = 100'000;
constexpr std::int64_t kGets = 10'000;
constexpr std::uint64_t kSeed = 20260115;
constexpr double kCreateTarget = 1.3;
constexpr double kGetJsonTarget = 2.0;
constexpr double kGetJsonP50TargetUs = 10.0;

// ---------------------------------------------------------------------------
// Command line

struct Config {
    std::int64_t customers = kDefaultCustomers;
    bool json_lines = false;
};

struct ParsedArgs {
    std::optional<Config> config;  ///< nullopt: exit with `exit_code`
    int exit_code = 0;
};

void print_usage(std::FILE* out) {
    fmt::print(out,
               "usage: crm_bench [--n N] [--json] [--help]\n"
               "\n"
               "Creates N customers (default {}) through the C++ API and the C ABI, gets\n"
               "min(N, {}) of them by id, and does the same inserts and reads directly on\n"
               "SQLite with the engine's schema, indexes and pragmas, then prints the\n"
               "mean, p50 and p99 time of each operation beside its raw counterpart.\n"
               "\n"
               "  --n N    number of customers to create on each side (N >= 1)\n"
               "  --json   one JSON object per operation per line instead of a table\n"
               "  --help   this text\n",
               kDefaultCustomers, kGets);
}

std::optional<std::int64_t> parse_positive(std::string_view text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value < 1) return std::nullopt;
    return value;
}

ParsedArgs parse_args(int argc, char** argv) {
    Config config;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            print_usage(stdout);
            return {std::nullopt, 0};
        }
        if (arg == "--json") {
            config.json_lines = true;
        } else if (arg == "--n" && i + 1 < argc) {
            const auto n = parse_positive(argv[++i]);
            if (!n) {
                fmt::print(stderr, "crm_bench: --n needs a positive integer, got '{}'\n", argv[i]);
                return {std::nullopt, 2};
            }
            config.customers = *n;
        } else {
            fmt::print(stderr, "crm_bench: unknown or incomplete argument '{}'\n", arg);
            print_usage(stderr);
            return {std::nullopt, 2};
        }
    }
    return {config, 0};
}

// ---------------------------------------------------------------------------
// Timing

struct Stats {
    std::size_t count = 0;
    double mean_us = 0, p50_us = 0, p99_us = 0;
};

/// The durations of one operation, one sample per call.
class Timings {
public:
    explicit Timings(std::size_t expected) { us_.reserve(expected); }

    void add(Clock::duration d) { us_.push_back(std::chrono::duration<double, std::micro>(d).count()); }

    /// Runs `f` once, records how long it took, and returns what it returned.
    template <class F>
    auto time(F&& f) {
        const auto start = Clock::now();
        auto result = std::invoke(std::forward<F>(f));
        add(Clock::now() - start);
        return result;
    }

    Stats stats() const {
        Stats s;
        s.count = us_.size();
        if (us_.empty()) return s;
        std::vector<double> sorted = us_;
        std::sort(sorted.begin(), sorted.end());
        double sum = 0;
        for (double v : sorted) sum += v;
        s.mean_us = sum / static_cast<double>(sorted.size());
        s.p50_us = percentile(sorted, 50);
        s.p99_us = percentile(sorted, 99);
        return s;
    }

private:
    // Nearest-rank percentile of sorted samples.
    static double percentile(const std::vector<double>& sorted, double p) {
        const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
        return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
    }

    std::vector<double> us_;
};

// ---------------------------------------------------------------------------
// A temporary folder, removed with everything in it on destruction.

class TempDir {
public:
    TempDir() {
        std::random_device rd;
        const fs::path base = fs::temp_directory_path();
        for (int attempt = 0; attempt < 100; ++attempt) {
            fs::path candidate = base / fmt::format("crm_bench_{:08x}", rd());
            if (fs::create_directory(candidate)) {
                path_ = std::move(candidate);
                return;
            }
        }
        throw std::runtime_error("cannot create a temporary folder in " + base.string());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    fs::path file(std::string_view name) const { return path_ / name; }
    const fs::path& path() const noexcept { return path_; }

private:
    fs::path path_;
};

// ---------------------------------------------------------------------------
// The customers every side creates: same data, distinct emails, some with a
// phone, a company, a date of birth, so that validation has real work.

struct Sample {
    std::string first_name, last_name, email;
    std::optional<std::string> phone, company_name, date_of_birth;
    bool company = false;
    bool accepts_marketing = false;
};

Sample make_sample(std::int64_t i) {
    static constexpr std::array<std::string_view, 8> kFirst{"Ann", "Bob", "Chloé", "David",
                                                            "Emma", "Farid", "Grace", "Hugo"};
    static constexpr std::array<std::string_view, 8> kLast{"Martin", "Bernard", "Dubois", "Lee",
                                                           "Garcia", "Müller", "Rossi", "Smith"};
    const auto u = static_cast<std::uint64_t>(i);
    Sample s;
    s.first_name = kFirst[u % kFirst.size()];
    s.last_name = kLast[(u / kFirst.size()) % kLast.size()];
    s.email = fmt::format("user{}@example.com", i);
    if (i % 3 == 0) {
        s.phone = fmt::format("+33 6 {:02} {:02} {:02} {:02}", u / 1'000'000 % 100, u / 10'000 % 100,
                              u / 100 % 100, u % 100);
    }
    if (i % 5 == 0) {
        s.company = true;
        s.company_name = fmt::format("Company {}", i);
    }
    if (i % 4 == 0) {
        s.date_of_birth = fmt::format("{:04}-{:02}-{:02}", 1950 + u % 50, 1 + u % 12, 1 + u % 28);
    }
    s.accepts_marketing = i % 2 == 0;
    return s;
}

crm::Customer to_customer(const Sample& s) {
    crm::Customer c;
    c.kind = s.company ? crm::CustomerKind::company : crm::CustomerKind::person;
    c.first_name = s.first_name;
    c.last_name = s.last_name;
    c.email = s.email;
    c.phone = s.phone;
    c.company_name = s.company_name;
    if (s.date_of_birth) c.date_of_birth = crm::parse_date(*s.date_of_birth);
    c.accepts_marketing = s.accepts_marketing;
    return c;
}

std::string to_json_text(const Sample& s) {
    json::object o;
    o["kind"] = s.company ? "company" : "person";
    o["first_name"] = s.first_name;
    o["last_name"] = s.last_name;
    o["email"] = s.email;
    if (s.phone) o["phone"] = *s.phone;
    if (s.company_name) o["company_name"] = *s.company_name;
    if (s.date_of_birth) o["date_of_birth"] = *s.date_of_birth;
    o["accepts_marketing"] = s.accepts_marketing;
    return json::serialize(o);
}

/// The same `count` positions in [0, size) for every side.
std::vector<std::size_t> pick_positions(std::size_t size, std::size_t count) {
    std::mt19937_64 rng(kSeed);
    std::uniform_int_distribution<std::size_t> dist(0, size - 1);
    std::vector<std::size_t> positions(count);
    for (auto& p : positions) p = dist(rng);
    return positions;
}

// ---------------------------------------------------------------------------
// Thin RAII over the sqlite3 C API.

struct DbCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
    void operator()(sqlite3_stmt* st) const noexcept { sqlite3_finalize(st); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

[[noreturn]] void throw_sqlite(sqlite3* db, std::string_view what) {
    throw std::runtime_error(fmt::format("sqlite: {}: {}", what, db ? sqlite3_errmsg(db) : "out of memory"));
}

void check(sqlite3* db, int rc, std::string_view what) {
    if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) throw_sqlite(db, what);
}

DbPtr open_db(const fs::path& path, int flags) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    DbPtr db(raw);
    if (rc != SQLITE_OK) throw_sqlite(raw, "open " + path.string());
    return db;
}

void exec(sqlite3* db, const std::string& sql) {
    check(db, sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), sql);
}

StmtPtr prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    check(db, sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                 &raw, nullptr),
          sql);
    return StmtPtr(raw);
}

/// Steps a statement that returns no row, then resets it.
void run(sqlite3* db, sqlite3_stmt* st, std::string_view what) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) throw_sqlite(db, what);
}

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char ch : name) {
        out += ch;
        if (ch == '"') out += '"';
    }
    return out + '"';
}

std::string column_text(sqlite3_stmt* st, int i) {
    const auto* p = sqlite3_column_text(st, i);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st, i)))
             : std::string();
}

// One SQLite value, as stored.
using Value = std::variant<std::monostate, std::int64_t, double, std::string, std::vector<unsigned char>>;

Value read_value(sqlite3_stmt* st, int i) {
    switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER: return std::int64_t{sqlite3_column_int64(st, i)};
        case SQLITE_FLOAT: return sqlite3_column_double(st, i);
        case SQLITE_TEXT: return column_text(st, i);
        case SQLITE_BLOB: {
            const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(st, i));
            return std::vector<unsigned char>(p, p + sqlite3_column_bytes(st, i));
        }
        default: return std::monostate{};
    }
}

int bind_value(sqlite3_stmt* st, int index, const Value& v) {
    struct Binder {
        sqlite3_stmt* st;
        int index;
        int operator()(std::monostate) const { return sqlite3_bind_null(st, index); }
        int operator()(std::int64_t x) const { return sqlite3_bind_int64(st, index, x); }
        int operator()(double x) const { return sqlite3_bind_double(st, index, x); }
        int operator()(const std::string& s) const {
            return sqlite3_bind_text(st, index, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
        }
        int operator()(const std::vector<unsigned char>& b) const {
            return sqlite3_bind_blob(st, index, b.data(), static_cast<int>(b.size()), SQLITE_STATIC);
        }
    };
    return std::visit(Binder{st, index}, v);
}

std::string describe(const Value& v) {
    struct Describer {
        std::string operator()(std::monostate) const { return "NULL"; }
        std::string operator()(std::int64_t x) const { return std::to_string(x); }
        std::string operator()(double x) const { return fmt::format("{}", x); }
        std::string operator()(const std::string& s) const { return fmt::format("'{}'", s); }
        std::string operator()(const std::vector<unsigned char>& b) const {
            return fmt::format("<blob {} bytes>", b.size());
        }
    };
    return std::visit(Describer{}, v);
}

// ---------------------------------------------------------------------------
// The engine's schema, read back from a file the engine created.

struct Column {
    std::string name;
    std::string type;  ///< declared type, upper-case
    bool not_null = false;
    bool has_default = false;
    bool primary_key = false;
};

struct EngineSchema {
    std::vector<std::string> statements;  ///< CREATE ... in creation order, sqlite_* left out
    std::vector<Column> columns;          ///< of `customers`
    std::set<std::string> unique_columns; ///< of `customers`, from its unique indexes
    std::vector<Value> probe_row;         ///< the probe customer as the engine stored it
};

std::vector<std::string> read_statements(sqlite3* db) {
    // Shadow tables of virtual tables (FTS5's *_data, *_idx...) are made by
    // their CREATE VIRTUAL TABLE, so they are left out too.
    auto st = prepare(db, "SELECT s.sql FROM sqlite_schema s WHERE s.sql IS NOT NULL AND s.name NOT LIKE 'sqlite\\_%' "
                          "ESCAPE '\\' AND NOT EXISTS (SELECT 1 FROM sqlite_schema v WHERE v.sql LIKE 'CREATE VIRTUAL "
                          "TABLE%' AND s.name LIKE v.name || '\\_%' ESCAPE '\\') ORDER BY s.rowid");
    std::vector<std::string> out;
    while (sqlite3_step(st.get()) == SQLITE_ROW) out.push_back(column_text(st.get(), 0));
    return out;
}

std::vector<Column> read_columns(sqlite3* db, std::string_view table) {
    auto st = prepare(db, fmt::format("PRAGMA table_info({})", quote_identifier(table)));
    std::vector<Column> out;
    while (sqlite3_step(st.get()) == SQLITE_ROW) {
        Column c;
        c.name = column_text(st.get(), 1);
        c.type = column_text(st.get(), 2);
        std::transform(c.type.begin(), c.type.end(), c.type.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
        c.not_null = sqlite3_column_int(st.get(), 3) != 0;
        c.has_default = sqlite3_column_type(st.get(), 4) != SQLITE_NULL;
        c.primary_key = sqlite3_column_int(st.get(), 5) != 0;
        out.push_back(std::move(c));
    }
    if (out.empty()) throw std::runtime_error(fmt::format("the engine's schema has no table {}", table));
    return out;
}

std::set<std::string> read_unique_columns(sqlite3* db, std::string_view table) {
    std::vector<std::string> indexes;
    {
        auto st = prepare(db, fmt::format("PRAGMA index_list({})", quote_identifier(table)));
        while (sqlite3_step(st.get()) == SQLITE_ROW) {
            if (sqlite3_column_int(st.get(), 2) != 0) indexes.push_back(column_text(st.get(), 1));
        }
    }
    std::set<std::string> out;
    for (const auto& index : indexes) {
        auto st = prepare(db, fmt::format("PRAGMA index_info({})", quote_identifier(index)));
        while (sqlite3_step(st.get()) == SQLITE_ROW) {
            if (sqlite3_column_type(st.get(), 2) != SQLITE_NULL) out.insert(column_text(st.get(), 2));
        }
    }
    return out;
}

std::vector<Value> read_row(sqlite3* db, std::int64_t id) {
    auto st = prepare(db, "SELECT * FROM customers WHERE id=?");
    sqlite3_bind_int64(st.get(), 1, id);
    if (sqlite3_step(st.get()) != SQLITE_ROW) throw std::runtime_error("the probe customer is missing");
    std::vector<Value> row;
    for (int i = 0; i < sqlite3_column_count(st.get()); ++i) row.push_back(read_value(st.get(), i));
    return row;
}

/// Opens a file with the engine once (creating one customer, so we see the
/// values the engine stores), closes it, and reads everything back.
EngineSchema probe_engine_schema(const fs::path& path) {
    std::int64_t probe_id = 0;
    {
        crm::Engine engine(path.string());
        probe_id = engine.customers().create(to_customer(make_sample(0))).id;
    }
    auto db = open_db(path, SQLITE_OPEN_READONLY);
    EngineSchema schema;
    schema.statements = read_statements(db.get());
    schema.columns = read_columns(db.get(), "customers");
    schema.unique_columns = read_unique_columns(db.get(), "customers");
    schema.probe_row = read_row(db.get(), probe_id);
    if (schema.probe_row.size() != schema.columns.size()) {
        throw std::runtime_error("SELECT * and table_info disagree on the customers columns");
    }
    return schema;
}

DbPtr create_raw_database(const fs::path& path, const EngineSchema& schema) {
    auto db = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    exec(db.get(), "PRAGMA journal_mode=WAL");
    exec(db.get(), "PRAGMA synchronous=NORMAL");
    exec(db.get(), "PRAGMA foreign_keys=ON");
    exec(db.get(), "BEGIN");
    for (const auto& sql : schema.statements) exec(db.get(), sql);
    // The engine keeps a row count that its triggers update: give the raw
    // side the same row, so its triggers do the same work.
    exec(db.get(),
         "INSERT INTO row_counts (collection, n) SELECT 'customers', 0 "
         "WHERE EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'row_counts')");
    exec(db.get(), "COMMIT");
    return db;
}

// ---------------------------------------------------------------------------
// Raw inserts: the values the engine would store, per column of `customers`.

/// Where a column's value comes from on the raw side.
enum class Source {
    skip,           ///< INTEGER PRIMARY KEY: SQLite assigns it
    sample,         ///< a field of the sample customer
    uuid,           ///< a fresh random UUID v4
    timestamp_text, ///< now, RFC 3339 UTC text
    timestamp_int,  ///< now, an integer (microseconds or seconds, as the probe row)
    unique_copy,    ///< the probe value made distinct per row
    probe,          ///< the probe value as is (an engine default)
    by_type,        ///< a plausible value for the declared type (NOT NULL, no probe value)
};

struct ColumnPlan {
    const Column* column = nullptr;
    Source source = Source::probe;
    Value probe;
    bool seconds = false;  ///< timestamp_int: seconds rather than microseconds
};

/// The value of a sample field named like a column; nullopt when no field has that name.
std::optional<Value> sample_field(const Sample& s, std::string_view column) {
    const auto text = [](const std::optional<std::string>& v) -> Value {
        return v ? Value{*v} : Value{std::monostate{}};
    };
    if (column == "kind") return Value{std::string(s.company ? "company" : "person")};
    if (column == "first_name") return Value{s.first_name};
    if (column == "last_name") return Value{s.last_name};
    if (column == "full_name") return Value{s.first_name + " " + s.last_name};
    if (column == "email") return Value{s.email};
    if (column == "phone") return text(s.phone);
    if (column == "company_name") return text(s.company_name);
    if (column == "date_of_birth") return text(s.date_of_birth);
    if (column == "accepts_marketing") return Value{std::int64_t{s.accepts_marketing ? 1 : 0}};
    return std::nullopt;
}

bool same_storage_class(const Value& a, const Value& b) {
    return std::holds_alternative<std::monostate>(a) || std::holds_alternative<std::monostate>(b) ||
           a.index() == b.index();
}

bool is_timestamp_column(std::string_view name) {
    return name == "date_joined" || (name.size() > 3 && name.ends_with("_at"));
}

Value by_declared_type(const Column& c) {
    if (c.type.find("INT") != std::string::npos) return std::int64_t{0};
    if (c.type.find("REAL") != std::string::npos || c.type.find("FLOA") != std::string::npos ||
        c.type.find("DOUB") != std::string::npos) {
        return 0.0;
    }
    if (c.type.find("BLOB") != std::string::npos) return std::vector<unsigned char>{};
    return std::string();
}

ColumnPlan plan_column(const Column& c, const Value& probe, const std::set<std::string>& unique) {
    ColumnPlan plan{&c, Source::probe, probe, false};
    const bool probe_null = std::holds_alternative<std::monostate>(probe);
    if (c.primary_key && c.type == "INTEGER") {
        plan.source = Source::skip;
    } else if (const auto field = sample_field(make_sample(0), c.name); field && same_storage_class(*field, probe)) {
        plan.source = Source::sample;
    } else if (c.name == "uuid") {
        plan.source = Source::uuid;
    } else if (is_timestamp_column(c.name) && !probe_null) {
        if (const auto* n = std::get_if<std::int64_t>(&probe)) {
            plan.source = Source::timestamp_int;
            plan.seconds = *n < 100'000'000'000;  // before year 5138 in seconds, so seconds
        } else {
            plan.source = Source::timestamp_text;
        }
    } else if (unique.contains(c.name) && !probe_null) {
        plan.source = Source::unique_copy;
    } else if (probe_null && c.not_null && !c.has_default) {
        plan.source = Source::by_type;
        plan.probe = by_declared_type(c);
    }
    return plan;
}

std::string format_now_rfc3339(std::chrono::system_clock::time_point now) {
    const auto us = std::chrono::floor<std::chrono::microseconds>(now);
    const auto secs = std::chrono::floor<std::chrono::seconds>(us);
    const auto day = std::chrono::floor<std::chrono::days>(secs);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{secs - day};
    const auto fraction = (us - secs).count();
    auto out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                           static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                           hms.hours().count(), hms.minutes().count(), hms.seconds().count());
    if (fraction != 0) out += fmt::format(".{:06}", fraction);
    return out + 'Z';
}

/// Inserts customers with plain SQLite, one committed transaction each.
class RawInserter {
public:
    RawInserter(sqlite3* db, const EngineSchema& schema) : db_(db), rng_(kSeed) {
        for (std::size_t i = 0; i < schema.columns.size(); ++i) {
            auto plan = plan_column(schema.columns[i], schema.probe_row[i], schema.unique_columns);
            if (plan.source != Source::skip) plans_.push_back(std::move(plan));
        }
        std::string names, marks;
        for (const auto& p : plans_) {
            names += (names.empty() ? "" : ",") + quote_identifier(p.column->name);
            marks += marks.empty() ? "?" : ",?";
        }
        begin_ = prepare(db_, "BEGIN IMMEDIATE");
        insert_ = prepare(db_, fmt::format("INSERT INTO customers({}) VALUES({})", names, marks));
        commit_ = prepare(db_, "COMMIT");
        values_.resize(plans_.size());
    }

    /// One customer, in its own transaction; returns its id.
    std::int64_t insert(const Sample& s, std::int64_t i) {
        run(db_, begin_.get(), "BEGIN IMMEDIATE");
        const auto now = std::chrono::system_clock::now();
        for (std::size_t k = 0; k < plans_.size(); ++k) {
            values_[k] = value_for(plans_[k], s, i, now);
            check(db_, bind_value(insert_.get(), static_cast<int>(k + 1), values_[k]), "bind");
        }
        const int rc = sqlite3_step(insert_.get());
        sqlite3_reset(insert_.get());
        if (rc != SQLITE_DONE) {
            const std::string message = sqlite3_errmsg(db_);
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            throw std::runtime_error("sqlite: insert: " + message);
        }
        const std::int64_t id = sqlite3_last_insert_rowid(db_);
        run(db_, commit_.get(), "COMMIT");
        return id;
    }

    /// How each column is filled, for the report.
    std::string describe_plan() const {
        std::string out;
        for (const auto& p : plans_) {
            out += fmt::format("{}{}={}", out.empty() ? "" : ", ", p.column->name, source_name(p.source));
        }
        return out;
    }

private:
    static std::string_view source_name(Source s) {
        switch (s) {
            case Source::skip: return "rowid";
            case Source::sample: return "sample";
            case Source::uuid: return "uuid";
            case Source::timestamp_text: return "now(text)";
            case Source::timestamp_int: return "now(int)";
            case Source::unique_copy: return "probe+i";
            case Source::probe: return "probe";
            case Source::by_type: return "by-type";
        }
        return "?";
    }

    Value value_for(const ColumnPlan& p, const Sample& s, std::int64_t i,
                    std::chrono::system_clock::time_point now) {
        switch (p.source) {
            case Source::sample: return *sample_field(s, p.column->name);
            case Source::uuid: return make_uuid();
            case Source::timestamp_text: return format_now_rfc3339(now);
            case Source::timestamp_int: {
                const auto d = now.time_since_epoch();
                return std::int64_t{p.seconds ? std::chrono::duration_cast<std::chrono::seconds>(d).count()
                                              : std::chrono::duration_cast<std::chrono::microseconds>(d).count()};
            }
            case Source::unique_copy:
                if (const auto* n = std::get_if<std::int64_t>(&p.probe)) return *n + i;
                if (const auto* t = std::get_if<std::string>(&p.probe)) return fmt::format("{}{}", *t, i);
                return p.probe;
            case Source::skip:
            case Source::probe:
            case Source::by_type: return p.probe;
        }
        return p.probe;
    }

    std::string make_uuid() {
        std::uint64_t hi = rng_(), lo = rng_();
        hi = (hi & ~std::uint64_t{0xF000}) | 0x4000;                       // version 4
        lo = (lo & ~(std::uint64_t{0xC} << 60)) | (std::uint64_t{0x8} << 60);  // variant 10xx
        return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF,
                           lo >> 48, lo & 0xFFFF'FFFF'FFFF);
    }

    sqlite3* db_;
    std::mt19937_64 rng_;
    std::vector<ColumnPlan> plans_;
    std::vector<Value> values_;  // kept alive while bound (SQLITE_STATIC)
    StmtPtr begin_, insert_, commit_;
};

// ---------------------------------------------------------------------------
// Raw reads: one row by id, as values or as a JSON object.

class RawReader {
public:
    explicit RawReader(sqlite3* db) : select_(prepare(db, "SELECT * FROM customers WHERE id=?")) {
        for (int i = 0; i < sqlite3_column_count(select_.get()); ++i) {
            names_.emplace_back(sqlite3_column_name(select_.get(), i));
        }
    }

    /// Every column of customer `id`.
    std::vector<Value> row(std::int64_t id) {
        step(id);
        std::vector<Value> out;
        out.reserve(names_.size());
        for (int i = 0; i < static_cast<int>(names_.size()); ++i) out.push_back(read_value(select_.get(), i));
        sqlite3_reset(select_.get());
        return out;
    }

    /// Every column of customer `id`, serialised as one JSON object.
    std::string row_json(std::int64_t id) {
        step(id);
        json::object o;
        o.reserve(names_.size());
        for (int i = 0; i < static_cast<int>(names_.size()); ++i) o[names_[i]] = json_value(i);
        sqlite3_reset(select_.get());
        return json::serialize(o);
    }

    const std::vector<std::string>& names() const noexcept { return names_; }

private:
    void step(std::int64_t id) {
        sqlite3_bind_int64(select_.get(), 1, id);
        if (sqlite3_step(select_.get()) != SQLITE_ROW) {
            sqlite3_reset(select_.get());
            throw std::runtime_error(fmt::format("raw get: no customer {}", id));
        }
    }

    json::value json_value(int i) const {
        sqlite3_stmt* st = select_.get();
        switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER: return sqlite3_column_int64(st, i);
            case SQLITE_FLOAT: return sqlite3_column_double(st, i);
            case SQLITE_TEXT: {
                const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
                return json::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
            }
            default: return nullptr;  // NULL (and blobs, which customers do not have)
        }
    }

    StmtPtr select_;
    std::vector<std::string> names_;
};

// ---------------------------------------------------------------------------
// The C ABI, with errors turned into exceptions.

class CapiEngine {
public:
    explicit CapiEngine(const fs::path& path) {
        if (crm_open(path.c_str(), nullptr, &engine_) != CRM_OK) fail("crm_open");
    }
    ~CapiEngine() { crm_close(engine_); }
    CapiEngine(const CapiEngine&) = delete;
    CapiEngine& operator=(const CapiEngine&) = delete;

    crm_engine* get() const noexcept { return engine_; }

    [[noreturn]] static void fail(std::string_view what) {
        const char* error = crm_last_error();
        throw std::runtime_error(fmt::format("{}: {}", what, error ? error : "(no error text)"));
    }

private:
    crm_engine* engine_ = nullptr;
};

std::int64_t id_of(const char* object_json) {
    return json::value_to<std::int64_t>(json::parse(object_json).as_object().at("id"));
}

// ---------------------------------------------------------------------------
// The operations.

struct Created {
    std::vector<std::int64_t> ids;
    Stats stats;
};

Created create_cpp(crm::Engine& engine, std::int64_t n) {
    Timings t(static_cast<std::size_t>(n));
    std::vector<std::int64_t> ids;
    ids.reserve(static_cast<std::size_t>(n));
    auto customers = engine.customers();
    for (std::int64_t i = 1; i <= n; ++i) {
        const crm::Customer c = to_customer(make_sample(i));
        ids.push_back(t.time([&] { return customers.create(c).id; }));
    }
    return {std::move(ids), t.stats()};
}

Created create_capi(const CapiEngine& engine, std::int64_t n) {
    Timings t(static_cast<std::size_t>(n));
    std::vector<std::int64_t> ids;
    ids.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 1; i <= n; ++i) {
        const std::string body = to_json_text(make_sample(i));
        char* out = nullptr;
        const auto start = Clock::now();
        const int rc = crm_create(engine.get(), "customers", body.c_str(), &out);
        const auto created = Clock::now();
        if (rc != CRM_OK) CapiEngine::fail("crm_create");
        ids.push_back(id_of(out));  // not timed: only the bench needs the id
        const auto parsed = Clock::now();
        crm_free(out);
        t.add((created - start) + (Clock::now() - parsed));
    }
    return {std::move(ids), t.stats()};
}

Created raw_insert(RawInserter& inserter, std::int64_t n) {
    Timings t(static_cast<std::size_t>(n));
    std::vector<std::int64_t> ids;
    ids.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 1; i <= n; ++i) {
        const Sample s = make_sample(i);
        ids.push_back(t.time([&] { return inserter.insert(s, i); }));
    }
    return {std::move(ids), t.stats()};
}

void expect(bool ok, std::string_view what) {
    if (!ok) throw std::runtime_error(fmt::format("check failed: {}", what));
}

Stats get_cpp(crm::Engine& engine, const std::vector<std::int64_t>& ids, const std::vector<std::size_t>& picks) {
    Timings t(picks.size());
    auto customers = engine.customers();
    for (const auto p : picks) {
        const auto id = ids[p];
        expect(t.time([&] { return customers.get(id).id; }) == id, "get_cpp returns the asked id");
    }
    return t.stats();
}

Stats get_capi_json(const CapiEngine& engine, const std::vector<std::int64_t>& ids,
                    const std::vector<std::size_t>& picks) {
    Timings t(picks.size());
    for (const auto p : picks) {
        const auto size = t.time([&] {
            char* out = nullptr;
            if (crm_get(engine.get(), "customers", ids[p], &out) != CRM_OK) CapiEngine::fail("crm_get");
            const std::size_t n = std::strlen(out);
            crm_free(out);
            return n;
        });
        expect(size > 2, "crm_get returns an object");
    }
    return t.stats();
}

Stats raw_get(RawReader& reader, const std::vector<std::int64_t>& ids, const std::vector<std::size_t>& picks) {
    Timings t(picks.size());
    for (const auto p : picks) {
        const auto id = ids[p];
        const auto first = t.time([&] {
            const auto row = reader.row(id);
            return std::get<std::int64_t>(row.at(0));
        });
        expect(first == id, "raw_get returns the asked id");
    }
    return t.stats();
}

Stats raw_get_json(RawReader& reader, const std::vector<std::int64_t>& ids,
                   const std::vector<std::size_t>& picks) {
    Timings t(picks.size());
    for (const auto p : picks) {
        const auto size = t.time([&] { return reader.row_json(ids[p]).size(); });
        expect(size > 2, "raw_get_json returns an object");
    }
    return t.stats();
}

// ---------------------------------------------------------------------------
// Report

struct Result {
    std::string op;
    Stats stats;
    std::optional<Stats> raw;      ///< the raw counterpart, for engine operations
    std::optional<bool> pass;      ///< against the target, when the operation has one
    std::string target;            ///< the target, in words
    double ratio() const { return raw && raw->mean_us > 0 ? stats.mean_us / raw->mean_us : 0.0; }
};

Result compare(std::string op, const Stats& s, const Stats& raw) {
    return {std::move(op), s, raw, std::nullopt, {}};
}

Result with_create_target(Result r) {
    r.pass = r.ratio() <= kCreateTarget;
    r.target = fmt::format("<= {}x raw", kCreateTarget);
    return r;
}

Result with_get_json_target(Result r) {
    r.pass = r.ratio() <= kGetJsonTarget && r.stats.p50_us < kGetJsonP50TargetUs;
    r.target = fmt::format("<= {}x raw, p50 < {} us", kGetJsonTarget, kGetJsonP50TargetUs);
    return r;
}

void print_table(const std::vector<Result>& results) {
    fmt::print("{:<14} {:>8} {:>10} {:>9} {:>9} {:>10} {:>7}  {}\n", "op", "n", "µs/op", "p50", "p99",
               "raw µs/op", "ratio", "target");
    for (const auto& r : results) {
        const auto raw = r.raw ? fmt::format("{:.2f}", r.raw->mean_us) : std::string("-");
        const auto ratio = r.raw ? fmt::format("{:.2f}x", r.ratio()) : std::string("-");
        const auto target = r.pass ? fmt::format("{} ({})", *r.pass ? "PASS" : "MISS", r.target) : std::string("-");
        fmt::print("{:<14} {:>8} {:>10.2f} {:>9.2f} {:>9.2f} {:>10} {:>7}  {}\n", r.op, r.stats.count,
                   r.stats.mean_us, r.stats.p50_us, r.stats.p99_us, raw, ratio, target);
    }
}

/// A JSON number with 3 decimals (Boost.JSON would write 1.9555933850000008E2).
std::string json_number(std::optional<double> v) {
    return v ? fmt::format("{:.3f}", *v) : std::string("null");
}

void print_json_lines(const std::vector<Result>& results) {
    for (const auto& r : results) {
        const auto raw = r.raw ? std::optional<double>(r.raw->mean_us) : std::nullopt;
        const auto ratio = r.raw ? std::optional<double>(r.ratio()) : std::nullopt;
        fmt::print(R"({{"op":{},"n":{},"us_per_op":{},"p50_us":{},"p99_us":{},"raw_us_per_op":{},"ratio":{}}})"
                   "\n",
                   json::serialize(json::string(r.op)), r.stats.count, json_number(r.stats.mean_us),
                   json_number(r.stats.p50_us), json_number(r.stats.p99_us), json_number(raw), json_number(ratio));
    }
}

/// Shows what the raw side stores and reads, so the comparison can be checked.
void print_raw_samples(std::FILE* out, RawReader& reader, std::int64_t id, const RawInserter& inserter) {
    fmt::print(out, "raw insert columns: {}\n", inserter.describe_plan());
    const auto row = reader.row(id);
    std::string fields;
    for (std::size_t i = 0; i < row.size(); ++i) {
        fields += fmt::format("{}{}={}", fields.empty() ? "" : ", ", reader.names()[i], describe(row[i]));
    }
    fmt::print(out, "raw_get row:        {}\n", fields);
    fmt::print(out, "raw_get_json row:   {}\n", reader.row_json(id));
}

int run_bench(const Config& config) {
    const TempDir dir;
    std::FILE* info = config.json_lines ? stderr : stdout;
    fmt::print(info, "crm_bench: crm {} / SQLite {}, {} customers per side, files in {}\n", crm_version(),
               sqlite3_libversion(), config.customers, dir.path().string());

    const EngineSchema schema = probe_engine_schema(dir.file("schema_probe.db"));
    auto raw_db = create_raw_database(dir.file("raw.db"), schema);
    crm::Engine cpp_engine(dir.file("cpp.db").string());
    const CapiEngine capi_engine(dir.file("capi.db"));
    RawInserter inserter(raw_db.get(), schema);

    const auto n = config.customers;
    const Created cpp = create_cpp(cpp_engine, n);
    const Created capi = create_capi(capi_engine, n);
    const Created raw = raw_insert(inserter, n);

    const auto picks = pick_positions(static_cast<std::size_t>(n), static_cast<std::size_t>(std::min(n, kGets)));
    RawReader reader(raw_db.get());
    const Stats got_cpp = get_cpp(cpp_engine, cpp.ids, picks);
    const Stats got_capi = get_capi_json(capi_engine, capi.ids, picks);
    const Stats got_raw = raw_get(reader, raw.ids, picks);
    const Stats got_raw_json = raw_get_json(reader, raw.ids, picks);

    print_raw_samples(info, reader, raw.ids.at(picks.front()), inserter);
    fmt::print(info, "\n");

    const std::vector<Result> results{
        with_create_target(compare("create_cpp", cpp.stats, raw.stats)),
        with_create_target(compare("create_capi", capi.stats, raw.stats)),
        {"raw_insert", raw.stats, std::nullopt, std::nullopt, {}},
        compare("get_cpp", got_cpp, got_raw),
        with_get_json_target(compare("get_capi_json", got_capi, got_raw_json)),
        {"raw_get", got_raw, std::nullopt, std::nullopt, {}},
        {"raw_get_json", got_raw_json, std::nullopt, std::nullopt, {}},
    };
    if (config.json_lines) {
        print_json_lines(results);
    } else {
        print_table(results);
    }
    return 0;  // targets are informative only
}

}  // namespace

int main(int argc, char** argv) {
    const ParsedArgs args = parse_args(argc, argv);
    if (!args.config) return args.exit_code;
    try {
        return run_bench(*args.config);
    } catch (const crm::Error& e) {
        fmt::print(stderr, "crm_bench: {}\n", e.to_json());
    } catch (const std::exception& e) {
        fmt::print(stderr, "crm_bench: {}\n", e.what());
    }
    return 1;
}

// storage/sqlite_row.hpp - prepared SELECTs whose rows are read straight
// from the sqlite3 C API.
//
// Why not SQLiteCpp here (it stays for the connection, writes, transactions
// and schema): SQLite::Statement::getColumn() builds a Column per access,
// and each Column copies the statement's shared_ptr (two atomic operations
// per column), while the statement keeps its sqlite3_stmt private (3.2.1).
// Reading the 40 columns of 50 customers that way was ~10% of a list page
// (170 -> 153 us p50 for a keyset page at depth 20,000 of 1,000,000).
// Cell mirrors the part of SQLite::Column the row codecs use, so a codec's
// reader reads the same with either.
#pragma once

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>

namespace crm::storage {

/// One column of the current row of a statement.
class Cell {
public:
    Cell(sqlite3_stmt* st, int i) noexcept : st_(st), i_(i) {}
    bool isNull() const noexcept { return sqlite3_column_type(st_, i_) == SQLITE_NULL; }
    bool isInteger() const noexcept { return sqlite3_column_type(st_, i_) == SQLITE_INTEGER; }
    std::int64_t getInt64() const noexcept { return sqlite3_column_int64(st_, i_); }
    int getInt() const noexcept { return sqlite3_column_int(st_, i_); }
    /// The text ("" for NULL), valid until the statement steps or resets.
    std::string_view view() const noexcept {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, i_));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, i_))) : std::string_view{};
    }
    /// The text, or nullopt for NULL: two calls into SQLite, not three.
    std::optional<std::string_view> text_or_null() const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, i_));
        if (p) return std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, i_)));
        if (isNull()) return std::nullopt;
        throw std::bad_alloc();  // SQLite could not convert the value to text
    }
    const char* getText() const noexcept {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, i_));
        return p ? p : "";
    }
    std::string getString() const { return std::string(view()); }

private:
    sqlite3_stmt* st_;
    int i_;
};

/// The text of `c` into `out`, keeping its storage: a row read over the
/// last one (a page read into one Customer) allocates only to grow.
inline void assign_text(const Cell& c, std::string& out) { out.assign(c.view()); }
inline void assign_text(const Cell& c, std::optional<std::string>& out) {
    const std::optional<std::string_view> v = c.text_or_null();
    if (!v)
        out.reset();
    else if (out)
        out->assign(*v);
    else
        out.emplace(*v);
}

/// The current row of a statement.
class RowView {
public:
    explicit RowView(sqlite3_stmt* st) noexcept : st_(st) {}
    Cell getColumn(int i) const noexcept { return {st_, i}; }

private:
    sqlite3_stmt* st_;
};

/// A prepared SELECT (prepared once, kept: SQLITE_PREPARE_PERSISTENT).
/// Failures throw SQLite::Exception, as SQLiteCpp does, so the store's
/// error translation covers both.
class Reader {
public:
    Reader(sqlite3* db, const std::string& sql) : db_(db) {
        if (const int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()) + 1,
                                              SQLITE_PREPARE_PERSISTENT, &st_, nullptr);
            rc != SQLITE_OK) {
            sqlite3_finalize(st_);
            throw SQLite::Exception(db, rc);
        }
    }
    ~Reader() { sqlite3_finalize(st_); }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    void bind(int i, std::int64_t v) { check(sqlite3_bind_int64(st_, i, v)); }
    void bind(int i, std::string_view v) {
        check(sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    }
    void bind(int i) { check(sqlite3_bind_null(st_, i)); }

    /// Steps to the next row: false when there is none.
    bool step() {
        const int rc = sqlite3_step(st_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw SQLite::Exception(db_, rc);
    }
    RowView row() const noexcept { return RowView(st_); }
    /// Ready to run again, its parameters NULL.
    void reset() noexcept {
        sqlite3_reset(st_);
        sqlite3_clear_bindings(st_);
    }

private:
    void check(int rc) const {
        if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
    }
    sqlite3* db_;
    sqlite3_stmt* st_ = nullptr;
};

/// Resets a reader when the scope that ran it ends.
struct ReaderReset {
    Reader& r;
    ~ReaderReset() { r.reset(); }
};

}  // namespace crm::storage

// storage/row_codecs.hpp - how each model (but customers, see
// sqlite_store.cpp) maps to its SQLite table: its columns in one fixed
// order, their binding and reading, and the table as the list renderer sees
// it. The generic store operations in sqlite_store.cpp use these.
#pragma once

#include "storage/list_sql.hpp"
#include "storage/sqlite_row.hpp"

#include <crm/credit.hpp>
#include <crm/form.hpp>
#include <crm/message.hpp>
#include <crm/order.hpp>
#include <crm/ticket.hpp>

#include <SQLiteCpp/Statement.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crm::storage {

/// A unique column and the value a row would write there (nullopt: NULL).
using UniqueValue = std::pair<std::string_view, std::optional<std::string>>;

struct OrderCodec {
    using Row = Order;
    static constexpr std::string_view kTable = "orders";
    static constexpr std::string_view kName = "order";
    static const char* columns();  ///< "id, ..." (id first)
    static int column_count();
    static const TableDecl& table();
    static void bind(SQLite::Statement& s, const Order& o);  ///< every column but id, from 1
    static Order read(const RowView& r);                          ///< from column 0
    static std::vector<UniqueValue> unique_values(const Order&) { return {}; }
};

struct MessageCodec {
    using Row = Message;
    static constexpr std::string_view kTable = "messages";
    static constexpr std::string_view kName = "message";
    static const char* columns();
    static int column_count();
    static const TableDecl& table();
    static void bind(SQLite::Statement& s, const Message& m);
    static Message read(const RowView& r);
    static std::vector<UniqueValue> unique_values(const Message&) { return {}; }
};

struct FormCodec {
    using Row = Form;
    static constexpr std::string_view kTable = "forms";
    static constexpr std::string_view kName = "form";
    static const char* columns();
    static int column_count();
    static const TableDecl& table();
    static void bind(SQLite::Statement& s, const Form& f);
    static Form read(const RowView& r);
    static std::vector<UniqueValue> unique_values(const Form& f) { return {{"name", f.name}}; }
};

struct TicketCodec {
    using Row = Ticket;
    static constexpr std::string_view kTable = "tickets";
    static constexpr std::string_view kName = "ticket";
    static const char* columns();
    static int column_count();
    static const TableDecl& table();
    static void bind(SQLite::Statement& s, const Ticket& t);
    static Ticket read(const RowView& r);
    static std::vector<UniqueValue> unique_values(const Ticket& t) { return {{"ref", t.ref}}; }
};

struct LedgerCodec {
    using Row = LedgerEntry;
    static constexpr std::string_view kTable = "ledger";
    static constexpr std::string_view kName = "ledger entry";
    static const char* columns();
    static int column_count();
    static const TableDecl& table();
    static void bind(SQLite::Statement& s, const LedgerEntry& e);
    static LedgerEntry read(const RowView& r);
    static std::vector<UniqueValue> unique_values(const LedgerEntry& e) { return {{"ref", e.ref}}; }
};

struct CreditRequestCodec {
    using Row = CreditRequest;
    static constexpr std::string_view kTable = "credit_requests";
    static constexpr std::string_view kName = "credit request";
    static const char* columns();
    static int column_count();
    static const TableDecl& table();
    static void bind(SQLite::Statement& s, const CreditRequest& r);
    static CreditRequest read(const RowView& r);
    static std::vector<UniqueValue> unique_values(const CreditRequest&) { return {}; }
};

}  // namespace crm::storage

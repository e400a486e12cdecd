// storage/store.hpp - what the engine asks of a storage backend.
//
// The engine layer sees only this interface: domain models in, domain
// models out, query plans to run. No SQL and no SQLite type crosses it, so a
// PostgreSQL backend can implement it beside the SQLite one.
#pragma once

#include "domain/customer_text.hpp"
#include "query/list_plan.hpp"

#include <crm/credit.hpp>
#include <crm/customer.hpp>
#include <crm/form.hpp>
#include <crm/message.hpp>
#include <crm/options.hpp>
#include <crm/order.hpp>
#include <crm/ticket.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace crm::storage {

/// A transaction on the store's connection. Destroyed without commit(), it
/// rolls back.
class Transaction {
public:
    virtual ~Transaction() = default;
    virtual void commit() = 0;
};

/// What a page holds besides its rows.
struct PageEnd {
    std::optional<std::int64_t> count;  ///< nullopt when the plan skips counting
    bool has_more = false;              ///< rows exist past this page
    /// Where the page ends, for its next_cursor: the last row's sort key
    /// values and id (set when has_more).
    query::CursorPosition last;
};

template <class T>
struct ListResult : PageEnd {
    std::vector<T> rows;
};

/// A customer of a page as its JSON text is written: typed, but for its
/// three JSON object fields (left empty in `row`), which are the stored text,
/// checked to be one JSON object each. Valid during the sink's call only.
struct CustomerText {
    Customer& row;
    domain::CustomerJsonFields json;
};

/// Receives a page of customers as the store reads it: its count first,
/// then each row in order.
class CustomerSink {
public:
    virtual void count(std::optional<std::int64_t> n) = 0;
    virtual void row(const CustomerText& c) = 0;

protected:
    ~CustomerSink() = default;
};

/// What the credit rules need to know of a customer.
struct CustomerRef {
    std::int64_t id = 0;
    std::string uuid;
    std::optional<std::string> loyalty_card;
    std::int64_t credit_cents = 0;
    std::int64_t refusal_count = 0;
    bool is_active = true;
    bool archived = false;
};

class Store {
public:
    virtual ~Store() = default;

    /// Starts a transaction; a write one takes the write lock at once
    /// (waiting up to the busy timeout, then BusyError).
    virtual std::unique_ptr<Transaction> begin(bool write) = 0;

    /// A savepoint inside the current transaction: commit() releases it,
    /// destruction without commit() rolls back to it (the transaction goes on).
    virtual std::unique_ptr<Transaction> savepoint() = 0;

    /// The database's own key for signing list cursors.
    virtual query::CursorKey cursor_key() = 0;

    // --- customers (inside a transaction) ---
    /// Inserts `c` (already validated), assigning c.id. Unique email or
    /// loyalty_card taken: ConflictError naming the field.
    virtual void insert_customer(Customer& c) = 0;
    virtual std::optional<Customer> find_customer(std::int64_t id) = 0;
    /// Rewrites every stored column of customer c.id.
    virtual void update_customer(const Customer& c) = 0;
    /// False when there was no such customer.
    virtual bool delete_customer(std::int64_t id) = 0;
    virtual ListResult<Customer> list_customers(const query::ListPlan& plan) = 0;
    /// The same page handed to `sink` one row at a time, each read into the
    /// same Customer, its JSON object fields as text: the way to write a
    /// page as JSON without building it.
    virtual PageEnd each_customer(const query::ListPlan& plan, CustomerSink& sink) = 0;
    /// How the backend would list `plan` (of any collection): for tests and
    /// diagnostics (SQLite: EXPLAIN QUERY PLAN of the page query or keyset
    /// branches, then of the count query when there is one, one detail per line).
    virtual std::string explain_list(const query::ListPlan& plan) = 0;
    virtual bool customer_exists(std::int64_t id) = 0;
    /// The customer whose `key` (email, uuid, crm_id, erp_code or
    /// loyalty_card) equals `value` (the first by id when several do).
    virtual std::optional<Customer> find_customer_by(std::string_view key, const std::string& value) = 0;

    // --- orders, messages, forms (inside a transaction) ---
    // insert_* assigns the id; update_* rewrites every column of row .id;
    // delete_* is false when there was no such row.
    virtual void insert_order(Order& o) = 0;
    virtual std::optional<Order> find_order(std::int64_t id) = 0;
    virtual void update_order(const Order& o) = 0;
    virtual bool delete_order(std::int64_t id) = 0;
    virtual ListResult<Order> list_orders(const query::ListPlan& plan) = 0;
    /// max(number) + 1 over every order (1 for the first); call it inside the
    /// write transaction that inserts, so two writers never get the same.
    virtual std::int64_t next_order_number() = 0;

    virtual void insert_message(Message& m) = 0;
    virtual std::optional<Message> find_message(std::int64_t id) = 0;
    virtual void update_message(const Message& m) = 0;
    virtual bool delete_message(std::int64_t id) = 0;
    virtual ListResult<Message> list_messages(const query::ListPlan& plan) = 0;

    /// A form name already used is ConflictError naming `name`.
    virtual void insert_form(Form& f) = 0;
    virtual std::optional<Form> find_form(std::int64_t id) = 0;
    virtual void update_form(const Form& f) = 0;
    virtual bool delete_form(std::int64_t id) = 0;
    virtual ListResult<Form> list_forms(const query::ListPlan& plan) = 0;
    virtual std::vector<Form> active_forms() = 0;
    /// A number that changes whenever any form changes, in any process.
    virtual std::int64_t forms_version() = 0;
    /// Makes filters on attributes.<name> (an identifier a form declares)
    /// use an index.
    virtual void index_attribute(const std::string& name) = 0;

    // --- tickets, ledger, credit requests (inside a transaction) ---
    virtual std::optional<CustomerRef> customer_ref(std::int64_t id) = 0;
    virtual std::optional<CustomerRef> customer_by_uuid(const std::string& uuid) = 0;
    virtual std::optional<CustomerRef> customer_by_card(const std::string& card) = 0;

    /// Inserts a ticket (its customer's ticket statistics follow). A ref
    /// already used: ConflictError naming `ref`.
    virtual void insert_ticket(Ticket& t) = 0;
    virtual std::optional<Ticket> find_ticket(std::int64_t id) = 0;
    virtual std::optional<Ticket> find_ticket_by_ref(const std::string& ref) = 0;
    virtual bool delete_ticket(std::int64_t id) = 0;
    virtual ListResult<Ticket> list_tickets(const query::ListPlan& plan) = 0;
    /// Sum of total_cents of a customer's tickets dated in [from, to).
    virtual std::int64_t ticket_total_between(std::int64_t customer_id, Timestamp from, Timestamp to) = 0;

    /// Appends an entry and applies it to the customer's credit_cents. An
    /// entry that would take the balance below zero: ConflictError.
    virtual void insert_ledger(LedgerEntry& e) = 0;
    virtual std::optional<LedgerEntry> find_ledger_by_ref(LedgerReason reason, const std::string& ref) = 0;
    virtual ListResult<LedgerEntry> list_ledger(const query::ListPlan& plan) = 0;

    virtual void insert_credit_request(CreditRequest& r) = 0;
    virtual std::optional<CreditRequest> find_credit_request(std::int64_t id) = 0;
    virtual ListResult<CreditRequest> list_credit_requests(const query::ListPlan& plan) = 0;
    /// Adds one to the customer's refusal_count.
    virtual void add_refusal(std::int64_t customer_id) = 0;
};

/// Opens (creating or migrating) an SQLite store. IoError when the file
/// cannot be opened, is not a database, or has a newer schema.
std::unique_ptr<Store> open_sqlite_store(const std::string& path, const Options& options);

}  // namespace crm::storage

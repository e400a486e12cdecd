/// @file engine.hpp
/// crm::Engine, the C++ API.
///
/// An Engine is one open database (a file or ":memory:"). It is RAII: the
/// destructor closes it; it is movable and not copyable.
///
/// Every public call is one transaction: it either commits whole or changes
/// nothing, and throws a crm::Error carrying the C ABI's status code.
///
/// Thread safety: one Engine may be used from several threads at once. It owns
/// one SQLite connection and serialises calls on it with a mutex, so calls
/// from several threads never interleave inside a transaction. Several
/// processes (or several Engines) may open the same file at once: SQLite's WAL
/// locking arbitrates, writers wait up to Options::busy_timeout_ms and then
/// fail with crm::BusyError. A moved-from Engine must not be used.
#pragma once

#include <crm/crm.h>
#include <crm/bulk.hpp>
#include <crm/credit.hpp>
#include <crm/customer.hpp>
#include <crm/error.hpp>
#include <crm/form.hpp>
#include <crm/message.hpp>
#include <crm/options.hpp>
#include <crm/order.hpp>
#include <crm/page.hpp>
#include <crm/query.hpp>
#include <crm/ticket.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The C++ API of the crm engine (the C ABI is crm.h).
namespace crm {

class Engine;

/// One collection of an Engine, typed: customers(), orders(), tickets(),
/// messages(), forms(), ledger(), credit_requests(). A light view: valid
/// while its Engine lives; copy it freely.
/// Not every collection takes every call: tickets are immutable
/// (replace/update throw InvalidError); ledger() is list-only and
/// credit_requests() list-and-get (their rows are written by Credit): the
/// calls they do not take throw InvalidError.
/// Every call is one transaction and throws crm::Error on failure:
/// InvalidError naming every bad field, NotFoundError for a missing id (or
/// one <= 0), ConflictError for a taken unique value or a move the rules
/// forbid; any call may also throw BusyError or IoError. Thread safety is the
/// Engine's. Rows are returned by value, read-only fields filled.
template <class T>
class CRM_API Collection {
public:
    /// Validates and stores a new row (read-only fields are ignored).
    T create(const T& row);
    /// Reads one row. NotFoundError when there is no such id.
    T get(std::int64_t id);
    /// Full replacement: writable fields take `row`'s values (read-only ones
    /// are kept). NotFoundError when there is no such id.
    T replace(std::int64_t id, const T& row);
    /// Applies a JSON merge patch (RFC 7396) to the stored row; null returns a
    /// field to its default. InvalidError when `patch` is not an object.
    T update(std::int64_t id, const boost::json::value& patch);
    /// Deletes the row. Customers: ConflictError when it has orders,
    /// tickets or ledger entries (archive it instead); its messages and
    /// credit requests go too. Tickets: writes a `reversal` ledger entry for
    /// the credit the ticket accrued (ConflictError when that credit was
    /// already spent).
    void remove(std::int64_t id);
    /// One page of rows matching `q` (spec/query.md); InvalidError names a
    /// bad query key.
    Page<T> list(const Query& q = {});

private:
    friend class Engine;
    explicit Collection(Engine& e) : engine_(&e) {}
    Engine* engine_;
};

using Customers = Collection<Customer>;  ///< `customers`
using Orders = Collection<Order>;        ///< `orders`
using Messages = Collection<Message>;    ///< `messages`
using Forms = Collection<Form>;          ///< `forms`
using Tickets = Collection<Ticket>;      ///< `tickets` (create, get, delete, list)
using LedgerEntries = Collection<LedgerEntry>;     ///< `ledger` (list only)
using CreditRequests = Collection<CreditRequest>;  ///< `credit_requests` (get, list)

extern template class Collection<Customer>;
extern template class Collection<Order>;
extern template class Collection<Message>;
extern template class Collection<Form>;
extern template class Collection<Ticket>;
extern template class Collection<LedgerEntry>;
extern template class Collection<CreditRequest>;

/// Loyalty credit (seed 003) of an Engine: accrual from bare payments,
/// redemption, balances and credit requests. A light view like Collection;
/// every call is one transaction, so a balance is never lost to a
/// concurrent update (threads or processes). Cards are customers'
/// `loyalty_card` values.
class CRM_API Credit {
public:
    /// Accrues floor(amount_cents * credit_rate) for each payment, all or
    /// nothing. A payment whose ref was already applied is skipped and
    /// reported `duplicate`. InvalidError naming `payments[i].<field>`;
    /// NotFoundError for a card no customer holds.
    std::vector<Accrual> accrue(const std::vector<Payment>& payments);
    /// Spends `amount_cents` (1 .. 10^15) of the card's balance. ConflictError
    /// when it exceeds the balance (nothing written); a `ref` already redeemed
    /// is reported `duplicate` and not spent again. NotFoundError for an
    /// unknown card.
    Redemption redeem(const std::string& card, std::int64_t amount_cents, std::optional<std::string> ref = {});
    /// The card's balance. NotFoundError for an unknown card.
    Balance balance(const std::string& card);
    /// Decides a credit request (spec/domain.md "Credit requests"), stores it
    /// and returns it; a refusal adds one to the customer's refusal_count.
    /// NotFoundError when the customer does not exist.
    CreditRequest check(const CreditCheck& request);

private:
    friend class Engine;
    explicit Credit(Engine& e) : engine_(&e) {}
    Engine* engine_;
};

/// One open crm database: owns its SQLite connection (closed by the
/// destructor). Movable, not copyable; safe to share between threads.
class CRM_API Engine {
public:
    /// Opens (creating or migrating) the database at `path`, or an in-memory
    /// one for ":memory:". Throws IoError when the file cannot be opened, is
    /// not a crm database, or has a newer schema; InvalidError for bad options.
    explicit Engine(const std::string& path, Options options = {});
    /// Closes the database. No call may be running on it.
    ~Engine();
    /// Takes over the other Engine's database; that one must not be used
    /// afterwards (except to destroy or assign to it).
    Engine(Engine&&) noexcept;
    /// Closes this Engine's database and takes over the other's.
    Engine& operator=(Engine&&) noexcept;
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// The options it was opened with (validated).
    const Options& options() const noexcept;

    /// @{
    /// The typed collections: light views, valid while this Engine lives.
    Customers customers() { return Customers(*this); }
    Orders orders() { return Orders(*this); }
    Messages messages() { return Messages(*this); }
    Forms forms() { return Forms(*this); }
    Tickets tickets() { return Tickets(*this); }
    LedgerEntries ledger() { return LedgerEntries(*this); }
    CreditRequests credit_requests() { return CreditRequests(*this); }
    /// @}
    /// Loyalty credit: a light view, valid while this Engine lives.
    Credit credit() { return Credit(*this); }

    // --- Any collection by name, in JSON (what the C ABI calls) ---
    // `collection` is one of the names in crm.h; another name is
    // NotFoundError. Bodies are JSON objects in the shapes of spec/domain.md;
    // each call returns the stored object as it now is.
    /// Collection<T>::create() by collection name, in JSON. InvalidError when
    /// `body` is not an object; NotFoundError for an unknown collection.
    boost::json::object create(std::string_view collection, const boost::json::value& body);
    /// Collection<T>::get() by collection name, in JSON.
    boost::json::object get(std::string_view collection, std::int64_t id);
    /// Collection<T>::replace() by collection name, in JSON.
    boost::json::object replace(std::string_view collection, std::int64_t id,
                                const boost::json::value& body);
    /// Collection<T>::update() by collection name, in JSON.
    boost::json::object update(std::string_view collection, std::int64_t id,
                               const boost::json::value& patch);
    /// Collection<T>::remove() by collection name.
    void remove(std::string_view collection, std::int64_t id);
    /// The page object {"count","results","next_cursor", paging keys}.
    boost::json::object list(std::string_view collection, const Query& q = {});

    // The same results as get() and list(), already serialised to JSON text:
    // the reads' fast path (no intermediate boost::json::value).
    /// get(), serialised: the object as JSON text.
    std::string get_text(std::string_view collection, std::int64_t id);
    /// list(), serialised: the page object as JSON text.
    std::string list_text(std::string_view collection, const Query& q = {});
    /// list_text() into `out` (cleared first), so a host that lists often
    /// can keep one buffer, and its capacity, across calls: a page of 1,000
    /// customers is about 1 MB of text. On an error (thrown as from
    /// list()) `out` is left empty.
    void list_text(std::string_view collection, const Query& q, std::string& out);

    // --- Loyalty credit in JSON (what the C ABI's crm_credit_* call) ---
    /// Credit::accrue() in JSON: {"payments":[{"card","amount_cents","ref"}]}
    /// or seed 003's {"Tickets":[{"carteFid","Montant"}]} (Montant in currency
    /// units, rounded down to the cent). Returns {"results":[...]}.
    boost::json::object credit_accrue(const boost::json::value& payments);
    /// Credit::redeem() in JSON.
    boost::json::object credit_redeem(const std::string& card, std::int64_t amount_cents,
                                      std::optional<std::string> ref = {});
    /// Credit::balance() in JSON: {"card","customer_id","balance_cents"}.
    boost::json::object credit_balance(const std::string& card);
    /// Credit::check() in JSON: {"customer_id"|"customer_uuid","amount_cents","date"}
    /// or seed 003's {"idClient","Montant","Date"}; returns the stored request.
    boost::json::object credit_check(const boost::json::value& request);

    // --- Bulk import, streaming export, progress ---
    /// Imports `payload` (a JSON array of rows, an object holding one array,
    /// or NDJSON) into `collection` (customers, orders, tickets, messages,
    /// forms) in `options.format`, one row at a time. atomic: all rows or
    /// none, ImportError listing every failing row; not atomic: the valid
    /// rows are kept and the report lists the others. InvalidError for bad
    /// options or a payload of none of the shapes; NotFoundError for an
    /// unknown collection. Progress is reported to set_progress()'s function.
    ImportReport import_rows(std::string_view collection, std::string_view payload, const ImportOptions& options = {});
    /// The same with crm_import's options JSON (null: defaults).
    ImportReport import_rows(std::string_view collection, std::string_view payload, const boost::json::value& options);
    /// Streams every row of `collection` matching `q` (filters, ordering; no
    /// paging keys) to `sink` as NDJSON, one line per call, until the rows
    /// end or `sink` returns false. Memory does not grow with the
    /// collection; pages are read in separate snapshots, so other calls run
    /// between them. Without an ordering in `q` rows go in id order, and a
    /// row that exists throughout is written exactly once (with another
    /// ordering, a row whose sort key changes meanwhile may move).
    void export_rows(std::string_view collection, const Query& q, const ExportSink& sink);
    /// Sets the function told of import and export progress (empty: none).
    /// It runs on the calling thread; during an import, with the engine
    /// locked, so it must not call this Engine.
    void set_progress(ProgressFn fn);

    struct Impl;  ///< internal

private:
    template <class T>
    friend class Collection;
    friend class Credit;
    std::unique_ptr<Impl> impl_;
};

}  // namespace crm

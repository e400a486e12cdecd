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
#include <crm/customer.hpp>
#include <crm/error.hpp>
#include <crm/form.hpp>
#include <crm/message.hpp>
#include <crm/options.hpp>
#include <crm/order.hpp>
#include <crm/page.hpp>
#include <crm/query.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

/// The C++ API of the crm engine (the C ABI is crm.h).
namespace crm {

class Engine;

/// One collection of an Engine, typed: customers(), orders(), messages(),
/// forms(). A light view: valid while its Engine lives; copy it freely.
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
    /// tickets or ledger entries (archive it instead); its messages go too.
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

extern template class Collection<Customer>;
extern template class Collection<Order>;
extern template class Collection<Message>;
extern template class Collection<Form>;

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
    /// @}

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

    struct Impl;  ///< internal

private:
    template <class T>
    friend class Collection;
    std::unique_ptr<Impl> impl_;
};

}  // namespace crm

// crm/engine.hpp - crm::Engine, the C++ API.
//
// An Engine is one open database (a file or ":memory:"). It is RAII: the
// destructor closes it; it is movable and not copyable.
//
// Every public call is one transaction: it either commits whole or changes
// nothing, and throws a crm::Error carrying the C ABI's status code.
//
// Thread safety: one Engine may be used from several threads at once. It owns
// one SQLite connection and serialises calls on it with a mutex, so calls
// from several threads never interleave inside a transaction. Several
// processes (or several Engines) may open the same file at once: SQLite's WAL
// locking arbitrates, writers wait up to Options::busy_timeout_ms and then
// fail with crm::BusyError. A moved-from Engine must not be used.
#pragma once

#include <crm/crm.h>
#include <crm/customer.hpp>
#include <crm/error.hpp>
#include <crm/options.hpp>
#include <crm/page.hpp>
#include <crm/query.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace crm {

class Engine;

/// The `customers` collection of an Engine, typed. A light view: valid while
/// its Engine lives; copy it freely.
class CRM_API Customers {
public:
    /// Validates and stores a new customer (read-only fields are ignored);
    /// returns it as stored. InvalidError names every bad field; an email or
    /// loyalty_card already used is ConflictError.
    Customer create(const Customer& c);
    /// NotFoundError when there is no such id.
    Customer get(std::int64_t id);
    /// Full replacement: writable fields take c's values.
    Customer replace(std::int64_t id, const Customer& c);
    /// Applies a JSON merge patch (RFC 7396) to the stored customer.
    Customer update(std::int64_t id, const boost::json::value& patch);
    /// Deletes the customer and its messages. ConflictError when it has
    /// orders, tickets or ledger entries (archive it instead).
    void remove(std::int64_t id);
    /// One page of customers matching `q`.
    Page<Customer> list(const Query& q = {});

private:
    friend class Engine;
    explicit Customers(Engine& e) : engine_(&e) {}
    Engine* engine_;
};

class CRM_API Engine {
public:
    /// Opens (creating or migrating) the database at `path`, or an in-memory
    /// one for ":memory:". Throws IoError when the file cannot be opened, is
    /// not a crm database, or has a newer schema; InvalidError for bad options.
    explicit Engine(const std::string& path, Options options = {});
    ~Engine();
    Engine(Engine&&) noexcept;
    Engine& operator=(Engine&&) noexcept;
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    const Options& options() const noexcept;

    /// The typed customers collection.
    Customers customers() { return Customers(*this); }

    // --- Any collection by name, in JSON (what the C ABI calls) ---
    // `collection` is one of the names in crm.h; another name is
    // NotFoundError. Bodies are JSON objects in the shapes of spec/domain.md;
    // each call returns the stored object as it now is.
    boost::json::object create(std::string_view collection, const boost::json::value& body);
    boost::json::object get(std::string_view collection, std::int64_t id);
    boost::json::object replace(std::string_view collection, std::int64_t id,
                                const boost::json::value& body);
    boost::json::object update(std::string_view collection, std::int64_t id,
                               const boost::json::value& patch);
    void remove(std::string_view collection, std::int64_t id);
    /// The page object {"count","results","next_cursor", paging keys}.
    boost::json::object list(std::string_view collection, const Query& q = {});

    // The same results as get() and list(), already serialised to JSON text:
    // the reads' fast path (no intermediate boost::json::value).
    std::string get_text(std::string_view collection, std::int64_t id);
    std::string list_text(std::string_view collection, const Query& q = {});

    struct Impl;  ///< internal

private:
    friend class Customers;
    std::unique_ptr<Impl> impl_;
};

}  // namespace crm

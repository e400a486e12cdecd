// engine/engine_impl.hpp - Engine::Impl, shared by the engine's files
// (engine.cpp: the collections; credit.cpp: tickets and loyalty credit).
#pragma once

#include <crm/bulk.hpp>
#include <crm/engine.hpp>

#include "domain/money.hpp"
#include "query/list_plan.hpp"
#include "storage/store.hpp"

#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <type_traits>

namespace crm {

namespace json = boost::json;

namespace engine_detail {

inline Timestamp now() {
    // Engine-set timestamps have whole seconds, as the spec's examples.
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

inline Date today() { return Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())}; }

[[noreturn]] inline void no_such(std::string_view collection, std::int64_t id) {
    throw NotFoundError(fmt::format("no {} with id {}", collection, id));
}

inline void check_id(std::string_view collection, std::int64_t id) {
    if (id <= 0) no_such(collection, id);
}

}  // namespace engine_detail

struct Engine::Impl {
    Options options;
    domain::Rate credit_rate;  // options.credit_rate, parsed once
    std::unique_ptr<storage::Store> store;
    query::CursorKey cursor_key{};
    std::mutex mutex;
    // The active forms, reloaded when forms_version says another write (from
    // any process) changed a form.
    std::vector<Form> active_forms;
    std::int64_t forms_version = -1;
    ProgressFn progress;  // set_progress(); read under the lock

    // Runs f inside one write transaction under the engine's lock.
    template <class F>
    auto write(F&& f) -> decltype(f()) {
        std::lock_guard lock(mutex);
        auto tx = store->begin(true);
        if constexpr (std::is_void_v<decltype(f())>) {
            f();
            tx->commit();
        } else {
            auto result = f();
            tx->commit();
            return result;
        }
    }

    // Runs f under the lock, in one read transaction when it reads more than
    // one statement (a single SELECT is atomic by itself).
    template <class F>
    auto read(bool snapshot, F&& f) -> decltype(f()) {
        std::lock_guard lock(mutex);
        std::unique_ptr<storage::Transaction> tx;
        if (snapshot) tx = store->begin(false);
        auto result = f();
        if (tx) tx->commit();
        return result;
    }

    // Inside a transaction: the active forms, fresh.
    const std::vector<Form>& forms_now() {
        const std::int64_t v = store->forms_version();
        if (v != forms_version) {
            active_forms = store->active_forms();
            forms_version = v;
        }
        return active_forms;
    }

    // Inside a transaction: a reference to a customer from a row being
    // written must exist (else `invalid`, naming the field).
    void referenced_customer(std::int64_t id, std::vector<FieldError>& errors) {
        if (id > 0 && !store->customer_exists(id))
            errors.push_back({"customer_id", fmt::format("no customer with id {}", id)});
    }

    // --- tickets and credit (credit.cpp), inside a write transaction ---
    /// The customer a ticket or credit request names by id and/or uuid;
    /// errors (named by `id_field`/`uuid_field`) when missing or disagreeing.
    std::optional<storage::CustomerRef> named_customer(const std::optional<std::int64_t>& id,
                                                       const std::optional<std::string>& uuid,
                                                       std::string_view id_field, std::string_view uuid_field,
                                                       std::vector<FieldError>& errors);
    /// The customer holding `card`; NotFoundError naming `field` otherwise.
    storage::CustomerRef card_holder(const std::string& card, std::string_view field);

    template <class T>
    T create(T row, std::vector<FieldError> errors);
    template <class T>
    T insert_checked(T row, std::vector<FieldError>& errors);
    template <class T>
    T get(std::int64_t id);
    template <class T>
    T replace(std::int64_t id, T row, std::vector<FieldError> errors);
    template <class T>
    T put(std::int64_t id, T row, const T& stored, std::vector<FieldError>& errors);
    template <class T>
    T update(std::int64_t id, const json::value& patch);
    template <class T>
    void remove(std::int64_t id);
    template <class T>
    Page<T> list(const Query& q);
    /// The page of list<T>(q) as JSON text, appended to `out`.
    template <class T>
    void list_text(const Query& q, std::string& out);
};


// Tickets are created and deleted with their ledger effects (credit.cpp).
template <>
Ticket Engine::Impl::insert_checked<Ticket>(Ticket row, std::vector<FieldError>& errors);
template <>
void Engine::Impl::remove<Ticket>(std::int64_t id);

}  // namespace crm

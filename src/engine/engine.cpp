// crm::Engine: the C++ API over the layers below. Each public call takes the
// engine's mutex, runs in one transaction, and commits or changes nothing.
#include <crm/engine.hpp>

#include "domain/customer_rules.hpp"
#include "domain/merge_patch.hpp"
#include "domain/uuid.hpp"
#include "query/list_plan.hpp"
#include "storage/store.hpp"

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include <array>
#include <mutex>

namespace crm {

namespace json = boost::json;

namespace {

Timestamp now() {
    // Engine-set timestamps have whole seconds, as the spec's examples.
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

Date today() { return Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())}; }

void check_id(std::string_view collection, std::int64_t id) {
    if (id <= 0) throw NotFoundError(fmt::format("no {} with id {}", collection, id));
}

[[noreturn]] void no_such(std::string_view collection, std::int64_t id) {
    throw NotFoundError(fmt::format("no {} with id {}", collection, id));
}

// The page object as text; results written with append_json.
template <class T>
std::string page_text(const Page<T>& p) {
    std::string out = "{\"count\":";
    out += p.count ? std::to_string(*p.count) : "null";
    out += ",\"results\":[";
    for (std::size_t i = 0; i < p.results.size(); ++i) {
        if (i) out += ',';
        append_json(out, p.results[i]);
    }
    out += "],\"next_cursor\":";
    if (p.next_cursor)
        out += "\"" + *p.next_cursor + "\"";  // base64url: nothing to escape
    else
        out += "null";
    auto echo = [&](const char* key, const std::optional<std::int64_t>& v) {
        if (v) out += fmt::format(",\"{}\":{}", key, *v);
    };
    echo("page", p.page);
    echo("page_size", p.page_size);
    echo("offset", p.offset);
    echo("limit", p.limit);
    out += '}';
    return out;
}

template <class T>
json::object page_json(const Page<T>& p) {
    json::object o;
    o.emplace("count", p.count ? json::value(*p.count) : json::value(nullptr));
    json::array results;
    results.reserve(p.results.size());
    for (const auto& r : p.results) results.push_back(json::value_from(r));
    o.emplace("results", std::move(results));
    o.emplace("next_cursor", p.next_cursor ? json::value(*p.next_cursor) : json::value(nullptr));
    if (p.page) o.emplace("page", *p.page);
    if (p.page_size) o.emplace("page_size", *p.page_size);
    if (p.offset) o.emplace("offset", *p.offset);
    if (p.limit) o.emplace("limit", *p.limit);
    return o;
}

template <class T>
Page<T> make_page(const query::ListPlan& plan, storage::ListResult<T>&& result, const query::CursorKey& key) {
    Page<T> page;
    page.count = result.count;
    page.results = std::move(result.rows);
    if (result.has_more) page.next_cursor = query::encode_cursor(key, plan.binding, result.last);
    switch (plan.style) {
        case query::PagingStyle::page:
            page.page = plan.page;
            page.page_size = plan.page_size;
            break;
        case query::PagingStyle::offset:
            page.offset = plan.offset;
            page.limit = plan.limit;
            break;
        case query::PagingStyle::cursor:
            (plan.cursor_with_limit ? page.limit : page.page_size) = plan.take();
            break;
    }
    return page;
}

}  // namespace

struct Engine::Impl {
    Options options;
    std::unique_ptr<storage::Store> store;
    query::CursorKey cursor_key{};
    std::mutex mutex;

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

    // --- customers ---

    // Normalises and checks a customer; throws every error at once, with
    // `errors` (from parsing) first.
    static void check(Customer& c, std::vector<FieldError> errors) {
        domain::normalize(c);
        domain::validate(c, today(), errors);
        if (!errors.empty()) throw InvalidError(std::move(errors));
    }

    Customer create_customer(Customer c, std::vector<FieldError> errors) {
        check(c, std::move(errors));
        Customer stored = std::move(c);
        Customer blank;
        domain::keep_read_only(stored, blank);  // whatever the caller put in read-only fields is dropped
        stored.uuid = domain::new_uuid_v4();
        return write([&] {
            const Timestamp t = now();
            stored.created_at = stored.updated_at = t;
            if (!stored.date_joined) stored.date_joined = t;
            if (stored.archived) stored.archived_at = t;
            store->insert_customer(stored);
            domain::compute_derived(stored, today());
            return stored;
        });
    }

    Customer get_customer(std::int64_t id) {
        check_id("customer", id);
        auto c = read(false, [&] { return store->find_customer(id); });
        if (!c) no_such("customer", id);
        domain::compute_derived(*c, today());
        return std::move(*c);
    }

    // Writes `incoming` over customer `id`, keeping what only the engine sets.
    Customer put_customer(std::int64_t id, Customer incoming, const Customer& stored) {
        domain::keep_read_only(incoming, stored);
        const Timestamp t = now();
        incoming.updated_at = t;
        if (!incoming.date_joined) incoming.date_joined = stored.created_at;  // its default: creation time
        if (!incoming.archived)
            incoming.archived_at.reset();
        else if (!stored.archived)
            incoming.archived_at = t;
        incoming.id = id;
        store->update_customer(incoming);
        domain::compute_derived(incoming, today());
        return incoming;
    }

    Customer replace_customer(std::int64_t id, Customer c, std::vector<FieldError> errors) {
        check_id("customer", id);
        check(c, std::move(errors));
        return write([&] {
            auto stored = store->find_customer(id);
            if (!stored) no_such("customer", id);
            return put_customer(id, std::move(c), *stored);
        });
    }

    Customer update_customer(std::int64_t id, const json::value& patch) {
        check_id("customer", id);
        if (!patch.is_object()) throw InvalidError("a merge patch must be a JSON object");
        return write([&] {
            auto stored = store->find_customer(id);
            if (!stored) no_such("customer", id);
            json::value merged = json::value_from(*stored);
            domain::apply_merge_patch(merged, patch);
            std::vector<FieldError> errors;
            Customer c = domain::parse_customer(merged, errors);
            check(c, std::move(errors));
            return put_customer(id, std::move(c), *stored);
        });
    }

    void remove_customer(std::int64_t id) {
        check_id("customer", id);
        write([&] {
            if (!store->delete_customer(id)) no_such("customer", id);
        });
    }

    Page<Customer> list_customers(const Query& q) {
        auto plan = query::plan_list(query::customers_decl(), q.json(), cursor_key);
        auto result = read(plan.count, [&] { return store->list_customers(plan); });
        const Date d = today();
        for (auto& c : result.rows) domain::compute_derived(c, d);
        return make_page(plan, std::move(result), cursor_key);
    }
};

// --- the collections by name ---------------------------------------------

namespace {

// What the JSON-level API can do with one collection.
struct CollectionOps {
    std::string_view name;
    json::object (*create)(Engine::Impl&, const json::value&);
    json::object (*get)(Engine::Impl&, std::int64_t);
    json::object (*replace)(Engine::Impl&, std::int64_t, const json::value&);
    json::object (*update)(Engine::Impl&, std::int64_t, const json::value&);
    void (*remove)(Engine::Impl&, std::int64_t);
    json::object (*list)(Engine::Impl&, const Query&);
    std::string (*get_text)(Engine::Impl&, std::int64_t);
    std::string (*list_text)(Engine::Impl&, const Query&);
};

json::object to_object(const Customer& c) {
    json::value v = json::value_from(c);
    return std::move(v.get_object());
}

Customer parse(const json::value& body, std::vector<FieldError>& errors) {
    if (!body.is_object()) throw InvalidError("the body must be a JSON object");
    return domain::parse_customer(body, errors);
}

constexpr std::array<CollectionOps, 1> kCollections = {{
    {"customers",
     [](Engine::Impl& e, const json::value& body) {
         std::vector<FieldError> errors;
         Customer c = parse(body, errors);
         return to_object(e.create_customer(std::move(c), std::move(errors)));
     },
     [](Engine::Impl& e, std::int64_t id) { return to_object(e.get_customer(id)); },
     [](Engine::Impl& e, std::int64_t id, const json::value& body) {
         std::vector<FieldError> errors;
         Customer c = parse(body, errors);
         return to_object(e.replace_customer(id, std::move(c), std::move(errors)));
     },
     [](Engine::Impl& e, std::int64_t id, const json::value& patch) { return to_object(e.update_customer(id, patch)); },
     [](Engine::Impl& e, std::int64_t id) { e.remove_customer(id); },
     [](Engine::Impl& e, const Query& q) { return page_json(e.list_customers(q)); },
     [](Engine::Impl& e, std::int64_t id) {
         std::string out;
         append_json(out, e.get_customer(id));
         return out;
     },
     [](Engine::Impl& e, const Query& q) { return page_text(e.list_customers(q)); }},
}};

const CollectionOps& collection(std::string_view name) {
    for (const auto& c : kCollections)
        if (c.name == name) return c;
    throw NotFoundError(fmt::format("no collection named '{}'", name));
}

}  // namespace

// --- Engine ---------------------------------------------------------------

Engine::Engine(const std::string& path, Options options) : impl_(std::make_unique<Impl>()) {
    options.validate();
    impl_->options = std::move(options);
    impl_->store = storage::open_sqlite_store(path, impl_->options);
    impl_->cursor_key = impl_->store->cursor_key();
}

Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

const Options& Engine::options() const noexcept { return impl_->options; }

json::object Engine::create(std::string_view c, const json::value& body) { return collection(c).create(*impl_, body); }
json::object Engine::get(std::string_view c, std::int64_t id) { return collection(c).get(*impl_, id); }
json::object Engine::replace(std::string_view c, std::int64_t id, const json::value& body) {
    return collection(c).replace(*impl_, id, body);
}
json::object Engine::update(std::string_view c, std::int64_t id, const json::value& patch) {
    return collection(c).update(*impl_, id, patch);
}
void Engine::remove(std::string_view c, std::int64_t id) { collection(c).remove(*impl_, id); }
json::object Engine::list(std::string_view c, const Query& q) { return collection(c).list(*impl_, q); }
std::string Engine::get_text(std::string_view c, std::int64_t id) { return collection(c).get_text(*impl_, id); }
std::string Engine::list_text(std::string_view c, const Query& q) { return collection(c).list_text(*impl_, q); }

// --- Customers --------------------------------------------------------------

Customer Customers::create(const Customer& c) { return engine_->impl_->create_customer(c, {}); }
Customer Customers::get(std::int64_t id) { return engine_->impl_->get_customer(id); }
Customer Customers::replace(std::int64_t id, const Customer& c) { return engine_->impl_->replace_customer(id, c, {}); }
Customer Customers::update(std::int64_t id, const json::value& patch) { return engine_->impl_->update_customer(id, patch); }
void Customers::remove(std::int64_t id) { engine_->impl_->remove_customer(id); }
Page<Customer> Customers::list(const Query& q) { return engine_->impl_->list_customers(q); }

}  // namespace crm

// crm::Engine: the C++ API over the layers below. Each public call takes the
// engine's mutex, runs in one transaction, and commits or changes nothing.
#include <crm/engine.hpp>

#include "engine/engine_impl.hpp"
#include "engine/models.hpp"

#include "domain/merge_patch.hpp"
#include "query/list_plan.hpp"
#include "storage/store.hpp"

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include <array>
#include <mutex>

namespace crm {

namespace {

using namespace engine_detail;

// The page object as text, appended to `out`, in three parts: what comes
// before its results, then each result (append_json), then what follows.
void page_text_head(const std::optional<std::int64_t>& count, std::string& out) {
    out += "{\"count\":";
    out += count ? std::to_string(*count) : "null";
    out += ",\"results\":[";
}

template <class T>
void page_text_tail(const Page<T>& p, std::string& out) {
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
}

template <class T>
void page_text(const Page<T>& p, std::string& out) {
    out.reserve(out.size() + 128 + p.results.size() * 1024);  // a customer is ~1 KB of JSON
    page_text_head(p.count, out);
    for (std::size_t i = 0; i < p.results.size(); ++i) {
        if (i) out += ',';
        append_json(out, p.results[i]);
    }
    page_text_tail(p, out);
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


// --- the generic operations -----------------------------------------------------

template <class T>
T Engine::Impl::create(T row, std::vector<FieldError> errors) {
    if constexpr (!can_create<T>) {
        refuse<T>("create");
    } else {
        Model<T>::check(row, errors);  // before the lock: needs no database
        return write([&] { return insert_checked<T>(std::move(row), errors); });
    }
}

template <class T>
T Engine::Impl::get(std::int64_t id) {
    if constexpr (!can_get<T>) {
        refuse<T>("get");
    } else {
        check_id(Model<T>::noun, id);
        auto row = read(false, [&] { return Model<T>::find(*store, id); });
        if (!row) no_such(Model<T>::noun, id);
        Model<T>::finish(*row, today());
        return std::move(*row);
    }
}

template <class T>
T Engine::Impl::replace(std::int64_t id, T row, std::vector<FieldError> errors) {
    if constexpr (!can_change<T>) {
        refuse<T>("replace");
    } else {
        check_id(Model<T>::noun, id);
        Model<T>::check(row, errors);
        return write([&] {
            auto stored = Model<T>::find(*store, id);
            if (!stored) no_such(Model<T>::noun, id);
            return put(id, std::move(row), *stored, errors);
        });
    }
}

// Inside the write transaction of replace() and update(): writes a checked
// row over the stored one, keeping what only the engine sets.
template <class T>
T Engine::Impl::put(std::int64_t id, T row, const T& stored, std::vector<FieldError>& errors) {
    Model<T>::on_replace(*this, row, stored, errors, now());
    if (!errors.empty()) throw InvalidError(std::move(errors));
    row.id = id;
    Model<T>::update(*store, row);
    Model<T>::finish(row, today());
    return row;
}

template <class T>
T Engine::Impl::update(std::int64_t id, const json::value& patch) {
    if constexpr (!can_change<T>) {
        refuse<T>("update");
    } else {
    check_id(Model<T>::noun, id);
    if (!patch.is_object()) throw InvalidError("a merge patch must be a JSON object");
    return write([&] {
        auto stored = Model<T>::find(*store, id);
        if (!stored) no_such(Model<T>::noun, id);
        json::value merged = json::value_from(*stored);
        domain::apply_merge_patch(merged, patch);
        std::vector<FieldError> errors;
        T row = Model<T>::parse(merged, errors);
        Model<T>::check(row, errors);
        return put(id, std::move(row), *stored, errors);
    });
    }
}

template <class T>
void Engine::Impl::remove(std::int64_t id) {
    if constexpr (!can_change<T>) {
        refuse<T>("delete");
    } else {
        check_id(Model<T>::noun, id);
        write([&] {
            if (!Model<T>::remove(*store, id)) no_such(Model<T>::noun, id);
        });
    }
}

template <class T>
Page<T> Engine::Impl::list(const Query& q) {
    auto plan = query::plan_list(Model<T>::decl(), q.json(), cursor_key);
    // A page may take several statements (count, keyset branches): one snapshot.
    auto result = read(true, [&] { return Model<T>::list(*store, plan); });
    const Date d = today();
    for (auto& row : result.rows) Model<T>::finish(row, d);
    return make_page(plan, std::move(result), cursor_key);
}

template <class T>
void Engine::Impl::list_text(const Query& q, std::string& out) {
    page_text(list<T>(q), out);
}

// A page of customers goes from the store to `out` a row at a time, never
// built: each row is read into the store's one Customer, and its JSON
// object fields are copied as stored (a keyset page of 50: ~20% faster
// than building the page, then writing it).
template <>
void Engine::Impl::list_text<Customer>(const Query& q, std::string& out) {
    const auto plan = query::plan_list(Model<Customer>::decl(), q.json(), cursor_key);
    struct Writer final : storage::CustomerSink {
        std::string& out;
        Date today;
        std::optional<domain::TextOut> rows;  // after the page's head
        bool first = true;
        Writer(std::string& o, Date d) : out(o), today(d) {}
        void count(std::optional<std::int64_t> n) override {
            page_text_head(n, out);
            rows.emplace(out);
        }
        void row(const storage::CustomerText& c) override {
            if (!first) rows->put(',');
            first = false;
            Model<Customer>::finish(c.row, today);
            domain::append_json(*rows, c.row, c.json);
        }
    } writer(out, today());
    out.reserve(out.size() + 128 + static_cast<std::size_t>(std::min<std::int64_t>(plan.take(), 64)) * 1024);
    storage::ListResult<Customer> end;
    static_cast<storage::PageEnd&>(end) = read(true, [&] { return store->each_customer(plan, writer); });
    writer.rows.reset();  // closed: `out` ends with the last row
    page_text_tail(make_page(plan, std::move(end), cursor_key), out);
}

// --- the collections by name ------------------------------------------------

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
    void (*list_text)(Engine::Impl&, const Query&, std::string&);
};

template <class T>
json::object to_object(const T& row) {
    json::value v = json::value_from(row);
    return std::move(v.get_object());
}

template <class T>
T parse_body(const json::value& body, std::vector<FieldError>& errors) {
    if constexpr (!can_create<T>) {
        refuse<T>("create");
    } else {
        if (!body.is_object()) throw InvalidError("the body must be a JSON object");
        return Model<T>::parse(body, errors);
    }
}

template <class T>
constexpr CollectionOps ops() {
    return {
        Model<T>::collection,
        [](Engine::Impl& e, const json::value& body) {
            std::vector<FieldError> errors;
            T row = parse_body<T>(body, errors);
            return to_object(e.create<T>(std::move(row), std::move(errors)));
        },
        [](Engine::Impl& e, std::int64_t id) { return to_object(e.get<T>(id)); },
        [](Engine::Impl& e, std::int64_t id, const json::value& body) {
            std::vector<FieldError> errors;
            T row = parse_body<T>(body, errors);
            return to_object(e.replace<T>(id, std::move(row), std::move(errors)));
        },
        [](Engine::Impl& e, std::int64_t id, const json::value& patch) { return to_object(e.update<T>(id, patch)); },
        [](Engine::Impl& e, std::int64_t id) { e.remove<T>(id); },
        [](Engine::Impl& e, const Query& q) { return page_json(e.list<T>(q)); },
        [](Engine::Impl& e, std::int64_t id) {
            std::string out;
            append_json(out, e.get<T>(id));
            return out;
        },
        [](Engine::Impl& e, const Query& q, std::string& out) { e.list_text<T>(q, out); },
    };
}

constexpr std::array<CollectionOps, 7> kCollections = {ops<Customer>(),    ops<Order>(),       ops<Ticket>(),
                                                       ops<Message>(),     ops<Form>(),        ops<LedgerEntry>(),
                                                       ops<CreditRequest>()};

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
    impl_->credit_rate = *domain::parse_rate(impl_->options.credit_rate);  // validate() checked it
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
std::string Engine::list_text(std::string_view c, const Query& q) {
    std::string out;
    list_text(c, q, out);
    return out;
}

void Engine::list_text(std::string_view c, const Query& q, std::string& out) {
    out.clear();
    try {
        collection(c).list_text(*impl_, q, out);
    } catch (...) {
        out.clear();  // no half-written page: a failure leaves `out` empty
        throw;
    }
}

// --- Collection<T> ------------------------------------------------------------

template <class T>
T Collection<T>::create(const T& row) {
    return engine_->impl_->template create<T>(row, {});
}
template <class T>
T Collection<T>::get(std::int64_t id) {
    return engine_->impl_->template get<T>(id);
}
template <class T>
T Collection<T>::replace(std::int64_t id, const T& row) {
    return engine_->impl_->template replace<T>(id, row, {});
}
template <class T>
T Collection<T>::update(std::int64_t id, const json::value& patch) {
    return engine_->impl_->template update<T>(id, patch);
}
template <class T>
void Collection<T>::remove(std::int64_t id) {
    engine_->impl_->template remove<T>(id);
}
template <class T>
Page<T> Collection<T>::list(const Query& q) {
    return engine_->impl_->template list<T>(q);
}

template class Collection<Customer>;
template class Collection<Order>;
template class Collection<Message>;
template class Collection<Form>;
template class Collection<Ticket>;
template class Collection<LedgerEntry>;
template class Collection<CreditRequest>;

}  // namespace crm

namespace crm {
// Used by export (bulk.cpp).
template Page<Customer> Engine::Impl::list<Customer>(const Query&);
template Page<Order> Engine::Impl::list<Order>(const Query&);
template Page<Ticket> Engine::Impl::list<Ticket>(const Query&);
template Page<Message> Engine::Impl::list<Message>(const Query&);
template Page<Form> Engine::Impl::list<Form>(const Query&);
template Page<LedgerEntry> Engine::Impl::list<LedgerEntry>(const Query&);
template Page<CreditRequest> Engine::Impl::list<CreditRequest>(const Query&);
}  // namespace crm

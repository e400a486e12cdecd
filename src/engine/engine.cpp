// crm::Engine: the C++ API over the layers below. Each public call takes the
// engine's mutex, runs in one transaction, and commits or changes nothing.
#include <crm/engine.hpp>

#include "engine/engine_impl.hpp"

#include "domain/customer_rules.hpp"
#include "domain/form_rules.hpp"
#include "domain/message_rules.hpp"
#include "domain/order_rules.hpp"
#include "domain/ticket_rules.hpp"
#include "domain/merge_patch.hpp"
#include "domain/uuid.hpp"
#include "query/list_plan.hpp"
#include "storage/store.hpp"

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include <array>
#include <mutex>

namespace crm {

namespace {

using namespace engine_detail;

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

namespace {

// --- what differs between models ---------------------------------------------
// Model<T> says, for each model, how the engine parses, checks, stores and
// finishes it; Impl's generic create/get/replace/update/remove/list do the rest.

// Which calls a collection takes; the others are InvalidError.
enum class Access {
    all,            // create, get, replace, update, delete, list
    create_delete,  // tickets: immutable once created
    get_list,       // credit_requests: written by Credit::check
    list,           // ledger: written by the credit calls
};

template <class T>
struct Model;

template <class T>
constexpr bool can_create = Model<T>::access == Access::all || Model<T>::access == Access::create_delete;
template <class T>
constexpr bool can_change = Model<T>::access == Access::all;
template <class T>
constexpr bool can_get = Model<T>::access != Access::list;

template <class T>
[[noreturn]] void refuse(std::string_view call) {
    throw InvalidError(fmt::format("cannot {} {}: {}", call, Model<T>::collection, Model<T>::refusal));
}

template <>
struct Model<Customer> {
    static constexpr Access access = Access::all;
    static constexpr std::string_view collection = "customers", noun = "customer";
    static Customer parse(const json::value& v, std::vector<FieldError>& e) { return domain::parse_customer(v, e); }
    static void check(Customer& c, std::vector<FieldError>& e) {
        domain::normalize(c);
        domain::validate(c, today(), e);
    }
    static void on_create(Engine::Impl& impl, Customer& c, std::vector<FieldError>& e, Timestamp t) {
        domain::check_attributes(c.attributes, impl.forms_now(), e);
        domain::keep_read_only(c, Customer{});  // whatever the caller put in read-only fields is dropped
        c.uuid = domain::new_uuid_v4();
        c.created_at = c.updated_at = t;
        if (!c.date_joined) c.date_joined = t;
        if (c.archived) c.archived_at = t;
    }
    static void on_replace(Engine::Impl& impl, Customer& c, const Customer& stored, std::vector<FieldError>& e,
                           Timestamp t) {
        domain::check_attributes(c.attributes, impl.forms_now(), e);
        domain::keep_read_only(c, stored);
        c.updated_at = t;
        if (!c.date_joined) c.date_joined = stored.created_at;  // its default: creation time
        if (!c.archived)
            c.archived_at.reset();
        else if (!stored.archived)
            c.archived_at = t;
    }
    static void finish(Customer& c, Date d) { domain::compute_derived(c, d); }
    static const query::CollectionDecl& decl() { return query::customers_decl(); }
    static void insert(storage::Store& s, Customer& c) { s.insert_customer(c); }
    static std::optional<Customer> find(storage::Store& s, std::int64_t id) { return s.find_customer(id); }
    static void update(storage::Store& s, const Customer& c) { s.update_customer(c); }
    static bool remove(storage::Store& s, std::int64_t id) { return s.delete_customer(id); }
    static storage::ListResult<Customer> list(storage::Store& s, const query::ListPlan& p) { return s.list_customers(p); }
};

template <>
struct Model<Order> {
    static constexpr Access access = Access::all;
    static constexpr std::string_view collection = "orders", noun = "order";
    static Order parse(const json::value& v, std::vector<FieldError>& e) { return domain::parse_order(v, e); }
    static void check(Order& o, std::vector<FieldError>& e) {
        domain::normalize(o);
        domain::validate(o, e);
    }
    static void on_create(Engine::Impl& impl, Order& o, std::vector<FieldError>& e, Timestamp t) {
        if (o.customer_id) impl.referenced_customer(*o.customer_id, e);
        domain::keep_read_only(o, Order{});
        if (!o.number) o.number = impl.store->next_order_number();  // inside the write lock: never twice
        if (!o.date) o.date = t;
        o.created_at = o.updated_at = t;
        if (o.status == OrderStatus::submitted) o.submit_date = t;
        if (o.archived) o.archived_at = t;
    }
    static void on_replace(Engine::Impl& impl, Order& o, const Order& stored, std::vector<FieldError>& e, Timestamp t) {
        if (o.customer_id) impl.referenced_customer(*o.customer_id, e);
        if (e.empty() && !domain::allowed_move(stored.status, o.status))
            throw ConflictError(fmt::format("an order cannot move from {} to {}", to_string(stored.status),
                                            to_string(o.status)),
                                {{"status", fmt::format("cannot move from {} to {}", to_string(stored.status),
                                                        to_string(o.status))}});
        domain::keep_read_only(o, stored);
        // number and date are set once: left out of a replacement they keep
        // their value (renumbering or redating an order on a PUT would
        // surprise every client).
        if (!o.number) o.number = stored.number;
        if (!o.date) o.date = stored.date;
        o.updated_at = t;
        if (o.status == OrderStatus::submitted && stored.status != OrderStatus::submitted) o.submit_date = t;
        if (!o.archived)
            o.archived_at.reset();
        else if (!stored.archived)
            o.archived_at = t;
    }
    static void finish(Order&, Date) {}
    static const query::CollectionDecl& decl() { return query::orders_decl(); }
    static void insert(storage::Store& s, Order& o) { s.insert_order(o); }
    static std::optional<Order> find(storage::Store& s, std::int64_t id) { return s.find_order(id); }
    static void update(storage::Store& s, const Order& o) { s.update_order(o); }
    static bool remove(storage::Store& s, std::int64_t id) { return s.delete_order(id); }
    static storage::ListResult<Order> list(storage::Store& s, const query::ListPlan& p) { return s.list_orders(p); }
};

template <>
struct Model<Message> {
    static constexpr Access access = Access::all;
    static constexpr std::string_view collection = "messages", noun = "message";
    static Message parse(const json::value& v, std::vector<FieldError>& e) { return domain::parse_message(v, e); }
    static void check(Message& m, std::vector<FieldError>& e) {
        domain::normalize(m);
        domain::validate(m, e);
    }
    static void on_create(Engine::Impl& impl, Message& m, std::vector<FieldError>& e, Timestamp t) {
        impl.referenced_customer(m.customer_id, e);
        m.id = 0;
        m.created_at = t;
    }
    static void on_replace(Engine::Impl& impl, Message& m, const Message& stored, std::vector<FieldError>& e,
                           Timestamp) {
        impl.referenced_customer(m.customer_id, e);
        m.created_at = stored.created_at;
    }
    static void finish(Message&, Date) {}
    static const query::CollectionDecl& decl() { return query::messages_decl(); }
    static void insert(storage::Store& s, Message& m) { s.insert_message(m); }
    static std::optional<Message> find(storage::Store& s, std::int64_t id) { return s.find_message(id); }
    static void update(storage::Store& s, const Message& m) { s.update_message(m); }
    static bool remove(storage::Store& s, std::int64_t id) { return s.delete_message(id); }
    static storage::ListResult<Message> list(storage::Store& s, const query::ListPlan& p) { return s.list_messages(p); }
};

template <>
struct Model<Form> {
    static constexpr Access access = Access::all;
    static constexpr std::string_view collection = "forms", noun = "form";
    static Form parse(const json::value& v, std::vector<FieldError>& e) { return domain::parse_form(v, e); }
    static void check(Form& f, std::vector<FieldError>& e) {
        domain::normalize(f);
        domain::validate(f, e);
    }
    // An active form's fields get expression indexes, so that filters and
    // counts on attributes__<field> use them.
    static void index(Engine::Impl& impl, const Form& f) {
        if (f.active)
            for (const auto& field : f.fields) impl.store->index_attribute(field.name);
    }
    static void on_create(Engine::Impl& impl, Form& f, std::vector<FieldError>& e, Timestamp) {
        f.id = 0;
        if (e.empty()) index(impl, f);
    }
    static void on_replace(Engine::Impl& impl, Form& f, const Form&, std::vector<FieldError>& e, Timestamp) {
        if (e.empty()) index(impl, f);
    }
    static void finish(Form&, Date) {}
    static const query::CollectionDecl& decl() { return query::forms_decl(); }
    static void insert(storage::Store& s, Form& f) { s.insert_form(f); }
    static std::optional<Form> find(storage::Store& s, std::int64_t id) { return s.find_form(id); }
    static void update(storage::Store& s, const Form& f) { s.update_form(f); }
    static bool remove(storage::Store& s, std::int64_t id) { return s.delete_form(id); }
    static storage::ListResult<Form> list(storage::Store& s, const query::ListPlan& p) { return s.list_forms(p); }
};

template <>
struct Model<Ticket> {
    static constexpr Access access = Access::create_delete;
    static constexpr std::string_view collection = "tickets", noun = "ticket";
    static constexpr std::string_view refusal = "tickets are immutable (delete one to reverse its credit)";
    static Ticket parse(const json::value& v, std::vector<FieldError>& e) { return domain::parse_ticket(v, e); }
    static void check(Ticket& t, std::vector<FieldError>& e) {
        domain::normalize(t);
        domain::validate(t, e);
    }
    static void finish(Ticket&, Date) {}
    static const query::CollectionDecl& decl() { return query::tickets_decl(); }
    static std::optional<Ticket> find(storage::Store& s, std::int64_t id) { return s.find_ticket(id); }
    static storage::ListResult<Ticket> list(storage::Store& s, const query::ListPlan& p) { return s.list_tickets(p); }
};

template <>
struct Model<LedgerEntry> {
    static constexpr Access access = Access::list;
    static constexpr std::string_view collection = "ledger", noun = "ledger entry";
    static constexpr std::string_view refusal = "the ledger is list-only (the credit calls write it)";
    static void finish(LedgerEntry&, Date) {}
    static const query::CollectionDecl& decl() { return query::ledger_decl(); }
    static storage::ListResult<LedgerEntry> list(storage::Store& s, const query::ListPlan& p) { return s.list_ledger(p); }
};

template <>
struct Model<CreditRequest> {
    static constexpr Access access = Access::get_list;
    static constexpr std::string_view collection = "credit_requests", noun = "credit request";
    static constexpr std::string_view refusal = "credit requests are written by crm_credit_check only";
    static void finish(CreditRequest&, Date) {}
    static const query::CollectionDecl& decl() { return query::credit_requests_decl(); }
    static std::optional<CreditRequest> find(storage::Store& s, std::int64_t id) { return s.find_credit_request(id); }
    static storage::ListResult<CreditRequest> list(storage::Store& s, const query::ListPlan& p) {
        return s.list_credit_requests(p);
    }
};

}  // namespace

// --- the generic operations -----------------------------------------------------

template <class T>
T Engine::Impl::create(T row, std::vector<FieldError> errors) {
    if constexpr (!can_create<T>) {
        refuse<T>("create");
    } else {
        Model<T>::check(row, errors);  // before the lock: needs no database
        return write([&] {
            Model<T>::on_create(*this, row, errors, now());
            if (!errors.empty()) throw InvalidError(std::move(errors));
            Model<T>::insert(*store, row);
            Model<T>::finish(row, today());
            return std::move(row);
        });
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
    std::string (*list_text)(Engine::Impl&, const Query&);
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
        [](Engine::Impl& e, const Query& q) { return page_text(e.list<T>(q)); },
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
std::string Engine::list_text(std::string_view c, const Query& q) { return collection(c).list_text(*impl_, q); }

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

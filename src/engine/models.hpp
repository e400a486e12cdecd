// engine/models.hpp - what differs between the collections, for the
// engine's generic operations (engine.cpp) and bulk import (bulk.cpp).
#pragma once

#include "engine/engine_impl.hpp"

#include "domain/customer_rules.hpp"
#include "domain/form_rules.hpp"
#include "domain/message_rules.hpp"
#include "domain/order_rules.hpp"
#include "domain/ticket_rules.hpp"
#include "domain/uuid.hpp"

namespace crm::engine_detail {

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

}  // namespace crm::engine_detail

namespace crm {

// Inside a write transaction: stores a checked new row (its rules that
// need the database are checked here). Tickets have their own (credit.cpp).
template <class T>
T Engine::Impl::insert_checked(T row, std::vector<FieldError>& errors) {
    using namespace engine_detail;
    Model<T>::on_create(*this, row, errors, now());
    if (!errors.empty()) throw InvalidError(std::move(errors));
    Model<T>::insert(*store, row);
    Model<T>::finish(row, today());
    return row;
}

}  // namespace crm

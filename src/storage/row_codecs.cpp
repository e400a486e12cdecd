#include "storage/row_codecs.hpp"

#include "storage/sqlite_values.hpp"

#include "domain/ticket_rules.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace crm::storage {

// --- orders -------------------------------------------------------------------

namespace {
constexpr ColumnDecl kOrderColumns[] = {
    {"id", "id", ColumnKind::plain},
    {"customer_id", "customer_id", ColumnKind::plain},
    {"number", "number", ColumnKind::plain},
    {"date", "date", ColumnKind::timestamp},
    {"status", "status", ColumnKind::plain},
    {"submit_date", "submit_date", ColumnKind::nullable_int},
    {"type", "type", ColumnKind::plain},
    {"quantity", "quantity", ColumnKind::plain},
    {"activation_limit", "activation_limit", ColumnKind::plain},
    {"description", "description", ColumnKind::text},
    {"is_demo", "is_demo", ColumnKind::plain},
    {"archived", "archived", ColumnKind::plain},
    {"archived_at", "archived_at", ColumnKind::nullable_int},
    {"can_overwrite_container", "can_overwrite_container", ColumnKind::plain},
    {"customer_required", "customer_required", ColumnKind::plain},
    {"activation_birth_date", "activation_birth_date", ColumnKind::nullable_int},
    {"activation_death_date", "activation_death_date", ColumnKind::nullable_int},
    {"crm_id", "crm_id", ColumnKind::text},
    {"ref_id", "ref_id", ColumnKind::text},
    {"total_cents", "total_cents", ColumnKind::plain},
    {"created_at", "created_at", ColumnKind::timestamp},
    {"updated_at", "updated_at", ColumnKind::timestamp},
};
const TableDecl kOrdersTable{"orders", kOrderColumns, "", "", "", ""};
}  // namespace

const char* OrderCodec::columns() {
    return "id, customer_id, number, date, status, submit_date, type, quantity, activation_limit, description, "
           "is_demo, archived, archived_at, can_overwrite_container, customer_required, activation_birth_date, "
           "activation_death_date, crm_id, ref_id, total_cents, created_at, updated_at";
}
int OrderCodec::column_count() { return 22; }
const TableDecl& OrderCodec::table() { return kOrdersTable; }

void OrderCodec::bind(SQLite::Statement& s, const Order& o) {
    int i = 1;
    bind_opt(s, i++, o.customer_id);
    s.bind(i++, o.number.value_or(0));
    s.bind(i++, micros(o.date.value_or(Timestamp{})));
    s.bind(i++, static_cast<int>(o.status));
    bind_opt(s, i++, o.submit_date);
    s.bind(i++, o.type);
    s.bind(i++, o.quantity);
    s.bind(i++, o.activation_limit);
    bind_opt(s, i++, o.description);
    s.bind(i++, o.is_demo ? 1 : 0);
    s.bind(i++, o.archived ? 1 : 0);
    bind_opt(s, i++, o.archived_at);
    s.bind(i++, o.can_overwrite_container ? 1 : 0);
    s.bind(i++, o.customer_required ? 1 : 0);
    bind_opt(s, i++, o.activation_birth_date);
    bind_opt(s, i++, o.activation_death_date);
    bind_opt(s, i++, o.crm_id);
    bind_opt(s, i++, o.ref_id);
    s.bind(i++, o.total_cents);
    s.bind(i++, micros(o.created_at));
    s.bind(i++, micros(o.updated_at));
}

Order OrderCodec::read(const RowView& q) {
    Order o;
    int i = 0;
    o.id = q.getColumn(i++).getInt64();
    o.customer_id = int_col(q.getColumn(i++));
    o.number = q.getColumn(i++).getInt64();
    o.date = ts_required(q.getColumn(i++));
    o.status = static_cast<OrderStatus>(q.getColumn(i++).getInt());
    o.submit_date = ts_col(q.getColumn(i++));
    o.type = q.getColumn(i++).getInt64();
    o.quantity = q.getColumn(i++).getInt64();
    o.activation_limit = q.getColumn(i++).getInt64();
    o.description = text_col(q.getColumn(i++));
    o.is_demo = bool_col(q.getColumn(i++));
    o.archived = bool_col(q.getColumn(i++));
    o.archived_at = ts_col(q.getColumn(i++));
    o.can_overwrite_container = bool_col(q.getColumn(i++));
    o.customer_required = bool_col(q.getColumn(i++));
    o.activation_birth_date = ts_col(q.getColumn(i++));
    o.activation_death_date = ts_col(q.getColumn(i++));
    o.crm_id = text_col(q.getColumn(i++));
    o.ref_id = text_col(q.getColumn(i++));
    o.total_cents = q.getColumn(i++).getInt64();
    o.created_at = ts_required(q.getColumn(i++));
    o.updated_at = ts_required(q.getColumn(i++));
    return o;
}

// --- messages -----------------------------------------------------------------

namespace {
constexpr ColumnDecl kMessageColumns[] = {
    {"id", "id", ColumnKind::plain},
    {"customer_id", "customer_id", ColumnKind::plain},
    {"context", "context", ColumnKind::text},
    {"created_at", "created_at", ColumnKind::timestamp},
};
const TableDecl kMessagesTable{"messages", kMessageColumns, "", "", "", ""};
}  // namespace

const char* MessageCodec::columns() { return "id, customer_id, context, created_at"; }
int MessageCodec::column_count() { return 4; }
const TableDecl& MessageCodec::table() { return kMessagesTable; }

void MessageCodec::bind(SQLite::Statement& s, const Message& m) {
    s.bind(1, m.customer_id);
    s.bind(2, m.context);
    s.bind(3, micros(m.created_at));
}

Message MessageCodec::read(const RowView& q) {
    Message m;
    m.id = q.getColumn(0).getInt64();
    m.customer_id = q.getColumn(1).getInt64();
    m.context = q.getColumn(2).getString();
    m.created_at = ts_required(q.getColumn(3));
    return m;
}

// --- forms --------------------------------------------------------------------

namespace {
constexpr ColumnDecl kFormColumns[] = {
    {"id", "id", ColumnKind::plain},
    {"name", "name", ColumnKind::nocase_text},
    {"active", "active", ColumnKind::plain},
};
const TableDecl kFormsTable{"forms", kFormColumns, "", "", "", ""};
}  // namespace

const char* FormCodec::columns() { return "id, name, active, fields"; }
int FormCodec::column_count() { return 4; }
const TableDecl& FormCodec::table() { return kFormsTable; }

void FormCodec::bind(SQLite::Statement& s, const Form& f) {
    s.bind(1, f.name);
    s.bind(2, f.active ? 1 : 0);
    // The fields are stored as the form's own JSON `fields` array.
    json::value v = json::value_from(f);
    s.bind(3, json::serialize(v.get_object()["fields"]));
}

Form FormCodec::read(const RowView& q) {
    json::object o;
    o["id"] = q.getColumn(0).getInt64();
    o["name"] = q.getColumn(1).getString();
    o["active"] = bool_col(q.getColumn(2));
    o["fields"] = stored_json(q.getColumn(3).getText());
    Form f = json::value_to<Form>(json::value(std::move(o)));  // it was checked when stored
    f.id = q.getColumn(0).getInt64();  // read-only, so parsing left it out
    return f;
}

// --- tickets ------------------------------------------------------------------

namespace {
constexpr ColumnDecl kTicketColumns[] = {
    {"id", "id", ColumnKind::plain},
    {"customer_id", "customer_id", ColumnKind::nullable_int},
    {"customer_uuid", "customer_uuid", ColumnKind::text},
    {"date", "date", ColumnKind::timestamp},
    {"payment_mode", "payment_mode", ColumnKind::text},
    {"origin", "origin", ColumnKind::text},
    {"total_cents", "total_cents", ColumnKind::plain},
    {"loyalty_points_cents", "loyalty_points_cents", ColumnKind::plain},
    {"ref", "ref", ColumnKind::text},
    {"created_at", "created_at", ColumnKind::timestamp},
};
const TableDecl kTicketsTable{"tickets", kTicketColumns, "", "", "", ""};

PaymentMode payment_mode_col(const Cell& c) {
    return enum_col<PaymentMode>(c, {{"OTHER", PaymentMode::other}, {"CASH", PaymentMode::cash},
                                     {"CARD", PaymentMode::card}, {"CHECK", PaymentMode::check},
                                     {"TRANSFER", PaymentMode::transfer}});
}
}  // namespace

const char* TicketCodec::columns() {
    return "id, customer_id, customer_uuid, date, payment_mode, origin, lines, total_cents, loyalty_points_cents, "
           "ref, created_at";
}
int TicketCodec::column_count() { return 11; }
const TableDecl& TicketCodec::table() { return kTicketsTable; }

void TicketCodec::bind(SQLite::Statement& s, const Ticket& t) {
    int i = 1;
    bind_opt(s, i++, t.customer_id);
    bind_opt(s, i++, t.customer_uuid);
    s.bind(i++, micros(t.date.value_or(Timestamp{})));
    s.bind(i++, std::string(to_string(t.payment_mode)));
    s.bind(i++, t.origin);
    s.bind(i++, domain::lines_text(t.lines));  // the ticket's own JSON `lines` array
    s.bind(i++, t.total_cents.value_or(0));
    s.bind(i++, t.loyalty_points_cents);
    bind_opt(s, i++, t.ref);
    s.bind(i++, micros(t.created_at));
}

Ticket TicketCodec::read(const RowView& q) {
    Ticket t;
    int i = 0;
    t.id = q.getColumn(i++).getInt64();
    t.customer_id = int_col(q.getColumn(i++));
    t.customer_uuid = text_col(q.getColumn(i++));
    t.date = ts_required(q.getColumn(i++));
    t.payment_mode = payment_mode_col(q.getColumn(i++));
    t.origin = q.getColumn(i++).getString();
    {
        json::value lines = stored_json(q.getColumn(i++).getText());  // written by bind() above
        if (lines.is_array())
            for (const auto& l : lines.get_array()) {
                if (!l.is_object()) continue;
                const json::object& o = l.get_object();
                TicketLine line;
                auto num = [&](std::string_view k) {
                    const json::value* v = o.if_contains(k);
                    return v && v->is_int64() ? v->get_int64() : std::int64_t{0};
                };
                if (const json::value* code = o.if_contains("product_code"); code && code->is_string())
                    line.product_code = std::string(code->get_string());
                line.unit_price_before_cents = num("unit_price_before_cents");
                line.promo_percent = num("promo_percent");
                line.unit_price_after_cents = num("unit_price_after_cents");
                line.quantity = num("quantity");
                t.lines.push_back(std::move(line));
            }
    }
    t.total_cents = q.getColumn(i++).getInt64();
    t.loyalty_points_cents = q.getColumn(i++).getInt64();
    t.ref = text_col(q.getColumn(i++));
    t.created_at = ts_required(q.getColumn(i++));
    return t;
}

// --- ledger -------------------------------------------------------------------

namespace {
constexpr ColumnDecl kLedgerColumns[] = {
    {"id", "id", ColumnKind::plain},
    {"customer_id", "customer_id", ColumnKind::plain},
    {"delta_cents", "delta_cents", ColumnKind::plain},
    {"reason", "reason", ColumnKind::text},
    {"ref", "ref", ColumnKind::text},
    {"ticket_id", "ticket_id", ColumnKind::nullable_int},
    {"created_at", "created_at", ColumnKind::timestamp},
};
const TableDecl kLedgerTable{"ledger", kLedgerColumns, "", "", "", ""};
}  // namespace

const char* LedgerCodec::columns() { return "id, customer_id, delta_cents, reason, ref, ticket_id, created_at"; }
int LedgerCodec::column_count() { return 7; }
const TableDecl& LedgerCodec::table() { return kLedgerTable; }

void LedgerCodec::bind(SQLite::Statement& s, const LedgerEntry& e) {
    s.bind(1, e.customer_id);
    s.bind(2, e.delta_cents);
    s.bind(3, std::string(to_string(e.reason)));
    bind_opt(s, 4, e.ref);
    bind_opt(s, 5, e.ticket_id);
    s.bind(6, micros(e.created_at));
}

LedgerEntry LedgerCodec::read(const RowView& q) {
    LedgerEntry e;
    e.id = q.getColumn(0).getInt64();
    e.customer_id = q.getColumn(1).getInt64();
    e.delta_cents = q.getColumn(2).getInt64();
    e.reason = enum_col<LedgerReason>(q.getColumn(3), {{"accrual", LedgerReason::accrual},
                                                        {"redemption", LedgerReason::redemption},
                                                        {"reversal", LedgerReason::reversal},
                                                        {"import", LedgerReason::import},
                                                        {"adjustment", LedgerReason::adjustment}});
    e.ref = text_col(q.getColumn(4));
    e.ticket_id = int_col(q.getColumn(5));
    e.created_at = ts_required(q.getColumn(6));
    return e;
}

// --- credit requests ----------------------------------------------------------

namespace {
constexpr ColumnDecl kCreditRequestColumns[] = {
    {"id", "id", ColumnKind::plain},
    {"customer_id", "customer_id", ColumnKind::plain},
    {"customer_uuid", "customer_uuid", ColumnKind::text},
    {"amount_cents", "amount_cents", ColumnKind::plain},
    {"date", "date", ColumnKind::date_text},
    {"allowed", "allowed", ColumnKind::plain},
    {"created_at", "created_at", ColumnKind::timestamp},
};
const TableDecl kCreditRequestsTable{"credit_requests", kCreditRequestColumns, "", "", "", ""};
}  // namespace

const char* CreditRequestCodec::columns() {
    return "id, customer_id, customer_uuid, amount_cents, date, allowed, reasons, created_at";
}
int CreditRequestCodec::column_count() { return 8; }
const TableDecl& CreditRequestCodec::table() { return kCreditRequestsTable; }

void CreditRequestCodec::bind(SQLite::Statement& s, const CreditRequest& r) {
    s.bind(1, r.customer_id);
    s.bind(2, r.customer_uuid);
    s.bind(3, r.amount_cents);
    s.bind(4, format_date(r.date));
    s.bind(5, r.allowed ? 1 : 0);
    s.bind(6, json::serialize(json::array(r.reasons.begin(), r.reasons.end())));
    s.bind(7, micros(r.created_at));
}

CreditRequest CreditRequestCodec::read(const RowView& q) {
    CreditRequest r;
    r.id = q.getColumn(0).getInt64();
    r.customer_id = q.getColumn(1).getInt64();
    r.customer_uuid = q.getColumn(2).getString();
    r.amount_cents = q.getColumn(3).getInt64();
    r.date = date_col(q.getColumn(4)).value_or(Date{});
    r.allowed = bool_col(q.getColumn(5));
    json::value reasons = stored_json(q.getColumn(6).getText());
    if (reasons.is_array())
        for (const auto& x : reasons.get_array())
            if (x.is_string()) r.reasons.emplace_back(x.get_string());
    r.created_at = ts_required(q.getColumn(7));
    return r;
}

}  // namespace crm::storage

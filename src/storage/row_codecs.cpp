#include "storage/row_codecs.hpp"

#include "storage/sqlite_values.hpp"

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

Order OrderCodec::read(SQLite::Statement& q) {
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

Message MessageCodec::read(SQLite::Statement& q) {
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

Form FormCodec::read(SQLite::Statement& q) {
    json::object o;
    o["id"] = q.getColumn(0).getInt64();
    o["name"] = q.getColumn(1).getString();
    o["active"] = bool_col(q.getColumn(2));
    o["fields"] = json::parse(q.getColumn(3).getText());
    Form f = json::value_to<Form>(json::value(std::move(o)));  // it was checked when stored
    f.id = q.getColumn(0).getInt64();  // read-only, so parsing left it out
    return f;
}

}  // namespace crm::storage

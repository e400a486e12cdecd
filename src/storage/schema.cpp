// The SQLite schema, as ordered migrations. A migration is never edited once
// released: a change to the schema is a new migration appended to the list.
//
// Representation choices (all private to storage):
// - ids are AUTOINCREMENT: an id is never given again after a delete, so a
//   client holding an old id cannot reach another row with it;
// - timestamps are INTEGER microseconds since the Unix epoch, UTC;
// - dates are TEXT 'YYYY-MM-DD' (they sort as dates);
// - booleans are INTEGER 0/1; JSON objects and arrays are TEXT;
// - text sorts use COLLATE NOCASE (query.md), emails are stored lower-case.
#include "storage/schema.hpp"

#include <crm/error.hpp>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include <array>

namespace crm::storage {

namespace {

constexpr std::array<const char*, 5> kMigrations = {
    // 1: customers.
    R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (0);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'company')),
    first_name TEXT,
    last_name TEXT,
    company_name TEXT,
    email TEXT,
    phone TEXT,
    mobile TEXT,
    gender TEXT NOT NULL DEFAULT 'unknown' CHECK (gender IN ('male', 'female', 'other', 'unknown')),
    date_of_birth TEXT,
    note TEXT,
    status INTEGER NOT NULL DEFAULT 0 CHECK (status >= 0),
    is_active INTEGER NOT NULL DEFAULT 1,
    archived INTEGER NOT NULL DEFAULT 0,
    archived_at INTEGER,
    accepts_marketing INTEGER NOT NULL DEFAULT 0,
    email_allowed INTEGER NOT NULL DEFAULT 0,
    sms_allowed INTEGER NOT NULL DEFAULT 0,
    call_allowed INTEGER NOT NULL DEFAULT 0,
    user_type TEXT NOT NULL DEFAULT 'registered' CHECK (user_type IN ('guest', 'registered')),
    channel_id INTEGER,
    channel_code TEXT,
    erp_code TEXT,
    crm_id TEXT,
    ref_id TEXT,
    account TEXT,
    loyalty_card TEXT,
    coupons TEXT NOT NULL DEFAULT '[]',
    date_joined INTEGER NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    extra_field TEXT NOT NULL DEFAULT '{}',
    localized_attributes TEXT NOT NULL DEFAULT '{}',
    credit_cents INTEGER NOT NULL DEFAULT 0 CHECK (credit_cents >= 0),
    refusal_count INTEGER NOT NULL DEFAULT 0,
    last_payment_date TEXT,
    last_payment_cents INTEGER,
    average_basket_cents INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX customers_uuid ON customers (uuid);
CREATE UNIQUE INDEX customers_email ON customers (email);
CREATE UNIQUE INDEX customers_loyalty_card ON customers (loyalty_card);
)sql",
    // 2: listing. Coupons as rows (so `coupon` filters use an index), filled
    // from the JSON column; indexes for the default orderings and common
    // filters, on the same expressions the queries sort by; a row count kept
    // by triggers (an unfiltered count costs nothing); the full-text index
    // behind `q`, kept in sync by triggers; the key that signs cursors.
    R"sql(
CREATE TABLE customer_coupons (
    code TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (code, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_coupons_customer ON customer_coupons (customer_id);
INSERT INTO customer_coupons (code, customer_id)
    SELECT DISTINCT j.value, c.id FROM customers c, json_each(c.coupons) j;

CREATE INDEX customers_default_order ON customers (
    ifnull(company_name, '') COLLATE NOCASE, ifnull(last_name, '') COLLATE NOCASE,
    ifnull(first_name, '') COLLATE NOCASE, id);
CREATE INDEX customers_name_order ON customers (
    ifnull(last_name, '') COLLATE NOCASE, ifnull(first_name, '') COLLATE NOCASE, id);
CREATE INDEX customers_first_name ON customers (ifnull(first_name, '') COLLATE NOCASE);
CREATE INDEX customers_channel_code ON customers (ifnull(channel_code, '') COLLATE NOCASE);
-- newest first is the common listing: (created_at DESC, id) walks it with no sort
CREATE INDEX customers_created_at ON customers (created_at DESC, id);

CREATE TABLE row_counts (collection TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO row_counts (collection, n) SELECT 'customers', count(*) FROM customers;
CREATE TRIGGER customers_count_insert AFTER INSERT ON customers BEGIN
    UPDATE row_counts SET n = n + 1 WHERE collection = 'customers';
END;
CREATE TRIGGER customers_count_delete AFTER DELETE ON customers BEGIN
    UPDATE row_counts SET n = n - 1 WHERE collection = 'customers';
END;

-- prefix indexes: `q` matches prefixes of 1 to 3 characters without
-- merging every term that starts with them (typeahead from the first letter)
CREATE VIRTUAL TABLE customers_fts USING fts5(
    first_name, last_name, company_name, email, phone,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (rowid, first_name, last_name, company_name, email, phone)
    VALUES (new.id, new.first_name, new.last_name, new.company_name, new.email,
            new.phone || ' ' || replace(replace(replace(replace(replace(replace(
                new.phone, ' ', ''), '-', ''), '.', ''), '(', ''), ')', ''), '+', ''));
END;
CREATE TRIGGER customers_fts_update AFTER UPDATE OF first_name, last_name, company_name, email, phone
ON customers BEGIN
    DELETE FROM customers_fts WHERE rowid = old.id;
    INSERT INTO customers_fts (rowid, first_name, last_name, company_name, email, phone)
    VALUES (new.id, new.first_name, new.last_name, new.company_name, new.email,
            new.phone || ' ' || replace(replace(replace(replace(replace(replace(
                new.phone, ' ', ''), '-', ''), '.', ''), '(', ''), ')', ''), '+', ''));
END;
CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customers_fts WHERE rowid = old.id;
END;
INSERT INTO customers_fts (rowid, first_name, last_name, company_name, email, phone)
    SELECT id, first_name, last_name, company_name, email,
           phone || ' ' || replace(replace(replace(replace(replace(replace(
               phone, ' ', ''), '-', ''), '.', ''), '(', ''), ')', ''), '+', '')
    FROM customers;

CREATE TABLE crm_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
INSERT INTO crm_meta (key, value) VALUES ('cursor_key', randomblob(16));
)sql",
    // 3: orders (seed 001), messages and forms (seed 000). A customer with
    // orders cannot be deleted (the foreign key refuses it); its messages go
    // with it. forms_version changes with every change of a form, so engines
    // in every process know when to reload the active forms.
    R"sql(
CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER REFERENCES customers (id),
    number INTEGER NOT NULL CHECK (number >= 0),
    date INTEGER NOT NULL,
    status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),
    submit_date INTEGER,
    type INTEGER NOT NULL DEFAULT 0,
    quantity INTEGER NOT NULL DEFAULT 1,
    activation_limit INTEGER NOT NULL DEFAULT 0,
    description TEXT,
    is_demo INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    archived_at INTEGER,
    can_overwrite_container INTEGER NOT NULL DEFAULT 0,
    customer_required INTEGER NOT NULL DEFAULT 1,
    activation_birth_date INTEGER,
    activation_death_date INTEGER,
    crm_id TEXT,
    ref_id TEXT,
    total_cents INTEGER NOT NULL DEFAULT 0 CHECK (total_cents BETWEEN 0 AND 1000000000000000),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX orders_number ON orders (number, id);
CREATE INDEX orders_customer ON orders (customer_id, number, id);
CREATE INDEX orders_submit_date ON orders (ifnull(submit_date, -9223372036854775807), id);
CREATE INDEX orders_created_at ON orders (created_at);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    context TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX messages_customer ON messages (customer_id, id);

CREATE TABLE forms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    fields TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX forms_name ON forms (name);

INSERT INTO row_counts (collection, n) VALUES ('orders', 0), ('messages', 0), ('forms', 0);
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders BEGIN
    UPDATE row_counts SET n = n + 1 WHERE collection = 'orders';
END;
CREATE TRIGGER orders_count_delete AFTER DELETE ON orders BEGIN
    UPDATE row_counts SET n = n - 1 WHERE collection = 'orders';
END;
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
    UPDATE row_counts SET n = n + 1 WHERE collection = 'messages';
END;
CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
    UPDATE row_counts SET n = n - 1 WHERE collection = 'messages';
END;
CREATE TRIGGER forms_count_insert AFTER INSERT ON forms BEGIN
    UPDATE row_counts SET n = n + 1 WHERE collection = 'forms';
    UPDATE crm_meta SET value = value + 1 WHERE key = 'forms_version';
END;
CREATE TRIGGER forms_changed AFTER UPDATE ON forms BEGIN
    UPDATE crm_meta SET value = value + 1 WHERE key = 'forms_version';
END;
CREATE TRIGGER forms_count_delete AFTER DELETE ON forms BEGIN
    UPDATE row_counts SET n = n - 1 WHERE collection = 'forms';
    UPDATE crm_meta SET value = value + 1 WHERE key = 'forms_version';
END;
INSERT INTO crm_meta (key, value) VALUES ('forms_version', 0);
)sql",
    // 4: tickets, the loyalty ledger and credit requests (seed 003).
    R"sql(
-- Kept by the tickets triggers below, so that a customer's average basket
-- and last payment cost O(1) per ticket.
ALTER TABLE customers ADD COLUMN ticket_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN ticket_total_cents INTEGER NOT NULL DEFAULT 0;

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER REFERENCES customers (id),
    customer_uuid TEXT,
    date INTEGER NOT NULL,
    payment_mode TEXT NOT NULL CHECK (payment_mode IN ('CASH', 'CARD', 'CHECK', 'TRANSFER', 'OTHER')),
    origin TEXT NOT NULL,
    lines TEXT NOT NULL,
    total_cents INTEGER NOT NULL CHECK (total_cents BETWEEN 0 AND 1000000000000000),
    loyalty_points_cents INTEGER NOT NULL DEFAULT 0 CHECK (loyalty_points_cents BETWEEN 0 AND 1000000000000000),
    ref TEXT,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX tickets_ref ON tickets (ref);
CREATE INDEX tickets_date ON tickets (date DESC, id);
CREATE INDEX tickets_customer ON tickets (customer_id, date DESC, id);
CREATE INDEX tickets_customer_uuid ON tickets (customer_uuid, date DESC, id);
CREATE INDEX tickets_total ON tickets (total_cents, id);

-- The last payment is the customer's latest ticket's (by date, then id).
CREATE TRIGGER tickets_customer_insert AFTER INSERT ON tickets WHEN NEW.customer_id IS NOT NULL BEGIN
    UPDATE customers SET
        ticket_count = ticket_count + 1,
        ticket_total_cents = ticket_total_cents + NEW.total_cents,
        average_basket_cents = (ticket_total_cents + NEW.total_cents) / (ticket_count + 1),
        last_payment_date = (SELECT date(t.date / 1000000.0, 'unixepoch') FROM tickets t
                             WHERE t.customer_id = NEW.customer_id ORDER BY t.date DESC, t.id DESC LIMIT 1),
        last_payment_cents = (SELECT t.total_cents FROM tickets t
                              WHERE t.customer_id = NEW.customer_id ORDER BY t.date DESC, t.id DESC LIMIT 1)
    WHERE id = NEW.customer_id;
END;
-- After a delete: the latest remaining ticket's (or none).
CREATE TRIGGER tickets_customer_delete AFTER DELETE ON tickets WHEN OLD.customer_id IS NOT NULL BEGIN
    UPDATE customers SET
        ticket_count = ticket_count - 1,
        ticket_total_cents = ticket_total_cents - OLD.total_cents,
        average_basket_cents = CASE WHEN ticket_count > 1
                                    THEN (ticket_total_cents - OLD.total_cents) / (ticket_count - 1) ELSE 0 END,
        last_payment_date = (SELECT date(t.date / 1000000.0, 'unixepoch') FROM tickets t
                             WHERE t.customer_id = OLD.customer_id ORDER BY t.date DESC, t.id DESC LIMIT 1),
        last_payment_cents = (SELECT t.total_cents FROM tickets t
                              WHERE t.customer_id = OLD.customer_id ORDER BY t.date DESC, t.id DESC LIMIT 1)
    WHERE id = OLD.customer_id;
END;

-- Append-only: customers.credit_cents is kept equal to the sum of a
-- customer's entries by these triggers, and can never go below zero.
CREATE TABLE ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    delta_cents INTEGER NOT NULL CHECK (delta_cents BETWEEN -1000000000000000 AND 1000000000000000),
    reason TEXT NOT NULL CHECK (reason IN ('accrual', 'redemption', 'reversal', 'import', 'adjustment')),
    ref TEXT,
    ticket_id INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX ledger_customer ON ledger (customer_id, id);
CREATE UNIQUE INDEX ledger_ref ON ledger (reason, ref) WHERE ref IS NOT NULL;
CREATE INDEX ledger_ticket ON ledger (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE TRIGGER ledger_not_below_zero BEFORE INSERT ON ledger BEGIN
    SELECT RAISE(ABORT, 'crm: a balance cannot go below zero')
    WHERE (SELECT credit_cents FROM customers WHERE id = NEW.customer_id) + NEW.delta_cents < 0;
END;
CREATE TRIGGER ledger_apply AFTER INSERT ON ledger BEGIN
    UPDATE customers SET credit_cents = credit_cents + NEW.delta_cents WHERE id = NEW.customer_id;
    UPDATE row_counts SET n = n + 1 WHERE collection = 'ledger';
END;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN
    SELECT RAISE(ABORT, 'crm: the ledger is append-only');
END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN
    SELECT RAISE(ABORT, 'crm: the ledger is append-only');
END;

-- Decided credit requests; deleted with their customer, like messages.
CREATE TABLE credit_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    customer_uuid TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents BETWEEN 0 AND 1000000000000000),
    date TEXT NOT NULL,
    allowed INTEGER NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL
);
CREATE INDEX credit_requests_customer ON credit_requests (customer_id, id);
CREATE INDEX credit_requests_date ON credit_requests (date, id);

INSERT INTO row_counts (collection, n) VALUES ('tickets', 0), ('ledger', 0), ('credit_requests', 0);
CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets BEGIN
    UPDATE row_counts SET n = n + 1 WHERE collection = 'tickets';
END;
CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets BEGIN
    UPDATE row_counts SET n = n - 1 WHERE collection = 'tickets';
END;
CREATE TRIGGER credit_requests_count_insert AFTER INSERT ON credit_requests BEGIN
    UPDATE row_counts SET n = n + 1 WHERE collection = 'credit_requests';
END;
CREATE TRIGGER credit_requests_count_delete AFTER DELETE ON credit_requests BEGIN
    UPDATE row_counts SET n = n - 1 WHERE collection = 'credit_requests';
END;
)sql",
    // 5: import upserts match customers by crm_id or erp_code too.
    R"sql(
CREATE INDEX customers_crm_id ON customers (crm_id) WHERE crm_id IS NOT NULL;
CREATE INDEX customers_erp_code ON customers (erp_code) WHERE erp_code IS NOT NULL;
)sql",
};

}  // namespace

int latest_schema_version() noexcept { return static_cast<int>(kMigrations.size()); }

int schema_version(SQLite::Database& db) {
    if (db.tableExists("schema_version")) {
        SQLite::Statement q(db, "SELECT version FROM schema_version");
        if (!q.executeStep()) throw IoError("the database's schema_version table is empty: not a crm database");
        return q.getColumn(0).getInt();
    }
    SQLite::Statement any(db, "SELECT count(*) FROM sqlite_schema");
    any.executeStep();
    if (any.getColumn(0).getInt() != 0) throw IoError("the file is an SQLite database but not a crm database");
    return 0;
}

void migrate(SQLite::Database& db, int target) {
    const int latest = latest_schema_version();
    if (target < 0 || target > latest) target = latest;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int version = schema_version(db);
    if (version > latest)
        throw IoError(fmt::format(
            "the database's schema version {} is newer than this library's ({}): open it with a newer crm",
            version, latest));
    if (version >= target) return;  // rolls back the empty transaction
    for (int v = version; v < target; ++v) db.exec(kMigrations[static_cast<std::size_t>(v)]);
    SQLite::Statement set(db, "UPDATE schema_version SET version = ?");
    set.bind(1, target);
    set.exec();
    tx.commit();
}

}  // namespace crm::storage

// Bulk import and streaming export (spec/c-api.md "Bulk, streaming,
// progress").
//
// Import parses one row at a time (domain::RowSplitter finds the rows, each
// is parsed by Boost.JSON into a small arena), maps the row from its source
// format, and writes it with the collection's own rules, all in one write
// transaction when atomic (a killed process leaves the file as before), or
// in transactions of kChunkRows rows with a savepoint per row when not.
//
// Export pages through the collection with keyset cursors, kExportPage rows
// at a time, each page in its own read snapshot: memory does not grow with
// the collection, other calls on the engine run between pages, and (in the
// default id order) no row that exists throughout is repeated or skipped.
#include <crm/bulk.hpp>
#include <crm/engine.hpp>

#include "engine/engine_impl.hpp"
#include "engine/models.hpp"

#include "domain/formats.hpp"
#include "domain/json_reader.hpp"
#include "domain/payload.hpp"
#include "domain/text.hpp"
#include "domain/uuid.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <fmt/format.h>

namespace crm {

namespace json = boost::json;

// --- options, report, error ---------------------------------------------------

ImportOptions ImportOptions::from_json(const json::value& jv) {
    ImportOptions o;
    if (jv.is_null()) return o;
    if (!jv.is_object()) throw InvalidError("the import options must be a JSON object");
    std::vector<FieldError> errors;
    domain::JsonReader r(jv.get_object(), errors);
    std::optional<std::string> format, mode, key;
    r.text("format", format);
    r.text("mode", mode);
    r.text("key", key);
    r.boolean("atomic", o.atomic);
    r.finish();
    if (format) {
        if (auto f = domain::format_named(*format))
            o.format = *f;
        else
            errors.push_back({"format", "must be one of: canonical, crm-app, v1, heidian, akinon"});
    }
    if (mode) {
        if (*mode == "create")
            o.mode = ImportMode::create;
        else if (*mode == "upsert")
            o.mode = ImportMode::upsert;
        else
            errors.push_back({"mode", "must be create or upsert"});
    }
    if (key) {
        static constexpr std::string_view kKeys[] = {"email", "uuid", "crm_id", "erp_code", "loyalty_card"};
        if (std::find(std::begin(kKeys), std::end(kKeys), *key) == std::end(kKeys))
            errors.push_back({"key", "must be one of: email, uuid, crm_id, erp_code, loyalty_card"});
        else
            o.key = *key;
    }
    if (!errors.empty()) throw InvalidError(std::move(errors));
    return o;
}

namespace {

json::array row_errors_json(const std::vector<RowError>& rows) {
    json::array a;
    a.reserve(rows.size());
    for (const auto& r : rows) {
        json::array fields;
        for (const auto& f : r.errors)
            fields.push_back({{"field", domain::valid_utf8(f.field)}, {"message", domain::valid_utf8(f.message)}});
        a.push_back({{"index", r.index}, {"code", status_name(r.code)}, {"errors", std::move(fields)}});
    }
    return a;
}

}  // namespace

json::object ImportReport::to_json() const {
    // The spec's four keys; `unchanged` (tickets replayed under a stored ref)
    // is in the C++ report only.
    return {{"created", created}, {"updated", updated}, {"failed", failed}, {"errors", row_errors_json(errors)}};
}

ImportError::ImportError(ImportReport report)
    : InvalidError(fmt::format("{} of {} rows failed: nothing was imported", report.failed,
                               report.created + report.updated + report.unchanged + report.failed)),
      report_(std::move(report)) {}

std::string ImportError::to_json() const {
    return json::serialize(json::object{{"code", "invalid"},
                                        {"message", domain::valid_utf8(what())},
                                        {"errors", row_errors_json(report_.errors)}});
}

// --- import ---------------------------------------------------------------------

namespace {

using namespace engine_detail;

constexpr std::int64_t kChunkRows = 10'000;  // rows per transaction when not atomic
constexpr std::size_t kMaxRowText = 16u << 20;  // bytes of one row's JSON

// Reports progress at least every 1% of `total` and at the end, for import
// and export. The end reports done == total as the rows really done (an
// export's rows may come or go while it runs).
class Progress {
public:
    Progress(const ProgressFn& fn, std::int64_t total) : fn_(fn), total_(total), step_(std::max<std::int64_t>(1, total / 100)) {}
    void row_done() {
        ++done_;
        if (fn_ && done_ % step_ == 0 && done_ < total_) fn_(done_, total_);
    }
    void finish() {
        if (fn_) fn_(done_, done_);
    }

private:
    const ProgressFn& fn_;
    std::int64_t total_, step_, done_ = 0;
};

struct Importer {
    Engine::Impl& impl;
    std::string_view collection;
    const ImportOptions& options;
    ImportReport report;

    // Imports one parsed source row (inside the write transaction). Throws
    // InvalidError or ConflictError for a row that fails.
    void row(const json::object& src) {
        std::vector<FieldError> errors;
        domain::MappedRow m = domain::map_row(options.format, collection, src, errors);
        if (collection == "customers") return customer(std::move(m), errors);
        if (collection == "orders") return other<Order>(std::move(m), errors);
        if (collection == "tickets") return other<Ticket>(std::move(m), errors);
        if (collection == "messages") return other<Message>(std::move(m), errors);
        if (collection == "forms") return other<Form>(std::move(m), errors);
        throw Error(Status::internal, "no importer for this collection");
    }

    template <class T>
    void other(domain::MappedRow m, std::vector<FieldError>& errors) {
        T row = Model<T>::parse(json::value(std::move(m.row)), errors);
        Model<T>::check(row, errors);
        // A ticket whose ref is stored already is the same ticket again (or a
        // conflict): nothing is created.
        bool replay = false;
        if constexpr (std::is_same_v<T, Ticket>)
            replay = errors.empty() && row.ref && impl.store->find_ticket_by_ref(*row.ref);
        impl.insert_checked<T>(std::move(row), errors);  // adds the errors that need the database, throws
        ++(replay ? report.unchanged : report.created);
    }

    std::optional<std::string> key_value(const Customer& c, const domain::MappedRow& m) const {
        const std::string& k = options.key;
        if (k == "email") return c.email;
        if (k == "uuid") return m.uuid;
        if (k == "crm_id") return c.crm_id;
        if (k == "erp_code") return c.erp_code;
        return c.loyalty_card;
    }

    void customer(domain::MappedRow m, std::vector<FieldError>& errors) {
        const json::value given(std::move(m.row));  // for an upsert: the fields given
        Customer c = domain::parse_customer(given, errors);
        domain::normalize(c);
        domain::validate(c, today(), errors);
        if (m.uuid) {
            m.uuid = domain::ascii_lower(domain::trim(*m.uuid));
            if (!domain::is_uuid(*m.uuid)) errors.push_back({m.uuid_field, "must be a UUID (8-4-4-4-12 hex digits)"});
        }
        std::optional<std::string> key;
        if (options.mode == ImportMode::upsert) {
            key = key_value(c, m);
            if (!key) errors.push_back({options.key, "is required to upsert by " + options.key});
        }
        if (!errors.empty()) throw InvalidError(std::move(errors));
        const Timestamp t = now();
        std::optional<Customer> stored;
        if (key) stored = impl.store->find_customer_by(options.key, *key);
        std::int64_t balance = 0;
        if (stored) {
            // upsert: the fields given overwrite, the others are kept
            json::value merged = json::value_from(*stored);
            for (const auto& kv : given.get_object()) merged.get_object()[kv.key()] = kv.value();
            c = domain::parse_customer(merged, errors);
            domain::normalize(c);
            domain::validate(c, today(), errors);
            Model<Customer>::on_replace(impl, c, *stored, errors, t);
            if (m.uuid && *m.uuid != stored->uuid)
                errors.push_back({m.uuid_field, "differs from the stored customer's uuid"});
            if (!errors.empty()) throw InvalidError(std::move(errors));
            c.id = stored->id;
            balance = stored->credit_cents;
        } else {
            Model<Customer>::on_create(impl, c, errors, t);
            if (!errors.empty()) throw InvalidError(std::move(errors));
            if (m.uuid) c.uuid = *m.uuid;  // a source system's identifier is kept
        }
        if (m.refusal_count) c.refusal_count = *m.refusal_count;
        if (m.last_payment_date) c.last_payment_date = m.last_payment_date;
        if (m.last_payment_cents) c.last_payment_cents = m.last_payment_cents;
        if (stored)
            impl.store->update_customer(c);
        else
            impl.store->insert_customer(c);
        // An opening balance (crm-app `Credit`): an `import` ledger entry
        // bringing the balance to the amount given.
        if (m.credit_cents && *m.credit_cents != balance) {
            LedgerEntry e;
            e.customer_id = c.id;
            e.delta_cents = *m.credit_cents - balance;
            e.reason = LedgerReason::import;
            e.created_at = t;
            impl.store->insert_ledger(e);
        }
        ++(stored ? report.updated : report.created);
    }
};

// Parses one row's text into a JSON object, or explains why it is not one.
// The row lives in `arena`: the mappers copy what they keep.
std::optional<json::value> parse_row(std::string_view text, json::monotonic_resource& arena,
                                     std::vector<FieldError>& errors) {
    if (text.size() > kMaxRowText) {  // a documented limit: memory stays bounded per row
        errors.push_back({"", "is larger than 16 MiB"});
        return std::nullopt;
    }
    json::parse_options opts;
    opts.max_depth = 64;
    std::error_code ec;
    json::value v = json::parse(text, ec, json::storage_ptr(&arena), opts);
    if (ec) {
        errors.push_back({"", "is not valid JSON: " + ec.message()});
        return std::nullopt;
    }
    if (!v.is_object()) {
        errors.push_back({"", "must be a JSON object"});
        return std::nullopt;
    }
    return v;
}

}  // namespace

ImportReport Engine::import_rows(std::string_view collection, std::string_view payload, const ImportOptions& options) {
    static constexpr std::string_view kImportable[] = {"customers", "orders", "tickets", "messages", "forms"};
    if (std::find(std::begin(kImportable), std::end(kImportable), collection) == std::end(kImportable)) {
        if (collection == "ledger" || collection == "credit_requests")
            throw InvalidError(fmt::format("cannot import into {}: it is written by the credit calls only", collection));
        throw NotFoundError(fmt::format("no collection named '{}'", collection));
    }
    std::vector<FieldError> option_errors;
    if (!domain::format_supports(options.format, collection))
        option_errors.push_back({"format", fmt::format("has no mapping for {}", collection)});
    if (options.mode == ImportMode::upsert && collection != "customers")
        option_errors.push_back({"mode", "upsert applies to customers only"});
    if (!option_errors.empty()) throw InvalidError(std::move(option_errors));

    domain::RowSplitter rows(payload);  // checks the payload's outline
    Impl& impl = *impl_;
    std::lock_guard lock(impl.mutex);
    const ProgressFn progress_fn = impl.progress;
    Progress progress(progress_fn, rows.count());
    Importer importer{impl, collection, options, {}};
    unsigned char buffer[16384];
    std::string_view text;
    std::int64_t index = 0;
    auto one = [&](bool savepoint) {
        json::monotonic_resource arena(buffer, sizeof buffer);
        std::vector<FieldError> errors;
        RowError failure{index, Status::invalid, {}};
        if (auto obj = parse_row(text, arena, errors)) {
            std::unique_ptr<storage::Transaction> sp;
            if (savepoint) sp = impl.store->savepoint();
            try {
                importer.row(obj->get_object());
                if (sp) sp->commit();
            } catch (const InvalidError& e) {
                failure.errors = e.errors().empty() ? std::vector<FieldError>{{"", e.what()}} : e.errors();
            } catch (const ConflictError& e) {
                failure.code = Status::conflict;
                failure.errors = e.errors().empty() ? std::vector<FieldError>{{"", e.what()}} : e.errors();
            }
        } else {
            failure.errors = std::move(errors);
        }
        if (!failure.errors.empty()) {
            ++importer.report.failed;
            importer.report.errors.push_back(std::move(failure));
        }
        ++index;
        progress.row_done();
    };
    if (options.atomic) {
        auto tx = impl.store->begin(true);
        while (rows.next(text)) one(false);
        if (importer.report.failed > 0) throw ImportError(std::move(importer.report));  // rolls back
        tx->commit();
    } else {
        bool more = true;
        while (more) {
            auto tx = impl.store->begin(true);
            for (std::int64_t n = 0; n < kChunkRows && (more = rows.next(text)); ++n) one(true);
            tx->commit();
        }
    }
    progress.finish();
    return std::move(importer.report);
}

ImportReport Engine::import_rows(std::string_view collection, std::string_view payload,
                                 const json::value& options) {
    return import_rows(collection, payload, ImportOptions::from_json(options));
}

// --- export ---------------------------------------------------------------------

namespace {

constexpr std::int64_t kExportPage = 1000;

template <class T>
void export_collection(Engine::Impl& impl, json::object query, const ExportSink& sink, const ProgressFn& progress) {
    query["page_size"] = kExportPage;
    std::string line;
    std::optional<Progress> done;  // its total is the first page's count
    for (;;) {
        Page<T> page = impl.list<T>(Query::from_json(query));
        if (!done) done.emplace(progress, page.count.value_or(0));
        for (const auto& row : page.results) {
            line.clear();
            append_json(line, row);
            line += '\n';
            if (!sink(line)) return;  // the caller stopped it: no further call
            done->row_done();
        }
        if (!page.next_cursor) break;
        query["cursor"] = *page.next_cursor;
        query["count"] = false;
    }
    done->finish();
}

}  // namespace

void Engine::export_rows(std::string_view collection, const Query& q, const ExportSink& sink) {
    // Export streams every matching row: the query's filters and ordering
    // are honoured; paging is the export's own.
    std::vector<FieldError> errors;
    for (std::string_view k : {"page", "page_size", "offset", "limit", "cursor", "count"})
        if (q.json().contains(k)) errors.push_back({std::string(k), "is not taken by an export (it streams every row)"});
    if (!errors.empty()) throw InvalidError(std::move(errors));
    ProgressFn progress;
    {
        std::lock_guard lock(impl_->mutex);
        progress = impl_->progress;
    }
    json::object query = q.json();
    // Exported in id order unless the query orders it: ids never change, so
    // no row moves past the export's position while it runs.
    if (!query.contains("ordering") && !query.contains("sortby") && !query.contains("direction")) query["ordering"] = "id";
    if (collection == "customers") return export_collection<Customer>(*impl_, std::move(query), sink, progress);
    if (collection == "orders") return export_collection<Order>(*impl_, std::move(query), sink, progress);
    if (collection == "tickets") return export_collection<Ticket>(*impl_, std::move(query), sink, progress);
    if (collection == "messages") return export_collection<Message>(*impl_, std::move(query), sink, progress);
    if (collection == "forms") return export_collection<Form>(*impl_, std::move(query), sink, progress);
    if (collection == "ledger") return export_collection<LedgerEntry>(*impl_, std::move(query), sink, progress);
    if (collection == "credit_requests")
        return export_collection<CreditRequest>(*impl_, std::move(query), sink, progress);
    throw NotFoundError(fmt::format("no collection named '{}'", collection));
}

void Engine::set_progress(ProgressFn fn) {
    std::lock_guard lock(impl_->mutex);
    impl_->progress = std::move(fn);
}

}  // namespace crm

/// @file bulk.hpp
/// Bulk import and streaming export (crm_import, crm_export).
#pragma once

#include <crm/crm.h>
#include <crm/error.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

/// The payload shapes an import understands (spec/seed-map.md).
enum class ImportFormat {
    canonical,  ///< our own field names (spec/domain.md)
    crm_app,    ///< seed 003 (`IdClient`, `Nom`, `Prenom`, `Credit`...; tickets: `prix`, `articles`...)
    v1,         ///< seed 001 (`customerName`...; orders: `isdemo`, unix-second dates...)
    heidian,    ///< seed 000 (`birthday`, `full_name`...)
    akinon,     ///< seed 002 (`channel`, `attributes_kwargs`...)
};

/// create: every row is new. upsert: a row whose `key` matches a stored
/// customer updates it (the fields given overwrite, others are kept).
enum class ImportMode { create, upsert };

/// How an import runs: crm_import's options_json, typed.
struct CRM_API ImportOptions {
    ImportFormat format = ImportFormat::canonical;  ///< the payload's field names
    ImportMode mode = ImportMode::create;           ///< create or upsert
    /// upsert match (customers): email, uuid, crm_id, erp_code or loyalty_card.
    std::string key = "email";
    /// true: all rows or none (any failing row: ImportError, nothing
    /// written). false: valid rows are kept, failures reported.
    bool atomic = true;

    /// Parses and checks the JSON form (null: every default); InvalidError
    /// naming each unknown key or bad value.
    static ImportOptions from_json(const boost::json::value& jv);
};

/// One failing row of an import.
struct CRM_API RowError {
    std::int64_t index = 0;          ///< the row's 0-based position in the payload
    Status code = Status::invalid;   ///< invalid, or conflict (a unique value taken)
    std::vector<FieldError> errors;  ///< its failing fields (all of them)
};

/// What an import did.
struct CRM_API ImportReport {
    std::int64_t created = 0;       ///< rows inserted
    std::int64_t updated = 0;       ///< rows that updated a stored customer (upsert)
    std::int64_t failed = 0;        ///< rows refused
    /// rows that were already stored as given (a ticket replayed under its
    /// ref); not in to_json(), whose keys are the spec's four
    std::int64_t unchanged = 0;
    std::vector<RowError> errors;   ///< one per refused row, in payload order

    /// {"created","updated","failed","errors":[{"index","code","errors":[...]}]}
    boost::json::object to_json() const;
};

/// An atomic import with failing rows: nothing was written. Its report()
/// lists every failing row; to_json() is the C ABI's error JSON, whose
/// `errors` is that per-row list.
class CRM_API ImportError : public InvalidError {
public:
    /// From the report of the rejected import.
    explicit ImportError(ImportReport report);
    /// The rows that failed (created/updated count what would have been).
    const ImportReport& report() const noexcept { return report_; }
    /// {"code":"invalid","message":..,"errors":[{"index","code","errors"}]}
    std::string to_json() const;

private:
    ImportReport report_;
};

/// Receives export output, one NDJSON line (with its '\n') per call; return
/// false to stop the export.
using ExportSink = std::function<bool(std::string_view line)>;

/// Called during import and export with rows done and rows in all: at
/// least every 1% and once at the end with done == total.
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

}  // namespace crm

// storage/schema.hpp - the SQLite schema and its ordered migrations.
//
// The schema's version lives in the one-row table `schema_version`. Opening a
// file applies every migration past its version, in order, in one
// transaction; a file whose version is newer than kSchemaVersion is refused.
#pragma once

#include <SQLiteCpp/Database.h>

namespace crm::storage {

/// The schema version this library writes (the number of migrations).
int latest_schema_version() noexcept;

/// The version of the open database: 0 for an empty file.
int schema_version(SQLite::Database& db);

/// Brings `db` from its version up to `target` (default: latest) in one
/// transaction. IoError when the file's version is newer than latest, or
/// when it holds tables but is not a crm database.
void migrate(SQLite::Database& db, int target = -1);

}  // namespace crm::storage

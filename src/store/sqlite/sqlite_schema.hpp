#pragma once
// The file-level setup of the SQLite database: journal mode, tables and schema version.
#include "core/error.hpp"

namespace store {

class SqliteConnection;

// Puts the file in WAL mode and creates or upgrades the schema to kSqliteSchemaVersion, in one
// write transaction so two processes opening a new file at once cannot both create it.
// Errors: store_unavailable, also for a file written by a newer schema version.
core::result<void> prepare_database(SqliteConnection& writer);

}  // namespace store

#pragma once
// Helpers of the SQLite adapter's own tests: a temporary directory, and raw SQL on the file
// through a connection of the test's own, the way an operator's sqlite3 shell (or a second
// process, or the previous parley build) sees it.
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "core/ids.hpp"
#include "store/store.hpp"

namespace sqlite_test {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("parley-store-" + core::new_hex_id())) {}
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Every row of `sql`, its columns joined by '|' (NULL as "NULL"); {"<error: ...>"} on failure.
// Creates the file if missing.
inline std::vector<std::string> rows(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  // Several test threads may read at once while another connection closes (and checkpoints):
  // wait for the lock as the adapter's own connections do, instead of failing SQLITE_BUSY (seen
  // under ASan: "database is locked" in GroupCommitTest's six concurrent checks).
  if (rc == SQLITE_OK) sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* s = nullptr;
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
  while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
      auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
      row += (i ? "|" : "") + std::string(text ? text : "NULL");
    }
    out.push_back(std::move(row));
    rc = SQLITE_OK;
  }
  if (rc != SQLITE_DONE) out = {"<error: " + std::string(sqlite3_errmsg(db)) + ">"};
  sqlite3_finalize(s);
  sqlite3_close_v2(db);
  return out;
}

// Column `col` of the first row of `sql`; "<none>" when there is no row.
inline std::string query(const fs::path& file, const std::string& sql, int col = 0) {
  auto r = rows(file, sql);
  if (r.empty()) return "<none>";
  if (r[0].starts_with("<error")) return r[0];
  std::size_t start = 0;
  for (int i = 0; i < col; ++i) start = r[0].find('|', start) + 1;
  return r[0].substr(start, r[0].find('|', start) - start);
}

// Runs a script of statements that return no rows; "" on success, else sqlite's message.
inline std::string exec(const fs::path& file, const std::string& script) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
          SQLITE_OK ||
      sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
      sqlite3_exec(db, script.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    out = sqlite3_errmsg(db);
  }
  sqlite3_close_v2(db);
  return out;
}

// The rows of EXPLAIN QUERY PLAN `sql`, their detail column joined by "; ".
inline std::string plan(const fs::path& file, const std::string& sql) {
  std::string out;
  for (const auto& row : rows(file, "EXPLAIN QUERY PLAN " + sql)) {
    out += (out.empty() ? "" : "; ") + row.substr(row.rfind('|') + 1);
  }
  return out;
}

inline store::Message msg(const std::string& room, const std::string& text = "hi") {
  return {room, 0, core::new_hex_id(), "sender=", "alice", text, 1700000000000, 0, "", ""};
}

}  // namespace sqlite_test

#pragma once
// store::Sqlite: every port of the store on one SQLite file, the embedded mode's database. The tables
// mirror the DynamoDB data model of docs/data-model.md so the two adapters behave alike.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "store/derived.hpp"
#include "store/store.hpp"

namespace store {

class SqliteConnection;
class GroupCommit;
class WalCheckpointer;

struct SqliteOptions {
  // How long a write waits for another process holding the file's write lock.
  std::chrono::milliseconds busy_timeout{5000};
  // Cap on messages_before/messages_after's limit: bounds one call's memory and latency.
  int max_page = 1000;
  // Read connections kept open between calls; more are opened under load and closed after.
  std::size_t max_idle_readers = 8;
  // WAL checkpoints (wal_checkpointer.hpp): a thread of their own runs one every this many new
  // WAL pages (1 KiB each); past `writer_checkpoint_pages` a commit runs one itself.
  int checkpoint_pages = 4000;
  int writer_checkpoint_pages = 24000;
};

// The schema version kept in PRAGMA user_version; an older file is upgraded in place on open
// (sqlite_schema.cpp), a file with a newer one is refused.
inline constexpr int kSqliteSchemaVersion = 5;

// Thread safety: one writer connection behind a mutex, and a pool of read connections.
// SQLite admits one writer per file at a time whatever we do; several writer connections
// would only contend on the file lock, where the busy handler sleeps and polls, while an
// in-process mutex hands over at once. WAL lets readers run beside the writer and each other
// on their own snapshot, so reads get their own connections: taken from an idle list, opened
// on demand when all are busy, so the count follows the peak number of concurrent readers.
// A pool rather than thread_local connections because it is owned by (and closed with) the
// Store object, whatever threads called it. busy_timeout remains for other processes.
class Sqlite final : public Store {
 public:
  // Opens db_file, creating the parent directory, the file and the schema if missing, and
  // upgrading a file of an older schema version in place (history kept, connections emptied).
  static core::result<std::unique_ptr<Sqlite>> open(const std::filesystem::path& db_file,
                                                    SqliteOptions options = {});
  ~Sqlite() override;

  core::result<void> put_connection(const Connection& c) override;
  core::result<Connection> get_connection(const std::string& connection_id) override;
  core::result<void> delete_connection(const std::string& connection_id) override;

  core::result<void> put_member(const Member& m) override;
  // One transaction: a connect costs one commit (one WAL append and lock round) instead of two;
  // shared with the connects and appends that arrive meanwhile (group commit, group_commit.hpp).
  core::result<void> put_connection_and_member(const Connection& c, const Member& m) override;
  // One transaction: all of the rename or none of it.
  core::result<void> rename(const Rename& r) override;
  core::result<void> delete_member(const std::string& room,
                                   const std::string& connection_id) override;
  core::result<std::vector<Member>> members(const std::string& room) override;
  // Derived from members(): a key read costs what the room's query does on one file.
  core::result<RoomMembersPtr> room_members(const std::string& room) override {
    return room_members_of(*this, room);
  }
  core::result<bool> name_taken(const std::string& room, std::string_view name,
                                std::string_view except_connection_id) override {
    return name_taken_in(*this, room, name, except_connection_id);
  }
  core::result<std::optional<Member>> find_member(const std::string& room,
                                                  const std::string& connection_id) override {
    return find_member_in(*this, room, connection_id);
  }
  core::result<std::vector<Member>> memberships(const std::string& connection_id) override;
  // One read transaction on one leased reader.
  core::result<ConnectionView> connection_view(const std::string& connection_id, int newest,
                                               const WantsNewest& wants_newest) override;

  // Committed in a group with the appends (and connects) that arrive while another commits:
  // returns once its batch is durable; a failed batch fails every append in it.
  core::result<Appended> append_message(Message m) override;
  core::result<std::vector<Message>> messages_before(const std::string& room,
                                                     std::int64_t before_seq, int limit) override;
  core::result<std::vector<Message>> messages_after(const std::string& room,
                                                    std::int64_t after_seq, int limit) override;
  core::result<std::int64_t> last_seq(const std::string& room) override;

  // Deletes every connection and member row. A single `parley serve` holds every connection of
  // its file, and none survives its restart: rows left by a crash would show ghosts in `who`.
  core::result<void> clear_connections();

  // Room counters across an operating-system crash (docs/data-model.md, "Seqs after a crash").
  // Commits are not synced one by one (synchronous=NORMAL), so a crash of the machine can lose
  // the last ones and take a room's counter back below seqs that clients were shown. Each room
  // therefore keeps `reserved` ahead of its counter, raised kSeqReserve at a time by a commit
  // that is synced (synchronous=FULL for that one; it syncs every commit before it too).
  // The one process using the file calls recover_counters() before serving: every counter
  // moves up to its reservation (beyond any seq that was shown), a no-op after a clean stop,
  // which calls release_reservations() last (its counters were all durable). Returns how many
  // rooms moved.
  core::result<std::int64_t> recover_counters();
  core::result<void> release_reservations();

 private:
  class ReadLease;
  Sqlite(std::filesystem::path file, SqliteOptions options,
         std::unique_ptr<SqliteConnection> writer);
  core::result<ReadLease> lease_reader();
  void return_reader(std::unique_ptr<SqliteConnection> c);
  // members() and memberships(): the same rows, read by room or by connection id.
  core::result<std::vector<Member>> read_members(const char* sql, const std::string& key);

  const std::filesystem::path file_;
  const SqliteOptions options_;
  std::mutex write_mutex_;
  std::unique_ptr<SqliteConnection> writer_;  // guarded by write_mutex_
  std::unique_ptr<GroupCommit> group_;        // appends and connects, on writer_
  // Declared after writer_: unhooks it and stops its thread before writer_ closes.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;  // guarded by readers_mutex_
};

// How far a room's counter may run ahead of its last synced reservation; what a room's seqs
// jump by at most after an operating-system crash; one synced commit per this many messages.
inline constexpr std::int64_t kSeqReserve = 1000;

// The entry point the composition root calls.
core::result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& db_file,
                                                 SqliteOptions options = {});

}  // namespace store

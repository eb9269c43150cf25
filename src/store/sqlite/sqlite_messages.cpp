#include "store/sqlite/sqlite_messages.hpp"

#include <algorithm>
#include <utility>

#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace store {
namespace {

// The columns of a Message, in the order message_row reads them. A macro so each statement
// below stays one string literal, which SqliteConnection::statement needs as its cache key.
#define PARLEY_MESSAGE_COLUMNS "room, seq, id, sender, name, text, ts, ttl, clientMsgId, \"to\", userId"

// The rooms row is the counter (DynamoDB: UpdateItem ADD seq :1 with ReturnValues).
constexpr const char* kNextSeq =
    "INSERT INTO rooms (room, seq, createdAt) VALUES (?1, 1, ?2) "
    "ON CONFLICT (room) DO UPDATE SET seq = seq + 1 RETURNING seq, reserved";
constexpr const char* kReserve = "UPDATE rooms SET reserved = ?2 WHERE room = ?1";
constexpr const char* kInsertMessage =
    "INSERT INTO messages (" PARLEY_MESSAGE_COLUMNS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
// The message stored earlier with this idempotency key, read from messages itself so a retry
// gets back exactly what the first attempt stored.
constexpr const char* kEarlierMessage =
    "SELECT m.room, m.seq, m.id, m.sender, m.name, m.text, m.ts, m.ttl, m.clientMsgId, m.\"to\", m.userId "
    "FROM clientmsgs AS c JOIN messages AS m ON m.room = c.room AND m.seq = c.seq "
    "WHERE c.room = ?1 AND c.clientMsgId = ?2";
// OR REPLACE: a key whose message row is gone (deleted by hand, or a future TTL sweep) found
// nothing above, so the message is stored anew and the key now points at it.
constexpr const char* kPutClientMsg =
    "INSERT OR REPLACE INTO clientmsgs (room, clientMsgId, seq) VALUES (?1, ?2, ?3)";
constexpr const char* kMessagesBefore =
    "SELECT " PARLEY_MESSAGE_COLUMNS " FROM messages "
    "WHERE room = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3";
constexpr const char* kMessagesAfter =
    "SELECT " PARLEY_MESSAGE_COLUMNS " FROM messages "
    "WHERE room = ?1 AND seq > ?2 ORDER BY seq ASC LIMIT ?3";
constexpr const char* kLastSeq = "SELECT seq FROM rooms WHERE room = ?1";

#undef PARLEY_MESSAGE_COLUMNS

Message message_row(const Statement& s) {
  return Message{s.text(0), s.int64(1), s.text(2), s.text(3), s.text(4),
                 s.text(5), s.int64(6), s.int64(7), s.text(8), s.text(9), s.text(10)};
}

}  // namespace

core::result<std::optional<Appended>> store_message(SqliteConnection& writer, Message m, std::int64_t now_ms,
                                                    bool reserve) {
  // The duplicate check, the counter and the inserts in the caller's IMMEDIATE transaction:
  // with the file's write lock held from the start, no other process (and, through the
  // caller's mutex, no other thread) can store the same key between our check and our insert;
  // and a failed insert must not burn a seq, or readers would see a gap that never fills.
  const bool keyed = !m.client_msg_id.empty();  // "" is "no key": never a duplicate
  if (keyed) {
    auto s = writer.statement(kEarlierMessage);
    if (!s) return s.error();
    s->bind(1, m.room).bind(2, m.client_msg_id);
    int rc = s->step();
    // Found (stored before, or earlier in this transaction): nothing to write.
    if (rc == SQLITE_ROW) return std::optional<Appended>(Appended{message_row(*s), true});
    if (rc != SQLITE_DONE) return writer.failure("earlier_message", rc);
  }
  {
    auto s = writer.statement(kNextSeq);
    if (!s) return s.error();
    s->bind(1, m.room).bind(2, now_ms);
    if (int rc = s->step(); rc != SQLITE_ROW) return writer.failure("next_seq", rc);
    m.seq = s->int64(0);
    const std::int64_t reserved = s->int64(1);
    if (auto r = step_done(writer, *s, "next_seq"); !r) return r.error();
    if (m.seq > reserved) {
      // Past what a crash could take back to: this commit must be synced (and raises the mark).
      if (!reserve) return std::optional<Appended>();  // the caller rolls back
      auto up = writer.statement(kReserve);
      if (!up) return up.error();
      up->bind(1, m.room).bind(2, m.seq + kSeqReserve);
      if (auto r = step_done(writer, *up, "reserve_seqs"); !r) return r.error();
    }
  }
  {
    auto s = writer.statement(kInsertMessage);
    if (!s) return s.error();
    s->bind(1, m.room).bind(2, m.seq).bind(3, m.id).bind(4, m.sender).bind(5, m.name);
    s->bind(6, m.text).bind(7, m.ts).bind(8, m.ttl).bind(9, m.client_msg_id).bind(10, m.to);
    s->bind(11, m.user_id);
    if (auto r = step_done(writer, *s, "insert_message"); !r) return r.error();
  }
  if (keyed) {
    auto s = writer.statement(kPutClientMsg);
    if (!s) return s.error();
    s->bind(1, m.room).bind(2, m.client_msg_id).bind(3, m.seq);
    if (auto r = step_done(writer, *s, "put_client_msg"); !r) return r.error();
  }
  return std::optional<Appended>(Appended{std::move(m), false});
}

core::result<std::vector<Message>> read_messages(SqliteConnection& reader, Page page,
                                                 const std::string& room, std::int64_t seq,
                                                 int limit) {
  auto s = reader.statement(page == Page::before ? kMessagesBefore : kMessagesAfter);
  if (!s) return s.error();
  s->bind(1, room).bind(2, seq).bind(3, std::int64_t{limit});
  std::vector<Message> out;
  out.reserve(static_cast<std::size_t>(limit));
  int rc;
  while ((rc = s->step()) == SQLITE_ROW) out.push_back(message_row(*s));
  if (rc != SQLITE_DONE) return reader.failure("read_messages", rc);
  // messages_before reads newest first to take the page just below `seq`.
  if (page == Page::before) std::reverse(out.begin(), out.end());
  return out;
}

core::result<std::int64_t> read_last_seq(SqliteConnection& reader, const std::string& room) {
  auto s = reader.statement(kLastSeq);
  if (!s) return s.error();
  s->bind(1, room);
  int rc = s->step();
  if (rc == SQLITE_DONE) return std::int64_t{0};  // no rooms row: nothing was ever appended
  if (rc != SQLITE_ROW) return reader.failure("last_seq", rc);
  return s->int64(0);
}

}  // namespace store

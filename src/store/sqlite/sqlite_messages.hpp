#pragma once
// The SQL of message history: the messages, rooms (seq counters) and clientmsgs (idempotency
// keys) tables. Internal to store/sqlite. store::Sqlite validates the arguments, picks the
// connection (the writer under its lock, or a pooled reader) and guards against exceptions;
// these functions only talk to the database.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "store/store.hpp"

namespace store {

class SqliteConnection;

// append_message's writes on `writer`, inside the caller's write transaction (a group commit's
// batch: the caller commits); m.room is not empty. `now_ms` is the createdAt of a room's first
// message. The seq it takes must be within the room's reservation (Sqlite::recover_counters);
// when it is not, `reserve` says whether to raise the reservation here (the caller commits this
// one synced) or to return nullopt (the caller rolls back, switches to synchronous=FULL and
// calls again with reserve).
core::result<std::optional<Appended>> store_message(SqliteConnection& writer, Message m, std::int64_t now_ms,
                                                    bool reserve);

enum class Page { before, after };
// messages_before (seq: exclusive upper bound) or messages_after (exclusive lower bound),
// oldest first; 0 < limit, already capped.
core::result<std::vector<Message>> read_messages(SqliteConnection& reader, Page page,
                                                 const std::string& room, std::int64_t seq,
                                                 int limit);

// The room's counter: the seq of its latest message, 0 when it has none.
core::result<std::int64_t> read_last_seq(SqliteConnection& reader, const std::string& room);

}  // namespace store

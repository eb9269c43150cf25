#pragma once
// messages_before/messages_after on DynamoDB, and the seals that keep history append-only for
// its readers.
//
// An append takes its seq from the rooms counter, then puts the message (dynamo_append.hpp):
// for a moment seq N is allocated and empty while N+1, taken later, may already be stored. A
// reader that reads then gets N+1 without N and moves its position past N (protocol.md
// "Ordering and catch-up"); when N lands afterwards — a slow sender, or the put a killed node
// had in flight — that reader never shows it (a live N is a duplicate to it, and a catch-up
// starts after its position). So a read never passes an empty seq: for each hole between the
// reads's start and the last message it returns it first puts a seal (PutItem if
// attribute_not_exists(seq), the same condition as the message's put). Exactly one of the
// two writes wins: either the message was there first (the read returns it: a consistent
// GetItem), or the seal is, and the sender's put fails and takes a new seq (the message was
// neither acked nor fanned out yet). Seals are not messages: reads skip them, they cost a
// reader one write per hole, and a seq sealed stays a gap (as a seq whose node died does).
//
// Bounded: only holes at most DynamoOptions::seal_reach below the next message are sealed,
// at most seal_reach per read. A hole further down is not an append in flight (that would
// need more appends to the room in flight at once, all newer ones stored first) but a message
// that expired (TTL) or was never stored; sealing those would cost a write per expired message.
#include <string>
#include <vector>

#include "aws/dynamodb/sync_client.hpp"
#include "store/dynamodb/dynamo_options.hpp"
#include "store/dynamodb/dynamo_tables.hpp"
#include "store/store.hpp"

namespace store {

class DynamoHistory {
 public:
  DynamoHistory(aws::dynamodb::SyncClient& db, const DynamoTables& tables, const DynamoOptions& options)
      : db_(db), tables_(tables), options_(options) {}

  // Up to `limit` messages with seq > cursor (before = false) or seq < cursor (before = true;
  // cursor <= 0: the newest), oldest first. Every seq between the first one a reader passes
  // (cursor + 1 for after, the first message for before) and the last message returned holds
  // a returned message or a seal.
  core::result<std::vector<Message>> read(const std::string& room, std::int64_t cursor, bool before, int limit);

 private:
  // The items (messages and seals) of the read, in seq order, with up to `limit` messages.
  core::result<std::vector<aws::dynamodb::Item>> query(const std::string& room, std::int64_t cursor, bool before,
                                                       int limit);
  // Seals `seq` unless a message got there first: then that message.
  core::result<std::optional<Message>> seal(const std::string& room, std::int64_t seq, std::int64_t ttl);

  aws::dynamodb::SyncClient& db_;
  const DynamoTables& tables_;
  const DynamoOptions& options_;
};

}  // namespace store

#pragma once
// append_message on DynamoDB: the idempotency claim in clientmsgs, the per-room counter in
// rooms, the message in messages — four single-item writes rather than one transaction.
//
// Why not TransactWriteItems: the message's key contains the seq that the counter update
// produces, and a transaction cannot feed one action's result into another's key; doing it in
// one transaction would need a read of the counter first and a condition on it, which fails
// for all but one of concurrent senders (retry storms on a busy room). dynalite, the test
// backend, has no transactions either. Instead:
//   1. keyed only: PutItem clientmsgs {room, clientMsgId, claim, claimedAt}
//      if attribute_not_exists(clientMsgId) — exactly one attempt of a clientMsgId wins;
//   2. UpdateItem rooms ADD seq :one (ReturnValues UPDATED_NEW) — atomic, unique per room;
//   3. PutItem messages if attribute_not_exists(seq) — never overwrites a stored message, nor
//      the seal a history read put on the seq meanwhile (dynamo_history.hpp): then back to 2;
//   4. keyed only: UpdateItem clientmsgs SET seq, REMOVE claim — the key now finds the message.
// A losing attempt reads clientmsgs (consistently) until the seq appears, then the message.
// Costs of the split: a failure between steps 2 and 3 leaves a gap in the room's seqs (the
// protocol's "no gaps" then does not hold; clients asking history after the gap move on); a
// winner that dies between 1 and 4 leaves a claim that retries take over after
// DynamoOptions::claim_lease (at once when it names a node the cluster knows is dead; the
// retry then looks in the room's newest messages whether it had been stored). Another node's
// claim is judged without comparing clocks: its node's liveness as this node observes it, or
// this process watching the claim unchanged for the lease. A step-3 write without an answer (network failure) may have been
// stored: the claim is kept, not released, and a retry through the same process takes it over
// at once after checking whether that message is there (then it is the one returned).
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <optional>
#include <unordered_map>

#include "aws/dynamodb/sync_client.hpp"
#include "core/clock.hpp"
#include "store/dynamodb/dynamo_options.hpp"
#include "store/dynamodb/dynamo_tables.hpp"
#include "store/store.hpp"

namespace store {

class DynamoAppender {
 public:
  DynamoAppender(aws::dynamodb::SyncClient& db, const DynamoTables& tables, const DynamoOptions& options)
      : db_(db), tables_(tables), options_(options) {}

  core::result<Appended> append(Message m);

  // Several nodes sharing the tables: claims name `owner` (this node), and a retry takes over a
  // claim whose owner `owner_dead` says is dead at once instead of after the lease, looking
  // first whether that node stored the message before it died. Set before any append.
  void set_claim_owner(std::string owner, std::function<bool(const std::string&)> owner_dead) {
    owner_ = std::move(owner);
    owner_dead_ = std::move(owner_dead);
  }

 private:
  core::result<Appended> append_keyed(Message m);
  // Steps 2-4 once this attempt holds the claim `token` (empty: no clientMsgId).
  core::result<Appended> store_new(Message m, const std::string& token);
  core::result<std::int64_t> next_seq(const std::string& room);
  // Step 3. sealed: a history read passed the seq before the message got there (store_new then
  // takes the next one).
  enum class Put { stored, sealed };
  core::result<Put> put_message(const Message& m);
  // put_message, tried again while the store is unavailable, for DynamoOptions::put_patience.
  core::result<Put> put_with_patience(const Message& m);
  // Step 4: the key now finds the message.
  void finish_claim(const Message& m, const std::string& token);
  void release_claim(const Message& m, const std::string& token);
  // The room's message with m's clientMsgId stored since `claimed_at` (epoch ms), if any: a claim
  // taken over from a dead attempt, which may have stored the message before dying.
  core::result<std::optional<Message>> find_stored(const Message& m, std::int64_t claimed_at);

  // Claims this process gave up without deleting them (the store was failing), with the seq
  // their message may have been written at (0: none allocated). A retry through this process
  // takes such a claim over at once instead of waiting for the lease, and first looks whether
  // that message was stored after all.
  struct GivenUp {
    std::int64_t seq = 0;
    std::string id;
  };
  void give_up(const std::string& token, const Message& m);
  std::optional<GivenUp> take_abandoned(const std::string& token);

  std::int64_t now() const { return options_.clock ? options_.clock() : core::now_ms(); }
  // How long this process has watched the claim `token` (first sight: 0). Monotonic, so no
  // other machine's clock enters a takeover decision.
  std::chrono::steady_clock::duration watched(const std::string& token);

  std::string owner_;
  std::function<bool(const std::string&)> owner_dead_;
  aws::dynamodb::SyncClient& db_;
  const DynamoTables& tables_;
  const DynamoOptions& options_;
  std::mutex given_up_mutex_;
  std::unordered_map<std::string, GivenUp> given_up_;  // guarded by given_up_mutex_
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> watching_;  // the same
};

}  // namespace store

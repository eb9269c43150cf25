#pragma once
// store::Dynamo: every port of the store on DynamoDB (or any server speaking its JSON protocol: DynamoDB
// Local, dynalite, Alternator), over the tables of docs/data-model.md. What the SQLite adapter
// does in one transaction is done here with single-item operations; see dynamo_append.hpp for
// append_message, the one place where that matters, and dynamo_history.hpp for the history
// reads that keep a seq from being stored after a reader passed it.
//
// Consistency: reads on a table's own key are strongly consistent (ConsistentRead), so a
// handler sees its own writes; find_member() — what join, leave and history decide on — is one of
// them. memberships() reads the connection row's own room list (`rooms`, kept by put_member and
// delete_member) and each listed member row, consistently; the GSI connection-index, which
// on real DynamoDB is eventually consistent (a GSI refuses ConsistentRead), only for rows that
// keep no list (an older version's, or a member whose connection row is gone).
//
// Expiry: rows carry `ttl` (epoch seconds) for DynamoDB's TTL sweeper (rows of a crashed node),
// but reads do not filter expired rows, as the SQLite adapter does not: the handlers keep
// ttl ahead of the connection's life, and tests rely on fixed timestamps.
#include <memory>

#include "aws/dynamodb/client_config.hpp"
#include "aws/dynamodb/sync_client.hpp"
#include "store/dynamodb/dynamo_append.hpp"
#include "store/dynamodb/dynamo_history.hpp"
#include "store/dynamodb/dynamo_options.hpp"
#include "store/dynamodb/dynamo_tables.hpp"
#include "store/derived.hpp"
#include "store/store.hpp"

namespace store {

// Thread-safe: SyncClient takes calls from any thread (one I/O thread, a connection pool).
class Dynamo final : public Store {
 public:
  Dynamo(std::shared_ptr<aws::dynamodb::SyncClient> client, DynamoTables tables, DynamoOptions options = {});

  core::result<void> put_connection(const Connection& c) override;
  core::result<Connection> get_connection(const std::string& connection_id) override;
  core::result<void> delete_connection(const std::string& connection_id) override;

  core::result<void> put_member(const Member& m) override;
  // No transaction (dynalite has no TransactWriteItems): row by row, undone on a failure.
  core::result<void> put_connection_and_member(const Connection& c, const Member& m) override {
    return put_connection_then_member(*this, *this, c, m);
  }
  core::result<void> rename(const Rename& r) override { return rename_row_by_row(*this, *this, r); }
  core::result<void> delete_member(const std::string& room, const std::string& connection_id) override;
  core::result<std::vector<Member>> members(const std::string& room) override;
  core::result<RoomMembersPtr> room_members(const std::string& room) override {
    return room_members_of(*this, room);
  }
  core::result<bool> name_taken(const std::string& room, std::string_view name,
                                std::string_view except_connection_id) override {
    return name_taken_in(*this, room, name, except_connection_id);
  }
  core::result<std::optional<Member>> find_member(const std::string& room, const std::string& connection_id) override;
  core::result<std::vector<Member>> memberships(const std::string& connection_id) override;

  core::result<Appended> append_message(Message m) override;
  core::result<std::vector<Message>> messages_before(const std::string& room, std::int64_t before_seq,
                                                     int limit) override;
  core::result<std::vector<Message>> messages_after(const std::string& room, std::int64_t after_seq,
                                                    int limit) override;
  core::result<std::int64_t> last_seq(const std::string& room) override;

  // No snapshot across tables: the reads one by one.
  core::result<ConnectionView> connection_view(const std::string& connection_id, int newest,
                                               const WantsNewest& wants_newest) override {
    return view_call_by_call(*this, *this, *this, connection_id, newest, wants_newest);
  }

  const DynamoTables& table_names() const { return tables_; }
  // See DynamoAppender::set_claim_owner; before serving.
  void set_claim_owner(std::string owner, std::function<bool(const std::string&)> owner_dead) {
    appender_.set_claim_owner(std::move(owner), std::move(owner_dead));
  }
  aws::dynamodb::SyncClient& client() { return *client_; }

 private:
  core::result<std::vector<Member>> query_members(boost::json::object request, const char* op);

  std::shared_ptr<aws::dynamodb::SyncClient> client_;
  const DynamoTables tables_;
  const DynamoOptions options_;
  DynamoAppender appender_;
  DynamoHistory history_;
};

// A SyncClient with the store's HTTP timeouts (DynamoOptions) for `config`.
std::shared_ptr<aws::dynamodb::SyncClient> make_dynamo_client(aws::dynamodb::ClientConfig config,
                                                              const DynamoOptions& options = {});

// The entry point the composition root calls.
std::unique_ptr<Dynamo> open_dynamodb(aws::dynamodb::ClientConfig config, DynamoTables tables,
                                      DynamoOptions options = {});

}  // namespace store

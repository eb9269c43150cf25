#pragma once
// The store's ports: connections, room memberships and message history — the data model of
// docs/data-model.md (DynamoDB tables `connections`, `members` with GSI `connection-index`,
// `messages`, `rooms`; SQLite mirrors them). Every adapter is thread-safe: handlers call it from
// several threads at once.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace store {

// A row of the connections table (seed: `Websocket-connection`, key `connectionid`).
struct Connection {
  std::string connection_id;
  std::string name;               // the display name the client chose
  std::int64_t connected_at = 0;  // epoch ms
  std::string gateway;            // management endpoint of the node holding the socket ("" = local)
  std::int64_t ttl = 0;           // epoch seconds after which the row is stale; 0 = never
  std::string home_room;          // the room given on connect (sendmessage's default room)
  std::int64_t since = -1;        // catch-up point in home_room given on connect; -1 = none
  std::string user_id;            // the $connect authorizer's principalId (token sub); "" = anonymous
};

// A row of the members table: connection `connection_id` is in `room`. Key (room, connectionid);
// the GSI `connection-index` (connectionid, room) finds a connection's rooms.
struct Member {
  std::string room;
  std::string connection_id;
  std::string name;            // display name in this room, unique within it
  std::int64_t joined_at = 0;  // epoch ms
  std::int64_t ttl = 0;        // epoch seconds; 0 = never
  // The connection row's `gateway`, copied so that a fan-out routes from the members it read
  // without one connection read per recipient. DynamoDB only (SQLite is one node): "" there.
  std::string gateway;
  // The connection's user id (Connection::user_id), copied so that `who`, presence and `dm` by
  // name resolve a member to a person without reading its connection row.
  std::string user_id;
};

// A row of the messages table, keyed by (room, seq). Direct messages live in the room
// "dmu:<a>:<b>" of the pair (docs/data-model.md).
struct Message {
  std::string room;
  std::int64_t seq = 0;        // per room: 1, 2, 3, ... allocated by append_message
  std::string id;              // opaque unique id
  std::string sender;          // connection id of the sender
  std::string name;            // sender's display name at the time
  std::string text;
  std::int64_t ts = 0;         // server timestamp, epoch ms
  std::int64_t ttl = 0;        // epoch seconds; 0 = never expires
  std::string client_msg_id;   // the sender's idempotency key; "" = none
  std::string to;              // direct messages: the recipient's name; "" otherwise
  std::string user_id;         // the sender's user id (Connection::user_id); "" before version 4
};

// A room's members as one immutable list shared by every reader: a fan-out posts to `ids`
// without copying a row. `ids[i]` is `members[i].connection_id`.
struct RoomMembers {
  std::vector<Member> members;
  std::vector<std::string> ids;
  // Names this list among every list of this process: whoever builds or changes one gives it
  // next_list_version(), so that the Connections adapter posting to `ids` may keep what it
  // resolved them to under (room, version) (apigw::Recipients). 0: a list made for one read.
  std::uint64_t version = 0;

  // The member row of `connection_id`, or nullptr.
  const Member* find(std::string_view connection_id) const;
};
using RoomMembersPtr = std::shared_ptr<const RoomMembers>;

// A version no list of this process has had (from 1 up). Thread-safe.
std::uint64_t next_list_version();

// Display names compare ASCII case-insensitively: "Bob" and "bob" are the same name in a room.
bool same_name(std::string_view a, std::string_view b);

struct Appended {
  Message message;         // as stored (the earlier one when duplicate)
  bool duplicate = false;  // (room, client_msg_id) had been stored before: nothing new stored
};

// One of a connection's rooms as `hello` sends it: the member row, the room's latest sequence
// number and, when asked for, its newest messages (oldest first).
struct RoomView {
  Member member;
  std::int64_t last_seq = 0;
  std::vector<Message> newest;
};

// A connection's row and its rooms, ordered by room.
struct ConnectionView {
  Connection connection;
  std::vector<RoomView> rooms;
};

// What `setname` writes: the connection's row with its new name and the member rows whose
// shown name changes, with the names they replace (the default's compensation writes them
// back). `old_names[i]` is `members[i]`'s name before.
struct Rename {
  Connection connection;
  std::string old_name;
  std::vector<Member> members;
  std::vector<std::string> old_names;
};

// Which rooms of a ConnectionView get their newest messages read.
using WantsNewest = std::function<bool(const Connection&, const Member&)>;

// The store, split by concern into four small ports, so that a decorator implements only the
// port it changes and passes the others on untouched (docs/design.md, "The store's ports"):
//  * ConnectionTable: the connections table's rows;
//  * Memberships: the members table, its room and connection reads, and the two writes that
//    change a connection row together with member rows (put_connection_and_member, rename);
//  * MessageLog: the messages table and the rooms' counters;
//  * ConnectionViews: `hello`'s read across all three (SQLite: one snapshot).
// Every method is pure: a decorator cannot inherit a default that would bypass the fast path
// of the port it wraps (a member list held in memory, one SQLite transaction); what an adapter
// derives from its own rows it says so explicitly (store/derived.hpp).

class ConnectionTable {
 public:
  virtual ~ConnectionTable() = default;

  // Inserts or replaces the row with this connection_id.
  virtual core::result<void> put_connection(const Connection& c) = 0;
  // Errors: not_found.
  virtual core::result<Connection> get_connection(const std::string& connection_id) = 0;
  // Deleting a row that does not exist succeeds (DynamoDB DeleteItem semantics). Does not touch
  // the connection's member rows.
  virtual core::result<void> delete_connection(const std::string& connection_id) = 0;
};

// The writes that span the connections and members tables are here, beside the member rows
// they change, rather than on a port of their own: whoever keeps member rows (store::MemberCache
// in memory, cluster::NodeStore stamping them with its node) must see every write of one, and
// a connection row never needs more than what the table port does. They take the connection
// row as an argument and write it to the same database.
class Memberships {
 public:
  virtual ~Memberships() = default;

  // Inserts or replaces the member row (room, connection_id).
  virtual core::result<void> put_member(const Member& m) = 0;
  // Inserts or replaces a connection's row and the member row of its first room, as $connect
  // stores them: both or neither. SQLite writes them in one transaction (one commit per
  // connect); the others write one after the other and delete the connection row again
  // when the member row fails (put_connection_then_member).
  virtual core::result<void> put_connection_and_member(const Connection& c, const Member& m) = 0;
  // Replaces the connection's row and the member rows of a rename: all or nothing, so a store
  // failure midway never leaves a connection shown under its new name in some rooms and its
  // old one in others. SQLite writes them in one transaction; DynamoDB (dynalite has no
  // TransactWriteItems) writes the member rows, then the connection's, and on a failure
  // writes the replaced names back (rename_row_by_row; a compensation that fails too is logged:
  // only a store that fails twice in a row can leave a partial rename, which the next `setname`
  // repairs).
  virtual core::result<void> rename(const Rename& r) = 0;
  // Deleting a row that does not exist succeeds.
  virtual core::result<void> delete_member(const std::string& room,
                                           const std::string& connection_id) = 0;
  // The members of `room` through its key (a Query, never a Scan), ordered by connection id.
  virtual core::result<std::vector<Member>> members(const std::string& room) = 0;
  // The same members as one shared list, in no particular order. store::MemberCache answers
  // without a copy; the adapters copy members(room) (room_members_of).
  virtual core::result<RoomMembersPtr> room_members(const std::string& room) = 0;
  // Whether a member of `room` other than `except_connection_id` shows `name` (same_name).
  virtual core::result<bool> name_taken(const std::string& room, std::string_view name,
                                        std::string_view except_connection_id) = 0;
  // The member row (room, connection_id), or nullopt: what a decision about one membership
  // reads (join, leave, history). Read on the table's key, so strongly consistent on DynamoDB
  // (a GetItem with ConsistentRead), where memberships() reads an eventually consistent GSI.
  virtual core::result<std::optional<Member>> find_member(const std::string& room,
                                                          const std::string& connection_id) = 0;
  // The rooms `connection_id` is in, through the connection index, ordered by room.
  virtual core::result<std::vector<Member>> memberships(const std::string& connection_id) = 0;
};

class MessageLog {
 public:
  virtual ~MessageLog() = default;

  // Stores the message durably with the room's next sequence number, allocated atomically from
  // the rooms table's counter. When m.client_msg_id is set and (room, client_msg_id) was stored
  // before, stores nothing and returns the earlier message with duplicate = true (safe retry).
  // m.seq on input is ignored.
  virtual core::result<Appended> append_message(Message m) = 0;
  // Up to `limit` messages with seq < before_seq (before_seq <= 0: the newest), oldest first.
  virtual core::result<std::vector<Message>> messages_before(const std::string& room,
                                                             std::int64_t before_seq,
                                                             int limit) = 0;
  // Up to `limit` messages with seq > after_seq, oldest first.
  virtual core::result<std::vector<Message>> messages_after(const std::string& room,
                                                            std::int64_t after_seq,
                                                            int limit) = 0;
  // The room's latest sequence number; 0 for a room with no message.
  virtual core::result<std::int64_t> last_seq(const std::string& room) = 0;
};

class ConnectionViews {
 public:
  virtual ~ConnectionViews() = default;

  // get_connection, memberships, and each room's last_seq and, where `wants_newest` says so,
  // messages_before(room, 0, newest): what `hello` reads, in one call. SQLite reads it in one
  // read transaction (one snapshot, one reader lease); store::ViewOfTables makes the calls one
  // by one through the ports it is given (so cluster::NodeStore's filters apply).
  // Errors: those of the calls (not_found for a missing connection row).
  virtual core::result<ConnectionView> connection_view(const std::string& connection_id,
                                                       int newest,
                                                       const WantsNewest& wants_newest) = 0;
};

// The four ports one handler, sweep or test uses, each possibly behind its own decorators.
struct Tables {
  // Not an aggregate: `Ports{some_store, connections}` must not brace-elide into these fields.
  Tables(ConnectionTable& c, Memberships& m, MessageLog& l, ConnectionViews& v)
      : connections(c), members(m), messages(l), views(v) {}

  ConnectionTable& connections;
  Memberships& members;
  MessageLog& messages;
  ConnectionViews& views;
};

// `t` with its memberships replaced by `members`, a decorator of t.members.
inline Tables with_members(Tables t, Memberships& members) {
  return {t.connections, members, t.messages, t.views};
}

// A database: an adapter (store::Sqlite, store::Dynamo) implements every port over its own
// tables, and is owned through this. Decorators implement only the ports they change.
class Store : public ConnectionTable,
              public Memberships,
              public MessageLog,
              public ConnectionViews {
 public:
  Tables tables() { return {*this, *this, *this, *this}; }
};

}  // namespace store

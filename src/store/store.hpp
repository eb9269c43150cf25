#pragma once
// The Store port: connections and message history, the data model of ARCHITECTURE.md
// (DynamoDB tables `connections` with GSI `room-index`, `messages`, `rooms`; SQLite mirrors them).
// Every adapter is thread-safe: handlers call it from several threads at once.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace store {

// A row of the connections table (seed: `Websocket-connection`, key `connectionid`).
struct Connection {
  std::string connection_id;
  std::string room;          // the room index key; default room "lobby"
  std::string name;          // display name
  std::int64_t connected_at = 0;  // epoch ms
  std::string gateway;       // management endpoint of the node holding the socket ("" = local)
  std::int64_t ttl = 0;      // epoch seconds after which the row is stale; 0 = never
};

// A row of the messages table, keyed by (room, seq).
struct Message {
  std::string room;
  std::int64_t seq = 0;  // per-room, 1, 2, 3, ... allocated by append_message
  std::string id;        // opaque unique id
  std::string sender;    // connection id of the sender
  std::string name;      // sender's display name at the time
  std::string text;
  std::int64_t ts = 0;   // server timestamp, epoch ms
  std::int64_t ttl = 0;  // epoch seconds; 0 = never expires
};

class Store {
 public:
  virtual ~Store() = default;

  // Inserts or replaces the row with this connection_id.
  virtual core::result<void> put_connection(const Connection& c) = 0;
  // Errors: not_found.
  virtual core::result<Connection> get_connection(const std::string& connection_id) = 0;
  // Deleting a row that does not exist succeeds (DynamoDB DeleteItem semantics).
  virtual core::result<void> delete_connection(const std::string& connection_id) = 0;
  // The ids of the connections whose room is `room`, through the room index (never a scan).
  virtual core::result<std::vector<std::string>> connections_in_room(const std::string& room) = 0;

  // Allocates the room's next sequence number atomically (the rooms table's counter), stores
  // the message durably and returns it with `seq` set. m.seq on input is ignored.
  virtual core::result<Message> append_message(Message m) = 0;
  // Up to `limit` messages with seq < before_seq (before_seq <= 0: the newest), oldest first.
  virtual core::result<std::vector<Message>> messages_before(const std::string& room,
                                                             std::int64_t before_seq,
                                                             int limit) = 0;
  // Up to `limit` messages with seq > after_seq, oldest first.
  virtual core::result<std::vector<Message>> messages_after(const std::string& room,
                                                            std::int64_t after_seq,
                                                            int limit) = 0;
};

}  // namespace store

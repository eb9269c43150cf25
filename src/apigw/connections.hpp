#pragma once
// The Connections port: what a handler may do to a client connection, the operations of the
// API Gateway Management API (@connections). In-process it reaches the gateway's registry;
// on AWS it is a SigV4-signed HTTPS call.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace apigw {

// A frame encoded once and shared by every recipient of a broadcast.
using SharedFrame = std::shared_ptr<const std::string>;

inline SharedFrame make_frame(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

// GetConnection's answer.
struct ConnectionInfo {
  std::int64_t connected_at = 0;    // epoch ms
  std::int64_t last_active_at = 0;  // epoch ms
  std::string source_ip;
  std::optional<std::string> user_agent;
};

// Largest PostToConnection payload (AWS: 131072 bytes; larger is 413).
inline constexpr std::size_t max_post_bytes = 131072;

// How a post may be delivered.
struct PostOptions {
  // The frames may wait a few milliseconds for the frames after them, so that a burst of them
  // leaves in fewer socket writes: for frames nobody waits on (presence). Adapters that cannot
  // hold a frame back ignore it. A post's order among the posts to its connection never changes.
  bool linger = false;
};

// Whom a post goes to: connection ids, each with the node holding it when known, and, when the
// ids are a room's member list, which list (so an adapter may remember what it resolved them to).
struct Recipients {
  std::span<const std::string> ids;
  // Empty, or one per id: the node holding ids[i] as its store row says (store::Member::gateway;
  // "" = this node, or not known). An adapter spanning several nodes routes by it instead of
  // looking each connection up.
  std::span<const std::string> gateways = {};
  // Set when `ids` is the member list of room `list` at `version` (store::RoomMembers): its owner
  // never changes a list under a version, and gives every new list a new one, so an adapter may
  // keep what it resolved the ids to until the version changes. 0: an ad hoc list.
  std::string_view list = {};
  std::uint64_t version = 0;

  const std::string* gateway_of(std::size_t i) const {
    return gateways.empty() ? nullptr : &gateways[i];
  }
};

class Connections {
 public:
  virtual ~Connections() = default;

  // PostToConnection to each recipient; the i-th result answers to.ids[i]. Errors: gone (410),
  // payload_too_large (413), limit_exceeded (429). Adapters with network latency post
  // concurrently; the gateway's hands each socket thread its frames at once.
  virtual std::vector<core::result<void>> post(const Recipients& to, const SharedFrame& data,
                                               PostOptions options = {}) = 0;

  // post() to one connection.
  core::result<void> post_one(const std::string& connection_id, const SharedFrame& data,
                              PostOptions options = {}) {
    return std::move(post(Recipients{{&connection_id, 1}}, data, options).front());
  }

  // GetConnection. Errors: gone.
  virtual core::result<ConnectionInfo> get(const std::string& connection_id) = 0;

  // DeleteConnection: closes the socket; $disconnect follows. Errors: gone.
  virtual core::result<void> remove(const std::string& connection_id) = 0;
};

}  // namespace apigw

#pragma once
// The Connections port: what a handler may do to a client connection, the operations of the
// API Gateway Management API (@connections). In-process it reaches the gateway's registry;
// on AWS it is a SigV4-signed HTTPS call.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/memo.hpp"

namespace apigw {

// A frame encoded once and shared by every recipient of a broadcast.
using SharedFrame = std::shared_ptr<const std::string>;

inline SharedFrame make_frame(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

// While one is alive on a thread, that thread's posts may wait a few milliseconds for the
// frames after them, so that a burst of them leaves in fewer socket writes: for frames nobody
// waits on (presence). Nestable; adapters that cannot hold a frame back ignore it. A post's
// order among the posts to its connection never changes.
class Lingering {
 public:
  Lingering() noexcept { ++depth_; }
  ~Lingering() { --depth_; }
  Lingering(const Lingering&) = delete;
  Lingering& operator=(const Lingering&) = delete;
  static bool active() noexcept { return depth_ > 0; }

 private:
  static inline thread_local int depth_ = 0;
};

// GetConnection's answer.
struct ConnectionInfo {
  std::int64_t connected_at = 0;    // epoch ms
  std::int64_t last_active_at = 0;  // epoch ms
  std::string source_ip;
  std::optional<std::string> user_agent;
};

// Largest PostToConnection payload (AWS: 131072 bytes; larger is 413).
inline constexpr std::size_t max_post_bytes = 131072;

// A recipient of a fan-out and the node holding its socket, as its store row says
// (store::Member::gateway; "" = this node, or not known).
struct Recipient {
  std::string connection_id;
  std::string gateway;
};

class Connections {
 public:
  virtual ~Connections() = default;

  // PostToConnection. Errors: gone (410), payload_too_large (413), limit_exceeded (429).
  virtual core::result<void> post(const std::string& connection_id, const SharedFrame& data) = 0;

  // Posts one frame to many connections; the i-th result answers the i-th id.
  // Adapters with network latency override this to post concurrently.
  virtual std::vector<core::result<void>> post_many(std::span<const std::string> ids,
                                                    const SharedFrame& data) {
    std::vector<core::result<void>> out;
    out.reserve(ids.size());
    for (const auto& id : ids) out.push_back(post(id, data));
    return out;
  }

  // post_many to a list its owner keeps unchanged between calls (a room's member-list snapshot)
  // along with `memo`, which the owner clears whenever the list changes: an adapter may keep
  // there what it resolved the ids to and skip the lookups next time.
  virtual std::vector<core::result<void>> post_list(std::span<const std::string> ids,
                                                    const SharedFrame& data, core::Memo& memo) {
    (void)memo;
    return post_many(ids, data);
  }
  // post_many for recipients whose node is known: an adapter spanning several nodes routes each
  // post without looking the connection up. Others ignore the gateway.
  virtual std::vector<core::result<void>> post_recipients(std::span<const Recipient> to,
                                                          const SharedFrame& data) {
    std::vector<std::string> ids;
    ids.reserve(to.size());
    for (const auto& r : to) ids.push_back(r.connection_id);
    return post_many(ids, data);
  }

  // GetConnection. Errors: gone.
  virtual core::result<ConnectionInfo> get(const std::string& connection_id) = 0;

  // DeleteConnection: closes the socket; $disconnect follows. Errors: gone.
  virtual core::result<void> remove(const std::string& connection_id) = 0;
};

}  // namespace apigw

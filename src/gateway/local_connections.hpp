#pragma once
// The Connections port over this node's ConnectionRegistry: what the management API and the
// in-process integration call. Frames go to the session's queue; nothing blocks.
#include <optional>
#include <vector>

#include "apigw/connections.hpp"
#include "gateway/connection_registry.hpp"
#include "gateway/gateway_metrics.hpp"

namespace gateway {

class LocalConnections final : public apigw::Connections {
 public:
  LocalConnections(ConnectionRegistry& registry, std::size_t max_post_bytes,
                   GatewayMetrics& metrics)
      : registry_(registry), max_post_bytes_(max_post_bytes), metrics_(metrics) {}

  core::result<void> post(const std::string& connection_id, const apigw::SharedFrame& data) override;
  // The fan-out path: the registry's shards locked once each, every loop handed its frames at once.
  std::vector<core::result<void>> post_many(std::span<const std::string> ids,
                                            const apigw::SharedFrame& data) override;
  // Keeps in `memo` the sessions the ids were found to be when all of them were: the next post
  // to the same list locks each weakly held session instead of looking its id up.
  std::vector<core::result<void>> post_list(std::span<const std::string> ids,
                                            const apigw::SharedFrame& data,
                                            core::Memo& memo) override;
  core::result<apigw::ConnectionInfo> get(const std::string& connection_id) override;
  core::result<void> remove(const std::string& connection_id) override;

 private:
  // Outcomes of posts, counted into the metrics at once.
  struct Tally {
    std::size_t ok = 0, gone = 0, throttled = 0;
    const core::result<void>& add(const core::result<void>& r);
    void record(GatewayMetrics& m) const;
  };

  std::vector<core::result<void>> send_to(const std::vector<std::shared_ptr<Session>>& sessions,
                                          const apigw::SharedFrame& data);
  // `posts` answers of 413 (counted) when `data` is over the PostToConnection limit.
  std::optional<std::vector<core::result<void>>> refuse_too_large(std::size_t posts,
                                                                  const apigw::SharedFrame& data);

  ConnectionRegistry& registry_;
  std::size_t max_post_bytes_;
  GatewayMetrics& metrics_;
};

}  // namespace gateway

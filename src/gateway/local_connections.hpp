#pragma once
// The Connections port over this node's ConnectionRegistry: what the management API and the
// in-process integration call. Frames go to the session's queue; nothing blocks.
#include <optional>
#include <vector>

#include "apigw/connections.hpp"
#include "gateway/connection_registry.hpp"
#include "gateway/gateway_metrics.hpp"
#include "gateway/resolved_lists.hpp"

namespace gateway {

class LocalConnections final : public apigw::Connections {
 public:
  LocalConnections(ConnectionRegistry& registry, std::size_t max_post_bytes,
                   GatewayMetrics& metrics)
      : registry_(registry), max_post_bytes_(max_post_bytes), metrics_(metrics) {}

  // The registry's shards locked once each, every socket thread handed its frames at once
  // (an Outbox). A room's member list (to.list, to.version) found whole is remembered: the next
  // post to the same version locks each weakly held session instead of looking its id up.
  // Gateways are ignored: every connection this adapter reaches is held here.
  std::vector<core::result<void>> post(const apigw::Recipients& to, const apigw::SharedFrame& data,
                                       apigw::PostOptions options = {}) override;
  core::result<apigw::ConnectionInfo> get(const std::string& connection_id) override;
  core::result<void> remove(const std::string& connection_id) override;

  // Room lists remembered (ResolvedLists).
  std::size_t resolved_lists() const { return resolved_.size(); }

 private:
  // Outcomes of posts, counted into the metrics at once.
  struct Tally {
    std::size_t ok = 0, gone = 0, throttled = 0;
    const core::result<void>& add(const core::result<void>& r);
    void record(GatewayMetrics& m) const;
  };

  // The sessions of `to.ids` (nullptr: not held here), from the remembered list when it is known.
  std::vector<std::shared_ptr<Session>> resolve(const apigw::Recipients& to);
  std::vector<core::result<void>> send_to(const std::vector<std::shared_ptr<Session>>& sessions,
                                          const apigw::SharedFrame& data, apigw::PostOptions options);

  ConnectionRegistry& registry_;
  std::size_t max_post_bytes_;
  GatewayMetrics& metrics_;
  ResolvedLists resolved_;
};

}  // namespace gateway

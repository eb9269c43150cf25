#include "gateway/local_connections.hpp"

#include <algorithm>

#include "gateway/loop_inbox.hpp"

namespace gateway {

const core::result<void>& LocalConnections::Tally::add(const core::result<void>& r) {
  ++(r ? ok : r.error() == core::errc::gone ? gone : throttled);
  return r;
}

void LocalConnections::Tally::record(GatewayMetrics& m) const {
  if (ok) m.posts_ok.inc(ok);
  if (gone) m.posts_gone.inc(gone);
  if (throttled) m.posts_throttled.inc(throttled);
}

std::vector<core::result<void>> LocalConnections::post(const apigw::Recipients& to,
                                                       const apigw::SharedFrame& data,
                                                       apigw::PostOptions options) {
  if (data->size() > max_post_bytes_) {
    metrics_.posts_too_large.inc(to.ids.size());
    return std::vector<core::result<void>>(to.ids.size(), core::errc::payload_too_large);
  }
  return send_to(resolve(to), data, options);
}

std::vector<std::shared_ptr<Session>> LocalConnections::resolve(const apigw::Recipients& to) {
  if (to.ids.size() == 1) return {registry_.find(to.ids[0])};  // a reply: one shard, no sort
  const bool listed = to.version != 0 && !to.list.empty();
  if (listed) {
    if (auto known = resolved_.find(to.list, to.version); known && known->size() == to.ids.size()) {
      std::vector<std::shared_ptr<Session>> sessions;
      sessions.reserve(known->size());
      for (const auto& w : *known) sessions.push_back(w.lock());
      return sessions;
    }
  }
  auto sessions = registry_.find_many(to.ids);
  // An id not found may be a connection whose $connect has not finished yet: found later, so
  // such a list is not remembered.
  if (listed &&
      std::all_of(sessions.begin(), sessions.end(), [](const auto& s) { return s != nullptr; })) {
    resolved_.remember(to.list, to.version,
                       std::make_shared<const ResolvedLists::Sessions>(sessions.begin(), sessions.end()));
  }
  return sessions;
}

std::vector<core::result<void>> LocalConnections::send_to(
    const std::vector<std::shared_ptr<Session>>& sessions, const apigw::SharedFrame& data,
    apigw::PostOptions options) {
  std::vector<core::result<void>> out;
  out.reserve(sessions.size());
  Tally tally;
  {
    Outbox outbox(options, sessions.size());
    for (const auto& s : sessions)
      out.push_back(tally.add(s ? s->send(data, outbox) : core::errc::gone));
  }
  tally.record(metrics_);
  return out;
}

core::result<apigw::ConnectionInfo> LocalConnections::get(const std::string& connection_id) {
  auto s = registry_.find(connection_id);
  if (!s) return core::errc::gone;
  return s->info();
}

core::result<void> LocalConnections::remove(const std::string& connection_id) {
  auto s = registry_.find(connection_id);
  if (!s) return core::errc::gone;
  s->close(1000, "Connection deleted");
  return {};
}

}  // namespace gateway

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

core::result<void> LocalConnections::post(const std::string& connection_id,
                                          const apigw::SharedFrame& data) {
  if (data->size() > max_post_bytes_) {
    metrics_.posts_too_large.inc();
    return core::errc::payload_too_large;
  }
  auto s = registry_.find(connection_id);
  Tally tally;
  auto r = tally.add(s ? s->send(data) : core::errc::gone);
  tally.record(metrics_);
  return r;
}

std::optional<std::vector<core::result<void>>> LocalConnections::refuse_too_large(
    std::size_t posts, const apigw::SharedFrame& data) {
  if (data->size() <= max_post_bytes_) return std::nullopt;
  metrics_.posts_too_large.inc(posts);
  return std::vector<core::result<void>>(posts, core::errc::payload_too_large);
}

std::vector<core::result<void>> LocalConnections::post_many(std::span<const std::string> ids,
                                                            const apigw::SharedFrame& data) {
  if (auto refused = refuse_too_large(ids.size(), data)) return std::move(*refused);
  return send_to(registry_.find_many(ids), data);
}

namespace {
// What post_list keeps in a list's memo: the list's sessions, held weakly (a closed one is gone).
struct Resolved {
  const void* owner;
  std::vector<std::weak_ptr<Session>> sessions;
};
}  // namespace

std::vector<core::result<void>> LocalConnections::post_list(std::span<const std::string> ids,
                                                            const apigw::SharedFrame& data,
                                                            core::Memo& memo) {
  if (auto refused = refuse_too_large(ids.size(), data)) return std::move(*refused);
  auto known = std::static_pointer_cast<const Resolved>(memo.get());
  if (known && known->owner == this && known->sessions.size() == ids.size()) {
    std::vector<std::shared_ptr<Session>> sessions;
    sessions.reserve(ids.size());
    for (const auto& w : known->sessions) sessions.push_back(w.lock());
    return send_to(sessions, data);
  }
  auto sessions = registry_.find_many(ids);
  // An id not found may be a connection whose $connect has not finished yet: found later, so
  // such a list is not remembered.
  if (std::all_of(sessions.begin(), sessions.end(), [](const auto& s) { return s != nullptr; })) {
    auto r = std::make_shared<Resolved>();
    r->owner = this;
    r->sessions.assign(sessions.begin(), sessions.end());
    memo.set(std::move(r));
  }
  return send_to(sessions, data);
}

std::vector<core::result<void>> LocalConnections::send_to(
    const std::vector<std::shared_ptr<Session>>& sessions, const apigw::SharedFrame& data) {
  std::vector<core::result<void>> out;
  out.reserve(sessions.size());
  Tally tally;
  {
    LoopInbox::Batch batch;
    for (const auto& s : sessions) out.push_back(tally.add(s ? s->send(data) : core::errc::gone));
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

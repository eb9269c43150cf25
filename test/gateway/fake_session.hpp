#pragma once
// A Session that records what the gateway asked of it.
#include <mutex>
#include <vector>

#include "gateway/loop_inbox.hpp"
#include "gateway/session.hpp"

namespace gateway::testing {

class FakeSession final : public Session {
 public:
  explicit FakeSession(std::string id) : id_(std::move(id)) {}
  const std::string& id() const override { return id_; }
  core::result<void> send(apigw::SharedFrame f, Outbox& out) override {
    std::lock_guard lock(mutex_);
    if (closing) return core::errc::gone;
    if (full) return core::errc::limit_exceeded;
    frames.push_back(std::move(f));
    lingered.push_back(out.options().linger);
    return {};
  }
  void close(unsigned short code, std::string reason) override {
    std::lock_guard lock(mutex_);
    closed_with = code;
    close_reason = std::move(reason);
  }
  apigw::ConnectionInfo info() const override { return {1000, 2000, "127.0.0.1", "ua"}; }

  bool full = false;
  bool closing = false;  // registered still, but its socket is closing: sends are gone
  std::vector<apigw::SharedFrame> frames;
  std::vector<bool> lingered;  // per frame: whether its post let it wait (PostOptions::linger)
  int closed_with = 0;
  std::string close_reason;

 private:
  std::string id_;
  std::mutex mutex_;
};

}  // namespace gateway::testing

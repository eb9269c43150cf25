#pragma once
// An in-memory apigw::Connections for handler tests: records every post per connection id
// (the SharedFrame itself, so a test can check that recipients share one encoding), answers
// errc::gone for ids it was told are gone, and payload_too_large for a frame over
// apigw::max_post_bytes (as PostToConnection does).
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "apigw/connections.hpp"

namespace fakes {

class FakeConnections final : public apigw::Connections {
 public:
  struct Post {
    std::string connection_id;
    apigw::SharedFrame frame;
    apigw::PostOptions options;
    std::string gateway;          // the Recipients' gateway for this id ("" when none given)
    std::string list;             // the Recipients' room list and its version (0: ad hoc)
    std::uint64_t version = 0;
  };

  // Posts to `id` answer gone from now on (the client went away without $disconnect yet).
  void mark_gone(const std::string& id) {
    std::lock_guard lock(mu_);
    gone_.insert(id);
  }
  // Posts to `id` answer `e` (e.g. limit_exceeded) from now on.
  void fail_with(const std::string& id, core::errc e) {
    std::lock_guard lock(mu_);
    failing_[id] = e;
  }
  // Called after each delivered post, outside the lock.
  void on_post(std::function<void(const Post&)> f) {
    std::lock_guard lock(mu_);
    on_post_ = std::move(f);
  }

  // Delivered posts, in order.
  std::vector<Post> posts() const {
    std::lock_guard lock(mu_);
    return posts_;
  }
  // Delivered posts to one connection, in order.
  std::vector<Post> posts_to(const std::string& id) const {
    std::lock_guard lock(mu_);
    std::vector<Post> out;
    for (const auto& p : posts_)
      if (p.connection_id == id) out.push_back(p);
    return out;
  }
  // Every post tried, delivered or not.
  std::vector<Post> attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
  }
  // Every post tried to one connection, delivered or not.
  std::vector<Post> attempts_to(const std::string& id) const {
    std::lock_guard lock(mu_);
    std::vector<Post> out;
    for (const auto& p : attempts_)
      if (p.connection_id == id) out.push_back(p);
    return out;
  }
  std::vector<std::string> removed() const {
    std::lock_guard lock(mu_);
    return removed_;
  }
  // Forgets the posts and attempts so far (not the gone or failing ids).
  void clear() {
    std::lock_guard lock(mu_);
    posts_.clear();
    attempts_.clear();
  }

  std::vector<core::result<void>> post(const apigw::Recipients& to, const apigw::SharedFrame& data,
                                       apigw::PostOptions options = {}) override {
    std::vector<core::result<void>> out;
    out.reserve(to.ids.size());
    for (std::size_t i = 0; i < to.ids.size(); ++i) {
      const auto* gateway = to.gateway_of(i);
      out.push_back(post_to(Post{to.ids[i], data, options, gateway ? *gateway : std::string(),
                                 std::string(to.list), to.version}));
    }
    return out;
  }
  core::result<apigw::ConnectionInfo> get(const std::string& id) override {
    std::lock_guard lock(mu_);
    if (gone_.count(id)) return core::errc::gone;
    apigw::ConnectionInfo info;
    info.connected_at = 1738404000000;
    info.last_active_at = 1738404000000;
    info.source_ip = "127.0.0.1";
    return info;
  }

  core::result<void> remove(const std::string& id) override {
    std::lock_guard lock(mu_);
    if (gone_.count(id)) return core::errc::gone;
    removed_.push_back(id);
    gone_.insert(id);
    return {};
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string> gone_;
  std::map<std::string, core::errc> failing_;
  std::vector<Post> posts_;
  std::vector<Post> attempts_;
  std::vector<std::string> removed_;
  std::function<void(const Post&)> on_post_;

  core::result<void> post_to(Post p) {
    std::function<void(const Post&)> hook;
    const auto& id = p.connection_id;
    const auto& data = p.frame;
    {
      std::lock_guard lock(mu_);
      attempts_.push_back(p);
      if (gone_.count(id)) return core::errc::gone;
      if (auto it = failing_.find(id); it != failing_.end()) return it->second;
      if (data && data->size() > apigw::max_post_bytes) return core::errc::payload_too_large;
      posts_.push_back(p);
      hook = on_post_;
    }
    if (hook) hook(p);
    return {};
  }
};

}  // namespace fakes

#pragma once
// A Store that times every call of the Store it wraps (parley_store_seconds{op=...}), so that
// /metrics shows store latency whichever adapter is behind it.
#include <memory>

#include "core/metrics.hpp"
#include "store/store.hpp"

namespace store {

// The operations' names, parley_store_seconds{op=...}, in the order of Timed::Op.
extern const char* const store_op_names[13];

class Timed final : public Store {
 public:
  explicit Timed(Store& inner);

  core::result<void> put_connection(const Connection& c) override;
  core::result<Connection> get_connection(const std::string& connection_id) override;
  core::result<void> delete_connection(const std::string& connection_id) override;
  core::result<void> put_member(const Member& m) override;
  core::result<void> put_connection_and_member(const Connection& c, const Member& m) override;
  core::result<void> delete_member(const std::string& room,
                                   const std::string& connection_id) override;
  core::result<std::vector<Member>> members(const std::string& room) override;
  core::result<std::vector<Member>> memberships(const std::string& connection_id) override;
  core::result<ConnectionView> connection_view(const std::string& connection_id, int newest,
                                               const WantsNewest& wants_newest) override;
  core::result<Appended> append_message(Message m) override;
  core::result<std::vector<Message>> messages_before(const std::string& room,
                                                     std::int64_t before_seq, int limit) override;
  core::result<std::vector<Message>> messages_after(const std::string& room,
                                                    std::int64_t after_seq, int limit) override;
  core::result<std::int64_t> last_seq(const std::string& room) override;

 private:
  enum Op { put_conn, get_conn, del_conn, put_mem, del_mem, mems, ships, append, before, after,
            last, put_both, view, op_count };
  template <class F>
  auto timed(Op op, F&& f);

  Store& inner_;
  core::metrics::Histogram* latency_[op_count];
  core::metrics::Counter* failures_[op_count];
};

}  // namespace store

#pragma once
// The live inspector behind /inspect (docs/design.md, "The inspector"): what the gateway routed
// (every invocation with its event, response, status and duration), its connections, its
// functions and its traffic, streamed to the open pages. When no page is open the gateway pays
// one relaxed atomic load per invocation (watching()) and builds nothing; the traffic ring is
// filled once a second either way, so that a page opened now shows the last minutes.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "apigw/ws_event.hpp"
#include "gateway/inspect_viewer.hpp"
#include "gateway/integration.hpp"

namespace gateway {

struct InspectorConfig {
  std::size_t events = 500;             // --inspect-events: the ring of recent invocations
  bool payloads = true;                 // --inspect-payloads off: no bodies, headers or queries
  std::size_t viewer_buffer = 1 << 20;  // bytes one page may have waiting before drops
  std::set<std::string> two_way_routes;  // their result goes back to the client
  std::string stage;                     // where the page finds the management API
};

class Inspector {
 public:
  explicit Inspector(InspectorConfig config);
  ~Inspector();
  Inspector(const Inspector&) = delete;
  Inspector& operator=(const Inspector&) = delete;

  // The one check on the hot path: is any page open?
  bool watching() const { return viewers_.load(std::memory_order_relaxed) > 0; }
  const InspectorConfig& config() const { return config_; }

  // An invocation seen by the gateway, from the event it gave the integration to the outcome
  // the client saw. Made only while watching().
  struct Call {
    std::string route_key, connection_id, request_id, event_json;
    std::int64_t at_ms = 0;
    std::chrono::steady_clock::time_point started;
  };
  std::shared_ptr<Call> begin(const apigw::Event& event) const;
  // `timed_out`: the gateway answered the client with a timeout (the result may still be the
  // late one the backend gave, shown as such).
  void finish(const Call& call, const InvokeResult& result, bool timed_out);

  // A new page: its stream starts with the configuration, the recent events and the traffic
  // history (the caller adds the snapshots it can take itself).
  // `wake` is called (on any thread) when the page's writer should look at its buffer again.
  std::shared_ptr<InspectViewer> attach(std::function<void()> wake);
  void detach(const std::shared_ptr<InspectViewer>& viewer);

  // Sends `type` with `data` to every page (no ring).
  void broadcast(std::string_view type, const boost::json::object& data);
  // A traffic sample (one a second): kept in a ring of `traffic_samples` and broadcast.
  void add_sample(boost::json::object sample);

  static constexpr std::size_t traffic_samples = 300;  // five minutes
  static constexpr std::size_t max_text = 16 * 1024;   // per event / response shown

  // For /metrics and the tests: pages open, bytes waiting in their buffers, messages dropped.
  std::size_t viewers() const { return static_cast<std::size_t>(viewers_.load()); }
  std::size_t buffered_bytes() const;
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  // One SSE message: "event: TYPE\ndata: JSON\n\n".
  static std::string frame(std::string_view type, const boost::json::object& data);

 private:
  void send_all(const std::string& message);

  const InspectorConfig config_;
  std::atomic<int> viewers_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::int64_t> buffered_{0};  // bytes in the pages' buffers
  std::atomic<std::uint64_t> next_seq_{1};
  mutable std::mutex mutex_;
  std::deque<std::string> events_;   // framed "event" messages, the last config_.events
  std::deque<std::string> samples_;  // framed "traffic" messages
  std::vector<std::shared_ptr<InspectViewer>> pages_;
};

// Removes the credentials an authorizer context may carry (a guest token) before it is shown
// where it is not needed: keys containing "token" or "secret".
void strip_tokens(boost::json::object& authorizer);

// What the client saw of an invocation's result on `route_key` (docs/protocol.md): the close
// or refusal of a $connect, the error frame of a message route, or nothing.
std::string client_outcome(std::string_view route_key, const InvokeResult& r, bool timed_out,
                           bool two_way);

}  // namespace gateway

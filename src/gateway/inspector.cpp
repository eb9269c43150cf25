#include "gateway/inspector.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "apigw/event_codec.hpp"
#include "apigw/frames.hpp"
#include "apigw/route_key.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"

namespace gateway {
namespace json = boost::json;

namespace {

// Long payloads are cut for the page (a 128 KB message would otherwise fill a viewer's buffer
// in a few events); the page says how long they were.
void put_text(json::object& o, std::string_view key, std::string_view text) {
  if (text.size() <= Inspector::max_text) {
    o[key] = text;
    return;
  }
  // Cut on a character boundary: the stream stays valid UTF-8.
  std::size_t cut = Inspector::max_text;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  o[key] = text.substr(0, cut);
  o[std::string(key) + "Bytes"] = text.size();
}

// /metrics: the pages of every inspector of this process (one per gateway), what waits in
// their buffers, and what was dropped because a page did not read.
std::mutex live_mutex;
std::vector<const Inspector*> live;  // every inspector of this process

template <class F>
double sum_live(F f) {
  std::lock_guard lock(live_mutex);
  double n = 0;
  for (const Inspector* i : live) n += static_cast<double>(f(*i));
  return n;
}

core::metrics::Counter& dropped_total() {
  static core::metrics::Counter& c = []() -> core::metrics::Counter& {
    auto& r = core::metrics::registry();
    r.gauge("parley_inspect_viewers", "Inspector pages open (/inspect)",
            [] { return sum_live([](const Inspector& i) { return i.viewers(); }); });
    r.gauge("parley_inspect_buffered_bytes",
            "Bytes waiting in the inspector pages' buffers (each bounded by --inspect-buffer)",
            [] { return sum_live([](const Inspector& i) { return i.buffered_bytes(); }); });
    return r.counter("parley_inspect_dropped_total",
                     "Inspector messages dropped because a page did not read them in time");
  }();
  return c;
}

}  // namespace

void strip_tokens(json::object& authorizer) {
  for (auto it = authorizer.begin(); it != authorizer.end();) {
    std::string key(it->key());
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    if (key.find("token") != std::string::npos || key.find("secret") != std::string::npos)
      it = authorizer.erase(it);
    else
      ++it;
  }
}

Inspector::Inspector(InspectorConfig config) : config_(std::move(config)) {
  dropped_total();
  std::lock_guard lock(live_mutex);
  live.push_back(this);
}

Inspector::~Inspector() {
  std::lock_guard lock(live_mutex);
  std::erase(live, this);
}

std::string Inspector::frame(std::string_view type, const json::object& data) {
  std::string m;
  m.reserve(64);
  m += "event: ";
  m += type;
  m += "\ndata: ";
  m += json::serialize(data);  // one line: JSON strings escape their newlines
  m += "\n\n";
  return m;
}

std::shared_ptr<Inspector::Call> Inspector::begin(const apigw::Event& event) const {
  auto call = std::make_shared<Call>();
  const auto& rc = event.request_context;
  call->route_key = rc.route_key;
  call->connection_id = rc.connection_id;
  call->request_id = rc.request_id;
  call->at_ms = core::now_ms();
  call->started = std::chrono::steady_clock::now();
  if (config_.payloads) {
    call->event_json = apigw::encode(event);
  } else {
    // Without payloads: what routed it and who sent it, not what was said (the body, and the
    // handshake's headers and query, which carry tokens and names).
    apigw::Event bare = event;
    bare.body.reset();
    bare.headers.reset();
    bare.multi_value_headers.reset();
    bare.query_string_parameters.reset();
    bare.multi_value_query_string_parameters.reset();
    if (bare.request_context.authorizer) strip_tokens(*bare.request_context.authorizer);
    call->event_json = apigw::encode(bare);
  }
  return call;
}

std::string client_outcome(std::string_view route_key, const InvokeResult& r, bool timed_out,
                           bool two_way) {
  const bool connect = route_key == apigw::route_key::connect;
  if (route_key == apigw::route_key::disconnect) return "";  // the client is gone
  if (timed_out || r.status == InvokeResult::Status::timeout)
    return connect ? "504 " + std::string(apigw::frames::timed_out)
                   : std::string(apigw::frames::timed_out);
  if (r.status == InvokeResult::Status::error)
    return connect ? "502 " + std::string(apigw::frames::internal_error)
                   : std::string(apigw::frames::internal_error);
  if (connect) {
    const int s = r.response.status_code;
    if (r.response.ok()) return "101 connected";
    return std::to_string(s >= 100 && s <= 599 ? s : 502) + " refused";
  }
  if (two_way && r.response.body) return "response sent";
  return "";
}

void Inspector::finish(const Call& call, const InvokeResult& r, bool timed_out) {
  json::object o;
  o["seq"] = next_seq_.fetch_add(1, std::memory_order_relaxed);
  o["at"] = call.at_ms;
  o["routeKey"] = call.route_key;
  o["connectionId"] = call.connection_id;
  o["requestId"] = call.request_id;
  o["durationMs"] =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - call.started).count();
  put_text(o, "event", call.event_json);
  const char* status = r.status == InvokeResult::Status::ok      ? "ok"
                       : r.status == InvokeResult::Status::error ? "error"
                                                                 : "timeout";
  o["status"] = timed_out ? "timeout" : status;
  if (r.status == InvokeResult::Status::ok) {
    o["statusCode"] = r.response.status_code;
    json::object resp = json::parse(apigw::encode(r.response)).as_object();
    if (!config_.payloads && resp.contains("body")) resp["body"] = nullptr;
    put_text(o, "response", json::serialize(resp));
  }
  if (r.status == InvokeResult::Status::error) o["error"] = r.error_message;
  // Failed: the client saw an error (or the handler answered a non-2xx on $connect).
  const bool failed = timed_out || r.status != InvokeResult::Status::ok ||
                      (call.route_key == apigw::route_key::connect && !r.response.ok());
  o["failed"] = failed;
  o["outcome"] = client_outcome(call.route_key, r, timed_out,
                                config_.two_way_routes.contains(call.route_key));
  if (!r.function.empty()) {
    o["function"] = r.function;
    o["environment"] = r.environment;
    o["coldStart"] = r.cold_start;
  }
  std::string message = frame("invocation", o);
  {
    std::lock_guard lock(mutex_);
    events_.push_back(message);
    while (events_.size() > config_.events) events_.pop_front();
  }
  send_all(message);
}

std::shared_ptr<InspectViewer> Inspector::attach(std::function<void()> wake) {
  auto viewer = std::make_shared<InspectViewer>(config_.viewer_buffer, &buffered_);
  viewer->on_wake(std::move(wake));
  json::object hello;
  hello["events"] = config_.events;
  hello["payloads"] = config_.payloads;
  hello["viewerBuffer"] = config_.viewer_buffer;
  hello["maxText"] = max_text;
  hello["stage"] = config_.stage;
  std::lock_guard lock(mutex_);
  viewer->push(frame("hello", hello));
  // The replay is what fits in half the buffer (a quarter for the traffic history, a quarter
  // for the events), the newest first to be kept: the rest is for what happens next.
  auto replay = [&](const std::deque<std::string>& ring, std::size_t room) {
    std::size_t first = ring.size();
    while (first > 0 && ring[first - 1].size() <= room) room -= ring[--first].size();
    for (std::size_t i = first; i < ring.size(); ++i) viewer->push(ring[i]);
  };
  replay(samples_, config_.viewer_buffer / 4);
  replay(events_, config_.viewer_buffer / 4);
  pages_.push_back(viewer);
  viewers_.fetch_add(1);
  return viewer;
}

void Inspector::detach(const std::shared_ptr<InspectViewer>& viewer) {
  std::lock_guard lock(mutex_);
  auto it = std::find(pages_.begin(), pages_.end(), viewer);
  if (it == pages_.end()) return;
  pages_.erase(it);
  viewers_.fetch_sub(1);
}

void Inspector::broadcast(std::string_view type, const json::object& data) {
  if (!watching()) return;
  send_all(frame(type, data));
}

void Inspector::add_sample(json::object sample) {
  std::string message = frame("traffic", sample);
  {
    std::lock_guard lock(mutex_);
    samples_.push_back(message);
    while (samples_.size() > traffic_samples) samples_.pop_front();
  }
  if (watching()) send_all(message);
}

void Inspector::send_all(const std::string& message) {
  std::vector<std::shared_ptr<InspectViewer>> pages;
  {
    std::lock_guard lock(mutex_);
    pages = pages_;
  }
  for (auto& p : pages)
    if (!p->push(message)) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      dropped_total().inc();
    }
}

std::size_t Inspector::buffered_bytes() const {
  return static_cast<std::size_t>(std::max<std::int64_t>(0, buffered_.load()));
}

}  // namespace gateway

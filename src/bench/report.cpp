#include "bench/report.hpp"

#include <boost/json.hpp>
#include <cstdio>

namespace bench {

namespace {

std::string fixed(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string latency_row(const Latency& l) {
  return "p50 " + fixed(l.p50, 2) + "  p90 " + fixed(l.p90, 2) + "  p99 " + fixed(l.p99, 2) +
         "  max " + fixed(l.max, 2) + " ms";
}

std::string cpu_row(const PhaseCpu& c) {
  std::string s = c.server >= 0 ? "server " + fixed(c.server) + " %, " : "";
  return s + "generator " + fixed(c.client) + " % (100 % = one core)";
}

boost::json::object latency_json(const Latency& l) {
  return {{"p50_ms", l.p50}, {"p90_ms", l.p90}, {"p99_ms", l.p99}, {"max_ms", l.max},
          {"count", l.count}};
}

boost::json::object cpu_json(const PhaseCpu& c) {
  boost::json::object o{{"client_pct", c.client}};
  if (c.server >= 0) o["server_pct"] = c.server;
  return o;
}

boost::json::object rooms_phase_json(const RoomsPhase& p) {
  return {{"seconds", p.seconds},         {"sent", p.sent},
          {"delivered", p.delivered},     {"frames_per_second", p.frames_per_second},
          {"delivery", latency_json(p.delivery)}, {"missing", p.missing},
          {"refused", p.refused},         {"duplicates", p.duplicates},
          {"misrouted", p.misrouted},     {"errors", p.errors},
          {"cpu", cpu_json(p.cpu)}};
}

}  // namespace

void Report::table(std::ostream& out) const {
  auto row = [&](const std::string& what, const std::string& value) {
    out << "  " << what << std::string(what.size() < 26 ? 26 - what.size() : 1, ' ') << value
        << "\n";
  };
  out << "parley bench" << (r_.label.empty() ? "" : " [" + r_.label + "]") << ": " << r_.url
      << ", " << r_.connections << " connections, " << r_.threads << " generator threads\n";
  row("connected", std::to_string(r_.connected) + " (" + std::to_string(r_.connect_failed) +
                       " failed) in " + fixed(r_.connect_seconds, 3) + " s");
  row("connect rate", fixed(r_.connect_rate, 0) + " connections/s");
  row("connect cpu", cpu_row(r_.connect_cpu));
  if (r_.fanout) {
    row("fan-out messages", std::to_string(r_.fanout_complete) + "/" +
                                std::to_string(r_.fanout_messages) + " reached all in time");
    row("fan-out completion", latency_row(r_.fanout_completion));
    row("fan-out delivery", latency_row(r_.fanout_delivery));
    row("fan-out missing", std::to_string(r_.fanout_missing) + " deliveries");
    row("fan-out cpu", cpu_row(r_.fanout_cpu));
  }
  if (r_.throughput) {
    row("throughput", fixed(r_.frames_per_second, 0) + " frames/s (" + std::to_string(r_.senders) +
                          " senders, " + std::to_string(r_.sent) + " sent, " +
                          std::to_string(r_.delivered) + " delivered in " +
                          fixed(r_.throughput_seconds, 2) + " s)");
    row("throughput delivery", latency_row(r_.throughput_delivery));
    row("throughput missing", std::to_string(r_.throughput_missing) + " deliveries");
    row("throughput cpu", cpu_row(r_.throughput_cpu));
  }
  if (r_.rooms) {
    const auto phase = [&](const std::string& name, const RoomsPhase& p) {
      row(name, fixed(p.frames_per_second, 0) + " frames/s (" + std::to_string(p.sent) + " sent, " +
                    std::to_string(p.delivered) + " delivered in " + fixed(p.seconds, 2) + " s)");
      row(name + " delivery", latency_row(p.delivery));
      row(name + " missing", std::to_string(p.missing) + " deliveries; refused " +
                                 std::to_string(p.refused) + " sends, " + std::to_string(p.errors) +
                                 " errors; " + std::to_string(p.duplicates) + " duplicates, " +
                                 std::to_string(p.misrouted) + " to another room");
      row(name + " cpu", cpu_row(p.cpu));
    };
    row("rooms", std::to_string(r_.room_count) + ", every connection sending to its own");
    phase("steady (1 per " + fixed(r_.interval_seconds, r_.interval_seconds < 1 ? 3 : 1) + " s)",
          r_.rooms_steady);
    phase("fast (" + std::to_string(r_.window) + " in flight)", r_.rooms_fast);
  }
  if (r_.idle) {
    row("idle RSS", std::to_string(r_.rss_idle_kb) + " kB (" + std::to_string(r_.rss_before_kb) +
                        " kB before connecting), " + fixed(r_.idle_bytes_per_connection, 0) +
                        " bytes per connection");
  }
  if (r_.peak_rss_kb > 0)
    row("server peak RSS", std::to_string(r_.peak_rss_kb) + " kB sampled, VmHWM " +
                               std::to_string(r_.hwm_kb) + " kB");
  row("closed by server", std::to_string(r_.closed_by_server));
  row("run time", fixed(r_.seconds, 2) + " s");
}

std::string Report::json() const {
  boost::json::object o{
      {"label", r_.label},
      {"url", r_.url},
      {"connections", r_.connections},
      {"threads", r_.threads},
      {"connected", r_.connected},
      {"connect_failed", r_.connect_failed},
      {"connect_seconds", r_.connect_seconds},
      {"connect_rate", r_.connect_rate},
      {"settle_seconds", r_.settle_seconds},
      {"connect_cpu", cpu_json(r_.connect_cpu)},
      {"closed_by_server", r_.closed_by_server},
      {"peak_rss_kb", r_.peak_rss_kb},
      {"hwm_kb", r_.hwm_kb},
      {"seconds", r_.seconds}};
  if (r_.fanout)
    o["fanout"] = boost::json::object{{"messages", r_.fanout_messages},
                                      {"complete", r_.fanout_complete},
                                      {"completion", latency_json(r_.fanout_completion)},
                                      {"delivery", latency_json(r_.fanout_delivery)},
                                      {"missing", r_.fanout_missing},
                                      {"cpu", cpu_json(r_.fanout_cpu)}};
  if (r_.throughput)
    o["throughput"] = boost::json::object{{"senders", r_.senders},
                                          {"seconds", r_.throughput_seconds},
                                          {"sent", r_.sent},
                                          {"delivered", r_.delivered},
                                          {"frames_per_second", r_.frames_per_second},
                                          {"delivery", latency_json(r_.throughput_delivery)},
                                          {"missing", r_.throughput_missing},
                                          {"cpu", cpu_json(r_.throughput_cpu)}};
  if (r_.rooms)
    o["rooms"] = boost::json::object{{"rooms", r_.room_count},
                                     {"interval_s", r_.interval_seconds},
                                     {"window", r_.window},
                                     {"steady", rooms_phase_json(r_.rooms_steady)},
                                     {"fast", rooms_phase_json(r_.rooms_fast)}};
  if (r_.idle)
    o["idle"] = boost::json::object{{"rss_before_kb", r_.rss_before_kb},
                                    {"rss_kb", r_.rss_idle_kb},
                                    {"bytes_per_connection", r_.idle_bytes_per_connection}};
  return boost::json::serialize(o);
}

}  // namespace bench

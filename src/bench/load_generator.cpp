#include "bench/load_generator.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <iostream>
#include <random>
#include <thread>

namespace bench {

namespace {

using clock = std::chrono::steady_clock;

std::string random_run_tag() {
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>('a' + rd() % 26));
  return s;
}

unsigned thread_count(const Config& c) {
  if (c.threads > 0) return c.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

double seconds_between(std::int64_t a, std::int64_t b) { return static_cast<double>(b - a) / 1e9; }

PhaseCpu cpu_between(const CpuSnapshot& a, const CpuSnapshot& b, bool server) {
  PhaseCpu p;
  if (server) p.server = ProcSampler::server_cpu(a, b);
  p.client = ProcSampler::self_cpu(a, b);
  return p;
}

Latency to_latency(const Histogram& h) {
  Latency l;
  l.count = h.count();
  l.p50 = static_cast<double>(h.percentile(50)) / 1000.0;
  l.p90 = static_cast<double>(h.percentile(90)) / 1000.0;
  l.p99 = static_cast<double>(h.percentile(99)) / 1000.0;
  l.max = static_cast<double>(h.max()) / 1000.0;
  return l;
}

LoadGenerator::LoadGenerator(Config config)
    : config_(std::move(config)),
      marker_(random_run_tag()),
      tracker_(std::size_t{1} << 20, config_.connections),
      ctx_(config_, tracker_, marker_),
      sampler_(config_.server_pids),
      pool_(ctx_, thread_count(config_)) {}

void LoadGenerator::progress(const std::string& line) const {
  if (!config_.json_only) std::cerr << "bench: " << line << "\n";
}

WorkerStats LoadGenerator::collect() {
  WorkerStats all;
  for (auto& w : pool_.workers()) {
    const WorkerStats s = w->collect();
    all.latency_us.merge(s.latency_us);
    all.delivered += s.delivered;
    all.duplicates += s.duplicates;
    all.misrouted += s.misrouted;
    all.refused += s.refused;
    all.refused_deliveries += s.refused_deliveries;
    all.errors += s.errors;
  }
  return all;
}

Results LoadGenerator::run() {
  Results r;
  r.label = config_.label;
  r.url = "ws://" + config_.host + ":" + std::to_string(config_.port) + config_.path;
  for (std::size_t i = 1; i < config_.targets.size(); ++i)
    r.url += ",ws://" + config_.targets[i].host + ":" + std::to_string(config_.targets[i].port) + config_.targets[i].path;
  r.connections = config_.connections;
  r.threads = static_cast<unsigned>(pool_.workers().size());
  const std::int64_t start = now_ns();
  r.rss_before_kb = sampler_.rss_kb();

  // In the many-rooms load every connection sends.
  const std::size_t senders =
      config_.mode_rooms ? config_.connections : config_.mode_throughput ? config_.senders : 1;
  const CpuSnapshot a = sampler_.snapshot();
  pool_.connect(std::min(senders, config_.connections));
  const CpuSnapshot b = sampler_.snapshot();
  r.connected = ctx_.opened;
  r.connect_failed = ctx_.failed;
  r.connect_seconds = pool_.connect_seconds();
  r.connect_rate = r.connect_seconds > 0 ? static_cast<double>(r.connected) / r.connect_seconds : 0;
  r.connect_cpu = cpu_between(a, b, sampler_.watching());
  progress("connected " + std::to_string(r.connected) + "/" + std::to_string(r.connections) +
           " in " + std::to_string(r.connect_seconds) + " s");

  if (config_.mode_fanout || config_.mode_throughput || config_.mode_rooms || config_.mode_idle ||
      config_.hello)
    r.settle_seconds = pool_.settle();
  tracker_.set_receivers(ctx_.opened - ctx_.closed);
  collect();  // anything received while settling is not a measurement

  if (config_.mode_fanout && r.connected > 0) run_fanout(r);
  if (config_.mode_throughput && r.connected > 0) run_throughput(r);
  if (config_.mode_rooms && r.connected > 0) run_rooms(r);
  if (config_.mode_idle) run_idle(r);

  r.peak_rss_kb = std::max(sampler_.peak_rss_kb(), sampler_.rss_kb());
  r.hwm_kb = sampler_.hwm_kb();
  r.closed_by_server = ctx_.closed;
  pool_.shutdown();
  r.seconds = seconds_between(start, now_ns());
  return r;
}

void LoadGenerator::run_fanout(Results& r) {
  ClientConnection& sender = pool_.connection(0);
  if (!sender.is_open()) {
    progress("fan-out skipped: the sender's connection is not open");
    return;
  }
  r.fanout = true;
  const CpuSnapshot a = sampler_.snapshot();
  std::vector<double> completion_ms;
  auto report = clock::now() + std::chrono::seconds(1);
  for (std::size_t i = 0; i < config_.messages; ++i) {
    const std::uint64_t seq = tracker_.begin_send(0);
    boost::asio::post(sender.worker().io(), [&sender, seq] { sender.send_message(seq); });
    const auto done = tracker_.wait_complete(seq, clock::now() + config_.message_timeout);
    if (done) {
      completion_ms.push_back(static_cast<double>(*done) / 1e6);
    } else {
      r.fanout_missing += tracker_.receivers() - tracker_.received(seq);
    }
    if (clock::now() >= report) {
      progress("fan-out " + std::to_string(i + 1) + "/" + std::to_string(config_.messages));
      report += std::chrono::seconds(1);
    }
  }
  const CpuSnapshot b = sampler_.snapshot();
  r.fanout_cpu = cpu_between(a, b, sampler_.watching());
  r.fanout_messages = config_.messages;
  r.fanout_complete = completion_ms.size();
  Latency& c = r.fanout_completion;
  c.count = completion_ms.size();
  c.p50 = percentile(completion_ms, 50);
  c.p90 = percentile(completion_ms, 90);
  c.p99 = percentile(completion_ms, 99);
  c.max = percentile(completion_ms, 100);
  r.fanout_delivery = to_latency(collect().latency_us);
}

void LoadGenerator::run_throughput(Results& r) {
  r.throughput = true;
  const std::size_t senders = std::min(config_.senders, pool_.size());
  r.senders = senders;
  const std::uint64_t first = tracker_.next_seq();
  const CpuSnapshot a = sampler_.snapshot();
  ctx_.sending = true;
  auto kick = [&](std::size_t s) {
    ClientConnection& c = pool_.connection(s);
    boost::asio::post(c.worker().io(), [&c, w = config_.window] {
      c.restart_window(w);
    });
  };
  for (std::size_t s = 0; s < senders; ++s) kick(s);
  std::vector<std::int64_t> kicked(senders, a.at_ns);
  const auto end = clock::now() + config_.duration;
  auto report = clock::now() + std::chrono::seconds(1);
  std::uint64_t frames_before = pool_.frames_received();
  while (clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // A sender whose messages were all lost would stop: refill its window after a second.
    const std::int64_t now = now_ns();
    for (std::size_t s = 0; s < senders; ++s) {
      const std::int64_t last = std::max(pool_.connection(s).last_echo_ns(), kicked[s]);
      if (now - last > 1'000'000'000) {
        kicked[s] = now;
        kick(s);
      }
    }
    if (clock::now() >= report) {
      progress_rate("throughput", first, frames_before);
      report += std::chrono::seconds(1);
    }
  }
  ctx_.sending = false;
  PhaseWindow in_window = close_window(a, first);
  r.throughput_cpu = in_window.cpu;
  r.throughput_seconds = in_window.seconds;
  r.sent = in_window.last - first;
  r.delivered = in_window.stats.delivered;
  r.frames_per_second = in_window.per_second();

  r.throughput_missing = drain(first, in_window.last, 0);
  in_window.stats.latency_us.merge(collect().latency_us);
  r.throughput_delivery = to_latency(in_window.stats.latency_us);
}

PhaseWindow LoadGenerator::close_window(const CpuSnapshot& a, std::uint64_t first) {
  PhaseWindow w;
  const CpuSnapshot b = sampler_.snapshot();
  w.first = first;
  w.last = tracker_.next_seq();
  w.stats = collect();
  w.cpu = cpu_between(a, b, sampler_.watching());
  w.seconds = seconds_between(a.at_ns, b.at_ns);
  return w;
}

void LoadGenerator::progress_rate(const std::string& what, std::uint64_t first,
                                  std::uint64_t& frames_before) const {
  const std::uint64_t f = pool_.frames_received();
  progress(what + " " + std::to_string(f - frames_before) + " frames/s, " +
           std::to_string(tracker_.next_seq() - first) + " sent");
  frames_before = f;
}

std::uint64_t LoadGenerator::drain(std::uint64_t from, std::uint64_t to, std::uint64_t refused) {
  // Only the newest messages are still in the tracker's ring.
  if (to - from > tracker_.capacity()) from = to - tracker_.capacity();
  const auto end = clock::now() + std::chrono::seconds(3);
  std::uint64_t missing = 0;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::uint64_t raw = tracker_.missing(from, to);
    missing = raw > refused ? raw - refused : 0;
  } while (missing > 0 && clock::now() < end);
  return missing;
}

void LoadGenerator::run_idle(Results& r) {
  r.idle = true;
  const auto end = clock::now() + config_.duration;
  auto report = clock::now() + std::chrono::seconds(1);
  while (clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (clock::now() >= report) {
      progress("idle, server RSS " + std::to_string(sampler_.rss_kb()) + " kB");
      report += std::chrono::seconds(1);
    }
  }
  r.rss_idle_kb = sampler_.rss_kb();
  const std::uint64_t open = ctx_.opened - ctx_.closed;
  if (open > 0 && r.rss_idle_kb > r.rss_before_kb)
    r.idle_bytes_per_connection =
        static_cast<double>(r.rss_idle_kb - r.rss_before_kb) * 1024.0 / static_cast<double>(open);
}

}  // namespace bench

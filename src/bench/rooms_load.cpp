// The many-rooms load (issue 18): every connection is in a room of a few (--rooms spreads them)
// and every connection sends to its own room, first at a steady human rate, then as fast as its
// window allows. What real chat traffic looks like, unlike a few senders in one big room.
#include <boost/asio/post.hpp>
#include <chrono>
#include <thread>

#include "bench/load_generator.hpp"
#include "bench/room_plan.hpp"

namespace bench {

namespace {

using clock = std::chrono::steady_clock;

}  // namespace

void LoadGenerator::run_rooms(Results& r) {
  r.rooms = true;
  r.room_count = config_.rooms;
  r.interval_seconds = static_cast<double>(config_.interval.count()) / 1000.0;
  r.window = config_.window;
  progress("many rooms: steady, one message per connection every " +
           std::to_string(config_.interval.count()) + " ms");
  run_rooms_phase(r.rooms_steady, false);
  progress("many rooms: fast, " + std::to_string(config_.window) + " in flight per connection");
  run_rooms_phase(r.rooms_fast, true);
}

void LoadGenerator::run_rooms_phase(RoomsPhase& p, bool fast) {
  p.ran = true;
  const std::size_t n = pool_.size();
  const std::size_t window = config_.window;
  const std::int64_t interval_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(config_.interval).count();
  const std::uint64_t first = tracker_.next_seq();
  const CpuSnapshot a = sampler_.snapshot();
  if (fast) {
    ctx_.sending = true;  // each own message back sends the next
    pool_.post_each([window](ClientConnection& c) { c.refill(window); });
  }
  const std::int64_t start = now_ns();
  const std::int64_t length_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(config_.duration).count();
  std::uint64_t posted = 0;  // steady: sends handed to the workers so far
  // Steady: hands the workers the sends due by now, never those of after the phase's end (a late
  // wake-up must not add sends), so each connection sends exactly duration / interval times.
  const auto post_due = [&] {
    const std::int64_t at = std::min(now_ns() - start, length_ns - 1);
    const std::uint64_t due = sends_due(at, interval_ns, n);
    for (std::size_t k = 0; k < pool_.workers().size() && due > posted; ++k)
      boost::asio::post(pool_.workers()[k]->io(), [this, k, from = posted, due, n] {
        for (std::uint64_t j = from; j < due; ++j) {
          const std::size_t i = static_cast<std::size_t>(j % n);
          if (pool_.worker_of(i) == k) pool_.connection(i).send_next();
        }
      });
    posted = std::max(posted, due);
  };
  const auto end = clock::now() + config_.duration;
  auto report = clock::now() + std::chrono::seconds(1);
  std::uint64_t frames_before = pool_.frames_received();
  while (clock::now() < end) {
    if (fast) {
      // Refusals free places in a window; topping it up every 50 ms is also the back-off a
      // client owes a "Too Many Requests".
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      pool_.post_each([window](ClientConnection& c) { c.refill(window); });
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      post_due();
    }
    if (clock::now() >= report) {
      progress_rate(fast ? "fast" : "steady", first, frames_before);
      report += std::chrono::seconds(1);
    }
  }
  if (!fast) post_due();  // the last sends, if the loop woke too early to hand them over
  // The workers take a sequence number per send: let them finish the ones just handed over.
  for (auto& w : pool_.workers()) w->run_and_wait([] {});
  ctx_.sending = false;
  const PhaseWindow in_window = close_window(a, first);
  p.cpu = in_window.cpu;
  p.seconds = in_window.seconds;
  p.sent = in_window.last - first;
  p.delivered = in_window.stats.delivered;
  p.frames_per_second = in_window.per_second();

  // Refusals answer at once, so nearly all are in the window's stats; the rest come while draining.
  const WorkerStats& s = in_window.stats;
  const std::uint64_t missing = drain(first, in_window.last, s.refused_deliveries);
  WorkerStats late = collect();
  p.missing = missing > late.refused_deliveries ? missing - late.refused_deliveries : 0;
  late.latency_us.merge(s.latency_us);
  p.delivery = to_latency(late.latency_us);
  p.refused = s.refused + late.refused;
  p.duplicates = s.duplicates + late.duplicates;
  p.misrouted = s.misrouted + late.misrouted;
  p.errors = s.errors + late.errors;
}

}  // namespace bench

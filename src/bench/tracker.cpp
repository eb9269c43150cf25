#include "bench/tracker.hpp"

#include <algorithm>
#include <stdexcept>

namespace bench {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Tracker::Tracker(std::size_t capacity, std::size_t receivers)
    : slots_(new Slot[capacity]), mask_(capacity - 1), receivers_(receivers) {
  if (capacity == 0 || (capacity & (capacity - 1)) != 0)
    throw std::invalid_argument("tracker capacity must be a power of two");
}

std::uint64_t Tracker::begin_send(std::uint32_t sender, std::uint32_t expected) {
  const std::uint64_t seq = next_.fetch_add(1, std::memory_order_acq_rel);
  Slot& s = slot(seq);
  s.count.store(0, std::memory_order_relaxed);
  s.done_ns.store(0, std::memory_order_relaxed);
  s.sent_ns.store(0, std::memory_order_relaxed);
  s.sender = sender;
  s.expected.store(expected, std::memory_order_relaxed);
  s.seq.store(seq, std::memory_order_release);
  return seq;
}

void Tracker::mark_sent(std::uint64_t seq, std::int64_t at_ns) {
  slot(seq).sent_ns.store(at_ns, std::memory_order_release);
}

Tracker::Delivery Tracker::deliver(std::uint64_t seq, std::int64_t at_ns) {
  Slot& s = slot(seq);
  // A slot reused by a newer message (or never used) does not count this delivery.
  if (s.seq.load(std::memory_order_acquire) != seq) return {};
  const std::int64_t sent = s.sent_ns.load(std::memory_order_acquire);
  Delivery d;
  d.known = true;
  d.sender = s.sender;
  d.latency_ns = sent > 0 && at_ns > sent ? at_ns - sent : 0;
  const std::uint32_t wanted = s.expected.load(std::memory_order_relaxed);
  const std::size_t complete = wanted > 0 ? wanted : receivers_.load(std::memory_order_relaxed);
  const std::size_t count = s.count.fetch_add(1, std::memory_order_acq_rel) + 1;
  d.duplicate = count > complete;
  if (count == complete) {
    s.done_ns.store(at_ns, std::memory_order_release);
    // Only the fan-out phase waits; taking the lock here keeps the wake-up from being lost.
    std::lock_guard lock(mutex_);
    completed_.notify_all();
  }
  return d;
}

std::optional<std::int64_t> Tracker::wait_complete(
    std::uint64_t seq, std::chrono::steady_clock::time_point deadline) {
  Slot& s = slot(seq);
  std::unique_lock lock(mutex_);
  completed_.wait_until(lock, deadline, [&] { return s.done_ns.load() != 0; });
  const std::int64_t done = s.done_ns.load(std::memory_order_acquire);
  if (done == 0) return std::nullopt;
  return done - s.sent_ns.load(std::memory_order_acquire);
}

std::size_t Tracker::expected(std::uint64_t seq) const {
  const std::uint32_t wanted = slot(seq).expected.load(std::memory_order_relaxed);
  return wanted > 0 ? wanted : receivers_.load();
}

std::uint64_t Tracker::missing(std::uint64_t from, std::uint64_t to) const {
  std::uint64_t sum = 0;
  for (std::uint64_t seq = from; seq < to; ++seq) {
    const std::size_t want = expected(seq);
    sum += want - std::min<std::size_t>(want, received(seq));
  }
  return sum;
}

std::uint32_t Tracker::received(std::uint64_t seq) const {
  const Slot& s = slot(seq);
  return s.seq.load(std::memory_order_acquire) == seq ? s.count.load() : 0;
}

}  // namespace bench

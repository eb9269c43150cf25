#pragma once
// Which message was sent when, by whom, and how many connections have received it: shared by all
// threads through atomics on a ring of slots indexed by sequence number, so recording a delivery
// takes no lock.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace bench {

// Monotonic nanoseconds, the generator's single clock.
std::int64_t now_ns();

class Tracker {
 public:
  // `capacity` (a power of two) bounds the messages in flight, not the messages of a run.
  Tracker(std::size_t capacity, std::size_t receivers);

  // Takes the next sequence number for a message about to be written by `sender`. `expected`:
  // how many deliveries complete it (its room's members); 0: every receiver (set_receivers).
  std::uint64_t begin_send(std::uint32_t sender, std::uint32_t expected = 0);
  // Time stamp of the send, set just before the bytes are handed to the socket.
  void mark_sent(std::uint64_t seq, std::int64_t at_ns);

  struct Delivery {
    bool known = false;       // a message of this run still in the ring
    std::int64_t latency_ns = 0;
    std::uint32_t sender = 0;
    bool duplicate = false;   // more deliveries than the message expects
  };
  // One connection received message `seq` at `at_ns`.
  Delivery deliver(std::uint64_t seq, std::int64_t at_ns);

  // Blocks until every receiver has message `seq` or `deadline`; returns the completion latency.
  std::optional<std::int64_t> wait_complete(std::uint64_t seq,
                                            std::chrono::steady_clock::time_point deadline);

  std::size_t capacity() const { return mask_ + 1; }
  std::uint64_t next_seq() const { return next_.load(std::memory_order_acquire); }
  std::uint32_t received(std::uint64_t seq) const;
  // Deliveries that complete message `seq` (its own count, else the receivers).
  std::size_t expected(std::uint64_t seq) const;
  // Deliveries still missing over the messages [from, to): each counts at most its expected.
  std::uint64_t missing(std::uint64_t from, std::uint64_t to) const;
  std::size_t receivers() const { return receivers_.load(); }
  // How many deliveries complete a message: the connections open when a phase starts.
  void set_receivers(std::size_t n) { receivers_.store(n); }

 private:
  struct Slot {
    std::atomic<std::uint64_t> seq{UINT64_MAX};
    std::atomic<std::int64_t> sent_ns{0};
    std::atomic<std::int64_t> done_ns{0};
    std::atomic<std::uint32_t> count{0};
    std::uint32_t sender = 0;
    std::atomic<std::uint32_t> expected{0};  // 0: receivers_ (atomic: read while counting)
  };
  Slot& slot(std::uint64_t seq) const { return slots_[seq & mask_]; }

  std::unique_ptr<Slot[]> slots_;
  std::size_t mask_;
  std::atomic<std::size_t> receivers_;
  std::atomic<std::uint64_t> next_{0};
  std::mutex mutex_;
  std::condition_variable completed_;
};

}  // namespace bench

#pragma once
// One open inspector page (a server-sent events stream): a bounded buffer between the threads
// that publish (sockets, handlers, the sampler) and the coroutine that writes to the viewer's
// socket. A viewer that does not read (a hidden or slow tab, a stalled client) costs at most
// `bound` bytes: what does not fit is dropped and counted, and the writer tells the viewer how
// many messages it missed once it reads again (docs/design.md, "The inspector").
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace gateway {

class InspectViewer {
 public:
  // `tally` (optional) follows the bytes buffered here, summed over several viewers.
  explicit InspectViewer(std::size_t bound, std::atomic<std::int64_t>* tally = nullptr)
      : bound_(bound), tally_(tally) {}
  ~InspectViewer();
  InspectViewer(const InspectViewer&) = delete;
  InspectViewer& operator=(const InspectViewer&) = delete;

  // Queues one SSE message (already framed); false when it was dropped because the buffer
  // is full. Calls the wake function (outside the lock) when the buffer was empty and the
  // writer waits. Thread-safe.
  bool push(std::string message);

  struct Batch {
    std::string text;           // every queued message, in order
    std::uint64_t dropped = 0;  // messages dropped since the previous take()
  };
  // Takes everything queued. When nothing is queued and nothing was dropped, the next push
  // wakes the writer. Thread-safe.
  Batch take();

  // Called by push() when the writer should look again. Set once, before any push.
  void on_wake(std::function<void()> wake) { wake_ = std::move(wake); }

  std::size_t buffered() const;
  std::size_t bound() const { return bound_; }

 private:
  const std::size_t bound_;
  std::atomic<std::int64_t>* const tally_;
  mutable std::mutex mutex_;
  std::deque<std::string> queue_;
  std::size_t bytes_ = 0;
  std::uint64_t dropped_ = 0;
  bool waiting_ = false;  // the writer found nothing and waits for a wake
  std::function<void()> wake_;
};

}  // namespace gateway

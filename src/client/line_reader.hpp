#pragma once
// Standard input, line by line, on a thread of its own: a blocking read works on terminals,
// pipes and regular files alike (epoll refuses regular files), and never blocks the I/O loop.
#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>

namespace client {

class LineReader {
 public:
  // on_line gets each line without its "\n" (and "\r"); on_eof once at the end of input. Both
  // run on the reader's thread: post to your executor from them.
  LineReader(int fd, std::function<void(std::string)> on_line, std::function<void()> on_eof);
  ~LineReader();  // stop()s

  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  void start();

  // Wakes the thread, waits for it; no callback runs after this returns.
  void stop();

  // True once stop() was called: a callback that waits for something can check it.
  bool stopping() const { return stopping_.load(); }

  // A line without "\n" longer than this is delivered in pieces of this size.
  static constexpr std::size_t max_line = 1 << 20;

 private:
  void run();

  int fd_;
  int wake_[2] = {-1, -1};  // self-pipe: stop() writes, poll() wakes
  std::function<void(std::string)> on_line_;
  std::function<void()> on_eof_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace client

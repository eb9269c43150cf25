#include "client/line_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace client {

LineReader::LineReader(int fd, std::function<void(std::string)> on_line,
                       std::function<void()> on_eof)
    : fd_(fd), on_line_(std::move(on_line)), on_eof_(std::move(on_eof)) {
  if (::pipe2(wake_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
}

LineReader::~LineReader() {
  stop();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void LineReader::start() { thread_ = std::thread([this] { run(); }); }

void LineReader::stop() {
  if (!stopping_.exchange(true)) {
    const char b = 1;
    (void)!::write(wake_[1], &b, 1);
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void LineReader::run() {
  std::string pending;
  char buf[65536];
  auto deliver = [&](std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!stopping_.load()) on_line_(std::move(line));
  };
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (stopping_.load() || fds[1].revents) return;
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;  // end of input (Ctrl+D on a terminal), or an error: the same to us
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      deliver(pending.substr(start, nl - start));
    pending.erase(0, start);
    while (pending.size() >= max_line) {
      deliver(pending.substr(0, max_line));
      pending.erase(0, max_line);
    }
  }
  // A last line without "\n" still counts.
  if (!pending.empty()) deliver(std::move(pending));
  if (!stopping_.load()) on_eof_();
}

}  // namespace client

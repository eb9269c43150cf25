#pragma once
// A scripted HTTP/1.1 server on a loopback port for the client tests: a thread per connection,
// each request answered by a callback that can also delay, drop or close.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/http/message.hpp"

namespace aws::test {

struct FakeReply {
  int status = 200;
  http::Headers headers;
  std::string body;
  std::chrono::milliseconds delay{0};
  bool drop = false;              // close without answering
  bool close_after = false;       // answer, then close while claiming keep-alive (a stale socket)
};

class FakeHttpServer {
 public:
  using Handler = std::function<FakeReply(const http::Request&)>;
  explicit FakeHttpServer(Handler handler, std::uint16_t port = 0);
  ~FakeHttpServer();

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections_accepted() const { return accepted_; }
  int max_concurrent_connections() const { return max_concurrent_; }
  int requests() const { return requests_; }
  void stop();

 private:
  struct State;
  void serve(std::shared_ptr<void> socket);

  Handler handler_;
  std::uint16_t port_ = 0;
  std::shared_ptr<State> state_;
  std::thread acceptor_thread_;
  std::atomic<int> accepted_{0}, concurrent_{0}, max_concurrent_{0}, requests_{0};
};

}  // namespace aws::test

#include "bench/worker.hpp"

#include <boost/asio/post.hpp>
#include <future>

namespace bench {

Worker::Worker() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}

Worker::~Worker() { stop(); }

void Worker::run_and_wait(const std::function<void()>& f) {
  if (io_.stopped()) return;
  std::promise<void> done;
  auto result = done.get_future();
  boost::asio::post(io_, [&] {
    f();
    done.set_value();
  });
  result.wait();
}

WorkerStats Worker::collect() {
  WorkerStats out;
  run_and_wait([&] {
    out = stats_;
    stats_ = WorkerStats();
  });
  return out;
}

void Worker::stop() {
  guard_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace bench

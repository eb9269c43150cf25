#include "integration/in_process.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "core/log.hpp"

namespace integration {

InProcess::InProcess(handlers::Router router, store::Tables store, unsigned threads)
    : router_(std::move(router)), store_(store), pool_(threads) {}

InProcess::~InProcess() { drain(); }

namespace {
struct StrandLane final : gateway::Integration::Lane {
  explicit StrandLane(boost::asio::thread_pool& pool) : strand(pool.get_executor()) {}
  boost::asio::strand<boost::asio::thread_pool::executor_type> strand;
};
}  // namespace

void InProcess::invoke(apigw::Event event, std::function<void(gateway::InvokeResult)> done) {
  boost::asio::post(pool_, [this, event = std::move(event), done = std::move(done)]() mutable {
    run(event, done);
  });
}

std::shared_ptr<gateway::Integration::Lane> InProcess::open_lane() {
  return std::make_shared<StrandLane>(pool_);
}

void InProcess::invoke_in(Lane& lane, apigw::Event event, std::function<void()> started,
                          std::function<void(gateway::InvokeResult)> done) {
  boost::asio::post(static_cast<StrandLane&>(lane).strand,
                    [this, event = std::move(event), started = std::move(started),
                     done = std::move(done)]() mutable {
                      started();
                      run(event, done);
                    });
}

void InProcess::run(apigw::Event& event, const std::function<void(gateway::InvokeResult)>& done) {
  gateway::InvokeResult result;
  const auto* handler = router_.find(event.request_context.route_key);
  if (!handler || !connections_) {
    result.status = gateway::InvokeResult::Status::error;
    result.error_message = "no handler for route " + event.request_context.route_key;
    done(std::move(result));
    return;
  }
  handlers::Ports ports{store_, *connections_};
  // A handler that throws is a failed invocation, reported like Lambda's Unhandled error.
  try {
    result.response = (*handler)(event, ports);
  } catch (const std::exception& e) {
    result.status = gateway::InvokeResult::Status::error;
    result.error_message = e.what();
  } catch (...) {
    result.status = gateway::InvokeResult::Status::error;
    result.error_message = "unknown exception";
  }
  done(std::move(result));
}

void InProcess::drain() { pool_.join(); }

}  // namespace integration

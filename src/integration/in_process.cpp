#include "integration/in_process.hpp"

#include <boost/asio/post.hpp>

#include "core/log.hpp"

namespace integration {

InProcess::InProcess(handlers::Router router, store::Store& store, unsigned threads)
    : router_(std::move(router)), store_(store), pool_(threads) {}

InProcess::~InProcess() { drain(); }

void InProcess::invoke(apigw::Event event, std::function<void(gateway::InvokeResult)> done) {
  boost::asio::post(pool_, [this, event = std::move(event), done = std::move(done)] {
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
  });
}

void InProcess::drain() { pool_.join(); }

}  // namespace integration

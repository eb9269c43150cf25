#include "gateway/invoke.hpp"

#include "gateway/await_with_timeout.hpp"

namespace gateway {
namespace net = boost::asio;

net::awaitable<InvokeResult> invoke_with_timeout(Integration& integration, apigw::Event event,
                                                 std::chrono::milliseconds timeout,
                                                 Integration::Lane* lane) {
  InvokeResult timed_out;
  timed_out.status = InvokeResult::Status::timeout;
  co_return co_await await_with_timeout<InvokeResult>(
      [&](std::function<void(InvokeResult)> done) {
        if (lane)
          integration.invoke_in(*lane, std::move(event), std::move(done));
        else
          integration.invoke(std::move(event), std::move(done));
      },
      timeout, std::move(timed_out));
}

}  // namespace gateway

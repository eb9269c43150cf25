#include "gateway/invoke.hpp"

#include <memory>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gateway {
namespace net = boost::asio;

net::awaitable<InvokeResult> invoke_with_timeout(Integration& integration, apigw::Event event,
                                                 std::chrono::milliseconds timeout,
                                                 Integration::Lane* lane) {
  auto ex = co_await net::this_coro::executor;
  co_return co_await net::async_initiate<decltype(net::use_awaitable), void(InvokeResult)>(
      [&integration, &event, timeout, ex, lane](auto handler) {
        using Handler = decltype(handler);
        // Whichever of the timer and the result comes first completes the wait; both complete
        // on the session's loop `ex`, so `done` needs no lock.
        struct State {
          State(Handler h, net::any_io_executor e) : handler(std::move(h)), timer(e) {}
          Handler handler;
          net::steady_timer timer;
          bool done = false;
          void complete(InvokeResult r) {
            if (done) return;
            done = true;
            timer.cancel();
            std::move(handler)(std::move(r));
          }
        };
        auto state = std::make_shared<State>(std::move(handler), ex);
        state->timer.expires_after(timeout);
        state->timer.async_wait([state](boost::system::error_code ec) {
          if (ec) return;
          InvokeResult r;
          r.status = InvokeResult::Status::timeout;
          state->complete(std::move(r));
        });
        auto done = [state, ex](InvokeResult r) {
          net::post(ex, [state, r = std::move(r)]() mutable { state->complete(std::move(r)); });
        };
        if (lane)
          integration.invoke_in(*lane, std::move(event), std::move(done));
        else
          integration.invoke(std::move(event), std::move(done));
      },
      net::use_awaitable);
}

}  // namespace gateway

#pragma once
// Awaiting a callback-style operation from a session's coroutine with a time limit: the
// integration's invocation, an authorizer that runs elsewhere. Whichever of the result and the
// timer comes first completes the wait; both complete on the awaiting coroutine's executor, so
// no lock is needed, and a late result is dropped.
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gateway {

// start(done) begins the operation; `done(T)` may be called once, on any thread.
template <class T, class Start>
boost::asio::awaitable<T> await_with_timeout(Start start, std::chrono::milliseconds timeout,
                                            T on_timeout) {
  namespace net = boost::asio;
  auto ex = co_await net::this_coro::executor;
  co_return co_await net::async_initiate<decltype(net::use_awaitable), void(T)>(
      [&start, timeout, ex, &on_timeout](auto handler) {
        using Handler = decltype(handler);
        struct State {
          State(Handler h, net::any_io_executor e) : handler(std::move(h)), timer(e) {}
          Handler handler;
          net::steady_timer timer;
          bool done = false;
          void complete(T r) {
            if (done) return;
            done = true;
            timer.cancel();
            std::move(handler)(std::move(r));
          }
        };
        auto state = std::make_shared<State>(std::move(handler), ex);
        state->timer.expires_after(timeout);
        state->timer.async_wait([state, late = std::move(on_timeout)](boost::system::error_code ec) mutable {
          if (!ec) state->complete(std::move(late));
        });
        start(std::function<void(T)>([state, ex](T r) {
          net::post(ex, [state, r = std::move(r)]() mutable { state->complete(std::move(r)); });
        }));
      },
      net::use_awaitable);
}

}  // namespace gateway

#include "gateway/invoke.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/await_with_timeout.hpp"
#include "gateway/inspector.hpp"

namespace gateway {
namespace net = boost::asio;

namespace {

// The inspector's record of this invocation, or nullptr when no page is open (the only cost
// then: this load).
std::shared_ptr<Inspector::Call> inspect(Inspector* inspector, const apigw::Event& event) {
  if (inspector == nullptr || !inspector->watching()) return nullptr;
  return inspector->begin(event);
}

}  // namespace

net::awaitable<InvokeResult> invoke_with_timeout(Integration& integration, apigw::Event event,
                                                 std::chrono::milliseconds timeout,
                                                 Inspector* inspector) {
  InvokeResult timed_out;
  timed_out.status = InvokeResult::Status::timeout;
  auto call = inspect(inspector, event);
  InvokeResult r = co_await await_with_timeout<InvokeResult>(
      [&](std::function<void(InvokeResult)> done) {
        integration.invoke(std::move(event), std::move(done));
      },
      timeout, std::move(timed_out));
  if (call) inspector->finish(*call, r, r.status == InvokeResult::Status::timeout);
  co_return r;
}

net::awaitable<InvokeResult> invoke_in_order(Integration& integration, apigw::Event event,
                                             std::chrono::milliseconds timeout,
                                             std::function<void()> timed_out,
                                             Integration::Lane* lane, LoopSweep& deadlines,
                                             Inspector* inspector) {
  auto ex = co_await net::this_coro::executor;
  auto call = inspect(inspector, event);
  co_return co_await net::async_initiate<decltype(net::use_awaitable), void(InvokeResult)>(
      [&integration, &event, &timed_out, timeout, ex, lane, &deadlines, &call, inspector](auto handler) {
        using Handler = decltype(handler);
        // The deadline only tells the client; the wait ends with the result. Everything below
        // runs on the session's loop `ex` (the result is posted there), so the flags need no
        // lock; only `started_ns` is written by the backend's thread. The deadline sits in the
        // loop's list (one timer per loop), and leaves it with the State.
        //
        // The timeout counts from the backend's start, which only the backend's thread sees.
        // Rather than post that moment to the loop (one more cross-thread wake-up per frame),
        // the deadline is armed at the submission, when the timeout cannot have run yet, and
        // when it comes it reads the start: not started yet (still behind the lane's earlier
        // frames), a whole timeout from now at the earliest; started, at start + timeout.
        struct State {
          State(Handler h, std::function<void()> t, LoopSweep& s, std::chrono::milliseconds to)
              : handler(std::move(h)),
                timed_out(std::move(t)),
                sweep(s),
                timeout(std::max(to, std::chrono::milliseconds(1))),
                deadline([this] { on_deadline(); }) {}
          Handler handler;
          std::function<void()> timed_out;
          LoopSweep& sweep;
          const std::chrono::milliseconds timeout;
          FrameDeadline deadline;
          // steady_clock's count when the backend began (0: not yet).
          std::atomic<std::chrono::steady_clock::rep> started_ns{0};
          bool late = false;
          bool finished = false;
          void start_now() {
            started_ns.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                             std::memory_order_release);
          }
          void on_deadline() {
            if (finished) return;
            const auto now = std::chrono::steady_clock::now();
            const auto started = started_ns.load(std::memory_order_acquire);
            if (started == 0) {
              sweep.arm_deadline(deadline, now + timeout);
              return;
            }
            const auto due = std::chrono::steady_clock::time_point(
                                 std::chrono::steady_clock::duration(started)) +
                             timeout;
            if (due > now) {
              sweep.arm_deadline(deadline, due);
              return;
            }
            late = true;
            if (timed_out) timed_out();
          }
        };
        auto state = std::make_shared<State>(std::move(handler), std::move(timed_out), deadlines,
                                             timeout);
        auto done = [state, ex, call = std::move(call), inspector](InvokeResult r) {
          net::post(ex, [state, call, inspector, r = std::move(r)]() mutable {
            state->finished = true;
            state->deadline.disarm();
            // The late result as the backend gave it: the page shows what the client missed.
            if (call) inspector->finish(*call, r, state->late);
            if (state->late) {
              r = InvokeResult{};
              r.status = InvokeResult::Status::timeout;
            }
            std::move(state->handler)(std::move(r));
          });
        };
        state->sweep.arm_deadline(state->deadline, std::chrono::steady_clock::now() + state->timeout);
        if (lane) {
          integration.invoke_in(*lane, std::move(event), [state] { state->start_now(); },
                                std::move(done));
        } else {
          state->start_now();
          integration.invoke(std::move(event), std::move(done));
        }
      },
      net::use_awaitable);
}

void invoke_detached(Integration& integration, Integration::Lane* lane, apigw::Event event,
                     std::function<void(InvokeResult)> done, Inspector* inspector) {
  if (auto call = inspect(inspector, event)) {
    done = [call, inspector, done = std::move(done)](InvokeResult r) {
      inspector->finish(*call, r, false);
      done(std::move(r));
    };
  }
  if (lane)
    integration.invoke_in(*lane, std::move(event), [] {}, std::move(done));
  else
    integration.invoke(std::move(event), std::move(done));
}

}  // namespace gateway

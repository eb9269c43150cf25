#pragma once
// Awaiting an integration from a session's coroutine, with API Gateway's integration timeout.
#include <chrono>
#include <functional>

#include <boost/asio/awaitable.hpp>

#include "gateway/integration.hpp"
#include "gateway/loop_sweep.hpp"

namespace gateway {

class Inspector;

// Runs the integration and resumes on the calling coroutine's executor (the session's loop)
// with its result, or with Status::timeout once `timeout` has passed; a late result is dropped.
// With an `inspector` that has a page open, the invocation is shown there (its event, result
// and duration); without one, it costs one relaxed load.
boost::asio::awaitable<InvokeResult> invoke_with_timeout(Integration& integration,
                                                         apigw::Event event,
                                                         std::chrono::milliseconds timeout,
                                                         Inspector* inspector = nullptr);

// A connection's frame: runs the integration (through `lane` when given, after what was invoked
// through it before) and resumes with its result only once the backend has finished, however
// long that takes, so that nothing the caller invokes next can run before it or beside it. When
// the backend has run for `timeout` (counted from its start, not from the wait in the lane),
// `timed_out` is called on the calling coroutine's executor, and the result, when it comes, has
// Status::timeout (a late result is dropped, as API Gateway drops it). `deadlines` is the
// calling coroutine's loop's: it keeps the timeout (one timer per loop, not one per frame).
boost::asio::awaitable<InvokeResult> invoke_in_order(Integration& integration, apigw::Event event,
                                                     std::chrono::milliseconds timeout,
                                                     std::function<void()> timed_out,
                                                     Integration::Lane* lane, LoopSweep& deadlines,
                                                     Inspector* inspector = nullptr);

// A best-effort invocation nobody waits for ($disconnect), through `lane` when given; shown
// in the inspector as the others.
void invoke_detached(Integration& integration, Integration::Lane* lane, apigw::Event event,
                     std::function<void(InvokeResult)> done, Inspector* inspector = nullptr);

}  // namespace gateway

#pragma once
// Awaiting an integration from a session's coroutine, with API Gateway's integration timeout.
#include <chrono>
#include <functional>

#include <boost/asio/awaitable.hpp>

#include "gateway/integration.hpp"
#include "gateway/loop_sweep.hpp"

namespace gateway {

// Runs the integration and resumes on the calling coroutine's executor (the session's loop)
// with its result, or with Status::timeout once `timeout` has passed; a late result is dropped.
boost::asio::awaitable<InvokeResult> invoke_with_timeout(Integration& integration,
                                                         apigw::Event event,
                                                         std::chrono::milliseconds timeout);

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
                                                     Integration::Lane* lane, LoopSweep& deadlines);

}  // namespace gateway

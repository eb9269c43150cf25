#pragma once
// Awaiting an integration from a session's coroutine, with API Gateway's integration timeout.
#include <chrono>

#include <boost/asio/awaitable.hpp>

#include "gateway/integration.hpp"

namespace gateway {

// Runs the integration and resumes on the calling coroutine's executor (the session's loop)
// with its result, or with Status::timeout once `timeout` has passed; a late result is dropped.
// With a `lane`, through it (after what was invoked through it before).
boost::asio::awaitable<InvokeResult> invoke_with_timeout(Integration& integration,
                                                         apigw::Event event,
                                                         std::chrono::milliseconds timeout,
                                                         Integration::Lane* lane = nullptr);

}  // namespace gateway

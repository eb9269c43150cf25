#pragma once
// The node-to-node batch post (apigw/post_batch.hpp): one request, one frame, many of this
// node's connections. Served on the management listener only, under exactly the auth of
// @connections there (gateway/management_auth.hpp); the public port answers 404 for it, so that
// its contract stays AWS's.
#include "gateway/context.hpp"
#include "gateway/management_endpoint.hpp"

namespace gateway {

// Answers POST {stage}/@parley/post. `caller` says where it arrived; on the public port the
// answer is a 404 whoever signs.
HttpResponse handle_post_batch(Context& ctx, const HttpRequest& req, ManagementCaller caller);

}  // namespace gateway

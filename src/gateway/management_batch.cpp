#include "gateway/management_batch.hpp"

#include <boost/beast/http.hpp>

#include "apigw/post_batch.hpp"
#include "gateway/management_auth.hpp"

namespace gateway {
namespace http = boost::beast::http;

HttpResponse handle_post_batch(Context& ctx, const HttpRequest& req, ManagementCaller caller) {
  const unsigned v = req.version();
  // Not AWS's: the public port, where users' code and AWS's SDKs call, never serves it. The
  // sender reads a 404 as "post one by one" (an older node answers the same).
  if (caller == ManagementCaller::public_port)
    return aws_error(v, 404, "NotFoundException",
                     "The batch post is a node-to-node call served on the management listener only");
  if (auto refusal = refuse_management(ctx.config, req, caller)) return std::move(*refusal);
  if (req.method() != http::verb::post) {
    auto res = aws_error(v, 405, "MethodNotAllowedException", "Use POST on @parley/post");
    res.set(http::field::allow, "POST");
    return res;
  }
  std::string why;
  auto batch = apigw::batch::decode_request(req.body(), why);
  if (!batch) return aws_error(v, 400, "BadRequestException", why);
  if (batch->frame.size() > ctx.config.max_post_bytes)
    return aws_error(v, 413, "PayloadTooLargeException", "Request entity too large");
  ctx.metrics.management_batches.inc();
  ctx.metrics.management_batch_recipients.inc(batch->ids.size());
  // Every recipient in one post to this node's registry: each socket thread gets its share at
  // once, in this request's order after the requests before it.
  const auto results = ctx.connections.post(apigw::Recipients{batch->ids},
                                            apigw::make_frame(std::string(batch->frame)));
  return json_ok(v, apigw::batch::encode_answer(results));
}

}  // namespace gateway

#pragma once
// connections::Http: the Connections port over the API Gateway Management API
// (aws-contract.md §3): SigV4-signed (service execute-api) POST, GET and DELETE on
// {endpoint}/@connections/{id}. What the handlers use on Lambda, and in the local process
// mode against the gateway's own @connections endpoint.
#include <memory>
#include <optional>
#include <span>
#include <vector>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "apigw/connections.hpp"
#include "aws/http/blocking_client.hpp"
#include "aws/http/endpoint.hpp"
#include "aws/sigv4/credentials.hpp"

namespace connections {

struct HttpOptions {
  std::string endpoint;  // "https://{domainName}/{stage}" or "http://127.0.0.1:PORT/dev"
  std::string region = "us-east-1";
  // nullopt: requests go unsigned (a local gateway that does not check signatures).
  std::optional<aws::Credentials> credentials;
  // post()'s bound on concurrent posts: enough to hide latency, few enough not to trip
  // API Gateway's rate limit (429) for a large room.
  std::size_t max_in_flight = 32;
};

class Http final : public apigw::Connections {
 public:
  // invalid_argument when the endpoint is not an http(s) URL. `client` is shared: one per
  // process, so keep-alive connections survive from one invocation to the next.
  static core::result<std::unique_ptr<Http>> create(
      std::shared_ptr<aws::http::BlockingClient> client, HttpOptions options);

  // Errors: gone (410), payload_too_large (413), limit_exceeded (429), forbidden (403),
  // internal (any other status, or the network). Up to max_in_flight posts at once on the
  // client's I/O thread. Gateways, the list and linger mean nothing here: every post is one
  // request to this endpoint, sent at once.
  std::vector<core::result<void>> post(const apigw::Recipients& to, const apigw::SharedFrame& data,
                                       apigw::PostOptions options = {}) override;
  core::result<apigw::ConnectionInfo> get(const std::string& connection_id) override;
  core::result<void> remove(const std::string& connection_id) override;

  // One post as a coroutine, for callers spreading posts over several endpoints: run it on the
  // client's I/O thread (co_spawn on client->executor()); `data` must outlive it.
  boost::asio::awaitable<core::result<void>> async_post(const std::string& connection_id,
                                                        const std::string& data);

  // Parley's node-to-node batch post (apigw/post_batch.hpp): `data` to every id in one request
  // to another Parley node's management listener, signed as the other calls. The i-th result
  // answers ids[i]. nullopt when the endpoint does not serve it (404: a public port, or a node
  // older than the batch post): post one by one there. At most apigw::batch::max_ids ids.
  // Same coroutine rules as async_post.
  boost::asio::awaitable<std::optional<std::vector<core::result<void>>>> async_post_batch(
      std::span<const std::string> ids, const std::string& data);

 private:
  Http(std::shared_ptr<aws::http::BlockingClient> client, aws::http::Endpoint endpoint,
       HttpOptions options);
  aws::http::Request signed_request(std::string method, const std::string& connection_id,
                                    std::string body) const;
  aws::http::Request signed_to(std::string method, std::string target, std::string body) const;

  std::shared_ptr<aws::http::BlockingClient> client_;
  aws::http::Endpoint endpoint_;
  HttpOptions options_;
};

// The port's error for a Management API status (2xx → success).
boost::system::error_code status_error(int http_status);

}  // namespace connections

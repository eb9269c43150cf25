#include "aws/apigw/http_connections.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <ctime>
#include <future>

#include "apigw/post_batch.hpp"
#include "aws/apigw/management_target.hpp"
#include "aws/sigv4/signer.hpp"
#include "core/log.hpp"

namespace connections {
namespace net = boost::asio;
using core::errc;

namespace {

// "2025-02-01T10:00:00.000Z" (fraction optional) → epoch ms; 0 when unreadable.
std::int64_t parse_iso_ms(std::string_view s) {
  std::tm tm{};
  int ms = 0;
  char frac[8] = {};
  const std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%7[0-9]", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, frac) < 6)
    return 0;
  for (int i = 0; i < 3; ++i) ms = ms * 10 + (frac[i] ? frac[i] - '0' : 0);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000 + ms;
}

core::result<void> to_result(const core::result<aws::http::Response>& r) {
  if (!r) return core::make_error_code(errc::internal);
  if (auto ec = status_error(r->status)) return ec;
  return {};
}

}  // namespace

boost::system::error_code status_error(int http_status) {
  if (http_status >= 200 && http_status <= 299) return {};
  switch (http_status) {
    case 410: return core::make_error_code(errc::gone);
    case 413: return core::make_error_code(errc::payload_too_large);
    case 429: return core::make_error_code(errc::limit_exceeded);
    case 403: return core::make_error_code(errc::forbidden);
    default: return core::make_error_code(errc::internal);
  }
}

core::result<std::unique_ptr<Http>> Http::create(std::shared_ptr<aws::http::BlockingClient> client,
                                                 HttpOptions options) {
  auto ep = aws::http::parse_endpoint(options.endpoint);
  if (!ep) return ep.error();
  return std::unique_ptr<Http>(new Http(std::move(client), std::move(*ep), std::move(options)));
}

Http::Http(std::shared_ptr<aws::http::BlockingClient> client, aws::http::Endpoint endpoint,
           HttpOptions options)
    : client_(std::move(client)), endpoint_(std::move(endpoint)), options_(std::move(options)) {}

aws::http::Request Http::signed_request(std::string method, const std::string& connection_id,
                                        std::string body) const {
  return signed_to(std::move(method), connection_target(endpoint_.base_path, connection_id), std::move(body));
}

aws::http::Request Http::signed_to(std::string method, std::string target, std::string body) const {
  aws::http::Request req;
  req.method = std::move(method);
  req.target = std::move(target);
  req.body = std::move(body);
  if (!options_.credentials) return req;
  aws::sigv4::Request s;
  s.method = req.method;
  s.path = req.target;
  s.headers.push_back({"Host", endpoint_.host_header()});
  s.body = req.body;
  aws::sigv4::SigningOptions so;
  so.region = options_.region;
  so.service = "execute-api";
  aws::sigv4::sign(s, *options_.credentials, so);
  for (auto& h : s.headers) req.headers.push_back({std::move(h.name), std::move(h.value)});
  return req;
}

std::vector<core::result<void>> Http::post(const apigw::Recipients& to, const apigw::SharedFrame& data,
                                           apigw::PostOptions) {
  const auto ids = to.ids;
  if (ids.size() == 1)
    return {to_result(client_->request(endpoint_, signed_request("POST", ids[0], *data)))};
  std::vector<core::result<void>> out(ids.size(), core::make_error_code(errc::internal));
  if (ids.empty()) return out;

  // Workers on the client's single I/O thread pull the next id until none is left, so at most
  // `workers` posts are in flight. No locks: everything below runs on that one thread, and
  // this caller blocks until the last worker is done, which keeps ids/out/this alive.
  struct Shared {
    std::size_t next = 0;
    std::size_t running = 0;
    std::promise<void> done;
  };
  auto shared = std::make_shared<Shared>();
  const auto workers = std::min(std::max<std::size_t>(options_.max_in_flight, 1), ids.size());
  shared->running = workers;
  auto finished = shared->done.get_future();
  auto worker = [this, ids, &data, &out, shared]() -> net::awaitable<void> {
    while (shared->next < ids.size()) {
      const auto i = shared->next++;
      auto r = co_await client_->client().request(endpoint_, signed_request("POST", ids[i], *data));
      out[i] = to_result(r);
    }
  };
  for (std::size_t w = 0; w < workers; ++w) {
    net::co_spawn(client_->executor(), worker, [shared](std::exception_ptr e) {
      if (e) core::log::error("post worker failed");
      if (--shared->running == 0) shared->done.set_value();
    });
  }
  finished.wait();
  return out;
}

net::awaitable<core::result<void>> Http::async_post(const std::string& connection_id, const std::string& data) {
  co_return to_result(co_await client_->client().request(endpoint_, signed_request("POST", connection_id, data)));
}

net::awaitable<std::optional<std::vector<core::result<void>>>> Http::async_post_batch(
    std::span<const std::string> ids, const std::string& data) {
  using Results = std::vector<core::result<void>>;
  auto req = signed_to("POST", apigw::batch::target(endpoint_.base_path), apigw::batch::encode_request(ids, data));
  req.headers.push_back({"Content-Type", std::string(apigw::batch::content_type)});
  const auto r = co_await client_->client().request(endpoint_, std::move(req));
  if (r && r->status == 404) co_return std::nullopt;
  if (auto failed = to_result(r); !failed) co_return Results(ids.size(), failed.error());
  if (auto results = apigw::batch::decode_answer(r->body, ids.size())) co_return std::move(*results);
  core::log::warn("a node answered a batch post with a body that is not a batch answer",
                  {{"endpoint", options_.endpoint}});
  co_return Results(ids.size(), core::make_error_code(errc::internal));
}

core::result<apigw::ConnectionInfo> Http::get(const std::string& connection_id) {
  auto r = client_->request(endpoint_, signed_request("GET", connection_id, ""));
  if (auto v = to_result(r); !v) return v.error();
  boost::system::error_code ec;
  auto json = boost::json::parse(r->body, ec);
  if (ec || !json.is_object()) return core::make_error_code(errc::internal);
  const auto& o = json.as_object();
  apigw::ConnectionInfo info;
  if (auto* v = o.if_contains("connectedAt"); v && v->is_string())
    info.connected_at = parse_iso_ms(v->as_string());
  if (auto* v = o.if_contains("lastActiveAt"); v && v->is_string())
    info.last_active_at = parse_iso_ms(v->as_string());
  if (auto* id = o.if_contains("identity"); id && id->is_object()) {
    if (auto* ip = id->as_object().if_contains("sourceIp"); ip && ip->is_string())
      info.source_ip = std::string(ip->as_string());
    if (auto* ua = id->as_object().if_contains("userAgent"); ua && ua->is_string())
      info.user_agent = std::string(ua->as_string());
  }
  return info;
}

core::result<void> Http::remove(const std::string& connection_id) {
  return to_result(client_->request(endpoint_, signed_request("DELETE", connection_id, "")));
}

}  // namespace connections

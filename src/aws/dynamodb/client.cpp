#include "aws/dynamodb/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/crc.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "aws/sigv4/signer.hpp"
#include "core/log.hpp"

namespace aws::dynamodb {
namespace net = boost::asio;
namespace json = boost::json;

namespace {

Error bad_response(std::string message) {
  Error e;
  e.code = errc::bad_response;
  e.message = std::move(message);
  return e;
}

bool crc32_matches(std::string_view header, std::string_view body) {
  if (header.empty()) return true;  // DynamoDB Local and some proxies leave it out
  std::uint32_t expected = 0;
  auto [p, ec] = std::from_chars(header.data(), header.data() + header.size(), expected);
  if (ec != std::errc{}) return false;
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  return crc.checksum() == expected;
}

}  // namespace

Client::Client(http::Client& http, ClientConfig config)
    : http_(http), config_(std::move(config)), retry_(config_.retry) {}

net::awaitable<void> Client::sleep(std::chrono::milliseconds d) {
  net::steady_timer t(http_.executor(), d);
  co_await t.async_wait(net::as_tuple(net::use_awaitable));
}

net::awaitable<result<json::object>> Client::attempt(const std::string& target, const std::string& body) {
  // Signed per attempt: a retry after a long backoff needs a fresh X-Amz-Date.
  sigv4::Request sreq;
  sreq.method = "POST";
  sreq.path = config_.endpoint.base_path + "/";
  sreq.headers = {{"Host", config_.endpoint.host_header()},
                  {"Content-Type", "application/x-amz-json-1.0"},
                  {"X-Amz-Target", target}};
  sreq.body = body;
  sigv4::SigningOptions opts;
  opts.region = config_.region;
  opts.service = "dynamodb";
  sigv4::sign(sreq, config_.credentials, opts);

  http::Request req{"POST", sreq.path, {}, body};
  for (auto& h : sreq.headers) req.headers.push_back({std::move(h.name), std::move(h.value)});
  auto res = co_await http_.request(config_.endpoint, std::move(req));
  if (!res) co_return network_error(res.error());
  if (res->status != 200) co_return error_from_response(res->status, res->body);
  if (config_.verify_crc32 && !crc32_matches(res->header("x-amz-crc32"), res->body)) {
    Error e;
    e.code = errc::crc32_mismatch;
    e.http_status = 200;
    e.retryable = true;  // botocore retries a corrupted response
    co_return e;
  }
  boost::system::error_code ec;
  auto v = json::parse(res->body, ec);
  if (ec || !v.is_object()) co_return bad_response("response body is not a JSON object");
  co_return std::move(v.as_object());
}

net::awaitable<result<json::object>> Client::call(std::string operation, json::object request) {
  const std::string target = "DynamoDB_20120810." + operation;
  const std::string body = json::serialize(request);
  int last_retry_cost = 0;
  for (int n = 1;; ++n) {
    auto r = co_await attempt(target, body);
    if (r) {
      retry_.on_success(last_retry_cost);
      co_return r;
    }
    Error e = std::move(r.error());
    e.attempts = n;
    if (!retry_.should_retry(e, n, last_retry_cost)) co_return e;
    const auto d = retry_.delay(e, n);
    core::log::debug("dynamodb retry", {{"operation", operation}, {"attempt", n}, {"error", e.what()},
                                        {"delayMs", d.count()}});
    co_await sleep(d);
  }
}

net::awaitable<result<json::object>> Client::put_item(json::object r) { co_return co_await call("PutItem", std::move(r)); }
net::awaitable<result<json::object>> Client::delete_item(json::object r) { co_return co_await call("DeleteItem", std::move(r)); }
net::awaitable<result<json::object>> Client::update_item(json::object r) { co_return co_await call("UpdateItem", std::move(r)); }
net::awaitable<result<json::object>> Client::transact_write_items(json::object r) {
  co_return co_await call("TransactWriteItems", std::move(r));
}

net::awaitable<result<std::optional<Item>>> Client::get_item(json::object r) {
  auto res = co_await call("GetItem", std::move(r));
  if (!res) co_return res.error();
  auto it = res->find("Item");
  if (it == res->end()) co_return std::optional<Item>{};
  auto item = item_from_json(it->value());
  if (!item) co_return bad_response("GetItem returned a malformed Item");
  co_return std::optional<Item>(std::move(*item));
}

result<Page> page_from_json(const json::object& o) {
  Page p;
  p.pages = 1;
  if (auto it = o.find("Items"); it != o.end()) {
    if (!it->value().is_array()) return bad_response("Items is not an array");
    for (const auto& v : it->value().as_array()) {
      auto item = item_from_json(v);
      if (!item) return bad_response("malformed item in Items");
      p.items.push_back(std::move(*item));
    }
  }
  if (auto it = o.find("LastEvaluatedKey"); it != o.end()) {
    auto key = item_from_json(it->value());
    if (!key) return bad_response("malformed LastEvaluatedKey");
    p.last_evaluated_key = std::move(*key);
  }
  if (auto it = o.find("Count"); it != o.end() && it->value().is_int64()) p.count = it->value().as_int64();
  if (auto it = o.find("ScannedCount"); it != o.end() && it->value().is_int64()) p.scanned_count = it->value().as_int64();
  return p;
}

net::awaitable<result<Page>> Client::query(json::object r) {
  auto res = co_await call("Query", std::move(r));
  if (!res) co_return res.error();
  co_return page_from_json(*res);
}

net::awaitable<result<Page>> Client::scan(json::object r) {
  auto res = co_await call("Scan", std::move(r));
  if (!res) co_return res.error();
  co_return page_from_json(*res);
}

net::awaitable<result<Page>> Client::paginate(std::string op, json::object request, std::size_t max_items) {
  Page all;
  for (;;) {
    auto res = co_await call(op, request);
    if (!res) co_return res.error();
    auto page = page_from_json(*res);
    if (!page) co_return page.error();
    all.pages += 1;
    all.count += page->count;
    all.scanned_count += page->scanned_count;
    for (auto& item : page->items) all.items.push_back(std::move(item));
    all.last_evaluated_key = std::move(page->last_evaluated_key);
    // A page may be empty and still have a LastEvaluatedKey (1 MB read, all filtered out).
    if (!all.last_evaluated_key || all.items.size() >= max_items) co_return all;
    request["ExclusiveStartKey"] = item_to_json(*all.last_evaluated_key);
  }
}

net::awaitable<result<Page>> Client::query_all(json::object r, std::size_t max_items) {
  co_return co_await paginate("Query", std::move(r), max_items);
}

net::awaitable<result<Page>> Client::scan_all(json::object r, std::size_t max_items) {
  co_return co_await paginate("Scan", std::move(r), max_items);
}

net::awaitable<result<void>> Client::batch_write(json::object request) {
  for (int round = 1;; ++round) {
    auto res = co_await call("BatchWriteItem", request);
    if (!res) co_return res.error();
    auto it = res->find("UnprocessedItems");
    if (it == res->end() || !it->value().is_object() || it->value().as_object().empty()) co_return result<void>{};
    if (round >= max_unprocessed_rounds) {
      Error e;
      e.code = errc::unprocessed_items;
      e.message = "UnprocessedItems remained after " + std::to_string(round) + " rounds";
      e.details = it->value().as_object();
      co_return e;
    }
    // Unprocessed items mean the table is at its capacity: back off as after throttling.
    Error throttled;
    throttled.throttle = true;
    co_await sleep(retry_.delay(throttled, round));
    request["RequestItems"] = it->value();
  }
}

net::awaitable<result<void>> Client::batch_write_all(std::string table, std::vector<json::object> writes) {
  constexpr std::size_t max_batch = 25;
  for (std::size_t i = 0; i < writes.size(); i += max_batch) {
    json::array chunk;
    for (std::size_t k = i; k < std::min(writes.size(), i + max_batch); ++k) chunk.push_back(std::move(writes[k]));
    json::object req{{"RequestItems", json::object{{table, std::move(chunk)}}}};
    auto r = co_await batch_write(std::move(req));
    if (!r) co_return r.error();
  }
  co_return result<void>{};
}

}  // namespace aws::dynamodb

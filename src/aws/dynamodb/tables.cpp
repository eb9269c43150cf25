#include "aws/dynamodb/tables.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

namespace aws::dynamodb {
namespace net = boost::asio;
namespace json = boost::json;

namespace {

std::string_view str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string_view(it->value().as_string()) : std::string_view{};
}

bool all_active(const json::object& table) {
  if (str(table, "TableStatus") != "ACTIVE") return false;
  if (auto it = table.find("GlobalSecondaryIndexes"); it != table.end() && it->value().is_array()) {
    for (const auto& gsi : it->value().as_array())
      if (!gsi.is_object() || str(gsi.as_object(), "IndexStatus") != "ACTIVE") return false;
  }
  return true;
}

}  // namespace

net::awaitable<result<json::object>> create_table(Client& c, json::object request) {
  auto r = co_await c.call("CreateTable", std::move(request));
  if (!r) co_return r.error();
  auto it = r->find("TableDescription");
  co_return it != r->end() && it->value().is_object() ? it->value().as_object() : json::object{};
}

net::awaitable<result<json::object>> describe_table(Client& c, std::string table) {
  json::object req;
  req["TableName"] = table;
  auto r = co_await c.call("DescribeTable", std::move(req));
  if (!r) co_return r.error();
  auto it = r->find("Table");
  co_return it != r->end() && it->value().is_object() ? it->value().as_object() : json::object{};
}

net::awaitable<result<void>> wait_until_active(Client& c, std::string table, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto delay = std::chrono::milliseconds(50);
  for (;;) {
    auto t = co_await describe_table(c, table);
    if (!t) co_return t.error();
    if (all_active(*t)) co_return result<void>{};
    if (std::chrono::steady_clock::now() + delay > deadline) {
      Error e;
      e.code = errc::service_unavailable;
      e.message = "table " + table + " not ACTIVE within the timeout";
      co_return e;
    }
    net::steady_timer timer(co_await net::this_coro::executor, delay);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    delay = std::min(delay * 2, std::chrono::milliseconds(2000));
  }
}

net::awaitable<result<bool>> ensure_table(Client& c, json::object create_request, std::chrono::milliseconds timeout) {
  const std::string table(str(create_request, "TableName"));
  auto r = co_await create_table(c, std::move(create_request));
  const bool created = r.has_value();
  if (!r && !r.error().is(errc::resource_in_use)) co_return r.error();
  auto w = co_await wait_until_active(c, table, timeout);
  if (!w) co_return w.error();
  co_return created;
}

net::awaitable<result<json::object>> update_time_to_live(Client& c, std::string table, std::string attribute,
                                                         bool enabled) {
  json::object spec;
  spec["Enabled"] = enabled;
  spec["AttributeName"] = attribute;
  json::object req;
  req["TableName"] = table;
  req["TimeToLiveSpecification"] = std::move(spec);
  co_return co_await c.call("UpdateTimeToLive", std::move(req));
}

net::awaitable<result<json::object>> describe_time_to_live(Client& c, std::string table) {
  json::object req;
  req["TableName"] = table;
  co_return co_await c.call("DescribeTimeToLive", std::move(req));
}

net::awaitable<result<bool>> ensure_ttl(Client& c, std::string table, std::string attribute) {
  auto d = co_await describe_time_to_live(c, table);
  if (d) {
    auto it = d->find("TimeToLiveDescription");
    if (it != d->end() && it->value().is_object()) {
      const auto& desc = it->value().as_object();
      const auto status = str(desc, "TimeToLiveStatus");
      if ((status == "ENABLED" || status == "ENABLING") && str(desc, "AttributeName") == attribute) co_return true;
    }
  } else if (d.error().is(errc::unknown_operation)) {
    co_return false;
  } else {
    co_return d.error();
  }
  auto u = co_await update_time_to_live(c, table, attribute, true);
  if (u) co_return true;
  if (u.error().is(errc::unknown_operation)) co_return false;
  co_return u.error();
}

}  // namespace aws::dynamodb

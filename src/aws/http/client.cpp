#include "aws/http/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <deque>
#include <unordered_map>
#include <vector>

#include "aws/http/connection.hpp"

namespace aws::http {
namespace net = boost::asio;
using detail::Connection;
using Clock = std::chrono::steady_clock;

namespace {

struct Pool {
  std::vector<std::unique_ptr<Connection>> idle;  // most recently used at the back
  std::size_t open = 0;                           // idle + busy
  std::deque<std::shared_ptr<net::steady_timer>> waiters;
};

}  // namespace

struct Client::Impl {
  net::any_io_executor ex;
  ClientOptions options;
  std::unique_ptr<net::ssl::context> tls;  // created for the first https endpoint
  std::unordered_map<std::string, Pool> pools;  // never erased: references stay valid

  net::ssl::context& tls_context() {
    if (!tls) {
      tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
      tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                       net::ssl::context::no_tlsv1_1);
      if (options.ca_file.empty()) {
        tls->set_default_verify_paths();
      } else {
        tls->load_verify_file(options.ca_file);
      }
      tls->set_verify_mode(options.verify_peer ? net::ssl::verify_peer : net::ssl::verify_none);
    }
    return *tls;
  }

  // Wakes one request waiting for a connection slot of this pool.
  static void wake_one(Pool& pool) {
    if (pool.waiters.empty()) return;
    auto t = std::move(pool.waiters.front());
    pool.waiters.pop_front();
    t->cancel();
  }

  struct Lease {
    std::unique_ptr<Connection> conn;
    bool reused = false;
  };

  // A live idle connection, else a new one while the pool has room, else waits for a slot.
  net::awaitable<core::result<Lease>> acquire(const Endpoint& ep, bool fresh_only) {
    auto& pool = pools[ep.pool_key()];
    const auto deadline = Clock::now() + options.connect_timeout;
    for (;;) {
      while (!fresh_only && !pool.idle.empty()) {
        auto c = std::move(pool.idle.back());
        pool.idle.pop_back();
        if (Clock::now() - c->idle_since < options.idle_timeout) co_return Lease{std::move(c), true};
        --pool.open;  // too old: the server may have closed it already
      }
      if (fresh_only && !pool.idle.empty()) {
        pool.idle.erase(pool.idle.begin());  // make room by dropping the oldest idle one
        --pool.open;
      }
      if (pool.open < options.max_connections_per_endpoint) {
        ++pool.open;
        auto c = std::make_unique<Connection>(ex, ep.tls ? &tls_context() : nullptr);
        auto ec = co_await c->open(ep, options.connect_timeout);
        if (ec) {
          --pool.open;
          wake_one(pool);
          co_return ec;
        }
        co_return Lease{std::move(c), false};
      }
      if (Clock::now() >= deadline) co_return boost::system::error_code(boost::beast::error::timeout);
      auto t = std::make_shared<net::steady_timer>(ex, deadline);
      pool.waiters.push_back(t);
      co_await t->async_wait(net::as_tuple(net::use_awaitable));
      std::erase(pool.waiters, t);
    }
  }

  void release(const Endpoint& ep, std::unique_ptr<Connection> c, bool reusable) {
    auto& pool = pools[ep.pool_key()];
    if (reusable) {
      c->idle_since = Clock::now();
      pool.idle.push_back(std::move(c));
    } else {
      --pool.open;
    }
    wake_one(pool);
  }
};

Client::Client(net::any_io_executor ex, ClientOptions options)
    : impl_(std::make_shared<Impl>(Impl{std::move(ex), std::move(options), nullptr, {}})) {}

Client::~Client() = default;

const ClientOptions& Client::options() const { return impl_->options; }

net::any_io_executor Client::executor() const { return impl_->ex; }

std::size_t Client::open_connections(const Endpoint& ep) const {
  auto it = impl_->pools.find(ep.pool_key());
  return it == impl_->pools.end() ? 0 : it->second.open;
}

void Client::close_idle() {
  for (auto& [key, pool] : impl_->pools) {
    pool.open -= pool.idle.size();
    pool.idle.clear();
  }
}

net::awaitable<core::result<Response>> Client::request(Endpoint ep, Request req) {
  auto self = impl_;  // keeps the pools alive while this coroutine runs
  if (!find_header(req.headers, "Host")) req.headers.push_back({"Host", ep.host_header()});

  // Attempt 2 happens only when a reused connection turned out to be closed by the server
  // before it sent a byte: the request was not processed, so sending it again is safe.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto lease = co_await self->acquire(ep, attempt > 0);
    if (!lease) co_return lease.error();
    Response res;
    auto out = co_await lease->conn->exchange(req, res, self->options.request_timeout,
                                              self->options.max_response_bytes);
    if (!out.ec) {
      self->release(ep, std::move(lease->conn), out.keep_alive);
      co_return res;
    }
    self->release(ep, std::move(lease->conn), false);
    const bool stale = lease->reused && !out.got_response_bytes && out.ec != boost::beast::error::timeout;
    if (!stale) co_return out.ec;
  }
  co_return boost::system::error_code(net::error::connection_reset);
}

}  // namespace aws::http

#include "gateway/server.hpp"

#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "gateway/context.hpp"
#include "gateway/inspect_snapshot.hpp"
#include "gateway/http_session.hpp"
#include "gateway/loop_sweep.hpp"
#include "gateway/tls_context.hpp"

namespace gateway {
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    core::log::error("session ended by an exception", {{"error", x.what()}});
  }
}

unsigned resolve_threads(unsigned wanted) {
  if (wanted > 0) return wanted;
  return std::max(1u, std::thread::hardware_concurrency());
}

Config with_defaults(Config c) {
  c.threads = resolve_threads(c.threads);
  if (c.api_id.empty()) c.api_id = core::new_api_id();
  return c;
}

}  // namespace

// One io_context per socket thread, each run by exactly one thread (uWebSockets' loop per
// core): a connection lives on one loop, so its handlers never run concurrently and need no
// strand, and cross-thread entry is a plain post to that loop. (Strands wrapped in
// any_io_executor also tripped a use-after-free of the strand in Asio 1.81 under ASan.)
struct Server::Impl {
  Impl(Config config, Integration& integration)
      : ctx(with_defaults(std::move(config)), integration),
        loops(make_loops(ctx.config.threads)),
        ioc(*loops.front()),
        acceptor(ioc),
        management_acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM) {
    if (!ctx.config.tls_cert_file.empty() || !ctx.config.tls_key_file.empty())
      ctx.tls = make_tls_context(ctx.config.tls_cert_file, ctx.config.tls_key_file);
    open(acceptor, ctx.config.bind_address, ctx.config.port, false);
    open(management_acceptor, ctx.config.management_bind, ctx.config.management_port, true);
    for (auto& l : loops) {
      ctx.inboxes.push_back(std::make_unique<LoopInbox>(*l));
      sweeps.push_back(std::make_unique<LoopSweep>(*l, sweep_period()));
    }
    core::metrics::registry().gauge("parley_connections_open", "Open WebSocket connections",
                                    [this] { return static_cast<double>(ctx.registry.size()); });
  }

  static void open(tcp::acceptor& a, const std::string& address, unsigned short port, bool management) {
    try {
      tcp::endpoint ep(net::ip::make_address(address), port);
      a.open(ep.protocol());
      a.set_option(net::socket_base::reuse_address(true));
      a.bind(ep);
      a.listen(net::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& e) {
      throw ListenError(e.code(), management);
    }
  }

  static std::vector<std::unique_ptr<net::io_context>> make_loops(unsigned n) {
    std::vector<std::unique_ptr<net::io_context>> v;
    for (unsigned i = 0; i < n; ++i) v.push_back(std::make_unique<net::io_context>(1));
    return v;
  }

  net::awaitable<void> accept_loop(tcp::acceptor& from, Listener listener) {
    std::size_t next = 0;
    for (;;) {
      const std::size_t index = next++ % loops.size();
      net::io_context& loop = *loops[index];
      auto [ec, socket] =
          co_await from.async_accept(loop, net::as_tuple(net::use_awaitable));
      if (ec == net::error::operation_aborted || !from.is_open()) co_return;
      if (ec) {
        // Out of descriptors (EMFILE) or a transient error: back off instead of spinning.
        core::log::warn("accept failed", {{"error", ec.message()}});
        net::steady_timer t(ioc, std::chrono::milliseconds(50));
        co_await t.async_wait(net::as_tuple(net::use_awaitable));
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      net::co_spawn(loop,
                    serve_http(ctx, *ctx.inboxes[index], *sweeps[index],
                               tcp::socket(std::move(socket)), listener),
                    log_exception);
    }
  }

  // Connections are swept by their own loop (LoopSweep), once a second or twice per idle
  // timeout when that is shorter.
  std::chrono::steady_clock::duration sweep_period() const {
    return std::min<std::chrono::steady_clock::duration>(
        std::chrono::seconds(1), std::min(ctx.config.idle_timeout, ctx.config.max_duration) / 2);
  }

  // The shared per-IP and management buckets, pruned on the first loop.
  net::awaitable<void> prune_buckets() {
    net::steady_timer t(ioc);
    while (!ctx.stopping.load()) {
      t.expires_after(sweep_period());
      co_await t.async_wait(net::as_tuple(net::use_awaitable));
      const auto now = std::chrono::steady_clock::now();
      ctx.ip_rates.prune(now);
      ctx.management_rates.prune(now);
    }
  }

  // The inspector's traffic history, a sample a second (a few counter reads, whether or not a
  // page is open); and, while one is, the connections table and the functions.
  net::awaitable<void> sample_for_inspector() {
    net::steady_timer t(ioc);
    TrafficSampler sampler;
    while (!ctx.stopping.load()) {
      t.expires_after(std::chrono::seconds(1));
      co_await t.async_wait(net::as_tuple(net::use_awaitable));
      ctx.inspector.add_sample(sampler.sample(ctx.metrics, ctx.registry.size()));
      if (!ctx.inspector.watching()) continue;
      ctx.inspector.broadcast("connections", connections_snapshot(ctx.registry, ctx.describe_connection));
      if (auto functions = ctx.integration.describe_functions(); !functions.empty())
        ctx.inspector.broadcast("functions", functions);
    }
  }

  net::awaitable<void> drain(std::chrono::steady_clock::time_point deadline) {
    net::steady_timer t(ioc);
    while (ctx.registry.size() > 0 && std::chrono::steady_clock::now() < deadline) {
      t.expires_after(std::chrono::milliseconds(20));
      co_await t.async_wait(net::as_tuple(net::use_awaitable));
    }
    for (auto& l : loops) l->stop();
  }

  void begin_shutdown(std::chrono::milliseconds grace) {
    if (ctx.stopping.exchange(true)) return;
    core::log::info("shutting down", {{"connections", ctx.registry.size()}});
    boost::system::error_code ignored;
    acceptor.close(ignored);
    management_acceptor.close(ignored);
    signals.cancel(ignored);
    for (auto& s : ctx.registry.all()) s->close(1001, "Going away");
    net::co_spawn(ioc, drain(std::chrono::steady_clock::now() + grace), log_exception);
  }

  // The inboxes go before the loops they post to: each holds a timer of its loop (ctx, and
  // with it the inboxes, would otherwise outlive the loops).
  ~Impl() { ctx.inboxes.clear(); }

  Context ctx;
  std::vector<std::unique_ptr<net::io_context>> loops;
  // One per loop, beside its inbox; destroyed before the loops (each holds a timer of its loop).
  std::vector<std::unique_ptr<LoopSweep>> sweeps;
  net::io_context& ioc;  // the first loop: acceptors, signals, bucket pruning
  tcp::acceptor acceptor;             // the public port
  tcp::acceptor management_acceptor;  // the management listener
  net::signal_set signals;
};

Server::Server(Config config, Integration& integration)
    : impl_(std::make_unique<Impl>(std::move(config), integration)) {}

Server::~Server() = default;

unsigned short Server::port() const { return impl_->acceptor.local_endpoint().port(); }
unsigned short Server::management_port() const {
  return impl_->management_acceptor.local_endpoint().port();
}
const Config& Server::config() const { return impl_->ctx.config; }
Context& Server::context() { return impl_->ctx; }

void Server::run() {
  auto& impl = *impl_;
  impl.signals.async_wait([&impl](boost::system::error_code ec, int) {
    if (!ec) impl.begin_shutdown(std::chrono::milliseconds(5000));
  });
  net::co_spawn(impl.ioc, impl.accept_loop(impl.acceptor, Listener::public_port), log_exception);
  net::co_spawn(impl.ioc, impl.accept_loop(impl.management_acceptor, Listener::management), log_exception);
  net::co_spawn(impl.ioc, impl.prune_buckets(), log_exception);
  net::co_spawn(impl.ioc, impl.sample_for_inspector(), log_exception);
  for (std::size_t i = 0; i < impl.loops.size(); ++i)
    net::post(*impl.loops[i], [&impl, i] { impl.sweeps[i]->start(); });
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& l : impl.loops) guards.push_back(net::make_work_guard(*l));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl.loops.size(); ++i)
    threads.emplace_back([&impl, i] { impl.loops[i]->run(); });
  impl.ioc.run();
  for (auto& t : threads) t.join();
}

void Server::shutdown(std::chrono::milliseconds grace) {
  net::post(impl_->ioc, [this, grace] { impl_->begin_shutdown(grace); });
}

}  // namespace gateway

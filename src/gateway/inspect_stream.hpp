#pragma once
// GET /inspect/stream: the inspector's server-sent events for one page. The page's messages
// wait in its bounded buffer (InspectViewer); this coroutine writes what is there whenever the
// socket takes it, so a page that does not read holds the gateway to that buffer, a small
// socket send buffer, and one suspended coroutine; one that does not read for
// `stalled_write` is let go (the browser's EventSource reconnects when it wakes).
#include <chrono>
#include <memory>
#include <string>

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/json/object.hpp>

#include "gateway/context.hpp"
#include "gateway/inspect_snapshot.hpp"
#include "gateway/inspector.hpp"

namespace gateway {

inline constexpr std::chrono::seconds inspect_keepalive{15};
inline constexpr std::chrono::seconds stalled_write{60};
inline constexpr int inspect_send_buffer = 64 * 1024;

template <class Stream>
boost::asio::awaitable<void> stream_inspector(Context& ctx, Stream& stream) {
  namespace net = boost::asio;
  constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
  auto ex = co_await net::this_coro::executor;
  auto& socket = boost::beast::get_lowest_layer(stream).socket();
  // The kernel's share of a page that does not read stays small too.
  const int sndbuf = inspect_send_buffer;
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

  auto wake = std::make_shared<net::steady_timer>(ex);
  auto viewer = ctx.inspector.attach([wake, ex] { net::post(ex, [wake] { wake->cancel(); }); });
  struct Detach {
    Inspector& inspector;
    std::shared_ptr<InspectViewer> viewer;
    ~Detach() { inspector.detach(viewer); }
  } detach{ctx.inspector, viewer};
  viewer->push(Inspector::frame("connections", connections_snapshot(ctx.registry, ctx.describe_connection)));
  if (auto functions = ctx.integration.describe_functions(); !functions.empty())
    viewer->push(Inspector::frame("functions", functions));

  std::string out =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
      "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\nX-Content-Type-Options: nosniff\r\n"
      "Server: Parley\r\nConnection: close\r\n\r\nretry: 2000\n\n";
  for (;;) {
    auto batch = viewer->take();
    out += batch.text;
    if (batch.dropped > 0) {
      // Where the gap is: after what the page had queued before its buffer filled.
      boost::json::object d;
      d["dropped"] = batch.dropped;
      out += Inspector::frame("dropped", d);
    }
    if (out.empty()) {
      if (ctx.stopping.load()) co_return;
      wake->expires_after(inspect_keepalive);
      auto [ec] = co_await wake->async_wait(use_tuple);
      if (!ec) out = ": keepalive\n\n";  // finds a page that left; else woken by a push
      continue;
    }
    boost::beast::get_lowest_layer(stream).expires_after(stalled_write);
    auto [ec, n] = co_await net::async_write(stream, net::buffer(out), use_tuple);
    if (ec) co_return;
    out.clear();
  }
}

}  // namespace gateway

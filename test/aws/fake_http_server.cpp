#include "fake_http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>

namespace aws::test {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

struct FakeHttpServer::State {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::mutex mu;
  // The sockets being served: a worker removes its own before closing it.
  std::list<std::shared_ptr<tcp::socket>> sockets;
  std::list<std::thread> workers;
  std::atomic<bool> stopped{false};
};

FakeHttpServer::FakeHttpServer(Handler handler, std::uint16_t port)
    : handler_(std::move(handler)), state_(std::make_shared<State>()) {
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
  state_->acceptor.open(ep.protocol());
  state_->acceptor.set_option(net::socket_base::reuse_address(true));
  state_->acceptor.bind(ep);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  acceptor_thread_ = std::thread([this] {
    for (;;) {
      auto sock = std::make_shared<tcp::socket>(state_->ioc);
      beast::error_code ec;
      state_->acceptor.accept(*sock, ec);
      if (ec || state_->stopped) return;
      ++accepted_;
      std::lock_guard lock(state_->mu);
      state_->sockets.push_back(sock);
      state_->workers.emplace_back([this, sock] { serve(sock); });
    }
  });
}

FakeHttpServer::~FakeHttpServer() { stop(); }

void FakeHttpServer::stop() {
  if (state_->stopped.exchange(true)) return;
  beast::error_code ec;
  // Wake the blocking accept() with a connection of our own, then close everything.
  { tcp::socket s(state_->ioc); s.connect({net::ip::make_address("127.0.0.1"), port_}, ec); }
  acceptor_thread_.join();
  state_->acceptor.close(ec);
  std::list<std::thread> workers;
  {
    // Shutdown only wakes a worker blocked in read; the worker closes its own socket. Closing
    // it here too raced with that close (Asio sockets are not thread-safe): both deregistered
    // the descriptor from the reactor, and the second freed its state again (a segfault).
    std::lock_guard lock(state_->mu);
    for (auto& s : state_->sockets) s->shutdown(tcp::socket::shutdown_both, ec);
    workers.swap(state_->workers);
  }
  for (auto& t : workers) t.join();
}

void FakeHttpServer::serve(std::shared_ptr<void> p) {
  auto sock = std::static_pointer_cast<tcp::socket>(p);
  const int now = ++concurrent_;
  for (int m = max_concurrent_; now > m && !max_concurrent_.compare_exchange_weak(m, now);) {
  }
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request<bhttp::string_body> req;
    beast::error_code ec;
    bhttp::read(*sock, buffer, req, ec);
    if (ec) break;
    ++requests_;
    http::Request r{std::string(req.method_string()), std::string(req.target()), {}, req.body()};
    for (const auto& f : req) r.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    FakeReply reply = handler_(r);
    if (reply.delay.count()) std::this_thread::sleep_for(reply.delay);
    if (reply.drop || state_->stopped) break;
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), 11};
    const auto* conn = http::find_header(reply.headers, "Connection");
    const bool closing = conn && conn->value == "close";
    for (const auto& h : reply.headers) res.insert(h.name, h.value);
    res.body() = reply.body;
    res.keep_alive(!closing);
    res.prepare_payload();
    bhttp::write(*sock, res, ec);
    if (ec || closing || reply.close_after) break;
  }
  beast::error_code ec;
  {
    // Off the list first, under the lock, so that stop() never touches a closing socket.
    std::lock_guard lock(state_->mu);
    state_->sockets.remove(sock);
  }
  sock->shutdown(tcp::socket::shutdown_both, ec);
  sock->close(ec);
  --concurrent_;
}

}  // namespace aws::test

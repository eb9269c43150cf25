#include "client/pipe_chat.hpp"

#include <ostream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "client/command.hpp"
#include "client/run_loop.hpp"
#include "core/ids.hpp"
#include "core/utf8.hpp"

namespace client {
namespace net = boost::asio;
namespace json = boost::json;
using net::use_awaitable;

namespace {
constexpr auto use_tuple = net::as_tuple(use_awaitable);
}  // namespace

PipeChat::PipeChat(ChatOptions options, int input_fd, std::ostream& out, std::ostream& err)
    : options_(std::move(options)), out_(out), err_(err),
      reader_(
          input_fd,
          [this](std::string line) {
            // The reader's thread: wait for a free slot, then hand the line to the I/O loop.
            while (!slots_.try_acquire_for(std::chrono::milliseconds(100)))
              if (reader_.stopping()) return;
            net::post(io_, [this, l = std::move(line)]() mutable { on_line(std::move(l)); });
          },
          [this] { net::post(io_, [this] { on_eof(); }); }),
      drain_timer_(io_), ping_timer_(io_) {}

int PipeChat::run() {
  run_until_done(io_, reader_, main(), [this] { close_now(); });
  return exit_code_;
}

net::awaitable<void> PipeChat::main() {
  WsUrl url = options_.connect_url(options_.room, options_.name, options_.since);
  ws_ = make_ws_client(io_.get_executor(), url, options_.ws);
  ConnectResult r = co_await ws_->connect();
  if (const std::string why = r ? std::string() : options_.forget_refused_guest(r); !why.empty()) {
    err_ << "parley chat: " << why << "\n";
    url = options_.connect_url(options_.room, options_.name, options_.since);
    ws_ = make_ws_client(io_.get_executor(), url, options_.ws);
    r = co_await ws_->connect();
  }
  if (!r) {
    err_ << "parley chat: " << r.describe(url) << "\n";
    exit_code_ = 1;
    co_return;
  }
  if (closing_) {  // interrupted while connecting
    ws_->close(1000);
    co_await ws_->read();
    exit_code_ = 0;
    co_return;
  }
  // The client speaks first (protocol.md): welcome and the home room's history answer.
  ws_->send(R"({"action":"hello"})");
  reader_.start();
  net::co_spawn(io_, keepalive(), net::detached);

  Incoming in;
  while (!(in = co_await ws_->read()).closed) on_frame(in.text);

  drain_timer_.cancel();
  ping_timer_.cancel();
  if (closing_) {
    exit_code_ = 0;
  } else {
    err_ << "parley chat: the connection ended: " << in.close_code
         << (in.close_reason.empty() ? "" : " " + in.close_reason)
         << (in.ec ? " (" + in.ec.message() + ")" : "") << "\n";
    exit_code_ = 1;
  }
}

net::awaitable<void> PipeChat::keepalive() {
  for (;;) {
    ping_timer_.expires_after(ping_interval);
    auto [ec] = co_await ping_timer_.async_wait(use_tuple);
    if (ec || closing_ || !ws_->is_open()) co_return;
    ++pings_;
    ws_->send(R"({"action":"ping"})");
  }
}

void PipeChat::on_line(std::string line) {
  ++line_number_;
  if (closing_) return;
  if (line.empty()) return settle();  // the server would refuse an empty message
  if (line.size() > max_line_bytes || !core::valid_utf8(line)) {
    err_ << "parley chat: line " << line_number_ << " not sent: "
         << (line.size() > max_line_bytes ? "longer than 4096 characters" : "not UTF-8") << "\n";
    return settle();
  }
  std::string id = core::new_hex_id();
  json::object frame{{"action", "sendmessage"}, {"message", line}, {"clientMsgId", id}};
  pending_.insert(std::move(id));
  ws_->send(json::serialize(frame));
}

void PipeChat::on_eof() {
  eof_ = true;
  if (pending_.empty()) return close_now();
  drain_timer_.expires_after(drain_timeout);
  drain_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    err_ << "parley chat: " << pending_.size() << " message(s) not acknowledged within "
         << drain_timeout.count() << " s\n";
    close_now();
  });
}

void PipeChat::on_frame(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  const json::object* o = !ec && v.is_object() ? &v.get_object() : nullptr;
  const json::value* type = o ? o->if_contains("type") : nullptr;
  if (type && type->is_string() && type->get_string() == "pong" && pings_ > 0) {
    --pings_;  // our keepalive's answer, not something the script asked for
    return;
  }
  if (type && type->is_string() && type->get_string() == "welcome") options_.keep_guest_token(*o);
  out_ << text << '\n' << std::flush;
  if (!type || !type->is_string() || (type->get_string() != "ack" && type->get_string() != "error"))
    return;
  const json::value* id = o->if_contains("clientMsgId");
  if (!id || !id->is_string()) return;
  if (pending_.erase(std::string(id->get_string())) == 0) return;
  settle();
  if (eof_ && pending_.empty()) close_now();
}

void PipeChat::settle() { slots_.release(); }

void PipeChat::close_now() {
  if (closing_) return;
  closing_ = true;
  drain_timer_.cancel();
  ping_timer_.cancel();
  reader_.stop();
  if (ws_ && ws_->is_open()) ws_->close(1000);
}

}  // namespace client

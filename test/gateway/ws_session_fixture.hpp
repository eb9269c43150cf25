#pragma once
// One WsSession on a real socket loop, driven over a real TCP pair on 127.0.0.1: the test holds
// the client end (RawClient), the session the other. Behind it the real in-process integration
// (a real SQLite store) with a tiny route table: $default echoes the body back (a two-way
// route), $disconnect records its code. The loop's sweep is not armed: tests run it by hand at
// a chosen time, so a timeout needs no waiting.
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <utility>
#include <memory>
#include <mutex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "gateway/ws_session_impl.hpp"
#include "integration/in_process.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "ws_client.hpp"

namespace gateway::testing {

struct Journal {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> bodies;                         // $default bodies, in order handled
  std::vector<std::pair<int, std::string>> disconnects;    // $disconnect code and reason

  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, limit, pred);
  }
};

class WsSessionTest : public ::testing::Test {
 protected:
  using Plain = WsSession<PlainSocket>;

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("parley-ws-session-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto db = store::Sqlite::open(dir_ / "parley.db");
    ASSERT_TRUE(db) << db.error().message();
    store_ = std::move(*db);
    handlers_ = std::make_unique<integration::InProcess>(routes(), store_->tables(), 2);
    config.two_way_routes = {"$default"};
    config.rate_limit = 0;
    config.api_id = "testapi";
    config.stage = "dev";
  }

  void start() {
    ctx_ = std::make_unique<Context>(config, *handlers_);
    handlers_->set_connections(ctx_->connections);
    inbox_ = std::make_unique<LoopInbox>(loop_);
    sweep_ = std::make_unique<LoopSweep>(loop_, std::chrono::hours(1));
    thread_ = std::thread([this] { loop_.run(); });
  }

  struct Opened {
    std::shared_ptr<Plain> session;
    RawClient* client;
  };
  // A session through its 101 (the loop started first, with `config` as the test left it).
  // `send_buffer`, `receive_buffer`: the server's SO_SNDBUF and the client's SO_RCVBUF (0: the
  // default).
  Opened open(int send_buffer = 0, int receive_buffer = 0) {
    namespace net = boost::asio;
    using net::ip::tcp;
    if (!ctx_) start();
    tcp::acceptor acceptor(loop_, {net::ip::make_address("127.0.0.1"), 0});
    tcp::socket c(client_io_);
    c.open(tcp::v4());
    if (receive_buffer) c.set_option(net::socket_base::receive_buffer_size(receive_buffer));
    c.connect(acceptor.local_endpoint());
    tcp::socket s = acceptor.accept();
    if (send_buffer) s.set_option(net::socket_base::send_buffer_size(send_buffer));
    clients_.push_back(std::make_unique<RawClient>(std::move(c)));
    RawClient* client = clients_.back().get();

    ws_session::Request req{boost::beast::http::verb::get, "/dev", 11};
    req.set(boost::beast::http::field::host, "127.0.0.1");
    req.set(boost::beast::http::field::upgrade, "websocket");
    req.set(boost::beast::http::field::connection, "Upgrade");
    req.set(boost::beast::http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(boost::beast::http::field::sec_websocket_version, "13");
    ConnectionMeta meta;
    meta.connection_id = "conn" + std::to_string(clients_.size());
    meta.peer = PeerText("127.0.0.1", std::nullopt, "127.0.0.1");
    boost::beast::tcp_stream stream(std::move(s));
    auto session = std::make_shared<Plain>(*ctx_, *inbox_, *sweep_, stream.get_executor(), meta);
    Handshake hs;
    hs.target = "/dev";
    net::co_spawn(loop_, session->run(std::move(stream), std::move(req), std::move(hs)),
                  net::detached);
    const std::string head = client->read_head();
    EXPECT_NE(head.find("101 Switching Protocols"), std::string::npos) << head;
    EXPECT_TRUE(wait_phase(*session, Phase::open));
    return {session, client};
  }

  // Runs the loop's sweep at `at`, on the loop, and waits for it.
  void sweep_at(std::chrono::steady_clock::time_point at) {
    std::promise<void> done;
    boost::asio::post(loop_, [&] { sweep_->run_once(at); done.set_value(); });
    done.get_future().wait();
  }

  // What the session's buffers hold (WsSession::held_bytes, a loop-only reading), read on the loop.
  std::size_t held_bytes(const Plain& s) {
    std::promise<std::size_t> held;
    boost::asio::post(loop_, [&] { held.set_value(s.held_bytes()); });
    return held.get_future().get();
  }

  // held_bytes just before and just after a sweep at `at`, in one turn of the loop: no write
  // completes in between.
  std::pair<std::size_t, std::size_t> held_bytes_around_sweep(const Plain& s,
                                                              std::chrono::steady_clock::time_point at) {
    std::promise<std::pair<std::size_t, std::size_t>> held;
    boost::asio::post(loop_, [&] {
      const std::size_t before = s.held_bytes();
      sweep_->run_once(at);
      held.set_value({before, s.held_bytes()});
    });
    return held.get_future().get();
  }

  static bool wait_phase(const Plain& s, Phase p,
                         std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (s.phase() != p) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  void TearDown() override {
    for (auto& c : clients_) {
      boost::system::error_code ignored;
      c->socket().close(ignored);
    }
    if (thread_.joinable()) {
      // Every session sees its client go and dispatches $disconnect before the loop stops.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (ctx_->registry.size() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      handlers_->drain();
      loop_.stop();
      thread_.join();
    }
    sweep_.reset();
    inbox_.reset();
    std::filesystem::remove_all(dir_);
  }

  handlers::Router routes() {
    handlers::Router r;
    r.add("$default", [this](const apigw::Event& e, handlers::Ports&) {
      // A body starting with "slow" takes a while: frames overtaking it would show. "hold"
      // outlasts a short integration timeout.
      if (e.body && e.body->starts_with("slow"))
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
      if (e.body && e.body->starts_with("hold"))
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      std::lock_guard lock(journal_.mutex);
      journal_.bodies.push_back(e.body.value_or(""));
      journal_.changed.notify_all();
      apigw::Response res;
      res.body = e.body;
      return res;
    });
    r.add("$disconnect", [this](const apigw::Event& e, handlers::Ports&) {
      std::lock_guard lock(journal_.mutex);
      journal_.disconnects.emplace_back(e.request_context.disconnect_status_code.value_or(0),
                                        e.request_context.disconnect_reason.value_or(""));
      journal_.changed.notify_all();
      return apigw::Response{};
    });
    return r;
  }

  Config config;
  Journal journal_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<integration::InProcess> handlers_;
  std::unique_ptr<Context> ctx_;  // outlives the loop: a session may go with the loop's queue
  boost::asio::io_context loop_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(loop_);
  boost::asio::io_context client_io_;
  std::unique_ptr<LoopInbox> inbox_;
  std::unique_ptr<LoopSweep> sweep_;
  std::thread thread_;
  std::vector<std::unique_ptr<RawClient>> clients_;
};

}  // namespace gateway::testing

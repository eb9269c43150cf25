// The in-process integration behind a real gateway: a connection's frames go to the handler pool
// through the connection's lane, so the socket is read on while they are handled, and they
// still reach the handlers in order, one at a time, with $disconnect after them.
#include "integration/in_process.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/context.hpp"
#include "gateway/server.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
using net::ip::tcp;
using namespace std::chrono_literals;

// What the handlers saw, and a gate the frame "block" waits at until the test opens it.
struct Journal {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> seen;  // frame bodies and "$disconnect", in the order handled
  int running = 0;                // handlers of the connection running now
  int most_running = 0;
  bool blocked = false;           // "block" is being handled
  bool open = false;              // the gate
  std::atomic<int> stored{0};     // messages "store and post" appended

  template <class Pred>
  bool wait(Pred pred, std::chrono::seconds limit = 10s) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, limit, pred);
  }
};

handlers::Router journal_routes(Journal& j) {
  handlers::Router r;
  r.add("$connect", [](const apigw::Event&, handlers::Ports&) { return apigw::Response{}; });
  r.add("$disconnect", [&j](const apigw::Event&, handlers::Ports&) {
    std::lock_guard lock(j.mutex);
    j.seen.push_back("$disconnect");
    j.changed.notify_all();
    return apigw::Response{};
  });
  r.add("$default", [&j](const apigw::Event& e, handlers::Ports& p) {
    const std::string body = e.body.value_or("");
    if (body == "store and post") {
      // A message stored, a frame posted to the sender, then more work before the handler
      // returns: the frame may leave only once the message is committed.
      store::Message m;
      m.room = "lobby";
      m.id = "m" + std::to_string(j.stored.fetch_add(1));
      m.sender = e.request_context.connection_id;
      m.text = "held";
      if (!p.store.messages.append_message(std::move(m))) return apigw::Response{};
      (void)p.connections.post_one(e.request_context.connection_id, apigw::make_frame("posted"));
      std::this_thread::sleep_for(300ms);
      return apigw::Response{};
    }
    std::unique_lock lock(j.mutex);
    j.most_running = std::max(j.most_running, ++j.running);
    if (body == "block") {
      j.blocked = true;
      j.changed.notify_all();
      j.changed.wait_for(lock, 20s, [&] { return j.open; });
    }
    j.seen.push_back(body);
    --j.running;
    j.changed.notify_all();
    return apigw::Response{};
  });
  return r;
}

class InProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("parley-in-process-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto db = store::Sqlite::open(dir_ / "parley.db");
    ASSERT_TRUE(db) << db.error().message();
    store_ = std::move(*db);
    handlers_ = std::make_unique<integration::InProcess>(journal_routes(journal_), store_->tables(), 4);
    gateway::Config c;
    c.bind_address = "127.0.0.1";
    c.port = 0;
    c.threads = 1;
    c.rate_limit = 0;
    c.integration_timeout = integration_timeout();
    server_ = std::make_unique<gateway::Server>(c, *handlers_);
    handlers_->set_connections(server_->context().connections);
    thread_ = std::thread([this] { server_->run(); });
  }

  virtual std::chrono::milliseconds integration_timeout() const { return 29000ms; }

  void TearDown() override {
    {
      std::lock_guard lock(journal_.mutex);
      journal_.open = true;
      journal_.changed.notify_all();
    }
    server_->shutdown(2000ms);
    thread_.join();
    handlers_->drain();
    server_.reset();
    handlers_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  websocket::stream<tcp::socket> connect() {
    websocket::stream<tcp::socket> ws(io_);
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), server_->port()});
    ws.handshake("127.0.0.1", "/dev");
    return ws;
  }

  // Reads `n` raw bytes, giving up after 5 s (asio's own sync read would wait for ever).
  static std::string read_raw(websocket::stream<tcp::socket>& ws, std::size_t n) {
    std::string got;
    const int fd = ws.next_layer().native_handle();
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (got.size() < n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
      char buf[64];
      const auto r = ::recv(fd, buf, std::min(sizeof buf, n - got.size()), 0);
      if (r <= 0) break;
      got.append(buf, static_cast<std::size_t>(r));
    }
    return got;
  }

  void open_gate() {
    std::lock_guard lock(journal_.mutex);
    journal_.open = true;
    journal_.changed.notify_all();
  }

  Journal journal_;
  net::io_context io_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<integration::InProcess> handlers_;
  std::unique_ptr<gateway::Server> server_;
  std::thread thread_;
};

TEST_F(InProcessTest, APingIsAnsweredWhileTheConnectionsFrameIsStillBeingHandled) {
  auto ws = connect();
  ws.text(true);
  ws.write(net::buffer(std::string("block")));
  ASSERT_TRUE(journal_.wait([&] { return journal_.blocked; }));
  ws.ping("p");
  // The pong, read raw: Beast's read would wait for a data frame.
  const std::string pong = read_raw(ws, 3);
  ASSERT_EQ(pong.size(), 3u) << "no pong while the frame was being handled";
  EXPECT_EQ(static_cast<unsigned char>(pong[0]), 0x8A);  // FIN + pong
  EXPECT_EQ(pong[1], 1);                                 // unmasked, one byte
  EXPECT_EQ(pong[2], 'p');
  open_gate();
  ASSERT_TRUE(journal_.wait([&] { return journal_.seen.size() == 1; }));
}

TEST_F(InProcessTest, AConnectionsFramesReachTheHandlersInOrderOneAtATime) {
  auto ws = connect();
  ws.text(true);
  constexpr int n = 400;
  for (int i = 0; i < n; ++i) ws.write(net::buffer(std::to_string(i)));
  ASSERT_TRUE(journal_.wait([&] { return journal_.seen.size() == n; }))
      << journal_.seen.size() << " of " << n << " handled";
  std::lock_guard lock(journal_.mutex);
  for (int i = 0; i < n; ++i) ASSERT_EQ(journal_.seen[i], std::to_string(i));
  EXPECT_EQ(journal_.most_running, 1);
}

TEST_F(InProcessTest, DisconnectRunsAfterTheFramesStillInFlight) {
  auto ws = connect();
  ws.text(true);
  ws.write(net::buffer(std::string("block")));
  ASSERT_TRUE(journal_.wait([&] { return journal_.blocked; }));
  ws.write(net::buffer(std::string("a")));
  ws.write(net::buffer(std::string("b")));
  ws.close(websocket::close_code::normal);
  open_gate();
  ASSERT_TRUE(journal_.wait([&] { return journal_.seen.size() == 4; }));
  std::lock_guard lock(journal_.mutex);
  EXPECT_EQ(journal_.seen, (std::vector<std::string>{"block", "a", "b", "$disconnect"}));
}

// A handler's writes share a commit with the others' (core/commit_hold.hpp): what it posts
// after a write leaves only once that write is committed, however long the handler runs on.
TEST_F(InProcessTest, AFramePostedAfterAWriteLeavesOnlyOnceTheWriteIsCommitted) {
  auto ws = connect();
  ws.text(true);
  for (int i = 1; i <= 3; ++i) {
    ws.write(net::buffer(std::string("store and post")));
    boost::beast::flat_buffer got;
    ws.read(got);
    ASSERT_EQ(boost::beast::buffers_to_string(got.data()), "posted");
    // A reader of the file, at the moment the frame arrived.
    EXPECT_EQ(store_->tables().messages.last_seq("lobby").value(), i)
        << "the frame left before the message it announces was committed";
  }
}

// A short integration timeout: a frame held at the gate passes it.
class InProcessTimeoutTest : public InProcessTest {
 protected:
  std::chrono::milliseconds integration_timeout() const override { return 300ms; }
  std::uint64_t timeouts() { return server_->context().metrics.integration_timeouts.value(); }
};

// The frame that timed out is still being handled: the next one waits for it (same lane, in
// order), instead of running at once beside it and overtaking it (issue 15, item 2).
TEST_F(InProcessTimeoutTest, AFrameSentAfterOneThatTimedOutRunsAfterIt) {
  auto ws = connect();
  ws.text(true);
  ws.write(net::buffer(std::string("block")));
  ASSERT_TRUE(journal_.wait([&] { return journal_.blocked; }));
  boost::beast::flat_buffer answer;
  ws.read(answer);  // the timeout's answer, while "block" still runs
  EXPECT_NE(boost::beast::buffers_to_string(answer.data()).find("Endpoint request timed out"),
            std::string::npos);
  ws.write(net::buffer(std::string("after")));
  std::this_thread::sleep_for(300ms);
  {
    std::lock_guard lock(journal_.mutex);
    EXPECT_TRUE(journal_.seen.empty()) << "\"" << journal_.seen.front() << "\" ran before \"block\"";
  }
  open_gate();
  ASSERT_TRUE(journal_.wait([&] { return journal_.seen.size() == 2; }));
  std::lock_guard lock(journal_.mutex);
  EXPECT_EQ(journal_.seen, (std::vector<std::string>{"block", "after"}));
  EXPECT_EQ(journal_.most_running, 1);
}

// The timeout counts from a frame's own start: a quick frame that waited behind a slow one is
// not answered "timed out" (it would then still run, and a client retrying it would send it
// twice).
TEST_F(InProcessTimeoutTest, AFrameWaitingBehindASlowOneHasItsOwnTimeout) {
  const auto before = timeouts();
  auto ws = connect();
  ws.text(true);
  ws.write(net::buffer(std::string("block")));
  ws.write(net::buffer(std::string("quick")));
  ASSERT_TRUE(journal_.wait([&] { return journal_.blocked; }));
  boost::beast::flat_buffer answer;
  ws.read(answer);  // "block" timed out
  std::this_thread::sleep_for(200ms);
  open_gate();
  ASSERT_TRUE(journal_.wait([&] { return journal_.seen.size() == 2; }));
  std::this_thread::sleep_for(500ms);  // past where "quick"'s timeout would have fired
  EXPECT_EQ(timeouts() - before, 1u);
}

}  // namespace

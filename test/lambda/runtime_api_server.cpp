#include "runtime_api_server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

namespace lambda::test {
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

Event event(std::string payload, std::int64_t deadline_ms, std::string trace_id) {
  Event e;
  e.payload = std::move(payload);
  e.deadline_ms = deadline_ms;
  e.trace_id = std::move(trace_id);
  return e;
}

std::int64_t deadline_in(std::chrono::milliseconds from_now) {
  using namespace std::chrono;
  return duration_cast<milliseconds>((system_clock::now() + from_now).time_since_epoch()).count();
}

struct RuntimeApiServer::State {
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::thread accept_thread;

  mutable std::mutex mutex;
  std::condition_variable cv;
  bool stopping = false;
  std::deque<Event> queue;
  std::set<std::string> in_flight;              // handed out by /next, not yet answered
  std::map<std::string, Answer> answers;         // first answer per id
  std::optional<Answer> init_error;
  std::optional<int> fail_next;
  std::vector<Recorded> recorded;
  int waiting_next = 0;
  int counter = 0;
  std::vector<std::thread> connection_threads;
  // Kept open until the server goes: stop() shuts them down to unblock their reads.
  std::vector<std::shared_ptr<tcp::socket>> sockets;

  using Request = http::request<http::string_body>;
  using Response = http::response<http::string_body>;

  static Response reply(const Request& req, int status, std::string body) {
    Response res{static_cast<http::status>(status), req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = std::move(body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
  }

  static std::string error_json(const char* type, const char* message) {
    return std::string("{\"errorMessage\":\"") + message + "\",\"errorType\":\"" + type + "\"}";
  }

  static Answer answer_of(const Request& req, bool is_error) {
    Answer a;
    a.is_error = is_error;
    a.body = req.body();
    a.content_type = std::string(req[http::field::content_type]);
    a.error_type_header = std::string(req["Lambda-Runtime-Function-Error-Type"]);
    return a;
  }

  // Serves one request; holds no lock while it blocks. nullopt: close the connection.
  std::optional<Response> serve(const Request& req) {
    const std::string target(req.target());
    constexpr std::string_view prefix = "/2018-06-01/runtime";
    std::unique_lock lock(mutex);
    if (fail_next) {
      const int status = *fail_next;
      fail_next.reset();
      return reply(req, status, error_json("Runtime.TestFailure", "failing on purpose"));
    }
    // A stand-in @connections endpoint ("/{stage}/@connections/{id}"), so that a bootstrap
    // under test can post through connections::Http to this same server: 200, recorded.
    if (target.find("/@connections/") != std::string::npos) return reply(req, 200, "");
    if (!target.starts_with(prefix)) return reply(req, 404, error_json("NotFound", "no route"));
    const std::string path = target.substr(prefix.size());

    if (req.method() == http::verb::get && path == "/invocation/next") {
      ++waiting_next;
      cv.notify_all();
      cv.wait(lock, [&] { return stopping || !queue.empty(); });
      --waiting_next;
      if (stopping) return std::nullopt;
      Event e = std::move(queue.front());
      queue.pop_front();
      in_flight.insert(e.request_id);
      Response res{http::status::ok, req.version()};
      res.set(http::field::content_type, "application/json");
      res.set("Lambda-Runtime-Aws-Request-Id", e.request_id);
      if (e.deadline_ms) res.set("Lambda-Runtime-Deadline-Ms", std::to_string(e.deadline_ms));
      res.set("Lambda-Runtime-Invoked-Function-Arn", e.function_arn);
      if (!e.trace_id.empty()) res.set("Lambda-Runtime-Trace-Id", e.trace_id);
      res.body() = std::move(e.payload);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      return res;
    }
    if (req.method() == http::verb::post && path == "/init/error") {
      if (init_error) return reply(req, 403, error_json("InvalidStateTransition", "init error already reported"));
      init_error = answer_of(req, true);
      cv.notify_all();
      return reply(req, 202, "{\"status\":\"OK\"}");
    }
    constexpr std::string_view inv = "/invocation/";
    if (req.method() == http::verb::post && path.starts_with(inv)) {
      const auto rest = path.substr(inv.size());
      const auto slash = rest.rfind('/');
      const std::string id = rest.substr(0, slash == std::string::npos ? 0 : slash);
      const std::string kind = slash == std::string::npos ? "" : rest.substr(slash + 1);
      if (kind != "response" && kind != "error") return reply(req, 404, error_json("NotFound", "no route"));
      if (answers.count(id)) return reply(req, 403, error_json("InvalidStateTransition", "already answered"));
      if (!in_flight.count(id)) return reply(req, 400, error_json("InvalidRequestID", "Invalid request ID"));
      in_flight.erase(id);
      answers[id] = answer_of(req, kind == "error");
      cv.notify_all();
      return reply(req, 202, "{\"status\":\"OK\"}");
    }
    return reply(req, 404, error_json("NotFound", "no route"));
  }

  void session(tcp::socket& socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      Request req;
      boost::system::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) break;
      Recorded rec;
      rec.method = std::string(req.method_string());
      rec.target = std::string(req.target());
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        rec.headers[name] = std::string(f.value());
      }
      rec.body = req.body();
      auto res = serve(req);
      if (!res) break;
      rec.status = static_cast<int>(res->result_int());
      {
        std::lock_guard lock(mutex);
        recorded.push_back(std::move(rec));
      }
      http::write(socket, *res, ec);
      if (ec || !res->keep_alive()) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
  }

  void accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      auto socket = std::make_shared<tcp::socket>(io);
      acceptor.accept(*socket, ec);
      if (ec) return;
      std::lock_guard lock(mutex);
      if (stopping) return;
      sockets.push_back(socket);
      connection_threads.emplace_back([this, socket] { session(*socket); });
    }
  }
};

RuntimeApiServer::RuntimeApiServer() : state_(std::make_shared<State>()) {
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(ep.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(ep);
  state_->acceptor.listen();
  state_->accept_thread = std::thread([s = state_.get()] { s->accept_loop(); });
}

RuntimeApiServer::~RuntimeApiServer() { stop(); }

std::string RuntimeApiServer::address() const {
  return "127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port());
}

std::string RuntimeApiServer::invoke(Event e) {
  std::lock_guard lock(state_->mutex);
  if (e.request_id.empty())
    e.request_id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + ++state_->counter);
  std::string id = e.request_id;
  state_->queue.push_back(std::move(e));
  state_->cv.notify_all();
  return id;
}

std::optional<Answer> RuntimeApiServer::wait_answer(const std::string& request_id,
                                                    std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  if (!state_->cv.wait_for(lock, timeout, [&] { return state_->answers.count(request_id) > 0; }))
    return std::nullopt;
  return state_->answers.at(request_id);
}

std::optional<Answer> RuntimeApiServer::wait_init_error(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->cv.wait_for(lock, timeout, [&] { return state_->init_error.has_value(); });
  return state_->init_error;
}

std::size_t RuntimeApiServer::connections_accepted() const {
  std::lock_guard lock(state_->mutex);
  return state_->sockets.size();
}

void RuntimeApiServer::fail_next_request(int status) {
  std::lock_guard lock(state_->mutex);
  state_->fail_next = status;
}

std::vector<Recorded> RuntimeApiServer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->recorded;
}

bool RuntimeApiServer::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  return state_->cv.wait_for(lock, timeout, [&] { return state_->waiting_next > 0; });
}

void RuntimeApiServer::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) return;
    state_->stopping = true;
    state_->cv.notify_all();
    // Unblock the sessions' reads; the sockets are closed by their own threads.
    for (auto& s : state_->sockets) ::shutdown(s->native_handle(), SHUT_RDWR);
  }
  // shutdown() wakes a thread blocked in accept(); close() from another thread would not.
  ::shutdown(state_->acceptor.native_handle(), SHUT_RDWR);
  if (state_->accept_thread.joinable()) state_->accept_thread.join();
  {
    std::lock_guard lock(state_->mutex);
    threads.swap(state_->connection_threads);
  }
  for (auto& t : threads) t.join();
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

}  // namespace lambda::test

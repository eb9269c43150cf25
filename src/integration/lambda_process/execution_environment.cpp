#include "integration/lambda_process/execution_environment.hpp"

#include <signal.h>
#include <unistd.h>

#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "apigw/event_codec.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "integration/lambda_process/child_process.hpp"

namespace integration::lambda_process {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::string_view kPrefix = "/2018-06-01/runtime/";
// Lambda's synchronous response payload limit (aws-contract.md §5.5): over it, 413.
constexpr std::size_t kMaxPayload = 6 * 1024 * 1024;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response json_response(const Request& req, http::status status, std::string body) {
  Response res{status, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// The Runtime API's error answers, as the Runtime Interface Emulator words them.
Response api_error(const Request& req, http::status status, std::string_view type,
                   std::string_view message) {
  return json_response(req, status,
                       json::serialize(json::object{{"errorMessage", message}, {"errorType", type}}));
}

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

// The error a runtime posted: errorType from its JSON body, else the header, else Unhandled.
gateway::InvokeResult posted_error(const Request& req) {
  std::string type, message;
  boost::system::error_code ec;
  auto v = json::parse(req.body(), ec);
  if (!ec && v.is_object()) {
    const auto& o = v.as_object();
    if (auto* t = o.if_contains("errorType"); t && t->is_string()) type = t->as_string().c_str();
    if (auto* m = o.if_contains("errorMessage"); m && m->is_string())
      message = m->as_string().c_str();
  }
  if (type.empty()) type = std::string(req["Lambda-Runtime-Function-Error-Type"]);
  if (type.empty()) type = "Unhandled";
  return lambda_error(type, message);
}

}  // namespace

gateway::InvokeResult lambda_error(const std::string& error_type, const std::string& message) {
  gateway::InvokeResult r;
  r.status = gateway::InvokeResult::Status::error;
  r.error_message =
      json::serialize(json::object{{"errorType", error_type}, {"errorMessage", message}});
  return r;
}

ExecutionEnvironment::ExecutionEnvironment(net::io_context& io, const EnvironmentSetup& setup,
                                           unsigned serial, ExitHandler on_exit)
    : io_(io), setup_(setup), serial_(serial), on_exit_(std::move(on_exit)), acceptor_(io),
      pidfd_(io), output_(io), log_(setup.function_name), next_waiter_(io), deadline_(io), stop_timer_(io) {
  log_.keep_recent(setup.recent_log);
}

ExecutionEnvironment::~ExecutionEnvironment() {
  if (pid_ > 0 && !gone_) {
    ::kill(pid_, SIGKILL);
    reap_child(pid_);
  }
}

void ExecutionEnvironment::start(Invocation first) {
  current_ = Current{std::move(first), false};
  std::string why;
  boost::system::error_code ec;
  acceptor_.open(tcp::v4(), ec);
  if (!ec) acceptor_.bind(tcp::endpoint(net::ip::address_v4::loopback(), 0), ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) why = "cannot listen for the Runtime API: " + ec.message();
  if (why.empty()) {
    auto env = setup_.env;
    env.push_back("AWS_LAMBDA_RUNTIME_API=127.0.0.1:" +
                  std::to_string(acceptor_.local_endpoint().port()));
    env.push_back("AWS_LAMBDA_LOG_STREAM_NAME=local/" + std::to_string(serial_));
    spawned_at_ = std::chrono::steady_clock::now();
    auto child = spawn_child(setup_.bootstrap, setup_.args, env, setup_.task_root, why);
    if (child) {
      pid_ = child->pid;
      pidfd_.assign(child->pidfd);
      output_.assign(child->output);
    }
  }
  if (pid_ < 0) {
    core::log::error("lambda environment failed to start",
                     {{"function", setup_.function_name}, {"error", why}});
    gone_ = true;
    acceptor_.close(ec);
    finish(lambda_error("Runtime.InvalidEntrypoint", why));
    // Not from inside the caller's loop over the pool: the pool removes it afterwards.
    net::post(io_, [self = shared_from_this()] { self->on_exit_(*self); });
    return;
  }
  core::log::info("lambda environment started",
                  {{"function", setup_.function_name}, {"pid", pid_},
                   {"runtimeApi", "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port())}});
  log_.init_start(setup_.runtime);
  net::co_spawn(io_, accept_loop(), net::detached);
  watch_exit();
  read_output();
  // The init phase has its own limit; the function timeout starts with the first event.
  deadline_.expires_after(setup_.init_limit);
  deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->initialised_ || self->gone_) return;
    if (self->current_)
      self->finish(lambda_error("Sandbox.Timedout", "INIT timed out after " +
                                                        seconds_text(self->setup_.init_limit) +
                                                        " seconds"));
    self->kill_now("init timed out");
  });
}

void ExecutionEnvironment::assign(Invocation inv) {
  current_ = Current{std::move(inv), false};
  next_waiter_.cancel();  // wakes a parked GET /next
}

void ExecutionEnvironment::watch_exit() {
  pidfd_.async_wait(net::posix::descriptor_base::wait_read,
                    [self = shared_from_this()](boost::system::error_code ec) {
                      if (ec) return;
                      self->on_exited(reap_child(self->pid_));
                    });
}

std::string ExecutionEnvironment::output_request_id() const {
  return current_ && current_->delivered ? current_->inv.request_id : std::string();
}

void ExecutionEnvironment::read_output() {
  output_.async_read_some(net::buffer(output_buffer_), [self = shared_from_this()](
                                                           boost::system::error_code ec,
                                                           std::size_t n) {
    if (n > 0)
      self->log_.output(std::string_view(self->output_buffer_.data(), n),
                        self->output_request_id());
    if (!ec) self->read_output();
  });
}

// What the process printed and the pipe still holds, before END is printed or it is closed.
void ExecutionEnvironment::drain_output() {
  if (!output_.is_open()) return;
  for (;;) {
    const auto n = ::read(output_.native_handle(), output_buffer_.data(), output_buffer_.size());
    if (n <= 0) break;
    log_.output(std::string_view(output_buffer_.data(), static_cast<std::size_t>(n)),
                output_request_id());
  }
  log_.flush(output_request_id());
}

void ExecutionEnvironment::on_exited(const std::string& how) {
  gone_ = true;
  drain_output();
  boost::system::error_code ec;
  pidfd_.close(ec);
  acceptor_.close(ec);
  next_waiter_.cancel();
  stop_timer_.cancel();
  (stopping_ ? core::log::info : core::log::warn)(
      "lambda environment ended", {{"function", setup_.function_name}, {"pid", pid_}, {"how", how}});
  if (current_) {
    if (init_error_) {
      finish(*init_error_);
    } else {
      finish(lambda_error("Runtime.ExitError", "RequestId: " + current_->inv.request_id +
                                                   " Error: Runtime exited with error: " + how));
    }
  }
  output_.close(ec);
  deadline_.cancel();
  on_exit_(*this);
}

void ExecutionEnvironment::finish(gateway::InvokeResult r) {
  if (!current_) return;
  if (current_->delivered) {
    drain_output();
    const auto took = std::chrono::steady_clock::now() - delivered_at_;
    log_.end(current_->inv.request_id, took, setup_.memory_mb, max_memory_used_mb(pid_),
             std::exchange(init_duration_, std::nullopt));
  }
  Invocation inv = std::move(current_->inv);
  current_.reset();
  deadline_.cancel();
  last_answered_ = inv.request_id;
  idle_since_ = std::chrono::steady_clock::now();
  inv.done(std::move(r));
}

void ExecutionEnvironment::kill_now(const char* why) {
  if (gone_) return;
  core::log::warn("lambda environment killed",
                  {{"function", setup_.function_name}, {"pid", pid_}, {"reason", why}});
  stopping_ = true;
  ::kill(pid_, SIGKILL);
}

void ExecutionEnvironment::stop(std::chrono::milliseconds grace) {
  if (gone_ || pid_ < 0) return;
  stopping_ = true;
  next_waiter_.cancel();
  if (grace.count() == 0) {
    ::kill(pid_, SIGKILL);
    return;
  }
  ::kill(pid_, SIGTERM);
  stop_timer_.expires_after(grace);
  stop_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && !self->gone_) ::kill(self->pid_, SIGKILL);
  });
}

void ExecutionEnvironment::deliver_started() {
  current_->delivered = true;
  delivered_at_ = std::chrono::steady_clock::now();
  log_.start(current_->inv.request_id);
  deadline_.expires_after(setup_.timeout);
  deadline_.async_wait([self = shared_from_this(), id = current_->inv.request_id](
                           boost::system::error_code ec) {
    if (ec || !self->current_ || self->current_->inv.request_id != id) return;
    // Lambda ends the invocation at the timeout and discards the environment.
    self->finish(lambda_error("Sandbox.Timedout", "RequestId: " + id + " Error: Task timed out after " +
                                                      seconds_text(self->setup_.timeout) + " seconds"));
    self->kill_now("task timed out");
  });
}

net::awaitable<void> ExecutionEnvironment::accept_loop() {
  auto self = shared_from_this();
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (ec) co_return;
    net::co_spawn(io_, serve(std::move(socket)), net::detached);
  }
}

net::awaitable<void> ExecutionEnvironment::serve(tcp::socket socket) {
  auto self = shared_from_this();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxPayload);
    auto [rec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (rec == http::error::body_limit) {
      auto res = api_error(parser.get(), http::status::payload_too_large, "RequestEntityTooLarge",
                           "Request must be smaller than " + std::to_string(kMaxPayload) +
                               " bytes for the InvokeFunction operation");
      res.keep_alive(false);
      co_await http::async_write(stream, res, use_tuple);
      break;
    }
    if (rec) break;
    Request req = parser.release();
    std::string_view target = req.target();
    Response res;
    bool stop_after = false;
    if (!target.starts_with(kPrefix)) {
      res = api_error(req, http::status::not_found, "NotFound", "no such Runtime API path");
    } else if (auto path = target.substr(kPrefix.size());
               req.method() == http::verb::get && path == "invocation/next") {
      if (!initialised_) init_duration_ = std::chrono::steady_clock::now() - spawned_at_;
      initialised_ = true;
      // One GET /next is parked at a time: a newer one (a runtime that reconnected) takes over
      // and the older connection is closed, rather than both re-arming the timer in turn.
      const unsigned generation = ++next_generation_;
      while (!gone_ && !stopping_ && generation == next_generation_ &&
             !(current_ && !current_->delivered)) {
        next_waiter_.expires_at(net::steady_timer::time_point::max());
        co_await next_waiter_.async_wait(use_tuple);
      }
      // Stopped or superseded: the runtime sees the socket close.
      if (generation != next_generation_ || !current_ || current_->delivered) break;
      deliver_started();
      const auto& inv = current_->inv;
      res = json_response(req, http::status::ok, inv.payload);
      res.set("Lambda-Runtime-Aws-Request-Id", inv.request_id);
      res.set("Lambda-Runtime-Deadline-Ms",
              std::to_string(core::now_ms() + setup_.timeout.count()));
      res.set("Lambda-Runtime-Invoked-Function-Arn", setup_.function_arn);
      res.set("Lambda-Runtime-Trace-Id", inv.trace_id);
    } else if (req.method() == http::verb::post && path == "init/error") {
      if (initialised_) {
        res = api_error(req, http::status::forbidden, "InvalidStateTransition",
                        "init/error after the runtime asked for an event");
      } else {
        init_error_ = posted_error(req);
        core::log::error("lambda init error", {{"function", setup_.function_name},
                                               {"pid", pid_}, {"error", init_error_->error_message}});
        res = json_response(req, http::status::accepted, R"({"status":"OK"})");
        stop_after = true;  // Lambda discards an environment whose init failed
      }
    } else if (req.method() == http::verb::post && path.starts_with("invocation/") &&
               (path.ends_with("/response") || path.ends_with("/error"))) {
      const bool is_error = path.ends_with("/error");
      auto id = path.substr(11, path.size() - 11 - (is_error ? 6 : 9));
      if (!current_ || !current_->delivered || current_->inv.request_id != id) {
        if (!id.empty() && id == last_answered_)
          res = api_error(req, http::status::forbidden, "InvalidStateTransition",
                          "the invocation was already answered");
        else
          res = api_error(req, http::status::bad_request, "InvalidRequestID", "Invalid request ID");
      } else {
        gateway::InvokeResult r;
        if (is_error) {
          r = posted_error(req);
        } else if (current_->inv.raw_response) {
          r.response.body = req.body();
        } else if (auto decoded = apigw::decode_response(req.body())) {
          r.response = std::move(*decoded);
        } else {
          // API Gateway cannot read it as a proxy response: an integration failure (502).
          r = lambda_error("Parley.MalformedProxyResponse",
                           "the function's response is not an API Gateway proxy response");
        }
        res = json_response(req, http::status::accepted, R"({"status":"OK"})");
        finish(std::move(r));
      }
    } else {
      res = api_error(req, http::status::not_found, "NotFound", "no such Runtime API path");
    }
    res.keep_alive(req.keep_alive());
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (stop_after) {
      if (current_) finish(*init_error_);
      kill_now("init error");
    }
    if (wec || !res.keep_alive()) break;
  }
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace integration::lambda_process

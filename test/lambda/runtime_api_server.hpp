#pragma once
// A small Lambda Runtime API for the tests (the server side of aws-contract.md §5.2, as the
// Runtime Interface Emulator answers it): events are queued by the test, handed out by
// GET /next with their Lambda-Runtime-* headers, and every answer is recorded. A second answer
// for one id is 403 InvalidStateTransition, an unknown id 400 InvalidRequestID. Plain
// blocking Beast, a thread per connection: a runtime holds one connection. Any path with
// "/@connections/" in it is answered 200 (and recorded): a stand-in management API.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lambda::test {

struct Event {
  std::string payload;
  std::int64_t deadline_ms = 0;  // 0: no Lambda-Runtime-Deadline-Ms header
  std::string trace_id;
  std::string function_arn = "arn:aws:lambda:us-east-1:123456789012:function:parley-test";
  std::string request_id;        // empty: a fresh one
};

// One request the runtime made, as received, and the status it got.
struct Recorded {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  int status = 0;
};

// The runtime's answer to one event (or to init).
struct Answer {
  bool is_error = false;
  std::string body;
  std::string content_type;
  std::string error_type_header;  // Lambda-Runtime-Function-Error-Type
};

// An Event with these fields and the defaults for the others.
Event event(std::string payload, std::int64_t deadline_ms = 0, std::string trace_id = {});

// Epoch ms `from_now` ahead: a deadline for Event.
std::int64_t deadline_in(std::chrono::milliseconds from_now);

class RuntimeApiServer {
 public:
  RuntimeApiServer();
  ~RuntimeApiServer();  // stops
  RuntimeApiServer(const RuntimeApiServer&) = delete;
  RuntimeApiServer& operator=(const RuntimeApiServer&) = delete;

  // "127.0.0.1:PORT": what AWS_LAMBDA_RUNTIME_API holds.
  std::string address() const;

  // Queues an event for the next GET /next; returns its request id.
  std::string invoke(Event e);
  // The first answer (response or error) to `request_id`, waiting up to `timeout`.
  std::optional<Answer> wait_answer(const std::string& request_id, std::chrono::milliseconds timeout);
  std::optional<Answer> wait_init_error(std::chrono::milliseconds timeout);
  // The next request of any kind is answered with this status (e.g. 500) instead of served.
  void fail_next_request(int status);
  // Every request so far, in arrival order.
  std::vector<Recorded> requests() const;
  // TCP connections accepted so far.
  std::size_t connections_accepted() const;
  // Waits until a GET /next is blocked waiting for an event (the runtime is idle).
  bool wait_idle(std::chrono::milliseconds timeout);
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace lambda::test

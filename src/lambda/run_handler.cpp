#include "lambda/run_handler.hpp"

#include <cxxabi.h>

#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <typeinfo>

#include "core/log.hpp"

namespace lambda {
namespace {

// What the worker thread hands back. Shared, because a timed-out worker outlives the wait.
struct Slot {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::optional<InvocationResponse> response;
};

InvocationResponse call_guarded(const Handler& handler, const Invocation& inv) {
  try {
    return handler(inv);
  } catch (const std::exception& e) {
    return InvocationResponse::failure(e.what(), current_exception_type());
  } catch (...) {
    return InvocationResponse::failure("unknown exception", current_exception_type());
  }
}

void set_trace_id(const std::string& trace_id) {
  if (trace_id.empty()) {
    ::unsetenv("_X_AMZN_TRACE_ID");
  } else {
    ::setenv("_X_AMZN_TRACE_ID", trace_id.c_str(), 1);
  }
}

std::string timeout_message(const Invocation& inv) {
  return "Task timed out: the handler ran past the deadline " + std::to_string(inv.deadline_ms) +
         " (epoch ms)";
}

}  // namespace

const char* to_string(Stopped s) {
  switch (s) {
    case Stopped::max_invocations: return "max_invocations";
    case Stopped::runtime_api_failed: return "runtime_api_failed";
    case Stopped::timed_out: return "timed_out";
  }
  return "?";
}

std::string current_exception_type() {
  const std::type_info* t = abi::__cxa_current_exception_type();
  if (!t) return "Runtime.UnknownReason";
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(t->name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(t->name());
}

Stopped run_handler(RuntimeClient& client, const Handler& handler, const RunOptions& options) {
  // Shared with the workers: a timed-out worker still runs it after this function returned.
  const auto shared_handler = std::make_shared<const Handler>(handler);
  for (std::size_t n = 0; !options.max_invocations || n < *options.max_invocations; ++n) {
    auto inv = client.next();
    if (!inv) return Stopped::runtime_api_failed;
    set_trace_id(inv->trace_id);

    // The handler runs on its own thread so that this one can give up at the deadline.
    auto slot = std::make_shared<Slot>();
    auto shared_inv = std::make_shared<const Invocation>(*inv);
    std::thread worker([slot, shared_inv, shared_handler] {
      auto r = call_guarded(*shared_handler, *shared_inv);
      std::lock_guard lock(slot->mutex);
      slot->response.emplace(std::move(r));
      slot->done = true;
      slot->done_cv.notify_one();
    });

    std::unique_lock lock(slot->mutex);
    bool finished = true;
    if (inv->deadline_ms == 0) {
      slot->done_cv.wait(lock, [&] { return slot->done; });
    } else {
      const auto deadline = std::chrono::system_clock::time_point(
          std::chrono::milliseconds(inv->deadline_ms));
      finished = slot->done_cv.wait_until(lock, deadline, [&] { return slot->done; });
    }
    if (!finished) {
      lock.unlock();
      // A thread cannot be cancelled: leave it running; Stopped::timed_out tells the caller to
      // exit, and the process exit ends it.
      worker.detach();
      core::log::error("handler timed out", {{"requestId", inv->request_id}});
      client.post(inv->request_id,
                  InvocationResponse::failure(timeout_message(*inv), kTimeoutErrorType));
      return Stopped::timed_out;
    }
    auto response = std::move(*slot->response);
    lock.unlock();
    worker.join();

    if (!response.is_success() && response.error_type() != kTimeoutErrorType)
      core::log::warn("handler failed", {{"requestId", inv->request_id},
                                         {"errorType", response.error_type()}});
    auto status = client.post(inv->request_id, response);
    if (status == PostStatus::too_large) {
      // Report it as Lambda does, so the invoker sees an error rather than nothing.
      status = client.post(inv->request_id,
                           InvocationResponse::failure("Response payload size exceeded maximum",
                                                       "Function.ResponseSizeTooLarge"));
    }
    if (status == PostStatus::fatal) return Stopped::runtime_api_failed;
  }
  return Stopped::max_invocations;
}

}  // namespace lambda

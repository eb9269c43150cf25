// bootstrap: the one executable of the Lambda package (provided.al2023). _HANDLER names the
// route it serves (connect, sendmessage, ...); every function of the template runs this same
// file. Start-up (handler, store, clients) happens once per execution environment; a failure
// there is posted to /runtime/init/error, as the Runtime API asks.
#include <cstdlib>
#include <iostream>
#include <memory>

#include "apigw/event_codec.hpp"
#include "app/authorize_function.hpp"
#include "app/lambda_env.hpp"
#include "aws/apigw/http_connections.hpp"
#include "aws/apigw/management_target.hpp"
#include "core/log.hpp"
#include "handlers/router.hpp"
#include "lambda/run_handler.hpp"

namespace {

// Handler errors are Lambda function errors: API Gateway answers the client with
// "Internal server error", as it would for a managed runtime's exception.
lambda::InvocationResponse invoke(const handlers::Handler& handler, store::Store& store,
                                  const std::shared_ptr<aws::http::BlockingClient>& http,
                                  const lambda::Invocation& inv) {
  auto event = apigw::decode_event(inv.payload);
  if (!event)
    return lambda::InvocationResponse::failure("the event is not an API Gateway WebSocket event",
                                               "Parley.InvalidEvent");
  connections::HttpOptions options;
  options.endpoint = connections::management_endpoint(*event);
  options.region = connections::signing_region(event->request_context.domain_name);
  // Read per invocation: Lambda may hand a later environment refreshed role credentials.
  if (auto creds = aws::credentials_from_env()) options.credentials = *creds;
  auto conns = connections::Http::create(http, options);
  if (!conns)
    return lambda::InvocationResponse::failure("bad management endpoint " + options.endpoint,
                                               "Parley.BadEndpoint");
  handlers::Ports ports{store.tables(), **conns};
  return lambda::InvocationResponse::success(apigw::encode(handler(*event, ports)));
}

[[noreturn]] void fail_init(lambda::RuntimeClient& client, const std::string& message,
                            const std::string& type) {
  core::log::error("init failed", {{"errorType", type}, {"errorMessage", message}});
  client.post_init_error(message, type);
  std::exit(1);
}

}  // namespace

int main() {
  if (const char* level = std::getenv("PARLEY_LOG_LEVEL"))
    core::log::set_level(core::log::parse_level(level));
  auto client = lambda::RuntimeClient::from_env();
  if (!client) {
    std::cerr << "bootstrap: AWS_LAMBDA_RUNTIME_API is not set or not host:port; this program "
                 "runs inside Lambda (or `parley serve --lambda process`)\n";
    return 1;
  }

  const char* handler_env = std::getenv("_HANDLER");
  const std::string handler_name = handler_env ? handler_env : "";
  // The $connect authorizer is not a route: it needs no store and no @connections client.
  if (handler_name == "authorize") return app::run_authorize_function(*client);
  const auto route_key = app::route_key_for_handler(handler_name);
  const auto router = handlers::chat_routes(handlers::limits_from_env());
  const handlers::Handler* handler = route_key ? router.find(*route_key) : nullptr;
  if (!handler)
    fail_init(*client, "no handler named '" + handler_name + "' (expected connect, disconnect, "
              "default, sendmessage, join, leave, setname, history, who, dm, hello or ping)",
              "Runtime.NoSuchHandler");

  app::use_system_ca_bundle();
  std::string why;
  auto store = app::open_store_from_env(why);
  if (!store) fail_init(*client, why, "Runtime.StoreUnavailable");

  // One HTTP client per environment: its keep-alive connections to the @connections endpoint
  // outlive the invocation. A room's fan-out posts up to 32 at once (connections::Http).
  aws::http::ClientOptions http_options;
  http_options.max_connections_per_endpoint = 32;
  http_options.request_timeout = std::chrono::milliseconds(10'000);
  auto http = std::make_shared<aws::http::BlockingClient>(http_options);

  core::log::info("bootstrap ready", {{"handler", handler_name}, {"routeKey", *route_key}});
  const auto stopped = lambda::run_handler(*client, [&](const lambda::Invocation& inv) {
    return invoke(*handler, **store, http, inv);
  });
  core::log::error("runtime loop stopped", {{"reason", lambda::to_string(stopped)}});
  // A timed-out handler still runs on its thread: leave without destructors, as Lambda would
  // kill the environment anyway.
  std::cout.flush();
  std::_Exit(stopped == lambda::Stopped::max_invocations ? 0 : 1);
}

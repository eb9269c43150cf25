#include "app/local_command.hpp"

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "app/serve_command.hpp"
#include "app/serve_options.hpp"

namespace app {

namespace {

const char* const local_usage = R"(Usage: parley local [TEMPLATE] [options]

Runs your own API Gateway WebSocket app on this machine, from its SAM / CloudFormation template
(default: template.yaml in the working directory): the WebSocket API's routes, its REQUEST
authorizer and two-way routes, each function run as Lambda runs it, and (with --store dynamodb
--create-tables) its DynamoDB tables. The same as
  parley serve --lambda process --template TEMPLATE [options]
Every option of `parley serve` applies (docs/lambda-local.md), e.g.
  --port N  --stage NAME  --parameter-overrides K=V [K=V ...]
  --store dynamodb --dynamodb-endpoint URL --create-tables

)";

}  // namespace

int local_command(const std::vector<std::string>& given) {
  std::vector<std::string> args = given;
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::cout << local_usage << serve_options().help();
      return 0;
    }
  std::filesystem::path file = "template.yaml";
  if (!args.empty() && !args[0].starts_with("--")) {
    file = args[0];
    args.erase(args.begin());
  }
  for (const auto& a : args)
    if (a == "--lambda" || a.starts_with("--lambda=") || a == "--template" || a.starts_with("--template="))
      throw std::invalid_argument(a + " is set by `parley local`; give the template as its first argument");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw std::invalid_argument("no template " + std::filesystem::absolute(file, ec).string() +
                                "; give its path: parley local PATH/template.yaml");
  std::vector<std::string> serve = {"--lambda", "process", "--template", file.string()};
  // The user's API as AWS runs it: without an authorizer of its own, a connection carries no
  // identity (no guest tokens in requestContext.authorizer), unless --guests on asks for them.
  bool guests_given = false;
  for (const auto& a : args) guests_given = guests_given || a == "--guests" || a.starts_with("--guests=");
  if (!guests_given) serve.insert(serve.end(), {"--guests", "off"});
  serve.insert(serve.end(), args.begin(), args.end());
  return serve_command(serve);
}

}  // namespace app

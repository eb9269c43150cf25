// parley: the chat server and its tools.
#include <iostream>
#include <string>
#include <vector>

#include "app/chat_command.hpp"
#include "app/bench_command.hpp"
#include "app/local_command.hpp"
#include "app/serve_command.hpp"
#include "app/tables_command.hpp"

namespace {

constexpr const char* usage = R"(Usage: parley <command> [options]

Commands:
  serve      run the chat server (gateway, handlers, SQLite or DynamoDB store, browser client)
  local      run your own API Gateway WebSocket app locally from its SAM template:
             parley local [template.yaml] (= serve --lambda process --template ...)
  tables     create the DynamoDB tables: parley tables create [--dynamodb-endpoint URL]
  chat       the terminal client: interactive, or JSON lines in a pipe
  bench      load generator: connect rate, fan-out latency, throughput, memory of a server
  version    print the version

Run 'parley serve --help', 'parley local --help', 'parley chat --help' or 'parley bench --help' for their options.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "serve") return app::serve_command(args);
    if (command == "local") return app::local_command(args);
    if (command == "tables") return app::tables_command(args);
    if (command == "bench") return app::bench_command(args);
    if (command == "chat") return app::chat_command(args);
    if (command == "version" || command == "--version") {
      std::cout << "parley " << PARLEY_VERSION << "\n";
      return 0;
    }
    std::cerr << "parley: unknown command '" << command << "'\n" << usage;
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "parley " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "parley " << command << ": " << e.what() << "\n";
    return 1;
  }
}

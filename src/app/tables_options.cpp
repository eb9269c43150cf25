// `parley tables create`'s options: the DynamoDB ones of `parley serve`, the same declarations
// (so the same names, defaults and environment fallbacks).
#include "app/serve_options.hpp"
#include "app/tables_command.hpp"

namespace app {

namespace {

OptionTable make() {
  OptionTable t;
  t.usage = R"(Usage: parley tables create [options]

Creates the DynamoDB tables (connections, members with GSI connection-index, messages, rooms,
clientmsgs, nodes), waits until they are ACTIVE and enables TTL on `ttl` where the endpoint has it.
Tables already there are left as they are, so it is safe to run again.
)";
  OptionGroup group{"Options", {}};
  for (const char* name : {"dynamodb-endpoint", "region", "table-prefix", "log-level"})
    group.options.push_back(*serve_options().find(name));
  t.groups.push_back(std::move(group));
  t.epilog = R"(
Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; a local
endpoint needs none.
)";
  return t;
}

}  // namespace

const OptionTable& tables_options() {
  static const OptionTable table = make();
  return table;
}

}  // namespace app

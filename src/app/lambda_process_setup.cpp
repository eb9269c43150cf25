#include "app/lambda_process_setup.hpp"

#include <unistd.h>

#include <cstdlib>
#include <ostream>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <openssl/rand.h>

#include "app/tables_command.hpp"
#include "aws/sigv4/credentials.hpp"
#include "integration/lambda_process/function_authorizer.hpp"
#include "store/dynamodb/dynamo_create_tables.hpp"
#include "store/dynamodb/dynamo_store.hpp"
#include "gateway/tls_local_cert.hpp"
#include "integration/lambda_process/runtimes.hpp"
#include "integration/lambda_process/sam_template.hpp"

namespace app {
namespace fs = std::filesystem;
namespace lp = integration::lambda_process;
namespace sam = integration::sam;

namespace {

fs::path self_directory() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

fs::path default_template() {
  const fs::path relative = fs::path("deploy") / "template.yaml";
  std::error_code ec;
  if (fs::exists(relative, ec)) return fs::absolute(relative);
  // build/parley → <repo>/deploy/template.yaml
  auto beside = self_directory().parent_path() / relative;
  if (fs::exists(beside, ec)) return beside;
  throw std::invalid_argument("no deploy/template.yaml in the working directory or beside " +
                              self_directory().parent_path().string() + "; give --template FILE");
}

// Parley's runtime clients: runtimes/ beside the executable, else the repository's (build/parley
// → <repo>/runtimes).
fs::path runtimes_dir() {
  std::error_code ec;
  for (const auto& dir : {self_directory() / "runtimes", self_directory().parent_path() / "runtimes"})
    if (fs::is_directory(dir, ec)) return dir;
  return self_directory() / "runtimes";
}

lp::RuntimeTools runtime_tools(const Options& o, const fs::path& bootstrap) {
  lp::RuntimeTools t;
  t.bootstrap = bootstrap;
  t.bootstrap_given = o.has("bootstrap");
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
  // Debian's python3 first: its packages (python3-boto3) are importable, as boto3 is on Lambda.
  if (o.has("python"))
    t.python = lp::find_executable(o.get("python"), path);
  else if (::access("/usr/bin/python3", X_OK) == 0)
    t.python = "/usr/bin/python3";
  else
    t.python = lp::find_executable("python3", path);
  t.node = lp::find_executable(o.get("node"), path);
  t.runtimes_dir = runtimes_dir();
  return t;
}

// 40 characters of [A-Za-z0-9+/], the shape of an AWS secret access key, from OpenSSL's CSPRNG.
std::string random_secret() {
  unsigned char bytes[30];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for the functions' key");
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < sizeof bytes; i += 3) {
    const unsigned v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(v >> shift) & 63]);
  }
  return out;
}

}  // namespace

bool functions_get_host_credentials(const Options& o, const LambdaStore& store) {
  const std::string mode = o.get("lambda-credentials");
  if (mode == "host") return true;
  if (mode == "local") return false;
  // DynamoDB in AWS itself: the functions cannot reach it with placeholders.
  return !store.sqlite_file && store.dynamodb_endpoint.empty();
}

LambdaStore lambda_store(const Options& o, const std::filesystem::path& sqlite_file) {
  LambdaStore s;
  if (o.get("store") == "sqlite") {
    s.sqlite_file = sqlite_file;
    s.region = o.get("region");
    if (auto creds = aws::credentials_from_env()) {
      s.access_key_id = creds->access_key_id;
      s.secret_access_key = creds->secret_access_key;
      s.session_token = creds->session_token;
    } else {
      s.access_key_id = s.secret_access_key = "parleylocal";
    }
    return s;
  }
  auto settings = dynamo_settings(o);
  s.tables = settings.tables;
  s.region = settings.client.region;
  if (o.value("dynamodb-endpoint")) {
    const auto& ep = settings.client.endpoint;
    s.dynamodb_endpoint = std::string(ep.tls ? "https://" : "http://") + ep.host_header();
  }
  s.access_key_id = settings.client.credentials.access_key_id;
  s.secret_access_key = settings.client.credentials.secret_access_key;
  s.session_token = settings.client.credentials.session_token;
  return s;
}

LambdaProcessSetup make_lambda_process(const Options& o, const LambdaStore& store,
                                       gateway::Config& config, const fs::path& data) {
  LambdaProcessSetup out;
  out.template_file = o.has("template") ? fs::path(o.get("template")) : default_template();
  out.bootstrap = o.has("bootstrap") ? fs::path(o.get("bootstrap")) : self_directory() / "bootstrap";
  std::error_code ec;
  out.bootstrap = fs::absolute(out.bootstrap, ec);
  if (::access(out.bootstrap.c_str(), X_OK) != 0)
    throw std::invalid_argument("the bootstrap " + out.bootstrap.string() +
                                " is missing or not executable; give --bootstrap PATH");
  sam::ParseOptions parse;
  sam::Template t;
  try {
    parse.parameter_overrides = sam::parse_parameter_overrides(o.all("parameter-overrides"));
    parse.region = store.region;
    parse.stack_name = o.get("stack-name");
    parse.table_prefix = o.get("table-prefix");
    t = sam::load_template(out.template_file, parse);
  } catch (const sam::TemplateError& e) {
    throw std::invalid_argument(e.what());  // bad input: the usage error's exit status
  }
  out.route_selection_expression = t.route_selection_expression;
  out.stage_name = t.stage_name;
  out.tables = t.tables;

  lp::ProcessOptions options;
  options.bootstrap = out.bootstrap;
  options.region = store.region;
  options.account_concurrency =
      static_cast<unsigned>(o.number("lambda-concurrency"));
  options.idle_limit = std::chrono::seconds(o.number("lambda-idle"));
  if (o.has("no-hot-reload")) options.hot_reload = false;
  auto& local = options.local_variables;
  if (store.sqlite_file) {
    local.emplace_back("PARLEY_SQLITE_FILE", fs::absolute(*store.sqlite_file).string());
  } else if (!store.dynamodb_endpoint.empty()) {
    local.emplace_back("DYNAMODB_ENDPOINT", store.dynamodb_endpoint);
    // What current AWS SDKs read: the functions' own DynamoDB calls reach the local endpoint.
    local.emplace_back("AWS_ENDPOINT_URL_DYNAMODB", store.dynamodb_endpoint);
  }
  // The role's credentials on AWS. Here a key made for this run, which local endpoints accept
  // and which signs SigV4 all the same; the machine's own only when asked (or for DynamoDB in
  // AWS). Either way the management API on the public port, which takes only signed calls,
  // accepts them (config.function_keys): the functions' SDKs reach it as on AWS.
  if (functions_get_host_credentials(o, store)) {
    local.emplace_back("AWS_ACCESS_KEY_ID", store.access_key_id);
    local.emplace_back("AWS_SECRET_ACCESS_KEY", store.secret_access_key);
    if (!store.session_token.empty()) local.emplace_back("AWS_SESSION_TOKEN", store.session_token);
    if (!store.access_key_id.empty()) config.function_keys[store.access_key_id] = store.secret_access_key;
  } else {
    // The id stays `parleylocal` (DynamoDB Local keeps a database per access key id); the
    // secret is new every run, so nothing outside this run's functions can sign with it.
    const std::string secret = random_secret();
    local.emplace_back("AWS_ACCESS_KEY_ID", "parleylocal");
    local.emplace_back("AWS_SECRET_ACCESS_KEY", secret);
    config.function_keys["parleylocal"] = secret;
  }
  // https:// on this port for the functions' SDKs (the event's domainName), and their trust.
  try {
    fs::path bundle;
    if (config.tls_cert_file.empty()) {
      auto cert = gateway::ensure_local_certificate(data / "tls");
      config.tls_cert_file = cert.cert.string();
      config.tls_key_file = cert.key.string();
      config.tls_optional = true;
      bundle = cert.bundle;
    } else {
      bundle = data / "tls" / "ca-bundle.pem";
      fs::create_directories(bundle.parent_path());
      gateway::write_trust_bundle(config.tls_cert_file, bundle);
    }
    bundle = fs::absolute(bundle);
    for (const char* name : {"AWS_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"})
      local.emplace_back(name, bundle.string());
  } catch (const std::exception& e) {
    throw std::invalid_argument(e.what());
  }
  // The functions keep the gateway's caps (on AWS: the function's environment variables).
  if (o.has("max-rooms"))
    local.emplace_back("MAX_ROOMS_PER_CONNECTION",
                       std::to_string(o.number("max-rooms")));
  // The bootstraps log at the gateway's level (their lines go to its stderr).
  if (auto level = o.value("log-level")) local.emplace_back("PARLEY_LOG_LEVEL", *level);

  const auto tools = runtime_tools(o, out.bootstrap);
  std::vector<lp::FunctionConfig> functions;
  for (const auto& [id, f] : t.functions) {
    lp::FunctionConfig c;
    c.name = id;
    c.handler = f.handler;
    c.runtime = f.runtime;
    const fs::path code = f.code_uri.empty() ? fs::path() : f.code_path;
    auto launch = lp::launch_for(f.runtime, code, tools, "Resources." + id + ".Properties");
    c.executable = std::move(launch.executable);
    c.args = std::move(launch.args);
    c.task_root = std::move(launch.task_root);
    c.code_dir = std::move(launch.code_dir);
    c.runtime_variables = std::move(launch.variables);
    c.timeout = std::chrono::seconds(f.timeout_s);
    c.memory_mb = f.memory_mb;
    if (f.reserved_concurrency) c.reserved_concurrency = static_cast<unsigned>(*f.reserved_concurrency);
    for (const auto& [name, value] : f.environment) c.variables.emplace_back(name, value.literal);
    functions.push_back(std::move(c));
  }
  std::map<std::string, std::string> routes;
  for (const auto& r : t.routes) {
    routes[r.route_key] = r.function;
    if (r.two_way) out.two_way_routes.insert(r.route_key);
  }
  out.functions = functions.size();
  const std::string account_id = options.account_id;
  out.integration = std::make_unique<lp::LambdaProcess>(std::move(options), std::move(functions),
                                                        std::move(routes));
  for (const auto& r : t.routes) {
    if (r.authorizer.empty()) continue;
    const auto& a = t.authorizers.at(r.authorizer);
    out.authorizer = std::make_shared<lp::FunctionAuthorizer>(
        *out.integration, a.function, a.name.empty() ? a.logical_id : a.name, a.identity_sources,
        store.region, account_id);
  }
  return out;
}

std::vector<std::string> expand_parameter_overrides(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    out.push_back(args[i]);
    if (args[i] != "--parameter-overrides") continue;
    // The first word is the flag's value; each further word until the next option repeats it.
    if (i + 1 < args.size()) out.push_back(args[++i]);
    while (i + 1 < args.size() && !args[i + 1].starts_with("--")) {
      out.push_back("--parameter-overrides");
      out.push_back(args[++i]);
    }
  }
  return out;
}

bool create_template_tables(const Options& o, const std::vector<sam::Table>& tables,
                            std::ostream& progress) {
  if (tables.empty()) return true;
  auto settings = dynamo_settings(o);
  auto client = store::make_dynamo_client(std::move(settings.client));
  std::vector<store::TableSpec> specs;
  for (const auto& t : tables)
    specs.push_back({t.name, boost::json::parse(t.create_request).as_object(), t.ttl_attribute});
  progress << "Creating the template's missing DynamoDB tables" << std::endl;
  if (auto r = store::create_tables(*client, std::move(specs), progress); !r) {
    progress << "parley: cannot create the template's DynamoDB tables: " << r.error().message() << std::endl;
    return false;
  }
  return true;
}

}  // namespace app

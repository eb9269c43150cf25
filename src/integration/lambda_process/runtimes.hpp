#pragma once
// How a function of each Lambda runtime is started locally: the executable, its arguments, the
// task root (LAMBDA_TASK_ROOT, the working directory) and the variables Lambda sets for that
// runtime. Python and Node.js functions run the machine's interpreter on the runtime interface
// client Parley ships (runtimes/python/parley_runtime.py, runtimes/node/index.mjs); provided.*
// functions run their CodeUri's `bootstrap`, or Parley's own.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace integration::lambda_process {

struct RuntimeTools {
  std::filesystem::path bootstrap;     // Parley's own bootstrap
  bool bootstrap_given = false;        // --bootstrap: every provided.* function runs it
  std::filesystem::path python;        // an absolute path (the Python runtimes)
  std::filesystem::path node;          // an absolute path (the Node.js runtimes)
  std::filesystem::path runtimes_dir;  // holds python/parley_runtime.py and node/index.mjs
};

struct Launch {
  std::filesystem::path executable;
  std::vector<std::string> args;
  std::filesystem::path task_root;
  std::filesystem::path code_dir;  // the function's own code, watched for hot reload (or empty)
  std::vector<std::pair<std::string, std::string>> variables;  // AWS_EXECUTION_ENV, ...
};

// The runtimes that run locally, for messages: "python3.9 ... nodejs22.x, provided.al2023".
extern const char* const kSupportedRuntimes;

// runtime: the template's Runtime (empty: provided, as Parley's own template is); code: the
// CodeUri made absolute against the template's folder (empty when there is none). Throws
// std::invalid_argument naming `where` (Resources.X.Properties) and what is wrong.
Launch launch_for(const std::string& runtime, const std::filesystem::path& code,
                  const RuntimeTools& tools, const std::string& where);

// `name` looked up in `path` (a PATH value) when it has no slash; empty when not found.
std::filesystem::path find_executable(const std::string& name, const std::string& path);

}  // namespace integration::lambda_process

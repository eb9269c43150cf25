#include "integration/lambda_process/runtimes.hpp"

#include <unistd.h>

#include <sstream>

namespace integration::lambda_process {
namespace fs = std::filesystem;

const char* const kSupportedRuntimes =
    "python3.9, python3.10, python3.11, python3.12, python3.13, nodejs18.x, nodejs20.x, "
    "nodejs22.x, provided.al2023, provided.al2";

namespace {

bool one_of(const std::string& s, std::initializer_list<const char*> values) {
  for (const char* v : values)
    if (s == v) return true;
  return false;
}

// An interpreted runtime needs its code as a folder: that is what runs (sam build's output, or
// the source itself).
fs::path code_folder(const fs::path& code, const std::string& runtime, const std::string& where) {
  std::error_code ec;
  if (code.empty())
    throw std::invalid_argument(where + ".CodeUri: a " + runtime +
                                " function needs a CodeUri (the folder holding its code)");
  if (!fs::is_directory(code, ec))
    throw std::invalid_argument(where + ".CodeUri: " + code.string() +
                                " is not a folder; locally a " + runtime +
                                " function runs from the folder holding its code");
  return code;
}

fs::path runtime_file(const RuntimeTools& tools, const char* relative, const std::string& where) {
  auto file = tools.runtimes_dir / relative;
  std::error_code ec;
  if (!fs::exists(file, ec))
    throw std::invalid_argument(where + ".Runtime: Parley's runtime client " + file.string() +
                                " is missing (the repository's runtimes/ folder)");
  return file;
}

fs::path interpreter(const fs::path& exe, const char* what, const char* option,
                     const std::string& where) {
  if (exe.empty() || ::access(exe.c_str(), X_OK) != 0)
    throw std::invalid_argument(where + ".Runtime: no " + std::string(what) +
                                " interpreter found; install it or give " + option + " PATH");
  return exe;
}

}  // namespace

Launch launch_for(const std::string& runtime, const fs::path& code, const RuntimeTools& tools,
                  const std::string& where) {
  Launch l;
  if (one_of(runtime, {"python3.9", "python3.10", "python3.11", "python3.12", "python3.13"})) {
    l.code_dir = l.task_root = code_folder(code, runtime, where);
    l.executable = interpreter(tools.python, "python3", "--python", where);
    l.args = {runtime_file(tools, "python/parley_runtime.py", where).string()};
    l.variables = {{"AWS_EXECUTION_ENV", "AWS_Lambda_" + runtime},
                   {"LAMBDA_RUNTIME_DIR", (tools.runtimes_dir / "python").string()},
                   // print() reaches the log at once, as on Lambda; the task root is read-only
                   // there, so no __pycache__ is written into the user's folder either.
                   {"PYTHONUNBUFFERED", "1"},
                   {"PYTHONDONTWRITEBYTECODE", "1"}};
    return l;
  }
  if (one_of(runtime, {"nodejs18.x", "nodejs20.x", "nodejs22.x"})) {
    l.code_dir = l.task_root = code_folder(code, runtime, where);
    l.executable = interpreter(tools.node, "node", "--node", where);
    l.args = {runtime_file(tools, "node/index.mjs", where).string()};
    l.variables = {{"AWS_EXECUTION_ENV", "AWS_Lambda_" + runtime},
                   {"LAMBDA_RUNTIME_DIR", (tools.runtimes_dir / "node").string()},
                   // Lambda's NODE_PATH ends with the task root (CommonJS require only).
                   {"NODE_PATH", l.task_root.string()}};
    return l;
  }
  if (runtime.empty() || one_of(runtime, {"provided.al2023", "provided.al2", "provided"})) {
    std::error_code ec;
    if (!tools.bootstrap_given && !code.empty() && fs::is_directory(code, ec)) {
      const auto own = code / "bootstrap";
      if (fs::exists(own, ec)) {
        if (::access(own.c_str(), X_OK) != 0)
          throw std::invalid_argument(where + ".CodeUri: " + own.string() + " is not executable");
        l.executable = own;
        l.code_dir = l.task_root = code;
        return l;
      }
    }
    // Parley's own bootstrap (the repository's template: CodeUri is the zip it is built into).
    l.executable = tools.bootstrap;
    l.task_root = tools.bootstrap.parent_path();
    return l;
  }
  throw std::invalid_argument(where + ".Runtime: " + runtime + " does not run locally (" +
                              kSupportedRuntimes + ")");
}

fs::path find_executable(const std::string& name, const std::string& path) {
  if (name.find('/') != std::string::npos) return fs::absolute(name);
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    auto candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace integration::lambda_process

#pragma once
// A real dynalite (npm) for the DynamoDB integration tests, on a free loopback port, stopped
// with the object. dynalite's CLI treats --port 0 as "use 4567", so it is started through its
// module API, which listens on port 0 and prints the port the kernel picked.
#include <cstdint>
#include <memory>
#include <string>

#include "process.hpp"

namespace aws::test {

class DynaliteServer {
 public:
  // nullptr with `why` set when node or test/integration/node_modules/dynalite is missing.
  static std::unique_ptr<DynaliteServer> start(std::string& why, std::uint16_t port = 0);

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void stop();
  // Starts it again on the same port (its in-memory tables are gone); false when it failed.
  bool restart();

 private:
  bool launch(std::uint16_t port, std::string& why);
  std::unique_ptr<Process> process_;
  std::uint16_t port_ = 0;
};

// The folder whose node_modules holds dynalite (test/integration).
std::string npm_dir();

}  // namespace aws::test

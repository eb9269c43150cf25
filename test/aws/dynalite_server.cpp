#include "dynalite_server.hpp"

#include <filesystem>

namespace aws::test {
namespace {

// Tables become ACTIVE after 20 ms instead of 500, so tests do not wait on CREATING.
constexpr const char* script =
    "const s=require('dynalite')({createTableMs:20,deleteTableMs:20,updateTableMs:20});"
    "s.listen(+process.argv[1]||0,'127.0.0.1',()=>console.log('dynalite listening '+s.address().port));";

}  // namespace

std::string npm_dir() {
#ifdef PARLEY_NPM_DIR
  return PARLEY_NPM_DIR;
#else
  // Other test executables reuse this fixture; without the definition, find test/integration
  // beside this file.
  return (std::filesystem::path(__FILE__).parent_path() / ".." / "integration").lexically_normal().string();
#endif
}

std::unique_ptr<DynaliteServer> DynaliteServer::start(std::string& why, std::uint16_t port) {
  if (!std::filesystem::exists(std::filesystem::path(npm_dir()) / "node_modules" / "dynalite")) {
    why = "dynalite is not installed: run `npm ci --prefix test/integration`";
    return nullptr;
  }
  auto server = std::unique_ptr<DynaliteServer>(new DynaliteServer);
  if (!server->launch(port, why)) return nullptr;
  return server;
}

bool DynaliteServer::launch(std::uint16_t port, std::string& why) {
  process_ = Process::start({"node", "-e", script, std::to_string(port)}, npm_dir());
  if (!process_) {
    why = "could not start node";
    return false;
  }
  auto line = process_->wait_for_line("dynalite listening ", std::chrono::seconds(20));
  if (!line) {
    why = "dynalite did not report its port (is node >= 20 installed?)";
    process_.reset();
    return false;
  }
  port_ = static_cast<std::uint16_t>(std::stoi(line->substr(std::string("dynalite listening ").size())));
  return true;
}

void DynaliteServer::stop() { process_.reset(); }

bool DynaliteServer::restart() {
  stop();
  std::string why;
  const auto port = port_;
  return launch(port, why) && port_ == port;
}

}  // namespace aws::test

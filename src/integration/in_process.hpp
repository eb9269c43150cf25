#pragma once
// Runs handlers in this process on a pool of their own threads, like Lambda execution
// environments: a handler may block (SQLite, HTTP) without stalling any socket thread.
#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "apigw/connections.hpp"
#include "gateway/integration.hpp"
#include "handlers/router.hpp"
#include "store/store.hpp"

namespace integration {

class InProcess final : public gateway::Integration {
 public:
  InProcess(handlers::Router router, store::Store& store, unsigned threads);
  ~InProcess() override;

  // Handlers post through this port; set before the first invoke (the gateway owns it).
  void set_connections(apigw::Connections& connections) { connections_ = &connections; }

  std::vector<std::string> route_keys() const override { return router_.route_keys(); }
  void invoke(apigw::Event event, std::function<void(gateway::InvokeResult)> done) override;

  // Waits for every handler already queued (the $disconnects of a shutdown) to finish.
  void drain();

 private:
  handlers::Router router_;
  store::Store& store_;
  apigw::Connections* connections_ = nullptr;
  boost::asio::thread_pool pool_;
};

}  // namespace integration

#include "app/management_listener.hpp"

#include <gtest/gtest.h>

#include "app/serve_options.hpp"

#include <stdexcept>

namespace app {
namespace {

gateway::Config listener(std::vector<std::string> args, unsigned short port = 8080) {
  gateway::Config c;
  c.port = port;
  management_listener_from(Options(serve_options(), args), c);
  return c;
}

TEST(ManagementListener, DefaultsToLoopbackAndThePortAfterThePublicOne) {
  const auto c = listener({});
  EXPECT_EQ(c.management_bind, "127.0.0.1");
  EXPECT_EQ(c.management_port, 8081);
  // --port 0 (tests, several nodes on one host): a free port for both.
  EXPECT_EQ(listener({}, 0).management_port, 0);
  EXPECT_EQ(listener({"--management-port", "9100", "--management-bind", "::1"}).management_port, 9100);
  EXPECT_EQ(listener({"--management-bind", "::1"}).management_bind, "::1");
}

TEST(ManagementListener, TheOldManagementPublicIsTheWildcardBind) {
  EXPECT_EQ(listener({"--management-public"}).management_bind, "0.0.0.0");
  EXPECT_THROW(listener({"--management-public", "--management-bind", "127.0.0.1"}), std::invalid_argument);
}

TEST(ManagementListener, RefusesWhatCannotBeListenedOn) {
  EXPECT_THROW(listener({"--management-bind", "localhost"}), std::invalid_argument);
  EXPECT_THROW(listener({"--management-port", "70000"}), std::invalid_argument);
  EXPECT_THROW(listener({}, 65535), std::invalid_argument);
  EXPECT_EQ(listener({"--management-port", "65534"}, 65535).management_port, 65534);
}

TEST(ManagementListener, LocalBaseReachesWildcardsOnLoopback) {
  EXPECT_EQ(local_base("http", "0.0.0.0", 8081), "http://127.0.0.1:8081");
  EXPECT_EQ(local_base("https", "::", 8081), "https://127.0.0.1:8081");
  EXPECT_EQ(local_base("http", "::1", 8081), "http://[::1]:8081");
  EXPECT_EQ(local_base("http", "10.0.0.5", 8081), "http://10.0.0.5:8081");
}

TEST(ManagementListener, LoopbackAddresses) {
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("127.1.2.3"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_FALSE(is_loopback_address("0.0.0.0"));
  EXPECT_FALSE(is_loopback_address("::"));
  EXPECT_FALSE(is_loopback_address("10.0.0.5"));
  EXPECT_FALSE(is_loopback_address("not an address"));
}

TEST(ManagementListener, TheBannerNamesBothListenersAndWhoMayCall) {
  gateway::Config c;
  std::string b = management_banner(c, 8081, "http://127.0.0.1:8080");
  EXPECT_NE(b.find("Management API:  http://127.0.0.1:8081/dev/@connections/{connectionId} (direct loopback clients, unsigned)\n"),
            std::string::npos) << b;
  EXPECT_NE(b.find("http://127.0.0.1:8080/dev/@connections/{connectionId} (SigV4-signed only; no --management-keys: every call refused)\n"),
            std::string::npos) << b;
  EXPECT_NE(b.find("Metrics:         http://127.0.0.1:8081/metrics\n"), std::string::npos) << b;
  c.management_keys["AKID"] = "secret";
  c.management_bind = "0.0.0.0";
  c.region = "eu-west-1";
  c.tls_cert_file = "cert.pem";
  b = management_banner(c, 8081, "https://127.0.0.1:8080");
  EXPECT_NE(b.find("https://127.0.0.1:8081/dev/@connections/{connectionId} (SigV4, region eu-west-1; listening on 0.0.0.0)"),
            std::string::npos) << b;
  EXPECT_NE(b.find("https://127.0.0.1:8080/dev/@connections/{connectionId} (SigV4-signed only)\n"), std::string::npos) << b;
}

}  // namespace
}  // namespace app

// Who may call the management API, per listener (gateway/management_auth): the public port
// takes SigV4-signed calls only, whatever the peer; the management listener takes direct
// loopback peers unsigned unless the operator configured keys; the functions' per-run key is
// accepted everywhere without making signatures mandatory.
#include "gateway/management_auth.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

#include "sign_request.hpp"

namespace gateway {
namespace {

namespace http = boost::beast::http;

const std::string kTarget = "/dev/@connections/AAAAAAAAAAAAAAA%3D";

HttpRequest unsigned_post() {
  HttpRequest req{http::verb::post, kTarget, 11};
  req.set(http::field::host, "127.0.0.1:8080");
  req.body() = "hello";
  req.prepare_payload();
  return req;
}

HttpRequest signed_post(const std::string& id, const std::string& secret, const std::string& region = "us-east-1") {
  HttpRequest req = unsigned_post();
  testing::sign_execute_api(req, id, secret, region);
  return req;
}

std::string error_type(const std::optional<HttpResponse>& r) {
  if (!r) return "allowed";
  EXPECT_EQ(r->result_int(), 403u);
  return std::string(r->at("x-amzn-ErrorType"));
}

Config with_function_key() {
  Config c;
  c.function_keys["parleylocal"] = "per-run-secret";
  return c;
}

TEST(ManagementAuth, PublicPortRefusesUnsignedCallsWithoutKeys) {
  Config c;
  EXPECT_EQ(error_type(refuse_management(c, unsigned_post(), ManagementCaller::public_port)),
            "MissingAuthenticationTokenException");
  EXPECT_EQ(error_type(refuse_management(c, signed_post("AKIDANY", "any"), ManagementCaller::public_port)),
            "UnrecognizedClientException");
}

TEST(ManagementAuth, PublicPortAcceptsTheOperatorsAndTheFunctionsKeys) {
  Config c = with_function_key();
  c.management_keys["AKIDOPERATOR"] = "operator-secret";
  EXPECT_EQ(error_type(refuse_management(c, signed_post("AKIDOPERATOR", "operator-secret"), ManagementCaller::public_port)),
            "allowed");
  EXPECT_EQ(error_type(refuse_management(c, signed_post("parleylocal", "per-run-secret"), ManagementCaller::public_port)),
            "allowed");
  EXPECT_EQ(error_type(refuse_management(c, signed_post("parleylocal", "guessed"), ManagementCaller::public_port)),
            "InvalidSignatureException");
  EXPECT_EQ(error_type(refuse_management(c, signed_post("AKIDOPERATOR", "operator-secret", "eu-west-1"),
                                         ManagementCaller::public_port)),
            "InvalidSignatureException");
  EXPECT_EQ(error_type(refuse_management(c, unsigned_post(), ManagementCaller::public_port)),
            "MissingAuthenticationTokenException");
}

TEST(ManagementAuth, ManagementListenerTakesDirectLoopbackPeersUnsignedUntilKeysAreConfigured) {
  Config c = with_function_key();  // the functions' key alone makes nothing mandatory
  EXPECT_EQ(error_type(refuse_management(c, unsigned_post(), ManagementCaller::local)), "allowed");
  EXPECT_EQ(error_type(refuse_management(c, unsigned_post(), ManagementCaller::remote)), "ForbiddenException");
  c.management_keys["AKIDOPERATOR"] = "operator-secret";
  EXPECT_EQ(error_type(refuse_management(c, unsigned_post(), ManagementCaller::local)),
            "MissingAuthenticationTokenException");
  EXPECT_EQ(error_type(refuse_management(c, signed_post("parleylocal", "per-run-secret"), ManagementCaller::local)),
            "allowed");
  EXPECT_EQ(error_type(refuse_management(c, signed_post("AKIDOPERATOR", "operator-secret"), ManagementCaller::remote)),
            "allowed");
  EXPECT_EQ(error_type(refuse_management(c, unsigned_post(), ManagementCaller::remote)),
            "MissingAuthenticationTokenException");
}

}  // namespace
}  // namespace gateway

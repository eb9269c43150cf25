#include "apigw/post_batch.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using apigw::batch::decode_answer;
using apigw::batch::decode_request;
using apigw::batch::encode_answer;
using apigw::batch::encode_request;

TEST(PostBatch, RequestRoundTripsIdsAndAFrameOfAnyBytes) {
  const std::vector<std::string> ids{"AbCdEfGhIjKlMnO=", "x", "Zz09+/="};
  // Newlines, NUL and non-UTF-8 bytes in the frame: it is never escaped, taken to the end.
  const std::string frame = std::string("{\"t\":\"a\nb\"}\n\0\xff", 15);
  const auto body = encode_request(ids, frame);
  EXPECT_EQ(body.substr(0, 2), "3\n");
  std::string why;
  const auto r = decode_request(body, why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->ids, ids);
  EXPECT_EQ(r->frame, frame);
}

TEST(PostBatch, AnEmptyFrameIsAFrame) {
  std::string why;
  const std::vector<std::string> ids{"a"};
  const auto r = decode_request(encode_request(ids, ""), why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->frame, "");
}

TEST(PostBatch, MalformedRequestsAreRefusedSayingWhy) {
  const auto refused = [](std::string_view body) {
    std::string why;
    const bool ok = decode_request(body, why).has_value();
    EXPECT_FALSE(ok) << body;
    return why;
  };
  EXPECT_NE(refused("").find("number of ids"), std::string::npos);
  EXPECT_NE(refused("hello").find("number of ids"), std::string::npos);
  EXPECT_NE(refused("2x\na\nb\n").find("number of ids"), std::string::npos);
  EXPECT_NE(refused("-1\na\n").find("number of ids"), std::string::npos);
  EXPECT_NE(refused("0\nframe").find("1 to 10000 ids"), std::string::npos);
  EXPECT_NE(refused("10001\n").find("1 to 10000 ids"), std::string::npos);
  EXPECT_NE(refused("3\na\nb\n").find("ends before its 3 ids"), std::string::npos);
  EXPECT_NE(refused("2\na\n\nframe").find("id 1 is not a connection id"), std::string::npos);
  EXPECT_NE(refused("1\na b\nframe").find("id 0"), std::string::npos);
  EXPECT_NE(refused("1\n" + std::string(129, 'a') + "\nframe").find("id 0"), std::string::npos);
}

TEST(PostBatch, ValidIdsArePrintableAsciiUpTo128Bytes) {
  EXPECT_TRUE(apigw::batch::valid_id("AbCdEfGhIjKlMnO="));
  EXPECT_TRUE(apigw::batch::valid_id(std::string(128, 'a')));
  EXPECT_FALSE(apigw::batch::valid_id(""));
  EXPECT_FALSE(apigw::batch::valid_id(std::string(129, 'a')));
  EXPECT_FALSE(apigw::batch::valid_id("a\tb"));
  EXPECT_FALSE(apigw::batch::valid_id("\xc3\xa9"));
}

TEST(PostBatch, TheLargestBatchFitsTheServersBodyLimit) {
  const std::vector<std::string> ids(apigw::batch::max_ids, std::string(apigw::batch::max_id_bytes, 'a'));
  const std::string frame(131072, 'f');
  EXPECT_LE(encode_request(ids, frame).size(), apigw::batch::max_body_bytes(131072));
  std::string why;
  EXPECT_TRUE(decode_request(encode_request(ids, frame), why)) << why;
}

TEST(PostBatch, AnswerNamesGoneAndThrottledRecipientsByIndex) {
  const std::vector<core::result<void>> results{
      {}, core::make_error_code(core::errc::gone), {}, core::make_error_code(core::errc::limit_exceeded),
      core::make_error_code(core::errc::gone)};
  const auto body = encode_answer(results);
  EXPECT_EQ(body, R"({"gone":[1,4],"throttled":[3]})");
  const auto back = decode_answer(body, results.size());
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(bool((*back)[i]), bool(results[i])) << i;
    if (!results[i]) {
      EXPECT_EQ((*back)[i].error(), results[i].error()) << i;
    }
  }
}

TEST(PostBatch, AnAnswerThatIsNotOneIsNotTakenForDelivered) {
  EXPECT_FALSE(decode_answer("", 2));
  EXPECT_FALSE(decode_answer("[]", 2));
  EXPECT_FALSE(decode_answer(R"({"gone":[2]})", 2));   // out of range
  EXPECT_FALSE(decode_answer(R"({"gone":[-1]})", 2));
  EXPECT_FALSE(decode_answer(R"({"gone":"0"})", 2));
  EXPECT_FALSE(decode_answer(R"({"throttled":[0.5]})", 2));
  const auto none = decode_answer("{}", 2);  // every recipient delivered
  ASSERT_TRUE(none);
  EXPECT_TRUE((*none)[0] && (*none)[1]);
}

TEST(PostBatch, TargetIsUnderTheStage) {
  EXPECT_EQ(apigw::batch::target("/dev"), "/dev/@parley/post");
  EXPECT_EQ(apigw::batch::target(""), "/@parley/post");
}

}  // namespace

// integration::lambda_process::FunctionLog: a function's output as `sam local` prints it.
#include "integration/lambda_process/function_log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace {

using integration::lambda_process::FunctionLog;
using namespace std::chrono_literals;

TEST(FunctionLog, LinesCarryTheFunctionAndTheRequestId) {
  std::string out;
  FunctionLog log("ConnectFunction");
  log.capture(&out);
  log.output("during init\n", "");
  log.output("hel", "req-1");
  EXPECT_EQ(out, "[ConnectFunction] during init\n") << "a partial line waits for its end";
  log.output("lo\r\nworld\npart", "req-1");
  log.flush("req-1");
  EXPECT_EQ(out,
            "[ConnectFunction] during init\n"
            "[ConnectFunction] req-1  hello\n"
            "[ConnectFunction] req-1  world\n"
            "[ConnectFunction] req-1  part\n");
}

TEST(FunctionLog, StartEndReportAsLambdaPrintsThem) {
  std::string out;
  FunctionLog log("F");
  log.capture(&out);
  log.start("id-1");
  log.end("id-1", 1234567ns, 256, 40, 85250000ns);
  log.end("id-2", 3ms, 128, 41, std::nullopt);
  EXPECT_EQ(out,
            "[F] START RequestId: id-1 Version: $LATEST\n"
            "[F] END RequestId: id-1\n"
            "[F] REPORT RequestId: id-1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: "
            "256 MB\tMax Memory Used: 40 MB\tInit Duration: 85.25 ms\n"
            "[F] END RequestId: id-2\n"
            "[F] REPORT RequestId: id-2\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: "
            "128 MB\tMax Memory Used: 41 MB\n");
}

TEST(FunctionLog, ARunawayLineIsPrintedInPieces) {
  std::string out;
  FunctionLog log("F");
  log.capture(&out);
  log.output(std::string(70 * 1024, 'x'), "r");
  EXPECT_EQ(out.size(), std::string("[F] r  ").size() + 70 * 1024 + 1);
}

TEST(FunctionLog, MaxMemoryUsedIsThePeakResidentSize) {
  const int mb = integration::lambda_process::max_memory_used_mb(::getpid());
  EXPECT_GT(mb, 0);
  EXPECT_LT(mb, 4096);
  EXPECT_EQ(integration::lambda_process::max_memory_used_mb(999999999), 0);
}

}  // namespace

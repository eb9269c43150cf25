#include "client/line_reader.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace {

struct Collected {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> lines;
  bool eof = false;

  bool wait_eof() {
    std::unique_lock lock(m);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return eof; });
  }
};

TEST(LineReader, SplitsLinesAndReportsTheEnd) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  Collected c;
  client::LineReader reader(
      p[0],
      [&](std::string l) {
        std::lock_guard lock(c.m);
        c.lines.push_back(std::move(l));
      },
      [&] {
        std::lock_guard lock(c.m);
        c.eof = true;
        c.cv.notify_all();
      });
  reader.start();
  const std::string input = "one\r\ntwo\n\nthree";  // CRLF, an empty line, no final newline
  ASSERT_EQ(::write(p[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  ::close(p[1]);
  ASSERT_TRUE(c.wait_eof());
  reader.stop();
  ::close(p[0]);
  EXPECT_EQ(c.lines, (std::vector<std::string>{"one", "two", "", "three"}));
}

TEST(LineReader, StopWakesAReaderWaitingForInput) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  bool eof = false;
  {
    client::LineReader reader(p[0], [](std::string) {}, [&] { eof = true; });
    reader.start();
    reader.stop();  // must return although nothing was written
  }
  EXPECT_FALSE(eof);
  ::close(p[0]);
  ::close(p[1]);
}

}  // namespace

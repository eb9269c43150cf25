#pragma once
// Server events as the lines a person reads in a terminal:
//   [12:03] #lobby ann: hi        * bob joined #lobby        [12:04] ann → bob: psst
//   ! not_member: you are not in room "dev"
#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

namespace client {

class Renderer {
 public:
  // Times in the local time zone, or UTC (tests, and people who ask for it).
  explicit Renderer(bool utc = false) : utc_(utc) {}

  // The line for one event, or nothing for events a person does not need to see (ack, pong,
  // history: its messages are rendered one by one).
  std::optional<std::string> line(const boost::json::object& event) const;

  // A `message` or `dm` event, also inside a history page.
  std::string message(const boost::json::object& m) const;

  // "[12:03]" for epoch milliseconds.
  std::string clock(std::int64_t epoch_ms) const;

 private:
  bool utc_;
};

}  // namespace client

#pragma once
// The client side of protocol.md's "Ordering and catch-up": per room, the highest seq shown
// (`last`), live messages that arrived early kept aside, and the requests that fill gaps. Pure:
// no I/O and no clock of its own, so every rule is unit-tested.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace client {

class ChatState {
 public:
  // What an event brings to the screen.
  struct Shown {
    std::vector<boost::json::object> messages;  // new messages (message/dm), oldest first
    std::vector<boost::json::object> older;     // a scroll-back page, older than all shown
  };

  // Take `seq` as already seen in `room` (the --since of the command line).
  void set_since(const std::string& room, std::int64_t seq);

  // A live `message` or `dm` event arriving at `now_ms` (rules 2-4).
  Shown on_message(const boost::json::object& event, std::int64_t now_ms);

  // A `history` event (rule 1; a page older than everything shown is scroll-back).
  Shown on_history(const boost::json::object& event, std::int64_t now_ms);

  // History requests for the rooms whose gap has lasted `patience_ms` by `now_ms` (rule 4:
  // the awaited history did not come). Each room asks again only after another patience_ms.
  std::vector<boost::json::object> gap_requests(std::int64_t now_ms, std::int64_t patience_ms);

  // True while some room has messages kept aside or knows of messages it has not shown.
  bool has_gaps() const;

  // The client left `room`: what it still waits for there will not come.
  void on_left(const std::string& room);

  // The request for the page before the oldest message shown in `room` (`limit` messages), or
  // nothing when message 1 is already shown.
  std::optional<boost::json::object> older_request(const std::string& room, int limit) const;

  // The catch-up point of a room (its `last`), once it has one.
  std::optional<std::int64_t> last(const std::string& room) const;

  // Catch-up points of every room the client knows, dm rooms included, for a reconnect.
  std::map<std::string, std::int64_t> catch_up_points() const;

  static bool is_dm_room(const std::string& room) { return room.rfind("dmu:", 0) == 0; }

 private:
  struct Room {
    bool baseline = false;   // `last` is meaningful (a history came, or a since was given)
    std::int64_t last = 0;   // highest seq shown
    std::int64_t oldest = 0; // lowest seq shown, 0 while nothing is shown
    std::int64_t known = 0;  // highest seq known to exist (kept messages, history lastSeq)
    std::map<std::int64_t, boost::json::object> kept;  // early live messages by seq
    std::int64_t gap_since = -1;  // when the current gap was noticed (or last asked about)
  };

  void show(Room& r, boost::json::object m, Shown& out);
  void drain(Room& r, Shown& out);
  void update_gap(Room& r, std::int64_t now_ms);

  std::map<std::string, Room> rooms_;
};

}  // namespace client

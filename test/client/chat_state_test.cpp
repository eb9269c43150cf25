#include "client/chat_state.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace {

using client::ChatState;
namespace json = boost::json;

json::object msg(const std::string& room, std::int64_t seq, const std::string& type = "message") {
  return {{"type", type}, {"room", room}, {"seq", seq}, {"text", "m" + std::to_string(seq)}};
}

json::object history(const std::string& room, std::initializer_list<std::int64_t> seqs,
                     std::int64_t last_seq, bool has_more = false) {
  json::array ms;
  for (auto s : seqs) ms.push_back(msg(room, s));
  return {{"type", "history"}, {"room", room}, {"messages", ms}, {"hasMore", has_more},
          {"lastSeq", last_seq}};
}

std::vector<std::int64_t> seqs(const std::vector<json::object>& ms) {
  std::vector<std::int64_t> out;
  for (const auto& m : ms) out.push_back(m.at("seq").as_int64());
  return out;
}

using V = std::vector<std::int64_t>;

TEST(ChatState, HistoryThenLiveInOrder) {
  ChatState s;
  EXPECT_EQ(seqs(s.on_history(history("lobby", {1, 2, 3}, 3), 0).messages), (V{1, 2, 3}));
  EXPECT_EQ(seqs(s.on_message(msg("lobby", 4), 0).messages), (V{4}));
  EXPECT_EQ(s.last("lobby"), 4);
  EXPECT_FALSE(s.has_gaps());
}

TEST(ChatState, LiveDuplicateIsDropped) {
  ChatState s;
  s.on_history(history("lobby", {1, 2}, 2), 0);
  EXPECT_TRUE(s.on_message(msg("lobby", 2), 0).messages.empty());
  EXPECT_TRUE(s.on_message(msg("lobby", 1), 0).messages.empty());
  EXPECT_EQ(seqs(s.on_message(msg("lobby", 3), 0).messages), (V{3}));
  EXPECT_TRUE(s.on_message(msg("lobby", 3), 0).messages.empty());
}

TEST(ChatState, LiveBeforeTheFirstHistoryWaitsForIt) {
  ChatState s;
  // The live message outran the history that also holds it.
  EXPECT_TRUE(s.on_message(msg("lobby", 3), 0).messages.empty());
  EXPECT_TRUE(s.has_gaps());
  EXPECT_EQ(seqs(s.on_history(history("lobby", {1, 2, 3}, 3), 0).messages), (V{1, 2, 3}));
  EXPECT_FALSE(s.has_gaps());
  EXPECT_EQ(s.last("lobby"), 3);
}

TEST(ChatState, GapIsBufferedAndFilledByHistory) {
  ChatState s;
  s.on_history(history("lobby", {1}, 1), 0);
  EXPECT_TRUE(s.on_message(msg("lobby", 4), 10).messages.empty());
  EXPECT_TRUE(s.on_message(msg("lobby", 3), 20).messages.empty());
  EXPECT_TRUE(s.has_gaps());
  // A history after 1 brings 2 and 3; the kept 4 follows.
  EXPECT_EQ(seqs(s.on_history(history("lobby", {2, 3}, 3), 30).messages), (V{2, 3, 4}));
  EXPECT_FALSE(s.has_gaps());
}

TEST(ChatState, GapIsFilledByTheMissingLiveMessage) {
  ChatState s;
  s.on_history(history("lobby", {}, 0), 0);
  EXPECT_TRUE(s.on_message(msg("lobby", 2), 0).messages.empty());
  EXPECT_TRUE(s.on_message(msg("lobby", 3), 0).messages.empty());
  EXPECT_EQ(seqs(s.on_message(msg("lobby", 1), 0).messages), (V{1, 2, 3}));
  EXPECT_FALSE(s.has_gaps());
}

TEST(ChatState, GapAsksForHistoryAfterPatience) {
  ChatState s;
  s.on_history(history("lobby", {1, 2}, 2), 0);
  s.on_message(msg("lobby", 5), 1000);
  EXPECT_TRUE(s.gap_requests(1500, 1000).empty());  // not yet: the history may be on its way
  auto reqs = s.gap_requests(2000, 1000);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].at("action"), "history");
  EXPECT_EQ(reqs[0].at("room"), "lobby");
  EXPECT_EQ(reqs[0].at("after"), 2);
  // Asked: again only after another moment.
  EXPECT_TRUE(s.gap_requests(2500, 1000).empty());
  EXPECT_EQ(s.gap_requests(3000, 1000).size(), 1u);
  EXPECT_EQ(seqs(s.on_history(history("lobby", {3, 4, 5}, 5), 3100).messages), (V{3, 4, 5}));
  EXPECT_TRUE(s.gap_requests(10000, 1000).empty());
}

TEST(ChatState, RoomWithoutHistoryAsksForTheNewestPage) {
  ChatState s;
  s.on_message(msg("dev", 7), 0);
  auto reqs = s.gap_requests(1000, 1000);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_FALSE(reqs[0].contains("after"));
}

TEST(ChatState, HistoryBehindTheRoomAsksForTheRest) {
  ChatState s;
  // A catch-up page: lastSeq says more exist than the page holds.
  s.on_history(history("lobby", {1, 2}, 4, true), 0);
  EXPECT_TRUE(s.has_gaps());
  EXPECT_EQ(s.gap_requests(1000, 1000).at(0).at("after"), 2);
  s.on_history(history("lobby", {3, 4}, 4), 1100);
  EXPECT_FALSE(s.has_gaps());
}

// Issue 15, item 1: on DynamoDB a failed send leaves its seq empty (sealed by the history read
// that passes it). A page that skips it moves `last` past it, and the messages after it show.
TEST(ChatState, APageThatSkipsAnEmptySeqMovesPastIt) {
  ChatState s;
  s.on_history(history("lobby", {1, 2}, 2), 0);
  EXPECT_TRUE(s.on_message(msg("lobby", 4), 100).messages.empty());  // 3 was never stored
  EXPECT_TRUE(s.on_message(msg("lobby", 5), 100).messages.empty());
  EXPECT_EQ(s.gap_requests(1100, 1000).at(0).at("after"), 2);
  EXPECT_EQ(seqs(s.on_history(history("lobby", {4}, 5), 1200).messages), (V{4, 5}));
  EXPECT_EQ(s.last("lobby"), 5);
  EXPECT_FALSE(s.has_gaps());
  EXPECT_EQ(seqs(s.on_message(msg("lobby", 6), 1300).messages), (V{6}));
}

// The failed send was the room's newest: lastSeq counts a seq no page will ever hold. The
// page says so (no hasMore): no gap, so no request loop.
TEST(ChatState, AnEmptySeqAtTheEndIsNoGapToAskAboutForEver) {
  ChatState s;
  s.on_history(history("lobby", {1, 2}, 3), 0);  // 3: taken, not stored (yet, or ever)
  EXPECT_FALSE(s.has_gaps());
  EXPECT_TRUE(s.gap_requests(100000, 1000).empty());
  // It was in flight after all: it comes live, in order.
  EXPECT_EQ(seqs(s.on_message(msg("lobby", 3), 100).messages), (V{3}));
  // A page cut by its limit still asks for the rest.
  s.on_history(history("lobby", {4, 5}, 9, true), 200);
  EXPECT_TRUE(s.has_gaps());
  EXPECT_EQ(s.gap_requests(1200, 1000).at(0).at("after"), 5);
  s.on_history(history("lobby", {6, 7}, 9), 1300);
  EXPECT_FALSE(s.has_gaps());
  EXPECT_TRUE(s.gap_requests(100000, 1000).empty());
}

// A live message kept aside inside the range of a page is shown in its place, once.
TEST(ChatState, AKeptMessageInsideAPageShowsInOrder) {
  ChatState s;
  s.on_history(history("lobby", {1}, 1), 0);
  s.on_message(msg("lobby", 3), 0);
  EXPECT_EQ(seqs(s.on_history(history("lobby", {2, 4}, 4), 0).messages), (V{2, 3, 4}));
}

TEST(ChatState, HistoryOverlappingWhatWasShownShowsOnlyTheNew) {
  ChatState s;
  s.on_history(history("lobby", {1, 2, 3}, 3), 0);
  s.on_message(msg("lobby", 4), 0);
  // joined + history again (a second /join): nothing twice.
  EXPECT_EQ(seqs(s.on_history(history("lobby", {2, 3, 4, 5}, 5), 0).messages), (V{5}));
}

TEST(ChatState, ScrollBackPageIsOlder) {
  ChatState s;
  s.on_history(history("lobby", {51, 52}, 52, true), 0);
  auto req = s.older_request("lobby", 20);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->at("before"), 51);
  EXPECT_EQ(req->at("limit"), 20);
  const auto shown = s.on_history(history("lobby", {31, 32, 50}, 52, true), 0);
  EXPECT_TRUE(shown.messages.empty());
  EXPECT_EQ(seqs(shown.older), (V{31, 32, 50}));
  EXPECT_EQ(s.older_request("lobby", 20)->at("before"), 31);
  // The same page again shows nothing.
  EXPECT_TRUE(s.on_history(history("lobby", {31, 32, 50}, 52), 0).older.empty());
  EXPECT_EQ(s.last("lobby"), 52);
}

TEST(ChatState, NoOlderRequestAtTheFirstMessage) {
  ChatState s;
  s.on_history(history("lobby", {1, 2}, 2), 0);
  EXPECT_FALSE(s.older_request("lobby", 20));
  // A room never seen: the newest page.
  auto req = s.older_request("dev", 20);
  ASSERT_TRUE(req);
  EXPECT_FALSE(req->contains("before"));
}

TEST(ChatState, SinceSkipsWhatTheClientHas) {
  ChatState s;
  s.set_since("lobby", 10);
  EXPECT_TRUE(s.on_message(msg("lobby", 10), 0).messages.empty());
  EXPECT_EQ(seqs(s.on_history(history("lobby", {11, 12}, 12), 0).messages), (V{11, 12}));
  // /history pages back from below the since point.
  EXPECT_EQ(s.older_request("lobby", 5)->at("before"), 11);
}

TEST(ChatState, ReconnectCatchUpShowsEachMessageOnce) {
  ChatState s;
  s.on_history(history("lobby", {1, 2, 3}, 3), 0);
  s.on_history(history("dev", {}, 0), 0);
  s.on_message(msg("dev", 1), 0);
  // Connection lost; the catch-up points are what a reconnect sends as since.
  const auto points = s.catch_up_points();
  EXPECT_EQ(points.at("lobby"), 3);
  EXPECT_EQ(points.at("dev"), 1);
  // The new connection's history after 3, with a live message racing it.
  EXPECT_TRUE(s.on_message(msg("lobby", 6), 0).messages.empty());
  EXPECT_EQ(seqs(s.on_history(history("lobby", {4, 5, 6}, 6), 0).messages), (V{4, 5, 6}));
  EXPECT_TRUE(s.on_message(msg("lobby", 5), 0).messages.empty());
  EXPECT_EQ(seqs(s.on_history(history("dev", {2}, 2), 0).messages), (V{2}));
  EXPECT_FALSE(s.has_gaps());
}

TEST(ChatState, FirstDirectMessageStartsThePair) {
  ChatState s;
  EXPECT_EQ(seqs(s.on_message(msg("dmu:g_ann:g_bob", 7, "dm"), 0).messages), (V{7}));
  EXPECT_TRUE(s.on_message(msg("dmu:g_ann:g_bob", 7, "dm"), 0).messages.empty());
  EXPECT_TRUE(s.on_message(msg("dmu:g_ann:g_bob", 9, "dm"), 0).messages.empty());
  EXPECT_EQ(seqs(s.on_message(msg("dmu:g_ann:g_bob", 8, "dm"), 0).messages), (V{8, 9}));
  EXPECT_EQ(s.catch_up_points().at("dmu:g_ann:g_bob"), 9);
}

TEST(ChatState, RoomsAreIndependent) {
  ChatState s;
  s.on_history(history("a", {1}, 1), 0);
  s.on_history(history("b", {1, 2, 3}, 3), 0);
  EXPECT_EQ(seqs(s.on_message(msg("a", 2), 0).messages), (V{2}));
  EXPECT_TRUE(s.on_message(msg("b", 3), 0).messages.empty());
}

TEST(ChatState, LeavingDropsWhatWasAwaited) {
  ChatState s;
  s.on_history(history("dev", {1}, 1), 0);
  s.on_message(msg("dev", 3), 0);
  EXPECT_TRUE(s.has_gaps());
  s.on_left("dev");
  EXPECT_FALSE(s.has_gaps());
  EXPECT_EQ(s.last("dev"), 1);  // a later /join asks since 1
}

TEST(ChatState, MessageWithoutSeqIsShownAsIs) {
  ChatState s;
  json::object m{{"type", "message"}, {"room", "lobby"}, {"text", "?"}};
  EXPECT_EQ(s.on_message(m, 0).messages.size(), 1u);
}

}  // namespace

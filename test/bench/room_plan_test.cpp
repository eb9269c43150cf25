#include "bench/room_plan.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using bench::room_of;
using bench::room_size;
using bench::sends_due;

TEST(RoomPlan, ConnectionsAreDealtOverTheRooms) {
  EXPECT_EQ(room_of(0, 1000), 0u);
  EXPECT_EQ(room_of(1, 1000), 1u);
  EXPECT_EQ(room_of(1000, 1000), 0u);
  EXPECT_EQ(room_of(9999, 1000), 999u);
  EXPECT_EQ(room_of(7, 1), 0u) << "one room holds everyone";
}

TEST(RoomPlan, RoomSizesAddUpAndDifferByAtMostOne) {
  EXPECT_EQ(room_size(0, 10000, 1000), 10u);
  EXPECT_EQ(room_size(999, 10000, 1000), 10u);
  EXPECT_EQ(room_size(1000, 10000, 1000), 0u) << "no such room";
  EXPECT_EQ(room_size(0, 100, 1), 100u);
  // 43 over 4: rooms 0..2 get 11, room 3 gets 10, as room_of deals them.
  std::vector<std::size_t> counted(4, 0);
  for (std::size_t i = 0; i < 43; ++i) ++counted[room_of(i, 4)];
  for (std::size_t r = 0; r < 4; ++r) EXPECT_EQ(room_size(r, 43, 4), counted[r]) << "room " << r;
}

TEST(RoomPlan, SteadySendsAreSpreadEvenlyOverTheInterval) {
  constexpr std::int64_t second = 1'000'000'000;
  // 10,000 connections, one send each every 2 s: 5,000 sends a second, evenly.
  EXPECT_EQ(sends_due(0, 2 * second, 10000), 1u) << "the first is due at once";
  EXPECT_EQ(sends_due(second / 1000, 2 * second, 10000), 6u) << "5 per ms after the first";
  EXPECT_EQ(sends_due(2 * second - 1, 2 * second, 10000), 10000u) << "each connection once";
  EXPECT_EQ(sends_due(2 * second, 2 * second, 10000), 10001u) << "then the second round begins";
  EXPECT_EQ(sends_due(-1, 2 * second, 10000), 0u);
  EXPECT_EQ(sends_due(second, 0, 10000), 0u);
  // An hour of a million connections does not overflow: 1,800 rounds.
  EXPECT_EQ(sends_due(3600 * second, 2 * second, 1'000'000), 1'800'000'001u);
}

TEST(RoomPlan, EachConnectionSendsOncePerRound) {
  constexpr std::int64_t interval = 1'000'000;
  constexpr std::size_t n = 37;
  std::vector<int> sends(n, 0);
  std::uint64_t done = 0;
  // Ticks of uneven length, as the main thread's sleeps are.
  for (std::int64_t t = 0; t < 3 * interval; t += 12'345) {
    for (const auto due = sends_due(t, interval, n); done < due; ++done) ++sends[done % n];
  }
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(sends[i], 3) << "connection " << i;
}

}  // namespace

#include "handlers/disconnect.hpp"

#include <gtest/gtest.h>

#include "chat_fixture.hpp"

namespace {

using fakes::disconnect_event;

class Disconnect : public fakes::ChatTest {};

TEST_F(Disconnect, DeletesTheRowOnly) {
  const auto r = handlers::disconnect(disconnect_event(A), ports_);
  EXPECT_EQ(r.status_code, 200);
  EXPECT_FALSE(store_.connection(A));
  EXPECT_TRUE(store_.connection(B));
  EXPECT_TRUE(store_.connection(C));
  EXPECT_EQ(store_.connections_in_room("lobby").value(), std::vector<std::string>{B});
}

TEST_F(Disconnect, UnknownConnectionIsFine) {
  EXPECT_EQ(handlers::disconnect(disconnect_event("ZZZZzzzzZZZZzzz="), ports_).status_code, 200);
  EXPECT_EQ(store_.connection_count(), 3u);
}

TEST_F(Disconnect, TwiceIsFine) {
  EXPECT_TRUE(handlers::disconnect(disconnect_event(A), ports_).ok());
  EXPECT_TRUE(handlers::disconnect(disconnect_event(A), ports_).ok());
  EXPECT_EQ(store_.connection_count(), 2u);
}

TEST_F(Disconnect, PostsNothing) {
  handlers::disconnect(disconnect_event(A), ports_);
  EXPECT_TRUE(connections_.attempts().empty());
}

TEST_F(Disconnect, StoreFailureIs500AndKeepsTheRow) {
  store_.fail(fakes::FakeStore::Op::delete_connection);
  const auto r = handlers::disconnect(disconnect_event(A), ports_);
  EXPECT_EQ(r.status_code, 500);
  EXPECT_TRUE(store_.connection(A));
}

}  // namespace

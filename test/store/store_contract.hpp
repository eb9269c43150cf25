#pragma once
// The store's contract: one typed GoogleTest suite per port (ConnectionTable, Memberships,
// MessageLog, ConnectionViews) that every adapter instantiates, so SQLite and DynamoDB — and
// the decorators that stand in for them — are held to the same behaviour (centrifuge's shared
// broker test).
//
// An adapter's test file defines a harness, constructed afresh for each test, that owns the
// store it opens:
//   struct MyHarness {
//     // The ports on this test's backing; nullopt skips the test (backend not reachable).
//     std::optional<store::Tables> open();
//   };
// and instantiates every suite:
//   namespace store_contract {  // the macro pastes the suite names: they must be in scope
//   INSTANTIATE_STORE_CONTRACT(My, MyHarness);
//   }
// Every test uses keys unique to itself, so a shared backend (DynamoDB Local) needs no cleanup.
//
// The tests live in store_contract_connections.hpp, store_contract_members.hpp,
// store_contract_messages.hpp and store_contract_views.hpp; this header registers them, so an
// adapter instantiates one name and cannot miss a port.
#include "store_contract_connections.hpp"
#include "store_contract_fixture.hpp"
#include "store_contract_members.hpp"
#include "store_contract_messages.hpp"
#include "store_contract_views.hpp"

namespace store_contract {

REGISTER_TYPED_TEST_SUITE_P(
    ConnectionTableContract,
    PutThenGetRoundTripsEveryField, ConnectionWithOnlyAnIdKeepsTheDefaults,
    GetOfMissingConnectionIsNotFound, PutReplacesTheWholeRow, DeleteRemovesTheRow,
    DeleteOfMissingConnectionSucceeds, DeleteConnectionKeepsItsMemberRows,
    EmptyConnectionIdIsInvalidArgument);

REGISTER_TYPED_TEST_SUITE_P(
    MembershipsContract,
    PutConnectionAndMemberStoresBothRows, RenameWritesTheConnectionAndEveryMemberRowGiven,
    PutMemberThenMembersRoundTripsEveryField, MembersListsExactlyThatRoomOrderedByConnectionId,
    MembershipsListsAConnectionsRoomsOrderedByRoom, PutMemberReplacesTheRow,
    DeleteMemberRemovesOnlyThatRow, DeleteOfMissingMemberSucceeds, RoomMembersListsTheRowsOfMembers,
    NameTakenComparesWithoutCaseAndLeavesOutTheAsker, FindMemberReadsOneRowOnItsKey,
    EmptyMemberKeysAreInvalidArgument);

REGISTER_TYPED_TEST_SUITE_P(
    MessageLogContract,
    NonPositiveLimitIsInvalidArgument, AppendAllocatesSeqsFromOnePerRoom,
    AppendIgnoresInputSeqAndKeepsEveryField, RetriedClientMsgIdReturnsTheEarlierMessage,
    EmptyClientMsgIdNeverDeduplicates, ClientMsgIdIsScopedToItsRoom,
    ConcurrentRetriesOfOneClientMsgIdStoreOneMessage,
    LastSeqIsTheNewestSeqAndZeroForAnUnknownRoom, DirectMessageRoomsWorkAsAnyRoom,
    MessagesBeforeWithoutCursorReturnsNewestOldestFirst, MessagesBeforePagesBackThroughHistory,
    MessagesAfterReturnsWhatWasMissedOldestFirst, MessagesOfUnknownRoomAreEmpty,
    ConcurrentAppendsGiveUniqueGapFreeSeqs, AReaderFollowingConcurrentAppendsMissesNothing,
    EmptyRoomIsInvalidArgument);

REGISTER_TYPED_TEST_SUITE_P(ConnectionViewsContract,
                            ConnectionViewReadsTheRowRoomsLastSeqsAndNewestWhereAsked);

}  // namespace store_contract

// Every port's suite on one harness (inside namespace store_contract). The instances are named
// <Prefix>_<port> (e.g. Sqlite_Memberships), so a ctest or gtest name says which port failed.
#define INSTANTIATE_STORE_CONTRACT(Prefix, Harness)                                          \
  INSTANTIATE_TYPED_TEST_SUITE_P(Prefix##_ConnectionTable, ConnectionTableContract,         \
                                 ::testing::Types<Harness>);                                 \
  INSTANTIATE_TYPED_TEST_SUITE_P(Prefix##_Memberships, MembershipsContract,                 \
                                 ::testing::Types<Harness>);                                 \
  INSTANTIATE_TYPED_TEST_SUITE_P(Prefix##_MessageLog, MessageLogContract,                   \
                                 ::testing::Types<Harness>);                                 \
  INSTANTIATE_TYPED_TEST_SUITE_P(Prefix##_ConnectionViews, ConnectionViewsContract,         \
                                 ::testing::Types<Harness>)

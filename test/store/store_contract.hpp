#pragma once
// The Store port's contract: one typed GoogleTest suite that every adapter instantiates, so
// SQLite and DynamoDB are held to the same behaviour (centrifuge's shared broker test).
//
// An adapter's test file defines a harness, constructed afresh for each test:
//   struct MyHarness {
//     // A Store on this test's backing; nullptr skips the test (backend not reachable).
//     std::unique_ptr<store::Store> open();
//   };
// and instantiates the suite:
//   namespace store_contract {  // the macro pastes the suite name: it must be in scope
//   INSTANTIATE_TYPED_TEST_SUITE_P(My, StoreContract, ::testing::Types<MyHarness>);
//   }
// Every test uses keys unique to itself, so a shared backend (DynamoDB Local) needs no cleanup.
//
// The tests live in store_contract_connections.hpp (connections, members) and
// store_contract_messages.hpp (history); this header registers them all as one suite, so an
// adapter instantiates one name and cannot miss a part.
#include "store_contract_connections.hpp"
#include "store_contract_fixture.hpp"
#include "store_contract_messages.hpp"

namespace store_contract {

REGISTER_TYPED_TEST_SUITE_P(
    StoreContract,
    // connections
    PutThenGetRoundTripsEveryField, ConnectionWithOnlyAnIdKeepsTheDefaults,
    GetOfMissingConnectionIsNotFound, PutReplacesTheWholeRow, DeleteRemovesTheRow,
    DeleteOfMissingConnectionSucceeds, DeleteConnectionKeepsItsMemberRows,
    PutConnectionAndMemberStoresBothRows, RenameWritesTheConnectionAndEveryMemberRowGiven,
    // members
    PutMemberThenMembersRoundTripsEveryField, MembersListsExactlyThatRoomOrderedByConnectionId,
    MembershipsListsAConnectionsRoomsOrderedByRoom,
    ConnectionViewReadsTheRowRoomsLastSeqsAndNewestWhereAsked, PutMemberReplacesTheRow,
    DeleteMemberRemovesOnlyThatRow, DeleteOfMissingMemberSucceeds, RoomMembersListsTheRowsOfMembers,
    NameTakenComparesWithoutCaseAndLeavesOutTheAsker, EmptyKeysAreInvalidArgument,
    // messages
    NonPositiveLimitIsInvalidArgument, AppendAllocatesSeqsFromOnePerRoom,
    AppendIgnoresInputSeqAndKeepsEveryField, RetriedClientMsgIdReturnsTheEarlierMessage,
    EmptyClientMsgIdNeverDeduplicates, ClientMsgIdIsScopedToItsRoom,
    ConcurrentRetriesOfOneClientMsgIdStoreOneMessage,
    LastSeqIsTheNewestSeqAndZeroForAnUnknownRoom, DirectMessageRoomsWorkAsAnyRoom,
    MessagesBeforeWithoutCursorReturnsNewestOldestFirst, MessagesBeforePagesBackThroughHistory,
    MessagesAfterReturnsWhatWasMissedOldestFirst, MessagesOfUnknownRoomAreEmpty,
    ConcurrentAppendsGiveUniqueGapFreeSeqs, AReaderFollowingConcurrentAppendsMissesNothing);

}  // namespace store_contract

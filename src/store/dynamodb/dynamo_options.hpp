#pragma once
// Tunables of store::Dynamo.
#include <chrono>
#include <cstdint>
#include <functional>

namespace store {

struct DynamoOptions {
  // Cap on messages_before/messages_after's limit, as SqliteOptions::max_page.
  int max_page = 1000;
  // HTTP timeouts of the store's client: short enough that a dead endpoint fails a handler well
  // within API Gateway's 29 s integration limit (the client's defaults follow botocore: 60 s).
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{5000};
  // A retry of a clientMsgId whose first attempt is still being stored waits this long for it
  // to finish (polling the clientmsgs item) before giving up with store_unavailable.
  std::chrono::milliseconds claim_wait{5000};
  // A clientmsgs claim that never got its seq (its node died mid-append) is taken over by a
  // retry once it is this old: by its claimedAt when this node wrote it or it names no node
  // (Lambda), else once this process has watched it unchanged this long (its own monotonic
  // clock: another machine's claimedAt is never compared with this one's clock). Longer than any append can take with the timeouts above
  // (4 writes × 3 attempts × request_timeout would be 60 s only if every attempt timed out).
  std::chrono::milliseconds claim_lease{30000};
  // A message put that fails after its seq was allocated (the client's own retries spent) is
  // tried again, with backoff, for this long before the append gives up: a seq given up is a
  // gap for good (readers seal it). The put is idempotent (same item, attribute_not_exists, a
  // lost response is recognised by the message id), so trying again never stores two copies.
  std::chrono::milliseconds put_patience{2000};
  // A history read seals the empty seqs it passes (dynamo_history.hpp) when they are at most
  // this far below the next message, and seals at most this many per read: more appends than
  // this to one room in flight at once would be needed for a hole further down to be one.
  std::int64_t seal_reach = 256;
  // Epoch ms for the timestamps this adapter writes (claimedAt, createdAt, sealedAt); empty:
  // core::now_ms. Tests give one instance a skewed clock.
  std::function<std::int64_t()> clock;
};

}  // namespace store

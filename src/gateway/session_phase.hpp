#pragma once
// The life of one WebSocket connection, as one value instead of a handful of flags:
//
//   handshaking ──101 sent──▶ open ──close frame queued──▶ closing ──socket closed──▶ closed
//        │                     │                                                      ▲
//        └─refused / failed────┴──────────── connection lost (no close frame) ────────┘
//
// Written only on the connection's socket loop; read from any thread (send() refuses frames
// unless the phase is `open`), hence the atomic.
#include <atomic>
#include <string_view>

namespace gateway {

enum class Phase : unsigned char { handshaking, open, closing, closed };

std::string_view phase_name(Phase p);

// The allowed moves, all in one place: forward only, never back, and `closed` is final.
constexpr bool transition_allowed(Phase from, Phase to) {
  switch (from) {
    case Phase::handshaking: return to == Phase::open || to == Phase::closed;
    case Phase::open: return to == Phase::closing || to == Phase::closed;
    case Phase::closing: return to == Phase::closed;
    case Phase::closed: return false;
  }
  return false;
}

class PhaseMachine {
 public:
  Phase now() const { return phase_.load(std::memory_order_acquire); }
  bool is(Phase p) const { return now() == p; }
  // Moves to `to` when the move is allowed; false (and no change) otherwise, so that callers
  // racing to end a connection (a close frame, a lost socket, the sweep) act once.
  bool advance(Phase to) {
    const Phase from = now();
    if (!transition_allowed(from, to)) return false;
    phase_.store(to, std::memory_order_release);
    return true;
  }

 private:
  std::atomic<Phase> phase_{Phase::handshaking};
};

}  // namespace gateway

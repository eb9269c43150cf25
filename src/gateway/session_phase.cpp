#include "gateway/session_phase.hpp"

namespace gateway {

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::handshaking: return "handshaking";
    case Phase::open: return "open";
    case Phase::closing: return "closing";
    case Phase::closed: return "closed";
  }
  return "unknown";
}

}  // namespace gateway

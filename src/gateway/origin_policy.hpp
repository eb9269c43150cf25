#pragma once
// The browser origins allowed to open a WebSocket (--allowed-origin). Browsers always send
// Origin on a WebSocket handshake, so a page of another site is refused; clients that send no
// Origin (servers, command-line tools) are not browsers and pass.
#include <string>
#include <string_view>
#include <vector>

namespace gateway {

// True when `allowed` is empty (any origin), `origin` is empty (no Origin header), or `origin`
// is one of `allowed` (scheme and host compared without case; a trailing '/' is ignored).
bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin);

}  // namespace gateway

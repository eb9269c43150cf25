#pragma once
// The batch post: Parley's extension of the management API for node-to-node fan-out
// (docs/scaling.md, "One request per node"). One request carries a frame once and the ids of
// every recipient of a fan-out that one node holds, instead of one PostToConnection per
// recipient. Served only on the management listener, at {base}/@parley/post, under the same
// auth as @connections there; the public port's contract stays exactly AWS's.
//
// Request body (binary-safe: the frame is never escaped):
//   "<n>\n" then n lines "<connection id>\n", then the frame's bytes to the end of the body.
// Answer (200): {"gone":[i,...],"throttled":[i,...]}, indexes into the request's ids of the
// recipients that are gone here (410 for a single post) or whose send queue is full (429);
// every other recipient got the frame. A frame over the post limit is a 413 for the whole batch.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace apigw::batch {

// The path segments after the stage.
inline constexpr std::string_view path_segment = "@parley";
inline constexpr std::string_view path_action = "post";
inline constexpr std::string_view content_type = "application/vnd.parley.post-batch";

// Bounds of one request: a larger fan-out to one node goes in several requests, in order.
inline constexpr std::size_t max_ids = 10000;
inline constexpr std::size_t max_id_bytes = 128;  // Parley's ids are 16; AWS's 16 too

// The largest body a server must read for a frame of up to `max_post_bytes`.
inline constexpr std::size_t max_body_bytes(std::size_t max_post_bytes) {
  return max_post_bytes + 8 + max_ids * (max_id_bytes + 1);
}

// "{base_path}/@parley/post".
std::string target(std::string_view base_path);

// A connection id a batch may carry: 1 to max_id_bytes printable ASCII characters, no space.
bool valid_id(std::string_view id);

// The request body. The ids must be valid_id and at most max_ids (the sender splits).
std::string encode_request(std::span<const std::string> ids, std::string_view frame);

struct Request {
  std::vector<std::string> ids;
  std::string_view frame;  // into the decoded body
};

// Parses a request body; nullopt with `why` set (for a 400's message) when it is malformed.
std::optional<Request> decode_request(std::string_view body, std::string& why);

// The answer body for the results of posting to each id (errors: gone, limit_exceeded).
std::string encode_answer(const std::vector<core::result<void>>& results);

// The results an answer body gives for `n` ids: gone / limit_exceeded where listed, success
// elsewhere; nullopt when the body is not such an answer (an index out of range, not JSON).
std::optional<std::vector<core::result<void>>> decode_answer(std::string_view body, std::size_t n);

}  // namespace apigw::batch

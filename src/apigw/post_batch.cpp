#include "apigw/post_batch.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace apigw::batch {

std::string target(std::string_view base_path) {
  std::string out(base_path);
  out += '/';
  out += path_segment;
  out += '/';
  out += path_action;
  return out;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > max_id_bytes) return false;
  for (const char c : id)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

std::string encode_request(std::span<const std::string> ids, std::string_view frame) {
  std::size_t size = 8 + frame.size();
  for (const auto& id : ids) size += id.size() + 1;
  std::string out;
  out.reserve(size);
  out += std::to_string(ids.size());
  out += '\n';
  for (const auto& id : ids) {
    out += id;
    out += '\n';
  }
  out += frame;
  return out;
}

std::optional<Request> decode_request(std::string_view body, std::string& why) {
  const auto eol = body.find('\n');
  std::size_t n = 0;
  if (eol == std::string_view::npos || eol == 0 || eol > 6) {
    why = "a batch starts with the number of ids and a newline";
    return std::nullopt;
  }
  const auto [end, ec] = std::from_chars(body.data(), body.data() + eol, n);
  if (ec != std::errc() || end != body.data() + eol) {
    why = "a batch starts with the number of ids and a newline";
    return std::nullopt;
  }
  if (n == 0 || n > max_ids) {
    why = "a batch carries 1 to " + std::to_string(max_ids) + " ids";
    return std::nullopt;
  }
  Request r;
  r.ids.reserve(n);
  std::size_t at = eol + 1;
  for (std::size_t i = 0; i < n; ++i) {
    const auto next = body.find('\n', at);
    if (next == std::string_view::npos) {
      why = "the batch ends before its " + std::to_string(n) + " ids";
      return std::nullopt;
    }
    const auto id = body.substr(at, next - at);
    if (!valid_id(id)) {
      why = "id " + std::to_string(i) + " is not a connection id (1-" + std::to_string(max_id_bytes) +
            " printable characters)";
      return std::nullopt;
    }
    r.ids.emplace_back(id);
    at = next + 1;
  }
  r.frame = body.substr(at);
  return r;
}

std::string encode_answer(const std::vector<core::result<void>>& results) {
  boost::json::array gone, throttled;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i]) continue;
    // Only a full send queue is worth telling apart: the sender keeps that member (it catches
    // up), and forgets a gone one.
    if (results[i].error() == core::errc::limit_exceeded) throttled.push_back(i);
    else gone.push_back(i);
  }
  boost::json::object o;
  o["gone"] = std::move(gone);
  o["throttled"] = std::move(throttled);
  return boost::json::serialize(o);
}

std::optional<std::vector<core::result<void>>> decode_answer(std::string_view body, std::size_t n) {
  boost::system::error_code ec;
  const auto json = boost::json::parse(body, ec);
  if (ec || !json.is_object()) return std::nullopt;
  std::vector<core::result<void>> out(n);
  const auto mark = [&](std::string_view key, core::errc e) {
    const auto* list = json.as_object().if_contains(key);
    if (!list) return true;
    if (!list->is_array()) return false;
    for (const auto& v : list->as_array()) {
      if (!v.is_int64() && !v.is_uint64()) return false;
      const auto i = v.to_number<std::int64_t>();
      if (i < 0 || static_cast<std::size_t>(i) >= n) return false;
      out[static_cast<std::size_t>(i)] = core::make_error_code(e);
    }
    return true;
  };
  if (!mark("gone", core::errc::gone) || !mark("throttled", core::errc::limit_exceeded)) return std::nullopt;
  return out;
}

}  // namespace apigw::batch

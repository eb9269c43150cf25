#include "client/chat_state.hpp"

#include <algorithm>

namespace client {
namespace json = boost::json;

namespace {

std::optional<std::int64_t> seq_of(const json::object& m) {
  const json::value* v = m.if_contains("seq");
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

std::optional<std::string> room_of(const json::object& m) {
  const json::value* v = m.if_contains("room");
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

}  // namespace

void ChatState::set_since(const std::string& room, std::int64_t seq) {
  Room& r = rooms_[room];
  r.baseline = true;
  r.last = std::max(r.last, seq);
  r.known = std::max(r.known, r.last);
}

ChatState::Shown ChatState::on_message(const json::object& event, std::int64_t now_ms) {
  Shown out;
  const auto room = room_of(event);
  const auto seq = seq_of(event);
  if (!room || !seq) {
    // Not something the rules can place: show it rather than lose it.
    out.messages.push_back(event);
    return out;
  }
  Room& r = rooms_[*room];
  // A pair's first direct message starts its numbering for us: nobody sends a dm room's
  // history unasked, so there is nothing to wait for.
  if (!r.baseline && is_dm_room(*room)) {
    r.baseline = true;
    r.last = *seq - 1;
  }
  if (r.baseline && *seq <= r.last) return out;  // rule 3: seen already
  r.known = std::max(r.known, *seq);
  if (r.baseline && *seq == r.last + 1) {
    show(r, event, out);  // rule 2
    drain(r, out);
  } else {
    r.kept.emplace(*seq, event);  // rule 4: early, or the room's history has not come yet
  }
  update_gap(r, now_ms);
  return out;
}

ChatState::Shown ChatState::on_history(const json::object& event, std::int64_t now_ms) {
  Shown out;
  const auto room = room_of(event);
  if (!room) return out;
  Room& r = rooms_[*room];
  const bool had_baseline = r.baseline;
  // Below everything shown (or below the since point) is a scroll-back page.
  const std::int64_t floor = r.oldest ? r.oldest : r.last + 1;
  std::int64_t lowest_older = 0, first = 0, top = 0;
  if (const json::value* ms = event.if_contains("messages"); ms && ms->is_array()) {
    for (const json::value& v : ms->get_array()) {
      if (!v.is_object()) continue;
      const json::object& m = v.get_object();
      const auto seq = seq_of(m);
      if (!seq) continue;
      if (had_baseline && *seq < floor) {
        out.older.push_back(m);
        lowest_older = lowest_older ? std::min(lowest_older, *seq) : *seq;
        continue;
      }
      if (had_baseline && *seq <= r.last) continue;  // rule 1: only what is newer than last
      r.kept.insert_or_assign(*seq, m);
      first = first ? std::min(first, *seq) : *seq;
      top = std::max(top, *seq);
    }
  }
  // The first page starts the room where it starts.
  if (!had_baseline && first) r.last = std::max(r.last, first - 1);
  r.baseline = true;
  if (lowest_older) r.oldest = lowest_older;
  // A forward page holds every message stored from where it starts up to its highest seq: a
  // seq it passes without a message stays empty for good (DynamoDB seals it), so `last` moves
  // over it (protocol.md, rule 1).
  while (!r.kept.empty() && r.kept.begin()->first <= top) {
    auto it = r.kept.begin();
    if (it->first > r.last) show(r, std::move(it->second), out);
    r.kept.erase(it);
  }
  drain(r, out);
  // Seqs past the page up to lastSeq were not stored when it was read: in flight (they come
  // live) or failed (the next message's gap passes them). Only a page cut by its limit means
  // more to fetch; otherwise asking again would bring the same answer, for ever.
  if (const json::value* ls = event.if_contains("lastSeq"); ls && ls->is_int64()) {
    const std::int64_t last_seq = ls->get_int64();
    const json::value* more = event.if_contains("hasMore");
    if (more && more->is_bool() && more->get_bool() && r.last < last_seq)
      r.known = std::max(r.known, last_seq);
    else if (r.known <= last_seq)
      r.known = r.last;
  }
  update_gap(r, now_ms);
  return out;
}

std::vector<json::object> ChatState::gap_requests(std::int64_t now_ms, std::int64_t patience_ms) {
  std::vector<json::object> out;
  for (auto& [name, r] : rooms_) {
    if (r.gap_since < 0 || now_ms - r.gap_since < patience_ms) continue;
    json::object req{{"action", "history"}, {"room", name}};
    if (r.baseline) {
      req["after"] = r.last;
      req["limit"] = 100;
    }
    out.push_back(std::move(req));
    r.gap_since = now_ms;
  }
  return out;
}

bool ChatState::has_gaps() const {
  return std::any_of(rooms_.begin(), rooms_.end(),
                     [](const auto& kv) { return kv.second.gap_since >= 0; });
}

void ChatState::on_left(const std::string& room) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  it->second.kept.clear();
  it->second.known = it->second.last;
  it->second.gap_since = -1;
}

std::optional<json::object> ChatState::older_request(const std::string& room, int limit) const {
  json::object req{{"action", "history"}, {"room", room}, {"limit", limit}};
  auto it = rooms_.find(room);
  if (it == rooms_.end() || !it->second.baseline) return req;  // nothing yet: the newest page
  const Room& r = it->second;
  const std::int64_t floor = r.oldest ? r.oldest : r.last + 1;
  if (floor <= 1) return std::nullopt;
  req["before"] = floor;
  return req;
}

std::optional<std::int64_t> ChatState::last(const std::string& room) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end() || !it->second.baseline) return std::nullopt;
  return it->second.last;
}

std::map<std::string, std::int64_t> ChatState::catch_up_points() const {
  std::map<std::string, std::int64_t> out;
  for (const auto& [name, r] : rooms_)
    if (r.baseline) out[name] = r.last;
  return out;
}

void ChatState::show(Room& r, json::object m, Shown& out) {
  const std::int64_t seq = *seq_of(m);
  r.last = seq;
  if (!r.oldest) r.oldest = seq;
  out.messages.push_back(std::move(m));
}

void ChatState::drain(Room& r, Shown& out) {
  if (!r.baseline) return;
  while (!r.kept.empty()) {
    auto it = r.kept.begin();
    if (it->first > r.last + 1) break;  // still a gap
    if (it->first == r.last + 1) show(r, std::move(it->second), out);
    r.kept.erase(it);
  }
}

void ChatState::update_gap(Room& r, std::int64_t now_ms) {
  const bool gap = !r.kept.empty() || (r.baseline && r.known > r.last);
  if (!gap)
    r.gap_since = -1;
  else if (r.gap_since < 0)
    r.gap_since = now_ms;
}

}  // namespace client

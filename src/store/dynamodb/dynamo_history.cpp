#include "store/dynamodb/dynamo_history.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "store/dynamodb/dynamo_errors.hpp"
#include "store/dynamodb/dynamo_items.hpp"

namespace store {
namespace {

namespace json = boost::json;
using aws::dynamodb::item_to_json;
using aws::dynamodb::Item;
using namespace dynamo_items;

struct Hole {
  std::int64_t seq;
  std::int64_t ttl;  // the message above it: the seal expires with it
};

}  // namespace

core::result<std::vector<Item>> DynamoHistory::query(const std::string& room, std::int64_t cursor, bool before,
                                                      int limit) {
  std::vector<Item> items;
  int messages = 0;
  std::optional<json::value> start;
  // Seals count against a page's Limit: read on until `limit` messages or the end.
  while (messages < limit) {
    auto r = request(tables_.messages);
    json::object values{{":r", s(room).to_json()}};
    if (before && cursor <= 0) {
      r["KeyConditionExpression"] = "#r = :r";  // no cursor: the newest
      r["ExpressionAttributeNames"] = json::object{{"#r", "room"}};
    } else {
      r["KeyConditionExpression"] = before ? "#r = :r AND #s < :s" : "#r = :r AND #s > :s";
      r["ExpressionAttributeNames"] = json::object{{"#r", "room"}, {"#s", "seq"}};
      values[":s"] = n(cursor).to_json();
    }
    r["ExpressionAttributeValues"] = std::move(values);
    // messages_before reads newest first to take the page just below `cursor`, then reverses.
    r["ScanIndexForward"] = !before;
    r["Limit"] = limit - messages;
    r["ConsistentRead"] = true;  // an acked message is in the history read right after
    if (start) r["ExclusiveStartKey"] = *start;
    // Limit bounds each page; query_all goes on only when a page stopped at 1 MB before it.
    auto page = db_.query_all(std::move(r), static_cast<std::size_t>(limit - messages));
    if (!page) return store_error(page.error(), before ? "messages_before" : "messages_after", tables_.messages);
    for (auto& item : page->items) {
      if (messages == limit) break;
      if (!is_seal(item)) ++messages;
      items.push_back(std::move(item));
    }
    if (!page->last_evaluated_key) break;
    start = item_to_json(*page->last_evaluated_key);
  }
  if (before) std::reverse(items.begin(), items.end());
  return items;
}

core::result<std::optional<Message>> DynamoHistory::seal(const std::string& room, std::int64_t seq,
                                                          std::int64_t ttl) {
  auto r = request(tables_.messages);
  r["Item"] = item_to_json(seal_item(room, seq, core::now_ms(), ttl));
  r["ConditionExpression"] = "attribute_not_exists(#s)";
  r["ExpressionAttributeNames"] = json::object{{"#s", "seq"}};
  auto put = db_.put_item(std::move(r));
  if (put) return std::optional<Message>();
  if (!put.error().is(aws::dynamodb::errc::conditional_check_failed))
    return store_error(put.error(), "seal_seq", tables_.messages);
  // Something got there first: the message (then it is in this read), or another reader's seal.
  auto get = request(tables_.messages);
  get["Key"] = item_to_json({{"room", s(room)}, {"seq", n(seq)}});
  get["ConsistentRead"] = true;
  auto there = db_.get_item(std::move(get));
  if (!there) return store_error(there.error(), "read_sealed_seq", tables_.messages);
  if (*there && !is_seal(**there)) return std::optional<Message>(message_from(**there));
  if (*there) return std::optional<Message>();
  // Gone again between the two calls (a message that expired right then): nothing to return.
  return std::optional<Message>();
}

core::result<std::vector<Message>> DynamoHistory::read(const std::string& room, std::int64_t cursor, bool before,
                                                       int limit) {
  auto items = query(room, cursor, before, limit);
  if (!items) return items.error();
  std::vector<Message> out;
  for (const auto& item : *items)
    if (!is_seal(item)) out.push_back(message_from(item));
  if (out.empty()) return out;  // nothing passed

  // The holes this read passes, from the top down, each below the next message it returns.
  const std::int64_t first = before ? out.front().seq : cursor + 1;
  const std::int64_t reach = options_.seal_reach;
  std::vector<Hole> holes;
  std::int64_t above = out.back().seq + 1;
  std::int64_t next_seq = out.back().seq;
  std::int64_t next_ttl = out.back().ttl;
  auto holes_down_to = [&](std::int64_t floor) {
    for (std::int64_t h = above - 1; h > floor && h >= next_seq - reach; --h) holes.push_back({h, next_ttl});
  };
  for (auto it = items->rbegin(); it != items->rend(); ++it) {
    const std::int64_t seq = get_n(*it, "seq");
    if (seq < first || seq >= above) continue;
    holes_down_to(seq);
    if (!is_seal(*it)) {
      next_seq = seq;
      next_ttl = get_n(*it, "ttl");
    }
    above = seq;
  }
  holes_down_to(first - 1);
  if (holes.empty()) return out;

  std::reverse(holes.begin(), holes.end());
  std::int64_t cut = 0;  // > 0: the lowest hole left open; the answer stops below it
  if (holes.size() > static_cast<std::size_t>(reach)) {
    cut = holes[static_cast<std::size_t>(reach)].seq;
    holes.resize(static_cast<std::size_t>(reach));
  }
  std::size_t sealed = 0;
  for (const auto& hole : holes) {
    auto found = seal(room, hole.seq, hole.ttl);
    if (!found) return found.error();
    if (*found) out.push_back(std::move(**found));
    else ++sealed;
  }
  core::log::info("history read sealed seqs it passed empty",
                  {{"room", room}, {"sealed", static_cast<std::int64_t>(sealed)},
                   {"filled", static_cast<std::int64_t>(holes.size() - sealed)}});
  std::sort(out.begin(), out.end(), [](const Message& a, const Message& b) { return a.seq < b.seq; });
  if (cut > 0) std::erase_if(out, [cut](const Message& m) { return m.seq > cut; });
  // Messages found in holes may make the page longer than asked: keep the side next to the cursor.
  if (out.size() > static_cast<std::size_t>(limit)) {
    if (before) out.erase(out.begin(), out.end() - limit);
    else out.resize(static_cast<std::size_t>(limit));
  }
  return out;
}

}  // namespace store

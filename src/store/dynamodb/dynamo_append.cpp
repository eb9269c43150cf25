#include "store/dynamodb/dynamo_append.hpp"

#include <algorithm>
#include <thread>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "store/dynamodb/dynamo_errors.hpp"
#include "store/dynamodb/dynamo_items.hpp"

namespace store {
namespace {

namespace json = boost::json;
using aws::dynamodb::item_to_json;
using aws::dynamodb::Item;
using namespace dynamo_items;

bool is_conditional(const aws::dynamodb::Error& e) {
  return e.is(aws::dynamodb::errc::conditional_check_failed);
}

boost::system::error_code unavailable() {
  return core::make_error_code(core::errc::store_unavailable);
}

Item client_msg_key(const Message& m) {
  return {{"room", s(m.room)}, {"clientMsgId", s(m.client_msg_id)}};
}

}  // namespace

core::result<Appended> DynamoAppender::append(Message m) {
  if (m.client_msg_id.empty()) return store_new(std::move(m), "");
  return append_keyed(std::move(m));
}

core::result<Appended> DynamoAppender::append_keyed(Message m) {
  // Each round tries to claim the key; it only comes round again when the key vanished under
  // us (released by a failed attempt, or pointing at a message that expired).
  for (int round = 0; round < 4; ++round) {
    const std::string token = core::new_hex_id();
    auto claim = request(tables_.clientmsgs);
    Item item = client_msg_key(m);
    item["claim"] = s(token);
    item["claimedAt"] = n(now());
    if (!owner_.empty()) item["owner"] = s(owner_);
    if (m.ttl != 0) item["ttl"] = n(m.ttl);  // the key lives as long as its message
    claim["Item"] = item_to_json(item);
    claim["ConditionExpression"] = "attribute_not_exists(#k)";
    claim["ExpressionAttributeNames"] = json::object{{"#k", "clientMsgId"}};
    auto put = db_.put_item(std::move(claim));
    if (put) return store_new(std::move(m), token);
    if (!is_conditional(put.error())) return store_error(put.error(), "claim_client_msg", tables_.clientmsgs);

    // Another attempt holds the key: wait for its seq, then return its message.
    const auto deadline = std::chrono::steady_clock::now() + options_.claim_wait;
    auto delay = std::chrono::milliseconds(5);
    for (;;) {
      auto get = request(tables_.clientmsgs);
      get["Key"] = item_to_json(client_msg_key(m));
      get["ConsistentRead"] = true;
      auto earlier = db_.get_item(std::move(get));
      if (!earlier) return store_error(earlier.error(), "read_client_msg", tables_.clientmsgs);
      if (!*earlier) break;  // released meanwhile: claim it again
      const Item& found = **earlier;
      if (const auto seq = get_n(found, "seq"); seq > 0) {
        auto read = request(tables_.messages);
        read["Key"] = item_to_json({{"room", s(m.room)}, {"seq", n(seq)}});
        read["ConsistentRead"] = true;
        auto msg = db_.get_item(std::move(read));
        if (!msg) return store_error(msg.error(), "read_earlier_message", tables_.messages);
        if (*msg) return Appended{message_from(**msg), true};
        // The key outlived its message: drop the key (unless someone re-pointed it) and store
        // the message anew, as the SQLite adapter does.
        auto drop = request(tables_.clientmsgs);
        drop["Key"] = item_to_json(client_msg_key(m));
        drop["ConditionExpression"] = "#s = :s";
        drop["ExpressionAttributeNames"] = json::object{{"#s", "seq"}};
        drop["ExpressionAttributeValues"] = json::object{{":s", n(seq).to_json()}};
        if (auto d = db_.delete_item(std::move(drop)); !d && !is_conditional(d.error()))
          return store_error(d.error(), "drop_client_msg", tables_.clientmsgs);
        break;
      }
      // Claimed, not yet stored. A claim older than the lease belongs to an attempt that died.
      const std::string theirs = get_s(found, "claim");
      // Our own claim: its put was applied but the answer lost, and the client's retry of it
      // failed the condition. Waiting for "the earlier attempt" would wait for ourselves.
      if (theirs == token) return store_new(std::move(m), token);
      const auto given_up = take_abandoned(theirs);
      const std::string owner = get_s(found, "owner");
      // Another node's claim: never its claimedAt against our clock (a fast clock here would
      // take over live claims and store duplicates). Ours, or one naming no node (Lambda: the
      // same clock source), may be judged by its claimedAt.
      const bool foreign = !owner.empty() && owner != owner_;
      const bool owner_dead = foreign && owner_dead_ && owner_dead_(owner);
      const bool lease_over = watched(theirs) > options_.claim_lease ||
                              (!foreign && now() - get_n(found, "claimedAt") > options_.claim_lease.count());
      if (given_up || owner_dead || lease_over) {
        const std::string mine = core::new_hex_id();
        auto take = request(tables_.clientmsgs);
        take["Key"] = item_to_json(client_msg_key(m));
        take["UpdateExpression"] = owner_.empty() ? "SET #c = :mine, #at = :now" : "SET #c = :mine, #at = :now, #o = :me";
        take["ConditionExpression"] = "#c = :theirs AND attribute_not_exists(#s)";
        take["ExpressionAttributeNames"] = owner_.empty()
            ? json::object{{"#c", "claim"}, {"#at", "claimedAt"}, {"#s", "seq"}}
            : json::object{{"#c", "claim"}, {"#at", "claimedAt"}, {"#s", "seq"}, {"#o", "owner"}};
        take["ExpressionAttributeValues"] = json::object{
            {":mine", s(mine).to_json()}, {":now", n(now()).to_json()}, {":theirs", s(theirs).to_json()}};
        if (!owner_.empty()) take["ExpressionAttributeValues"].as_object()[":me"] = s(owner_).to_json();
        auto t = db_.update_item(std::move(take));
        if (t) {
          core::log::warn("took over a stale clientMsgId claim", {{"room", m.room}, {"clientMsgId", m.client_msg_id}});
          if (given_up && given_up->seq > 0) {
            // That attempt's message write failed without an answer: it may have been stored.
            // If so, it is this message (never acked nor fanned out yet): record and return it.
            auto read = request(tables_.messages);
            read["Key"] = item_to_json({{"room", s(m.room)}, {"seq", n(given_up->seq)}});
            read["ConsistentRead"] = true;
            auto there = db_.get_item(std::move(read));
            if (!there) return store_error(there.error(), "read_given_up_message", tables_.messages);
            if (*there && get_s(**there, "id") == given_up->id) {
              Message stored = message_from(**there);
              finish_claim(stored, mine);
              return Appended{std::move(stored), false};
            }
          } else if (!given_up) {
            // An attempt that died (its node, or past the lease) may have stored it first.
            auto earlier = find_stored(m, get_n(found, "claimedAt"));
            if (!earlier) {
              release_claim(m, mine);
              return earlier.error();
            }
            if (*earlier) {
              finish_claim(**earlier, mine);
              return Appended{std::move(**earlier), false};  // fanned out again: seqs dedupe
            }
          }
          return store_new(std::move(m), mine);
        }
        if (!is_conditional(t.error())) return store_error(t.error(), "take_over_claim", tables_.clientmsgs);
        continue;  // someone else finished or took it: read again
      }
      if (std::chrono::steady_clock::now() + delay > deadline) {
        core::log::warn("clientMsgId still being stored by an earlier attempt",
                        {{"room", m.room}, {"clientMsgId", m.client_msg_id}});
        return unavailable();
      }
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(200));
    }
  }
  return unavailable();
}

core::result<Appended> DynamoAppender::store_new(Message m, const std::string& token) {
  // A history read seals a seq only once a later one is stored: each round means other senders
  // overtook this one between its counter update and its put, so a few rounds are plenty.
  constexpr int max_rounds = 8;
  for (int round = 0; round < max_rounds; ++round) {
    m.seq = 0;  // the input's is ignored; 0 = not allocated yet (see give_up)
    auto seq = next_seq(m.room);
    if (!seq) {
      release_claim(m, token);
      return seq.error();
    }
    m.seq = *seq;
    auto put = put_with_patience(m);
    if (!put) {
      if (put.error() == core::make_error_code(core::errc::store_unavailable) && !token.empty()) {
        // No answer: the message may be stored all the same. Keep the claim (releasing it would
        // let a retry store a second copy) and let a retry through this process check first.
        give_up(token, m);
      } else {
        release_claim(m, token);
      }
      return put.error();
    }
    if (*put == Put::stored) {
      if (!token.empty()) finish_claim(m, token);
      return Appended{std::move(m), false};
    }
    // Sealed: a reader went past this seq while it was empty. Nobody saw the message (it is
    // acked and fanned out only once stored), so it simply takes a later seq.
    core::log::info("seq sealed by a history read before the message was stored: taking the next one",
                    {{"room", m.room}, {"seq", m.seq}});
  }
  release_claim(m, token);
  core::log::warn("message not stored: every seq it took was sealed", {{"room", m.room}});
  return unavailable();
}

void DynamoAppender::finish_claim(const Message& m, const std::string& token) {
  auto done = request(tables_.clientmsgs);
  done["Key"] = item_to_json(client_msg_key(m));
  done["UpdateExpression"] = "SET #s = :s REMOVE #c, #at";
  done["ConditionExpression"] = "#c = :token";
  done["ExpressionAttributeNames"] = json::object{{"#s", "seq"}, {"#c", "claim"}, {"#at", "claimedAt"}};
  done["ExpressionAttributeValues"] = json::object{{":s", n(m.seq).to_json()}, {":token", s(token).to_json()}};
  // The message is durable whatever happens here, so the append succeeds (the sender gets its
  // ack): failing it would make the client retry and store it twice all the same.
  auto r = db_.update_item(std::move(done));
  if (r) return;
  if (is_conditional(r.error())) {
    // The update may have been applied with its answer lost (the client's retry then fails the
    // condition): the key pointing at this seq without a claim is that, not a takeover.
    auto get = request(tables_.clientmsgs);
    get["Key"] = item_to_json(client_msg_key(m));
    get["ConsistentRead"] = true;
    if (auto now = db_.get_item(std::move(get)); now && *now && get_n(**now, "seq") == m.seq) return;
  }
  core::log::warn(is_conditional(r.error()) ? "clientMsgId claim was taken over while storing"
                                            : "message stored but its clientMsgId not recorded",
                  {{"room", m.room}, {"seq", m.seq}, {"clientMsgId", m.client_msg_id}, {"error", r.error().what()}});
}

core::result<std::int64_t> DynamoAppender::next_seq(const std::string& room) {
  auto r = request(tables_.rooms);
  r["Key"] = item_to_json({{"room", s(room)}});
  r["UpdateExpression"] = "ADD #s :one SET #c = if_not_exists(#c, :now)";
  r["ExpressionAttributeNames"] = json::object{{"#s", "seq"}, {"#c", "createdAt"}};
  r["ExpressionAttributeValues"] = json::object{{":one", n(1).to_json()}, {":now", n(now()).to_json()}};
  r["ReturnValues"] = "UPDATED_NEW";
  auto u = db_.update_item(std::move(r));
  if (!u) return store_error(u.error(), "next_seq", tables_.rooms);
  auto attrs = u->find("Attributes");
  if (attrs == u->end()) return core::make_error_code(core::errc::internal);
  auto item = aws::dynamodb::item_from_json(attrs->value());
  const std::int64_t seq = item ? get_n(*item, "seq") : 0;
  if (seq <= 0) {
    core::log::error("dynamodb counter update returned no seq", {{"room", room}});
    return core::make_error_code(core::errc::internal);
  }
  return seq;
}

core::result<DynamoAppender::Put> DynamoAppender::put_with_patience(const Message& m) {
  const auto deadline = std::chrono::steady_clock::now() + options_.put_patience;
  auto delay = std::chrono::milliseconds(100);
  auto put = put_message(m);
  while (!put && put.error() == core::make_error_code(core::errc::store_unavailable) &&
         std::chrono::steady_clock::now() + delay < deadline) {
    core::log::warn("message put failed after its seq was taken: trying again",
                    {{"room", m.room}, {"seq", m.seq}, {"delayMs", delay.count()}});
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(800));
    put = put_message(m);
  }
  return put;
}

core::result<DynamoAppender::Put> DynamoAppender::put_message(const Message& m) {
  auto r = request(tables_.messages);
  r["Item"] = item_to_json(message_item(m));
  r["ConditionExpression"] = "attribute_not_exists(#s)";
  r["ExpressionAttributeNames"] = json::object{{"#s", "seq"}};
  auto put = db_.put_item(std::move(r));
  if (put) return Put::stored;
  if (!is_conditional(put.error())) return store_error(put.error(), "put_message", tables_.messages);
  // The condition also fails when our own first try was applied but its response lost (the
  // client retried it): then the stored item is ours.
  auto get = request(tables_.messages);
  get["Key"] = item_to_json({{"room", s(m.room)}, {"seq", n(m.seq)}});
  get["ConsistentRead"] = true;
  auto there = db_.get_item(std::move(get));
  if (!there) return store_error(there.error(), "read_taken_seq", tables_.messages);
  if (*there && get_s(**there, "id") == m.id) return Put::stored;
  if (*there && is_seal(**there)) return Put::sealed;
  // Otherwise the rooms counter is behind the messages (its row was deleted or restored from
  // an older backup): never overwrite history.
  core::log::error("dynamodb seq already taken: the rooms counter is behind the messages table",
                   {{"room", m.room}, {"seq", m.seq}, {"table", tables_.rooms}});
  return core::make_error_code(core::errc::conflict);
}

void DynamoAppender::release_claim(const Message& m, const std::string& token) {
  if (token.empty()) return;
  // Best effort (the store is likely failing): a claim left behind is taken over after the lease.
  auto r = request(tables_.clientmsgs);
  r["Key"] = item_to_json(client_msg_key(m));
  r["ConditionExpression"] = "#c = :token AND attribute_not_exists(#s)";
  r["ExpressionAttributeNames"] = json::object{{"#c", "claim"}, {"#s", "seq"}};
  r["ExpressionAttributeValues"] = json::object{{":token", s(token).to_json()}};
  if (auto d = db_.delete_item(std::move(r)); !d && !is_conditional(d.error())) give_up(token, m);
}

core::result<std::optional<Message>> DynamoAppender::find_stored(const Message& m, std::int64_t claimed_at) {
  // Newest first, back to the claim: a message that attempt stored has a ts after it (the
  // same node's clock; 1 s of slack). Bounded, so that a clock gone wrong cannot read a whole
  // room: what this misses is stored again (a duplicate in history, never a loss).
  constexpr std::size_t max_read = 5000;
  std::size_t read = 0;
  std::optional<json::value> start;
  for (;;) {
    auto r = request(tables_.messages);
    r["KeyConditionExpression"] = "#r = :r";
    r["ExpressionAttributeNames"] = json::object{{"#r", "room"}};
    r["ExpressionAttributeValues"] = json::object{{":r", s(m.room).to_json()}};
    r["ScanIndexForward"] = false;
    r["Limit"] = 200;
    r["ConsistentRead"] = true;
    if (start) r["ExclusiveStartKey"] = *start;
    auto page = db_.query(std::move(r));
    if (!page) return store_error(page.error(), "find_stored_message", tables_.messages);
    for (const auto& item : page->items) {
      if (is_seal(item)) continue;  // no ts: it would end the search
      if (get_s(item, "clientMsgId") == m.client_msg_id) return std::optional<Message>(message_from(item));
      if (get_n(item, "ts") < claimed_at - 1000) return std::optional<Message>();
    }
    read += page->items.size();
    if (!page->last_evaluated_key || read >= max_read) return std::optional<Message>();
    start = item_to_json(*page->last_evaluated_key);
  }
}

void DynamoAppender::give_up(const std::string& token, const Message& m) {
  std::lock_guard lock(given_up_mutex_);
  if (given_up_.size() >= 10000) given_up_.clear();  // bounded: the lease still applies
  given_up_[token] = GivenUp{m.seq, m.id};
}

std::chrono::steady_clock::duration DynamoAppender::watched(const std::string& token) {
  const auto t = std::chrono::steady_clock::now();
  std::lock_guard lock(given_up_mutex_);
  if (watching_.size() >= 10000) watching_.clear();  // bounded: a watch merely starts again
  return t - watching_.try_emplace(token, t).first->second;
}

std::optional<DynamoAppender::GivenUp> DynamoAppender::take_abandoned(const std::string& token) {
  std::lock_guard lock(given_up_mutex_);
  auto it = given_up_.find(token);
  if (it == given_up_.end()) return std::nullopt;
  auto g = it->second;
  given_up_.erase(it);
  return g;
}

}  // namespace store

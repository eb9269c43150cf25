#pragma once
// DynamoDB's JSON protocol (aws-contract.md §6): every operation is a signed POST of a JSON
// object with X-Amz-Target: DynamoDB_20120810.<Op>. Requests and responses are boost::json
// objects in DynamoDB's wire shape; items come back typed (Item) where callers read them.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/dynamodb/attribute_value.hpp"
#include "aws/dynamodb/client_config.hpp"
#include "aws/dynamodb/error.hpp"
#include "aws/dynamodb/retry_policy.hpp"
#include "aws/http/client.hpp"

namespace aws::dynamodb {

// One Query or Scan response, or several pages joined (then last_evaluated_key is where the
// caller's max_items stopped, or empty when the table or key range was read to the end).
struct Page {
  std::vector<Item> items;
  std::optional<Item> last_evaluated_key;
  std::int64_t count = 0;
  std::int64_t scanned_count = 0;
  int pages = 0;
};

// Use from the executor of `http` (see http::Client); `http` must outlive the Client.
class Client {
 public:
  Client(http::Client& http, ClientConfig config);

  // Any operation, with signing, CRC32 check and retries (standard mode). The request is the
  // operation's JSON input; the result its JSON output.
  boost::asio::awaitable<result<boost::json::object>> call(std::string operation, boost::json::object request);

  boost::asio::awaitable<result<boost::json::object>> put_item(boost::json::object request);
  // The item, or nullopt when no item has that key.
  boost::asio::awaitable<result<std::optional<Item>>> get_item(boost::json::object request);
  boost::asio::awaitable<result<boost::json::object>> delete_item(boost::json::object request);
  boost::asio::awaitable<result<boost::json::object>> update_item(boost::json::object request);
  boost::asio::awaitable<result<boost::json::object>> transact_write_items(boost::json::object request);

  // One page (honours Limit and ExclusiveStartKey as given).
  boost::asio::awaitable<result<Page>> query(boost::json::object request);
  boost::asio::awaitable<result<Page>> scan(boost::json::object request);
  // Follows LastEvaluatedKey until the end or until max_items items were collected.
  boost::asio::awaitable<result<Page>> query_all(boost::json::object request,
                                                 std::size_t max_items = std::numeric_limits<std::size_t>::max());
  boost::asio::awaitable<result<Page>> scan_all(boost::json::object request,
                                                std::size_t max_items = std::numeric_limits<std::size_t>::max());

  // BatchWriteItem, sending UnprocessedItems again with backoff (up to max_unprocessed_rounds);
  // errc::unprocessed_items with the rest in Error::details when they never all go through.
  boost::asio::awaitable<result<void>> batch_write(boost::json::object request);
  // Puts and deletes for one table in chunks of 25 (the BatchWriteItem limit). Each element is
  // {"PutRequest": {...}} or {"DeleteRequest": {...}}.
  boost::asio::awaitable<result<void>> batch_write_all(std::string table, std::vector<boost::json::object> writes);

  int max_unprocessed_rounds = 8;
  const ClientConfig& config() const { return config_; }
  RetryPolicy& retry_policy() { return retry_; }

 private:
  boost::asio::awaitable<result<boost::json::object>> attempt(const std::string& target, const std::string& body);
  boost::asio::awaitable<result<Page>> paginate(std::string op, boost::json::object request, std::size_t max_items);
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);

  http::Client& http_;
  ClientConfig config_;
  RetryPolicy retry_;
};

// Parses a Query/Scan response into a Page (errc::bad_response when it is not one).
result<Page> page_from_json(const boost::json::object& response);

}  // namespace aws::dynamodb

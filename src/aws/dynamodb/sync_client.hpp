#pragma once
// The DynamoDB client for synchronous callers (handlers run on a thread pool and may block, as
// Lambda functions do): its own I/O thread and connection pool; any thread may call it at once.
#include <boost/json/object.hpp>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/dynamodb/client.hpp"
#include "aws/http/client.hpp"

namespace aws::dynamodb {

class SyncClient {
 public:
  explicit SyncClient(ClientConfig config, http::ClientOptions http_options = {});
  ~SyncClient();

  result<boost::json::object> call(std::string_view operation, boost::json::object request);
  result<boost::json::object> put_item(boost::json::object request);
  result<std::optional<Item>> get_item(boost::json::object request);
  result<boost::json::object> delete_item(boost::json::object request);
  result<boost::json::object> update_item(boost::json::object request);
  result<boost::json::object> transact_write_items(boost::json::object request);
  result<Page> query(boost::json::object request);
  result<Page> scan(boost::json::object request);
  result<Page> query_all(boost::json::object request, std::size_t max_items = std::numeric_limits<std::size_t>::max());
  result<Page> scan_all(boost::json::object request, std::size_t max_items = std::numeric_limits<std::size_t>::max());
  result<void> batch_write(boost::json::object request);
  result<void> batch_write_all(std::string table, std::vector<boost::json::object> writes);

  result<boost::json::object> describe_table(std::string table);
  result<bool> ensure_table(boost::json::object create_request,
                            std::chrono::milliseconds timeout = std::chrono::seconds(120));
  result<bool> ensure_ttl(std::string table, std::string attribute);

  Client& async_client();  // only from coroutines run on this client's I/O thread

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aws::dynamodb

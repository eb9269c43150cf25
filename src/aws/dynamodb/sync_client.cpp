#include "aws/dynamodb/sync_client.hpp"

#include "aws/dynamodb/tables.hpp"
#include "aws/http/blocking_client.hpp"

namespace aws::dynamodb {
namespace json = boost::json;

struct SyncClient::Impl {
  http::BlockingClient io;
  Client client;
  Impl(ClientConfig config, http::ClientOptions options) : io(std::move(options)), client(io.client(), std::move(config)) {}
};

SyncClient::SyncClient(ClientConfig config, http::ClientOptions http_options)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(http_options))) {}

SyncClient::~SyncClient() = default;

Client& SyncClient::async_client() { return impl_->client; }

// Each call builds its coroutine here and runs it on the I/O thread, blocking this one.
result<json::object> SyncClient::call(std::string_view op, json::object r) { return impl_->io.run(impl_->client.call(std::string(op), std::move(r))); }
result<json::object> SyncClient::put_item(json::object r) { return impl_->io.run(impl_->client.put_item(std::move(r))); }
result<std::optional<Item>> SyncClient::get_item(json::object r) { return impl_->io.run(impl_->client.get_item(std::move(r))); }
result<json::object> SyncClient::delete_item(json::object r) { return impl_->io.run(impl_->client.delete_item(std::move(r))); }
result<json::object> SyncClient::update_item(json::object r) { return impl_->io.run(impl_->client.update_item(std::move(r))); }
result<json::object> SyncClient::transact_write_items(json::object r) {
  return impl_->io.run(impl_->client.transact_write_items(std::move(r)));
}
result<Page> SyncClient::query(json::object r) { return impl_->io.run(impl_->client.query(std::move(r))); }
result<Page> SyncClient::scan(json::object r) { return impl_->io.run(impl_->client.scan(std::move(r))); }
result<Page> SyncClient::query_all(json::object r, std::size_t max) { return impl_->io.run(impl_->client.query_all(std::move(r), max)); }
result<Page> SyncClient::scan_all(json::object r, std::size_t max) { return impl_->io.run(impl_->client.scan_all(std::move(r), max)); }
result<void> SyncClient::batch_write(json::object r) { return impl_->io.run(impl_->client.batch_write(std::move(r))); }
result<void> SyncClient::batch_write_all(std::string table, std::vector<json::object> writes) {
  return impl_->io.run(impl_->client.batch_write_all(std::move(table), std::move(writes)));
}
result<json::object> SyncClient::describe_table(std::string table) {
  return impl_->io.run(aws::dynamodb::describe_table(impl_->client, std::move(table)));
}
result<bool> SyncClient::ensure_table(json::object create_request, std::chrono::milliseconds timeout) {
  return impl_->io.run(aws::dynamodb::ensure_table(impl_->client, std::move(create_request), timeout));
}
result<bool> SyncClient::ensure_ttl(std::string table, std::string attribute) {
  return impl_->io.run(aws::dynamodb::ensure_ttl(impl_->client, std::move(table), std::move(attribute)));
}

}  // namespace aws::dynamodb

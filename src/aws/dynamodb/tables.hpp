#pragma once
// Control-plane calls and the idempotent "make sure the table is there" steps that
// `parley tables create` and `--create-tables` need.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <string>

#include "aws/dynamodb/client.hpp"

namespace aws::dynamodb {

// CreateTable as given; the TableDescription.
boost::asio::awaitable<result<boost::json::object>> create_table(Client& c, boost::json::object request);
// DescribeTable; the Table object (errc::resource_not_found when missing).
boost::asio::awaitable<result<boost::json::object>> describe_table(Client& c, std::string table);
// Polls DescribeTable until the table and each of its GSIs are ACTIVE; a timeout is reported as
// errc::service_unavailable with a message.
boost::asio::awaitable<result<void>> wait_until_active(Client& c, std::string table,
                                                       std::chrono::milliseconds timeout = std::chrono::seconds(120));
// Creates the table unless it exists (ResourceInUse is success), then waits until it is ACTIVE.
// true when this call created it.
boost::asio::awaitable<result<bool>> ensure_table(Client& c, boost::json::object create_request,
                                                  std::chrono::milliseconds timeout = std::chrono::seconds(120));

boost::asio::awaitable<result<boost::json::object>> update_time_to_live(Client& c, std::string table,
                                                                        std::string attribute, bool enabled = true);
boost::asio::awaitable<result<boost::json::object>> describe_time_to_live(Client& c, std::string table);
// Enables TTL on `attribute` unless it already is (UpdateTimeToLive twice within an hour is a
// ValidationException). false, not an error, when the backend has no TTL (dynalite): the data
// model filters expired rows itself and never depends on deletion.
boost::asio::awaitable<result<bool>> ensure_ttl(Client& c, std::string table, std::string attribute);

}  // namespace aws::dynamodb

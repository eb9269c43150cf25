#include "store/dynamodb/dynamo_errors.hpp"

namespace store {

boost::system::error_code store_error(const aws::dynamodb::Error& e, std::string_view op,
                                      const std::string& table) {
  using core::errc;
  boost::json::object fields{{"store", "dynamodb"}, {"op", op},           {"table", table},
                             {"error", e.what()},   {"status", e.http_status}, {"attempts", e.attempts}};
  if (e.is(aws::dynamodb::errc::resource_not_found)) {
    // The usual cause is a deployment without its tables: say which one and how to make it.
    fields["hint"] = "create the tables: parley tables create (or serve --create-tables)";
    core::log::error("dynamodb table not found", std::move(fields));
    return core::make_error_code(errc::store_unavailable);
  }
  if (e.is(aws::dynamodb::errc::validation) || e.is(aws::dynamodb::errc::serialization)) {
    core::log::error("dynamodb rejected the request", std::move(fields));
    return core::make_error_code(errc::invalid_argument);
  }
  if (e.is(aws::dynamodb::errc::conditional_check_failed)) {
    return core::make_error_code(errc::conflict);
  }
  if (e.is(aws::dynamodb::errc::network)) fields["cause"] = e.cause.message();
  core::log::warn("dynamodb unavailable", std::move(fields));
  return core::make_error_code(errc::store_unavailable);
}

}  // namespace store

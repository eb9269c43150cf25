#include "app/fault_options.hpp"

#include <boost/asio/ip/address.hpp>

#include "core/log.hpp"

namespace app {

std::optional<store::FaultSpec> store_fault_spec(const Options& o) {
  if (!o.has("store-faults")) return std::nullopt;
  const std::string bind = o.get("bind");  // without --bind: every address, not loopback only
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(bind, ec);
  if (ec || !address.is_loopback())
    throw std::invalid_argument(
        "--store-faults makes store calls fail on purpose: a test hook, accepted only with "
        "--bind 127.0.0.1 (or ::1)");
  if (o.has("lambda"))
    throw std::invalid_argument("--store-faults does not apply to --lambda process");
  const std::string spec = o.get("store-faults");
  auto parsed = store::parse_fault_spec(spec);
  core::log::warn("store faults injected on purpose (--store-faults test hook)", {{"spec", spec}});
  return parsed;
}

}  // namespace app

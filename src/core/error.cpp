#include "core/error.hpp"

namespace core {
namespace {

class parley_category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "parley"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok: return "ok";
      case errc::not_found: return "not found";
      case errc::gone: return "connection gone";
      case errc::payload_too_large: return "payload too large";
      case errc::limit_exceeded: return "limit exceeded";
      case errc::invalid_argument: return "invalid argument";
      case errc::conflict: return "conflict";
      case errc::store_unavailable: return "store unavailable";
      case errc::forbidden: return "forbidden";
      case errc::internal: return "internal error";
    }
    return "unknown parley error";
  }
};

}  // namespace

const boost::system::error_category& category() noexcept {
  static const parley_category instance;
  return instance;
}

}  // namespace core

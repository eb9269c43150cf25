#include "apigw/frames.hpp"

#include <boost/json.hpp>

namespace apigw::frames {

std::string gateway_error(std::string_view message, std::string_view connection_id,
                          std::string_view request_id) {
  boost::json::object o;
  o["message"] = message;
  o["connectionId"] = connection_id;
  o["requestId"] = request_id;
  return boost::json::serialize(o);
}

}  // namespace apigw::frames

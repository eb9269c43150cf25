#pragma once
// Serves the browser client: embedded in the executable, or from --web DIR while developing it.
#include <string_view>

#include "gateway/config.hpp"
#include "gateway/management_endpoint.hpp"

namespace gateway {

// GET/HEAD of `path` ("/" means "/index.html"); 404 for anything else.
HttpResponse serve_static(const Config& config, const HttpRequest& req, std::string_view path);

}  // namespace gateway

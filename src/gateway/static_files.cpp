#include "gateway/static_files.hpp"

#include <fstream>
#include <sstream>

#include <boost/beast/http.hpp>

#include "web/assets.hpp"

namespace gateway {
namespace http = boost::beast::http;
namespace {

constexpr std::string_view csp =
    "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string_view content_type(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

HttpResponse text(const HttpRequest& req, http::status status, std::string body) {
  HttpResponse res{status, req.version()};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace

HttpResponse serve_static(const Config& config, const HttpRequest& req, std::string_view path) {
  if (req.method() != http::verb::get && req.method() != http::verb::head)
    return text(req, http::status::method_not_allowed, "method not allowed\n");
  if (path == "/") path = "/index.html";

  std::string body;
  std::string_view type;
  if (!config.web_dir.empty()) {
    // Development mode: files are read per request; never outside the folder.
    if (path.find("..") != std::string_view::npos || path.find('\\') != std::string_view::npos)
      return text(req, http::status::not_found, "not found\n");
    std::ifstream in(config.web_dir + std::string(path), std::ios::binary);
    if (!in) return text(req, http::status::not_found, "not found\n");
    std::ostringstream ss;
    ss << in.rdbuf();
    body = ss.str();
    type = content_type(path);
  } else {
    const web::Asset* found = nullptr;
    for (const auto& a : web::assets())
      if (a.path == path) found = &a;
    if (!found) return text(req, http::status::not_found, "not found\n");
    body = std::string(found->bytes);
    type = found->content_type;
  }

  HttpResponse res{http::status::ok, req.version()};
  res.set(http::field::content_type, type);
  res.set(http::field::cache_control, "no-cache");
  res.set("Content-Security-Policy", csp);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  if (req.method() == http::verb::head) {
    res.content_length(body.size());
  } else {
    res.body() = std::move(body);
    res.prepare_payload();
  }
  return res;
}

}  // namespace gateway

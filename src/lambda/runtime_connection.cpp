#include "lambda/runtime_connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <optional>

namespace lambda {
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Event payloads are at most 6 MB (synchronous invoke); leave room for a larger local test.
constexpr std::uint64_t kMaxBody = 16 * 1024 * 1024;

}  // namespace

std::string HttpReply::header(std::string_view name) const {
  const std::string key = lower(name) + ": ";
  std::size_t pos = 0;
  while (pos < raw_headers.size()) {
    const auto end = raw_headers.find('\n', pos);
    std::string_view line(raw_headers.data() + pos,
                          (end == std::string::npos ? raw_headers.size() : end) - pos);
    if (line.starts_with(key)) return std::string(line.substr(key.size()));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return {};
}

struct RuntimeConnection::Impl {
  std::string host;
  std::string port;
  net::io_context io;
  std::optional<tcp::socket> socket;
  boost::beast::flat_buffer buffer;

  boost::system::error_code connect() {
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return ec;
    socket.emplace(io);
    net::connect(*socket, endpoints, ec);
    if (ec) {
      socket.reset();
      return ec;
    }
    socket->set_option(tcp::no_delay(true), ec);
    buffer.clear();
    return {};
  }
};

RuntimeConnection::RuntimeConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuntimeConnection::~RuntimeConnection() = default;

core::result<std::unique_ptr<RuntimeConnection>> RuntimeConnection::open(
    std::string_view host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == host_port.size())
    return core::make_error_code(core::errc::invalid_argument);
  auto impl = std::make_unique<Impl>();
  impl->host = std::string(host_port.substr(0, colon));
  impl->port = std::string(host_port.substr(colon + 1));
  // IPv6 literals come bracketed ("[::1]:9001"); the resolver wants them bare.
  if (impl->host.size() > 2 && impl->host.front() == '[' && impl->host.back() == ']')
    impl->host = impl->host.substr(1, impl->host.size() - 2);
  return std::unique_ptr<RuntimeConnection>(new RuntimeConnection(std::move(impl)));
}

core::result<HttpReply> RuntimeConnection::request(std::string_view method,
                                                   std::string_view target,
                                                   std::string_view body,
                                                   std::initializer_list<HttpHeader> headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, impl_->host + ":" + impl_->port);
  req.set(http::field::user_agent, "parley-lambda-runtime");
  for (const auto& h : headers) req.set(h.name, h.value);
  req.body() = std::string(body);
  req.keep_alive(true);
  req.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->socket.has_value();
    if (!reused) {
      if (auto ec = impl_->connect()) return ec;
    }
    boost::system::error_code ec;
    http::write(*impl_->socket, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    if (!ec) http::read(*impl_->socket, impl_->buffer, parser, ec);
    if (ec) {
      const bool nothing_read = !parser.got_some();
      impl_->socket.reset();
      if (reused && nothing_read) continue;  // closed while idle: reopen and send again
      return ec;
    }
    auto res = parser.release();
    HttpReply reply;
    reply.status = static_cast<int>(res.result_int());
    for (const auto& f : res)
      reply.raw_headers += lower(f.name_string()) + ": " + std::string(f.value()) + "\n";
    reply.body = std::move(res.body());
    if (!res.keep_alive()) impl_->socket.reset();
    return reply;
  }
  return core::make_error_code(core::errc::internal);
}

}  // namespace lambda

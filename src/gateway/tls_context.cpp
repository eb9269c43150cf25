#include "gateway/tls_context.hpp"

#include <stdexcept>

namespace gateway {
namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_tls_context(const std::string& cert_file,
                                               const std::string& key_file) {
  if (cert_file.empty() || key_file.empty())
    throw std::runtime_error("TLS needs both a certificate (--tls-cert) and a key (--tls-key)");
  auto tls = std::make_shared<ssl::context>(ssl::context::tls_server);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  tls->use_certificate_chain_file(cert_file, ec);
  if (ec) throw std::runtime_error("cannot use the TLS certificate " + cert_file + ": " + ec.message());
  tls->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot use the TLS key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(tls->native_handle()) != 1)
    throw std::runtime_error("the TLS key " + key_file + " does not match the certificate " + cert_file);
  return tls;
}

}  // namespace gateway

#pragma once
// The server's TLS settings: TLS 1.2 and 1.3 only (what API Gateway accepts), the certificate
// chain and key from PEM files.
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace gateway {

// Throws std::runtime_error naming the file and OpenSSL's reason when a file cannot be used.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& cert_file,
                                                            const std::string& key_file);

}  // namespace gateway

#pragma once
// A certificate for serving https:// on this machine when none is given (`parley serve
// --lambda process`): the local functions' SDKs call the management API at
// https://{domainName}/{stage}, as on AWS, and must be able to trust what answers.
//
// Self-signed, ECDSA P-256, valid for localhost, 127.0.0.1 and ::1, for a year; kept in a
// folder (the data directory's `tls/`) and reused while it is valid, so that a trust given to it
// once survives restarts. A bundle of it plus the system's CAs sits beside it: what
// AWS_CA_BUNDLE / SSL_CERT_FILE point at, so that calls to real AWS endpoints still verify.
#include <filesystem>

namespace gateway {

struct LocalCertificate {
  std::filesystem::path cert;    // PEM certificate
  std::filesystem::path key;     // PEM private key (mode 0600)
  std::filesystem::path bundle;  // the certificate, then the system's CA bundle
};

// Creates dir/cert.pem and dir/key.pem unless a valid pair is there, and (re)writes
// dir/ca-bundle.pem. Throws std::runtime_error saying what failed.
LocalCertificate ensure_local_certificate(const std::filesystem::path& dir);

// A bundle of `cert` and the system's CAs written to `bundle` (for a certificate given with
// --tls-cert). Throws std::runtime_error.
void write_trust_bundle(const std::filesystem::path& cert, const std::filesystem::path& bundle);

}  // namespace gateway

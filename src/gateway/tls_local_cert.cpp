#include "gateway/tls_local_cert.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace gateway {
namespace fs = std::filesystem;

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("cannot create the local TLS certificate: " + what);
}

// True when `cert` parses and is valid for at least another day.
bool still_valid(const fs::path& cert, const fs::path& key) {
  std::error_code ec;
  if (!fs::exists(cert, ec) || !fs::exists(key, ec)) return false;
  File f(std::fopen(cert.c_str(), "r"));
  if (!f) return false;
  std::unique_ptr<X509, decltype(&X509_free)> x(PEM_read_X509(f.get(), nullptr, nullptr, nullptr),
                                                &X509_free);
  if (!x) return false;
  const time_t tomorrow = time(nullptr) + 86400;
  return X509_cmp_time(X509_get0_notAfter(x.get()), const_cast<time_t*>(&tomorrow)) > 0;
}

void generate(const fs::path& cert_file, const fs::path& key_file) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!key) fail("EC key generation failed");
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), &X509_free);
  X509_set_version(x.get(), 2);
  // A random serial: browsers refuse two certificates of one issuer with the same serial.
  unsigned char serial[16];
  std::ifstream("/dev/urandom", std::ios::binary).read(reinterpret_cast<char*>(serial), sizeof serial);
  serial[0] &= 0x7f;
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(serial, sizeof serial, nullptr), &BN_free);
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get()));
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 365L * 86400);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Parley (local)"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x.get(), x.get(), nullptr, nullptr, 0);
  // CA:TRUE lets OpenSSL (Python, Node) accept it as its own trust anchor.
  for (const auto& [nid, value] :
       {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
        {NID_basic_constraints, "critical,CA:TRUE"},
        {NID_key_usage, "critical,digitalSignature,keyCertSign"},
        {NID_ext_key_usage, "serverAuth"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (!ext) fail("bad extension " + std::string(value));
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x.get(), key.get(), EVP_sha256()) == 0) fail("signing failed");

  const auto old_mask = ::umask(077);
  File kf(std::fopen(key_file.c_str(), "w"));
  ::umask(old_mask);
  if (!kf || PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot write " + key_file.string());
  File cf(std::fopen(cert_file.c_str(), "w"));
  if (!cf || PEM_write_X509(cf.get(), x.get()) != 1) fail("cannot write " + cert_file.string());
}

}  // namespace

void write_trust_bundle(const fs::path& cert, const fs::path& bundle) {
  std::ifstream in(cert, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the certificate " + cert.string());
  std::ostringstream text;
  text << in.rdbuf() << "\n";
  for (const char* system : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"}) {
    std::ifstream cas(system, std::ios::binary);
    if (!cas) continue;
    text << cas.rdbuf();
    break;
  }
  const auto tmp = fs::path(bundle.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text.str();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, bundle);
}

LocalCertificate ensure_local_certificate(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create " + dir.string() + ": " + ec.message());
  LocalCertificate c{dir / "cert.pem", dir / "key.pem", dir / "ca-bundle.pem"};
  if (!still_valid(c.cert, c.key)) generate(c.cert, c.key);
  write_trust_bundle(c.cert, c.bundle);
  return c;
}

}  // namespace gateway

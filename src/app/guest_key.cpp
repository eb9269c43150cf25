#include "app/guest_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "auth/guest_authorizer.hpp"
#include "core/env.hpp"
#include "core/log.hpp"

namespace app {
namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string read_key_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read the guest key " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return trimmed(s.str());
}

std::string random_hex_key() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for the guest key");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

// DIR/guest.key: read it, or create it 0600 with O_EXCL, so that two processes starting on one
// data directory at once end up with the same key (the loser of the race reads the winner's).
std::string data_dir_key(const std::filesystem::path& data_dir) {
  std::filesystem::create_directories(data_dir);
  const auto path = data_dir / "guest.key";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno != EEXIST)
      throw std::invalid_argument("cannot create the guest key " + path.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
      core::log::warn("the guest key is readable by other users: chmod 600 it",
                      {{"file", path.string()}});
    return read_key_file(path);
  }
  const std::string key = random_hex_key();
  const std::string line = key + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    std::filesystem::remove(path);
    throw std::invalid_argument("cannot write the guest key " + path.string());
  }
  return key;
}

}  // namespace

GuestKey guest_key(const Options& o, const std::filesystem::path& data_dir) {
  GuestKey k;
  if (o.has("guest-key-file")) {
    k.source = o.get("guest-key-file");
    k.key = read_key_file(k.source);
  } else if (std::string env = core::env("PARLEY_GUEST_KEY"); !env.empty()) {
    k.source = "PARLEY_GUEST_KEY";
    k.key = trimmed(env);
  } else {
    k.source = (data_dir / "guest.key").string();
    k.key = data_dir_key(data_dir);
  }
  if (k.key.size() < 32)
    throw std::invalid_argument("the guest key (" + k.source + ") must be at least 32 bytes long");
  return k;
}

std::string apply_guest_identity(const Options& o, const std::filesystem::path& data_dir,
                                 gateway::Config& c) {
  if (c.authorizer) {
    if (o.has("guest-key-file"))
      throw std::invalid_argument("--guest-key-file is for anonymous mode: with --auth jwt there are no guests");
    return "";
  }
  const std::string guests = o.get("guests");
  if (guests == "off") return "";
  auto k = guest_key(o, data_dir);
  c.authorizer = std::make_shared<auth::GuestAuthorizer>(std::move(k.key));
  return k.source;
}

std::string guest_banner(const std::string& key_source, bool own_key_on_shared_store) {
  return "  Guests:          signed guest tokens, key " + key_source +
         (own_key_on_shared_store ? " (this node's own: give every node the same --guest-key-file)" : "") +
         "\n  To expose it:    add --auth jwt (sign-in), --tls-cert/--tls-key, --allowed-origin, then "
         "--bind 0.0.0.0 (docs/security.md)\n";
}

}  // namespace app

#include "client/guest_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>

#include "core/env.hpp"

namespace client {

std::filesystem::path default_guest_file(const WsUrl& url) {
  std::filesystem::path dir;
  if (const std::string xdg = core::env("XDG_CONFIG_HOME"); !xdg.empty()) dir = xdg;
  else if (const std::string home = core::env("HOME"); !home.empty()) dir = std::filesystem::path(home) / ".config";
  else return {};
  std::string name = url.host + "_" + url.port + "_" + url.target.substr(0, url.target.find('?'));
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  return dir / "parley" / "guests" / (name + ".token");
}

std::string load_guest_token(const std::filesystem::path& file) {
  if (file.empty()) return {};
  std::ifstream in(file);
  std::string token;
  if (!in || !std::getline(in, token)) return {};
  return token;
}

bool save_guest_token(const std::filesystem::path& file, const std::string& token) {
  if (file.empty() || token.empty()) return false;
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return false;
  const std::string tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const std::string line = token + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), file.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace client

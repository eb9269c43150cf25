#include "integration/lambda_process/code_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>

#include "core/log.hpp"

namespace integration::lambda_process {
namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kMask = IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR;

bool skipped(std::string_view name) {
  return name == "__pycache__" || name == ".git" || name.ends_with(".pyc");
}

}  // namespace

CodeWatch::CodeWatch(boost::asio::io_context& io, fs::path root, std::function<void()> on_change)
    : root_(std::move(root)), on_change_(std::move(on_change)), fd_(io) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    core::log::warn("hot reload off: inotify_init1 failed",
                    {{"folder", root_.string()}, {"error", std::strerror(errno)}});
    return;
  }
  fd_.assign(fd);
  add_tree(root_, -1);
  read();
}

CodeWatch::~CodeWatch() {
  boost::system::error_code ec;
  fd_.close(ec);
}

void CodeWatch::add(const fs::path& dir, int below) {
  const int wd = ::inotify_add_watch(fd_.native_handle(), dir.c_str(), kMask);
  if (wd < 0) {
    core::log::warn("hot reload: cannot watch a folder",
                    {{"folder", dir.string()}, {"error", std::strerror(errno)}});
    return;
  }
  dirs_[wd] = Dir{dir, below};
}

void CodeWatch::add_tree(const fs::path& dir, int below) {
  add(dir, below);
  if (below >= 0) return;  // node_modules: its first level only
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
    const auto name = it->path().filename().string();
    if (skipped(name)) continue;
    add_tree(it->path(), name == "node_modules" ? 0 : -1);
  }
}

void CodeWatch::read() {
  fd_.async_read_some(boost::asio::buffer(buffer_), [this](boost::system::error_code ec,
                                                           std::size_t n) {
    if (ec) return;  // closed
    bool changed = false;
    for (std::size_t at = 0; at + sizeof(inotify_event) <= n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buffer_ + at);
      at += sizeof(inotify_event) + e->len;
      const std::string_view name = e->len ? std::string_view(e->name) : std::string_view();
      if (e->mask & IN_IGNORED) {
        dirs_.erase(e->wd);
        continue;
      }
      if (e->mask & IN_Q_OVERFLOW) {
        changed = true;
        continue;
      }
      if (skipped(name)) continue;
      auto dir = dirs_.find(e->wd);
      if (dir == dirs_.end()) continue;
      // A new folder is watched too (its files may follow at once: they count as this change).
      if ((e->mask & (IN_CREATE | IN_MOVED_TO)) && (e->mask & IN_ISDIR) &&
          dir->second.below_node_modules < 0)
        add_tree(dir->second.path / name, name == "node_modules" ? 0 : -1);
      changed = true;
    }
    if (changed) on_change_();
    read();
  });
}

}  // namespace integration::lambda_process

#pragma once
// Hot reload: watches a function's code folder (inotify, every subfolder) and reports a change
// so that the function's warm environments are retired and the next invocation cold-starts
// with the new code, as a redeploy does on Lambda. Nothing is scanned on an invocation: the
// kernel tells us.
//
// Not followed: __pycache__ and .git (written by tools, not code changes), and node_modules
// below its first level (an installed or removed package is seen, not each of its files).
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace integration::lambda_process {

class CodeWatch {
 public:
  // on_change runs on the io_context, once per batch of events.
  CodeWatch(boost::asio::io_context& io, std::filesystem::path root, std::function<void()> on_change);
  ~CodeWatch();
  CodeWatch(const CodeWatch&) = delete;
  CodeWatch& operator=(const CodeWatch&) = delete;

  // False when inotify could not be set up (the function then runs without hot reload).
  bool watching() const { return fd_.is_open(); }

 private:
  void add_tree(const std::filesystem::path& dir, int depth_below_node_modules);
  void add(const std::filesystem::path& dir, int depth_below_node_modules);
  void read();

  std::filesystem::path root_;
  std::function<void()> on_change_;
  boost::asio::posix::stream_descriptor fd_;
  struct Dir {
    std::filesystem::path path;
    int below_node_modules;  // -1: not inside node_modules; 0: node_modules itself
  };
  std::map<int, Dir> dirs_;  // by watch descriptor
  alignas(8) char buffer_[8192];
};

}  // namespace integration::lambda_process

#include "gateway/frame_queue.hpp"

#include <algorithm>

namespace gateway {

std::size_t FrameQueue::prepare(std::vector<boost::asio::const_buffer>& out, std::size_t max_frame,
                                std::size_t max_bytes) {
  out.clear();
  // Count the entries and their frames first, so that headers_ never reallocates while `out`
  // points into it.
  std::size_t entries = 0, frames = 0, bytes = 0;
  for (const auto& e : entries_) {
    if (entries > 0 && (bytes >= max_bytes || frames >= 512)) break;
    const std::size_t n = e.payload->size();
    frames += e.op == ws::Opcode::text ? std::max<std::size_t>(1, (n + max_frame - 1) / max_frame) : 1;
    bytes += n;
    ++entries;
  }
  headers_.resize(frames);
  out.reserve(frames * 2);
  std::size_t h = 0;
  for (std::size_t i = 0; i < entries; ++i) {
    const auto& e = entries_[i];
    const std::string& p = *e.payload;
    if (e.op != ws::Opcode::text) {
      const std::size_t len = ::ws::encode_header(headers_[h].data(), e.op, true, p.size());
      out.emplace_back(headers_[h++].data(), len);
      if (!p.empty()) out.emplace_back(p.data(), p.size());
      continue;
    }
    std::size_t offset = 0;
    do {
      const std::size_t chunk = std::min(max_frame, p.size() - offset);
      const bool first = offset == 0;
      const bool fin = offset + chunk == p.size();
      const std::size_t len = ::ws::encode_header(
          headers_[h].data(), first ? ws::Opcode::text : ws::Opcode::continuation, fin, chunk);
      out.emplace_back(headers_[h++].data(), len);
      if (chunk > 0) out.emplace_back(p.data() + offset, chunk);
      offset += chunk;
    } while (offset < p.size());
  }
  return entries;
}

std::size_t FrameQueue::truncate(std::size_t keep) {
  std::size_t bytes = 0;
  for (std::size_t i = keep; i < entries_.size(); ++i)
    if (entries_[i].op == ws::Opcode::text) bytes += entries_[i].payload->size();
  if (keep < entries_.size())
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(keep), entries_.end());
  return bytes;
}

FrameQueue::Written FrameQueue::consume(std::size_t n) {
  Written w;
  n = std::min(n, entries_.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (entries_[i].op == ws::Opcode::text) {
      ++w.messages;
      w.bytes += entries_[i].payload->size();
    }
    if (entries_[i].op == ws::Opcode::close) w.close = true;
  }
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n));
  // An idle connection should not keep a burst's worth of header space.
  if (entries_.empty() && headers_.capacity() > 64) decltype(headers_)().swap(headers_);
  return w;
}

}  // namespace gateway

#include "bench/pool.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <iostream>
#include <thread>

namespace bench {

namespace {
using clock = std::chrono::steady_clock;
}  // namespace

Pool::Pool(RunContext& ctx, unsigned threads) : ctx_(ctx) {
  for (unsigned i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
  owned_.resize(threads);
  next_.assign(threads, 0);
}

Pool::~Pool() { shutdown(); }

void Pool::start_next(std::size_t w) {
  if (next_[w] >= owned_[w].size() || ctx_.stopping) return;
  ClientConnection& c = *connections_[owned_[w][next_[w]++]];
  c.start([this, w](bool ok) {
    if (ok) {
      const auto now = now_ns();
      auto seen = last_open_ns_.load();
      while (now > seen && !last_open_ns_.compare_exchange_weak(seen, now)) {
      }
    }
    start_next(w);
  });
}

void Pool::connect(std::size_t senders) {
  const Config& c = ctx_.config;
  const std::size_t n = c.connections;
  const std::size_t w = workers_.size();
  connections_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::optional<std::uint32_t> ip;
    if (!c.source_ips.empty()) ip = c.source_ips[i % c.source_ips.size()];
    const auto sender = i < senders ? static_cast<std::uint32_t>(i) : ClientConnection::not_a_sender;
    connections_.push_back(
        std::make_unique<ClientConnection>(*workers_[worker_of(i)], ctx_, i, ip, sender));
    owned_[worker_of(i)].push_back(i);
  }
  const std::size_t per_worker = std::max<std::size_t>(1, (c.connect_concurrency + w - 1) / w);
  const std::int64_t start_ns = now_ns();
  last_open_ns_ = start_ns;
  for (std::size_t k = 0; k < w; ++k)
    boost::asio::post(workers_[k]->io(), [this, k, per_worker] {
      for (std::size_t j = 0; j < per_worker; ++j) start_next(k);
    });

  const auto deadline = clock::now() + c.connect_timeout;
  auto report = clock::now() + std::chrono::seconds(1);
  while (ctx_.opened + ctx_.failed < n && clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (clock::now() >= report && !c.json_only) {
      std::cerr << "bench: connect " << ctx_.opened << "/" << n << " open, " << ctx_.failed
                << " failed\n";
      report += std::chrono::seconds(1);
    }
  }
  if (ctx_.opened + ctx_.failed < n)
    std::cerr << "bench: connect phase timed out with " << ctx_.opened << "/" << n << " open\n";
  connect_seconds_ = static_cast<double>(last_open_ns_ - start_ns) / 1e9;
}

double Pool::settle() {
  const Config& c = ctx_.config;
  const auto start = clock::now();
  const auto deadline = start + c.settle_timeout;
  constexpr auto quiet = std::chrono::milliseconds(300);
  std::uint64_t frames = frames_received();
  auto last_change = clock::now();
  auto report = clock::now() + std::chrono::seconds(1);
  while (clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::uint64_t now_frames = frames_received();
    if (now_frames != frames) {
      frames = now_frames;
      last_change = clock::now();
    }
    const bool greeted = !c.hello || ctx_.ready >= ctx_.opened - ctx_.closed;
    if (greeted && clock::now() - last_change >= quiet) break;
    if (clock::now() >= report && !c.json_only) {
      std::cerr << "bench: settling, " << ctx_.ready << "/" << ctx_.opened << " greeted, "
                << frames << " frames received\n";
      report += std::chrono::seconds(1);
    }
  }
  if (clock::now() >= deadline)
    std::cerr << "bench: settle timed out (" << ctx_.ready << "/" << ctx_.opened
              << " greeted); measuring anyway\n";
  return std::chrono::duration<double>(clock::now() - start).count();
}

void Pool::post_each(std::function<void(ClientConnection&)> f) {
  for (std::size_t k = 0; k < workers_.size(); ++k)
    boost::asio::post(workers_[k]->io(), [this, k, f] {
      for (std::size_t i : owned_[k]) f(*connections_[i]);
    });
}

std::uint64_t Pool::frames_received() const {
  std::uint64_t sum = 0;
  for (const auto& w : workers_) sum += w->frames();
  return sum;
}

void Pool::shutdown() {
  if (down_) return;
  down_ = true;
  ctx_.stopping = true;
  for (std::size_t k = 0; k < workers_.size(); ++k)
    workers_[k]->run_and_wait([this, k] {
      for (std::size_t i : owned_[k]) connections_[i]->close();
    });
  for (auto& w : workers_) w->stop();
}

}  // namespace bench

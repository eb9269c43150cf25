#pragma once
// Presents a run: a table for people (stdout) and one JSON line for bench/compare.sh.
#include <ostream>
#include <string>

#include "bench/results.hpp"

namespace bench {

class Report {
 public:
  explicit Report(const Results& r) : r_(r) {}
  void table(std::ostream& out) const;
  // One line, no newline inside; the keys bench/compare.sh reads.
  std::string json() const;

 private:
  const Results& r_;
};

}  // namespace bench

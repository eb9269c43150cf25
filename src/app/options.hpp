#pragma once
// Command-line options: "--name value" or "--name=value", every value checked.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace app {

class Options {
 public:
  // Throws std::invalid_argument for an argument that is not "--name[=value]" or not known.
  Options(const std::vector<std::string>& args, const std::map<std::string, bool>& known_takes_value);

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback) const;
  // Every value of a repeatable option, in order (get() returns the last).
  std::vector<std::string> all(const std::string& name) const;
  // Throws std::invalid_argument when the value is not a whole number in [min, max].
  long long number(const std::string& name, long long fallback, long long min, long long max) const;

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> every_;
};

}  // namespace app

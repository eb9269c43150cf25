#include "app/options.hpp"

#include <charconv>

namespace app {

Options::Options(const std::vector<std::string>& args,
                 const std::map<std::string, bool>& known_takes_value) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument: " + a);
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto it = known_takes_value.find(name);
    if (it == known_takes_value.end()) throw std::invalid_argument("unknown option: --" + name);
    if (it->second && !value) {
      if (i + 1 >= args.size()) throw std::invalid_argument("--" + name + " needs a value");
      value = args[++i];
    }
    if (!it->second && value) throw std::invalid_argument("--" + name + " takes no value");
    values_[name] = value.value_or("");
    every_[name].push_back(value.value_or(""));
  }
}

std::string Options::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::vector<std::string> Options::all(const std::string& name) const {
  auto it = every_.find(name);
  return it == every_.end() ? std::vector<std::string>{} : it->second;
}

long long Options::number(const std::string& name, long long fallback, long long min,
                          long long max) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  long long v = 0;
  const auto& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < min || v > max)
    throw std::invalid_argument("--" + name + " must be a whole number from " +
                                std::to_string(min) + " to " + std::to_string(max) + ", not '" +
                                s + "'");
  return v;
}

}  // namespace app

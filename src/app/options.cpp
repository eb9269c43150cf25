#include "app/options.hpp"

// The whole of CLI11: App needs the Formatter and Config it defines in other headers.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <sstream>

namespace app {

namespace {

// "a, b or c"
std::string one_of(const std::vector<std::string>& words, const std::string& last_joint) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i)
    out += (i == 0 ? "" : i + 1 == words.size() ? last_joint : ", ") + words[i];
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// Why `value` does not fit (without the option's name), or "".
std::string value_problem(const OptionSpec& spec, const std::string& value) {
  switch (spec.kind) {
    case OptionKind::flag:
      return "";
    case OptionKind::text:
      if (!spec.choices.empty() &&
          std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end())
        return "must be " + one_of(spec.choices, " or ") + ", not '" + value + "'";
      return spec.check ? spec.check(value) : "";
    case OptionKind::whole: {
      long long v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || v < spec.min || v > spec.max)
        return "must be a whole number from " + std::to_string(spec.min) + " to " + std::to_string(spec.max) +
               ", not '" + value + "'";
      return "";
    }
    case OptionKind::seconds: {
      double v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || !(v > static_cast<double>(spec.min)) ||
          v > static_cast<double>(spec.max))
        return "must be a number of seconds above " + std::to_string(spec.min) + " and at most " +
               std::to_string(spec.max) + ", not '" + value + "'";
      return "";
    }
  }
  return "";
}

constexpr std::size_t help_column = 27;  // "  --name VALUE" is padded to it, then the help

}  // namespace

std::string option_value_error(const OptionSpec& spec, const std::string& value) {
  const std::string why = value_problem(spec, value);
  return why.empty() ? "" : "--" + spec.name + " " + why;
}

const OptionSpec* OptionTable::find(const std::string& name) const {
  for (const auto& group : groups)
    for (const auto& spec : group.options)
      if (spec.name == name) return &spec;
  return nullptr;
}

std::string OptionTable::help() const {
  std::ostringstream out;
  out << usage;
  for (const auto& group : groups) {
    out << "\n" << (group.title.empty() ? "Options" : group.title) << ":\n";
    for (const auto& spec : group.options) {
      std::string text = spec.help;
      text = replace_all(text, "{default}", spec.fallback);
      text = replace_all(text, "{env}", one_of(spec.env, ", else "));
      text = replace_all(text, "{choices}", one_of(spec.choices, " or "));
      std::string left = "  --" + spec.name + (spec.value_name.empty() ? "" : " " + spec.value_name);
      left += left.size() + 2 <= help_column ? std::string(help_column - left.size(), ' ') : "  ";
      std::istringstream lines(text);
      std::string line;
      bool first = true;
      while (std::getline(lines, line)) {
        out << (first ? left : std::string(help_column, ' ')) << line << "\n";
        first = false;
      }
      if (first) out << left << "\n";
    }
  }
  out << "  -h, --help" << std::string(help_column - 12, ' ') << "print this help and exit\n" << epilog;
  return out.str();
}

Options::Options(const OptionTable& table, const std::vector<std::string>& args) : table_(&table) {
  CLI::App cli;
  cli.set_help_flag();  // the help is ours, made from the table
  cli.add_flag("-h,--help", help_);
  std::map<std::string, CLI::Option*> bound;
  for (const auto& group : table.groups)
    for (const auto& spec : group.options) {
      CLI::Option* o = nullptr;
      if (spec.kind == OptionKind::flag) {
        // "--flag=false" would read as given: a flag takes no value.
        o = cli.add_flag("--" + spec.name)->disable_flag_override();
      } else {
        o = cli.add_option("--" + spec.name)->type_name(spec.value_name);
        // Thrown past CLI11, whose own message would name the option twice.
        o->check(CLI::Validator(
            [spec](std::string& v) {
              if (auto why = option_value_error(spec, v); !why.empty()) throw std::invalid_argument(why);
              return std::string();
            },
            spec.value_name));
      }
      // Given twice: a repeatable option keeps both, any other takes the last (as before CLI11).
      o->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
      bound[spec.name] = o;
    }
  if (!table.positional.empty()) cli.add_option(table.positional, positional_);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    cli.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (help_) return;  // --help answers even beside a mistake
    // In the words parley used before CLI11 (and tests and scripts may look for).
    if (dynamic_cast<const CLI::ExtrasError*>(&e) && !cli.remaining().empty()) {
      const std::string first = cli.remaining().front();
      throw std::invalid_argument((first.starts_with("-") ? "unknown option: " : "unexpected argument: ") + first);
    }
    const std::string what = e.what();  // "--name: 1 required N missing"
    if (what.find(" was given a disallowed flag override") != std::string::npos)
      throw std::invalid_argument("--" + what.substr(0, what.find(' ')) + " takes no value");
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) && what.starts_with("--") && what.find(':') != std::string::npos)
      throw std::invalid_argument(what.substr(0, what.find(':')) + " needs a value");
    throw std::invalid_argument(what);
  }
  for (const auto& [name, o] : bound) {
    if (o->count() == 0) continue;
    auto& values = given_[name];
    const OptionSpec& s = spec(name);
    if (s.kind == OptionKind::flag) {
      values.push_back("");
    } else if (s.repeatable) {
      values = o->results();
    } else {
      values.push_back(o->results().back());
    }
  }
  // The environment's values are checked as strictly as the command line's.
  for (const auto& group : table.groups)
    for (const auto& s : group.options) {
      if (has(s.name)) continue;
      for (const auto& var : s.env) {
        const char* v = std::getenv(var.c_str());
        if (!v || !*v) continue;
        if (const auto why = value_problem(s, v); !why.empty())
          throw std::invalid_argument(var + " (the default of --" + s.name + ") " + why);
        break;
      }
    }
}

const OptionSpec& Options::spec(const std::string& name) const {
  const OptionSpec* s = table_->find(name);
  // A name the table lacks is the program's mistake, not the user's.
  if (!s) throw std::logic_error("no option --" + name + " is declared");
  return *s;
}

std::optional<std::string> Options::value(const std::string& name) const {
  const OptionSpec& s = spec(name);
  if (auto it = given_.find(name); it != given_.end()) return it->second.back();
  for (const auto& var : s.env)
    if (const char* v = std::getenv(var.c_str()); v && *v) return std::string(v);
  return std::nullopt;
}

std::string Options::get(const std::string& name) const {
  return value(name).value_or(spec(name).fallback);
}

std::vector<std::string> Options::all(const std::string& name) const {
  spec(name);
  auto it = given_.find(name);
  return it == given_.end() ? std::vector<std::string>{} : it->second;
}

long long Options::number(const std::string& name) const {
  const OptionSpec& s = spec(name);
  if (s.kind != OptionKind::whole) throw std::logic_error("--" + name + " is not a whole number");
  const std::string v = get(name);
  if (const auto why = option_value_error(s, v); !why.empty()) throw std::invalid_argument(why);
  return std::stoll(v);
}

long long Options::milliseconds(const std::string& name) const {
  const OptionSpec& s = spec(name);
  if (s.kind != OptionKind::seconds) throw std::logic_error("--" + name + " is not in seconds");
  const std::string v = get(name);
  if (const auto why = option_value_error(s, v); !why.empty()) throw std::invalid_argument(why);
  return static_cast<long long>(std::stod(v) * 1000);
}

}  // namespace app

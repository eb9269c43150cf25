#pragma once
// Command-line options declared once: each option's name, value, help, default, range, accepted
// words and environment fallback are one OptionSpec; the help text and the checks are made from it
// and CLI11 parses ("--name value" or "--name=value"). A subcommand's options are an OptionTable
// of groups (app/serve_options.cpp, app/bench_options.cpp, ...).
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace app {

enum class OptionKind {
  flag,     // no value: given or not
  text,     // any text (or one of `choices`), checked by `check` if set
  whole,    // a whole number in [min, max]
  seconds,  // a decimal number of seconds above min and at most max
};

struct OptionSpec {
  std::string name{};  // without the leading "--"
  OptionKind kind = OptionKind::text;
  std::string value_name{};  // as the help shows the value: N, DIR, URL...
  // What the option does, as help lines ('\n' between them). "{default}" is replaced by
  // `fallback` and "{env}" by the environment variables, so neither is written twice.
  std::string help{};
  std::string fallback{};  // the value when neither given nor in the environment ("" = none)
  long long min = 0, max = 0;  // whole, seconds: the range
  std::vector<std::string> choices{};  // text: the only words accepted (empty: any)
  std::vector<std::string> env{};  // read in this order when the option is not given
  bool repeatable = false;  // every value kept (else the last one given wins)
  // text: "" when the value is acceptable, else why not (after "--name ").
  std::function<std::string(const std::string&)> check{};
};

struct OptionGroup {
  std::string title;  // "" for the first, untitled group ("Options:")
  std::vector<OptionSpec> options;
};

struct OptionTable {
  std::string usage;       // the help up to the options: "Usage: parley ...\n\nWhat it does.\n"
  std::vector<OptionGroup> groups;
  std::string epilog;      // help after the options
  std::string positional;  // name of the positional arguments ("URL"), "" when none are taken
  // The spec of --name, or nullptr.
  const OptionSpec* find(const std::string& name) const;
  // The help text: usage, each group's options with their defaults, epilog.
  std::string help() const;
};

// "--name must be ..." when `value` does not fit `spec`, else "".
std::string option_value_error(const OptionSpec& spec, const std::string& value);

// Parsed command-line options of one OptionTable.
class Options {
 public:
  // Parses with CLI11. Throws std::invalid_argument naming the option for an unknown option, a
  // missing value, a value out of range or not one of the words, or a bad environment value.
  Options(const OptionTable& table, const std::vector<std::string>& args);

  bool help() const { return help_; }
  // Whether --name was given on the command line (its environment variable does not count).
  bool has(const std::string& name) const { return given_.count(name) != 0; }
  // The value given, else that of its environment variable, else nullopt.
  std::optional<std::string> value(const std::string& name) const;
  // The value given, else its environment's, else the declared default.
  std::string get(const std::string& name) const;
  // Every value of a repeatable option, in order.
  std::vector<std::string> all(const std::string& name) const;
  // get() as the whole number it was checked to be.
  long long number(const std::string& name) const;
  // get() of a seconds option, in milliseconds.
  long long milliseconds(const std::string& name) const;
  // The arguments that are not options (only when the table names them).
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  const OptionSpec& spec(const std::string& name) const;

  const OptionTable* table_;
  bool help_ = false;
  std::map<std::string, std::vector<std::string>> given_;
  std::vector<std::string> positional_;
};

}  // namespace app

#include "app/options.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <sstream>

#include "app/bench_command.hpp"
#include "app/chat_command.hpp"
#include "app/local_command.hpp"
#include "app/serve_command.hpp"
#include "app/serve_options.hpp"
#include "app/tables_command.hpp"

namespace app {
namespace {

struct Command {
  const char* name;
  const OptionTable& table;
  int (*run)(const std::vector<std::string>&);
  std::vector<std::string> before;  // what precedes the options on its command line
};

std::vector<Command> commands() {
  return {{"serve", serve_options(), serve_command, {}},
          {"chat", chat_options(), chat_command, {"ws://127.0.0.1:1/dev"}},
          {"bench", bench_options(), bench_command, {}},
          {"tables", tables_options(), tables_command, {"create"}}};
}

// The option names the help lists: lines starting "  --name".
std::vector<std::string> listed(const std::string& help) {
  std::vector<std::string> names;
  static const std::regex line(R"(^  --([a-z0-9-]+))");
  std::istringstream in(help);
  for (std::string l; std::getline(in, l);)
    if (std::smatch m; std::regex_search(l, m, line)) names.push_back(m[1]);
  return names;
}

// A value the declaration must accept.
std::vector<std::string> valid_values(const OptionSpec& s) {
  switch (s.kind) {
    case OptionKind::flag:
      return {};
    case OptionKind::whole:
      return {std::to_string(s.min), std::to_string(s.max), std::to_string(s.min + (s.max - s.min) / 2)};
    case OptionKind::seconds:
      return {"0.5", std::to_string(s.max)};
    case OptionKind::text:
      if (!s.choices.empty()) return s.choices;
      return {s.fallback.empty() ? "value" : s.fallback};
  }
  return {};
}

// Values it must refuse (none for free text).
std::vector<std::string> invalid_values(const OptionSpec& s) {
  switch (s.kind) {
    case OptionKind::flag:
      return {};
    case OptionKind::whole: {
      std::vector<std::string> v = {"abc", "1.5", "12x"};
      if (s.min > LLONG_MIN) v.push_back(std::to_string(s.min - 1));
      if (s.max < LLONG_MAX) v.push_back(std::to_string(s.max + 1));
      return v;
    }
    case OptionKind::seconds:
      return {"abc", std::to_string(s.min), std::to_string(s.max + 1)};
    case OptionKind::text:
      return s.choices.empty() ? std::vector<std::string>{} : std::vector<std::string>{"not-" + s.choices[0]};
  }
  return {};
}

TEST(OptionTables, EveryOptionTheHelpListsParsesWithAValueOfItsType) {
  for (const auto& c : commands()) {
    const auto names = listed(c.table.help());
    ASSERT_GT(names.size(), 3u) << c.name;
    for (const auto& name : names) {
      SCOPED_TRACE(std::string(c.name) + " --" + name);
      const OptionSpec* spec = c.table.find(name);
      if (name == "help") continue;
      ASSERT_NE(spec, nullptr) << "listed in the help but not declared";
      if (spec->kind == OptionKind::flag) {
        Options o(c.table, {"--" + name});
        EXPECT_TRUE(o.has(name));
        continue;
      }
      for (const auto& v : valid_values(*spec)) {
        for (const auto& args : {std::vector<std::string>{"--" + name, v}, {"--" + name + "=" + v}}) {
          // What precedes the options only where Options sees it (chat's URL, not tables' create).
          std::vector<std::string> line = c.table.positional.empty() ? std::vector<std::string>{} : c.before;
          line.insert(line.end(), args.begin(), args.end());
          try {
            Options o(c.table, line);
            EXPECT_TRUE(o.has(name));
            EXPECT_EQ(o.get(name), v);
            if (spec->kind == OptionKind::whole) {
              EXPECT_EQ(std::to_string(o.number(name)), v);
            }
          } catch (const std::exception& e) {
            ADD_FAILURE() << "refused " << args[0] << (args.size() > 1 ? " " + args[1] : "") << ": " << e.what();
          }
        }
      }
    }
  }
}

TEST(OptionTables, AValueOutOfRangeOrNotOneOfTheWordsIsRefusedNamingTheOption) {
  for (const auto& c : commands())
    for (const auto& name : listed(c.table.help())) {
      const OptionSpec* spec = c.table.find(name);
      if (!spec) continue;
      for (const auto& v : invalid_values(*spec)) {
        SCOPED_TRACE(std::string(c.name) + " --" + name + " " + v);
        try {
          Options o(c.table, {"--" + name, v});
          ADD_FAILURE() << "accepted";
        } catch (const std::invalid_argument& e) {
          EXPECT_NE(std::string(e.what()).find("--" + name + " "), std::string::npos) << e.what();
        }
      }
    }
}

TEST(OptionTables, EveryDefaultIsAValueItsOptionAccepts) {
  for (const auto& c : commands())
    for (const auto& group : c.table.groups)
      for (const auto& spec : group.options) {
        SCOPED_TRACE(std::string(c.name) + " --" + spec.name);
        if (spec.fallback.empty()) continue;
        EXPECT_EQ(option_value_error(spec, spec.fallback), "");
        // The help shows the declared default, not a copy of it in words.
        EXPECT_NE(spec.help.find("{default}"), std::string::npos);
      }
}

TEST(OptionTables, AnOptionOfSeveralCommandsIsTheSameDeclaration) {
  for (const auto& group : tables_options().groups)
    for (const auto& spec : group.options) {
      const OptionSpec* serve = serve_options().find(spec.name);
      ASSERT_NE(serve, nullptr) << spec.name;
      EXPECT_EQ(spec.help, serve->help);
      EXPECT_EQ(spec.fallback, serve->fallback);
      EXPECT_EQ(spec.env, serve->env);
    }
  // bench and serve share --threads: the same meaning of 0.
  EXPECT_EQ(bench_options().find("threads")->fallback, serve_options().find("threads")->fallback);
}

TEST(OptionTables, NamesAreUniqueWithinACommand) {
  for (const auto& c : commands()) {
    auto names = listed(c.table.help());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end()) << c.name;
  }
}

TEST(Options, UnknownOptionsMissingValuesAndStrayArgumentsAreUsageErrors) {
  auto message = [](std::vector<std::string> args) {
    try {
      Options o(serve_options(), args);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message({"--bogus"}), "unknown option: --bogus");
  EXPECT_EQ(message({"--port"}), "--port needs a value");
  EXPECT_EQ(message({"stray"}), "unexpected argument: stray");
  EXPECT_EQ(message({"--management-public=false"}), "--management-public takes no value");
  EXPECT_EQ(message({"--stage", "a/b"}), "--stage must be a plain path segment");
  EXPECT_EQ(message({"--port", "1", "--port", "2"}), "accepted");
}

TEST(Options, TheLastValueWinsUnlessTheOptionRepeats) {
  Options o(serve_options(), {"--port", "1", "--port=2", "--allowed-origin", "https://a", "--allowed-origin=https://b"});
  EXPECT_EQ(o.number("port"), 2);
  EXPECT_EQ(o.all("allowed-origin"), (std::vector<std::string>{"https://a", "https://b"}));
}

TEST(Options, TheEnvironmentFillsInWhatTheCommandLineLeavesOutAndIsChecked) {
  ::unsetenv("AWS_REGION");
  ::unsetenv("AWS_DEFAULT_REGION");
  EXPECT_EQ(Options(serve_options(), {}).get("region"), "us-east-1");
  ::setenv("AWS_DEFAULT_REGION", "eu-west-3", 1);
  EXPECT_EQ(Options(serve_options(), {}).get("region"), "eu-west-3");
  ::setenv("AWS_REGION", "eu-north-1", 1);
  Options env(serve_options(), {});
  EXPECT_EQ(env.get("region"), "eu-north-1");
  EXPECT_FALSE(env.has("region")) << "has() is the command line's";
  EXPECT_EQ(Options(serve_options(), {"--region", "ap-south-1"}).get("region"), "ap-south-1");
  ::unsetenv("AWS_REGION");
  ::unsetenv("AWS_DEFAULT_REGION");

  ::setenv("PARLEY_LOG_LEVEL", "loud", 1);
  EXPECT_THROW(Options(serve_options(), {}), std::invalid_argument);
  EXPECT_EQ(Options(serve_options(), {"--log-level", "warn"}).get("log-level"), "warn");
  ::setenv("PARLEY_LOG_LEVEL", "debug", 1);
  EXPECT_EQ(Options(serve_options(), {}).value("log-level"), "debug");
  ::unsetenv("PARLEY_LOG_LEVEL");
  EXPECT_EQ(Options(serve_options(), {}).value("log-level"), std::nullopt);
  EXPECT_EQ(Options(serve_options(), {}).get("log-level"), "info");
}

// The commands themselves: --help prints the table's help and succeeds (exit 0); a bad value is
// std::invalid_argument, which main turns into exit status 2.
TEST(Commands, HelpIsTheDeclarationsAndABadValueIsAUsageError) {
  for (const auto& c : commands()) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> help = c.before;
    help.push_back("--help");
    std::ostringstream out;
    auto* old = std::cout.rdbuf(out.rdbuf());
    const int status = c.run(help);
    std::cout.rdbuf(old);
    EXPECT_EQ(status, 0);
    EXPECT_EQ(out.str(), c.table.help());
    std::vector<std::string> bad = c.before;
    bad.push_back("--bogus");
    // Only a parse error here: an accepted bad value would start a server or a load run.
    EXPECT_THROW(c.run(bad), std::invalid_argument);
  }
  std::ostringstream out;
  auto* old = std::cout.rdbuf(out.rdbuf());
  EXPECT_EQ(local_command({"--help"}), 0);
  std::cout.rdbuf(old);
  EXPECT_NE(out.str().find(serve_options().help()), std::string::npos);
}

}  // namespace
}  // namespace app

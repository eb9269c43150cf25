#pragma once
// The options of `parley serve` (and so of `parley local`), declared once: names, help, defaults,
// ranges and environment fallbacks, in the groups the help shows. The groups are split by concern
// over small files: serve_options.cpp (network, limits, store, operation), security_options.cpp
// (who gets in), lambda_options.cpp (Lambda process mode).
#include "app/options.hpp"

namespace app {

const OptionTable& serve_options();

// The groups kept in other files.
OptionGroup security_option_group();
OptionGroup lambda_option_group();

// Titles of the groups whose every option needs a mode: --store dynamodb, --lambda process.
extern const char* const dynamodb_group_title;
extern const char* const lambda_group_title;

// The first option of `group` given in `o`, or "" when none is.
std::string first_given(const Options& o, const OptionTable& table, const std::string& group);

}  // namespace app

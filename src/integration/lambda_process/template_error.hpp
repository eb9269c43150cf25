#pragma once
// What a template that cannot be run locally gets: a message naming the resource and property.
#include <stdexcept>
#include <string>

namespace integration::sam {

struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws TemplateError("<where>: <what>").
[[noreturn]] inline void fail(const std::string& where, const std::string& what) {
  throw TemplateError(where + ": " + what);
}

}  // namespace integration::sam

// libFuzzer target: JWKS parsing (auth/jwks: JSON, base64url of n and e, RSA keys through
// OpenSSL). The set comes from a file the operator gives, but a Cognito user pool's jwks.json
// is fetched from outside, and parsing is the first thing done with it.
// Invariants: no crash, no exception; a set that parses holds at least one key, and every kid
// it lists resolves (a one-key set also without kid).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "auth/jwks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto set = auth::Jwks::parse(text, &why);
  if (!set) {
    if (why.empty()) std::abort();  // a refusal says why
    return 0;
  }
  if (set->empty()) std::abort();
  if (set->size() == 1 && !set->find("")) std::abort();
  // Each kid of the document that was kept resolves to a key.
  boost::system::error_code ec;
  const auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) std::abort();  // parse() accepted it: it was a JSON object
  std::size_t found = 0;
  if (const auto* keys = v.get_object().if_contains("keys"); keys && keys->is_array())
    for (const auto& k : keys->get_array())
      if (const auto* kid = k.is_object() ? k.get_object().if_contains("kid") : nullptr; kid && kid->is_string())
        found += set->find(kid->get_string()) != nullptr;
  if (found == 0 && set->size() > 1) std::abort();
  return 0;
}

#include "aws/http/message.hpp"

#include <cctype>

namespace aws::http {

const Header* find_header(const Headers& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.name.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(h.name[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return &h;
  }
  return nullptr;
}

std::string_view Response::header(std::string_view name) const {
  const Header* h = find_header(headers, name);
  return h ? std::string_view(h->value) : std::string_view{};
}

}  // namespace aws::http

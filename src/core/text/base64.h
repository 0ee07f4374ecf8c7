#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace core {

// RFC 4648 base64: the standard alphabet with padding (section 4), or the URL-safe alphabet
// without padding (section 5, as JWTs use it).
enum class Base64Alphabet { standard, url_unpadded };

std::string base64_encode(std::string_view bytes,
                          Base64Alphabet alphabet = Base64Alphabet::standard);
// nullopt when `text` holds a character outside the alphabet or has a wrong length or padding.
std::optional<std::string> base64_decode(std::string_view text,
                                         Base64Alphabet alphabet = Base64Alphabet::standard);

}  // namespace core

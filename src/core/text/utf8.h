#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace core::text {

// Decodes the code point at text[i] and advances i past it. An ill-formed sequence yields one
// U+FFFD per maximal subpart (the lead byte and the continuation bytes that were still valid),
// as Python's decode(errors="replace") does.
std::uint32_t next_code_point(std::string_view text, std::size_t& i);

// Appends the UTF-8 encoding of `cp` (which must be a Unicode scalar value).
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace core::text

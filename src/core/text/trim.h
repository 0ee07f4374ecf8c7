#pragma once

#include <cctype>
#include <string_view>

namespace core::text {

// `text` without the ASCII white space (space, \t, \n, \v, \f, \r) at either end.
inline std::string_view trim_ascii_space(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace core::text

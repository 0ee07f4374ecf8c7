#include "antenna/multipart/sanitize.h"

namespace antenna {

std::string sanitize_key_name(std::string_view name) {
    constexpr std::size_t kMaxLength = 30;
    std::string sanitized;
    for (char c : name) {
        if (sanitized.size() == kMaxLength) {
            break;
        }
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '_') {
            sanitized += c;
        }
    }
    return sanitized;
}

bool is_reserved_dump_name(std::string_view sanitized_name) {
    return sanitized_name == "dump_names" || sanitized_name == "processed_crash" ||
           sanitized_name == "raw_crash";
}

}  // namespace antenna

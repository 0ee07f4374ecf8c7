#include "core/text/base64.h"

#include <array>

namespace core {

namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet) {
    std::string_view digits = alphabet == Base64Alphabet::standard ? kStandard : kUrl;
    bool pad = alphabet == Base64Alphabet::standard;
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        auto group = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                     static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                     static_cast<unsigned char>(bytes[i + 2]);
        out += digits[group >> 18 & 63];
        out += digits[group >> 12 & 63];
        out += digits[group >> 6 & 63];
        out += digits[group & 63];
    }
    std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        unsigned group = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
        if (rest == 2) {
            group |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        }
        out += digits[group >> 18 & 63];
        out += digits[group >> 12 & 63];
        if (rest == 2) {
            out += digits[group >> 6 & 63];
        }
        if (pad) {
            out.append(3 - rest, '=');
        }
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet) {
    std::string_view digits = alphabet == Base64Alphabet::standard ? kStandard : kUrl;
    std::array<int, 256> value{};
    value.fill(-1);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        value[static_cast<unsigned char>(digits[i])] = static_cast<int>(i);
    }
    if (alphabet == Base64Alphabet::standard) {
        if (text.size() % 4 != 0) {
            return std::nullopt;
        }
        std::size_t padding = 0;
        while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
            ++padding;
        }
        text.remove_suffix(padding);
    }
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() * 3 / 4);
    unsigned group = 0;
    int bits = 0;
    for (char c : text) {
        int digit = value[static_cast<unsigned char>(c)];
        if (digit < 0) {
            return std::nullopt;
        }
        group = (group << 6 | static_cast<unsigned>(digit)) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>(group >> bits & 0xFF);
        }
    }
    // The bits left over must be zero for the encoding to be canonical.
    if ((group & ((1u << bits) - 1)) != 0) {
        return std::nullopt;
    }
    return out;
}

}  // namespace core

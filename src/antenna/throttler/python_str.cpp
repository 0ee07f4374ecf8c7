#include "antenna/throttler/python_str.h"

#include <cmath>

#include <boost/json.hpp>

#include "core/json/python_json.h"

namespace antenna {
namespace {

// Assigned code points that str.isprintable() rejects (categories Cc, Cf, Zs but ' ', Zl, Zp,
// Co), from Python 3.11's Unicode 14 database, which Antenna's image runs.
constexpr std::uint32_t kNonPrintable[][2] = {
    {0x0, 0x1f},        {0x7f, 0xa0},       {0xad, 0xad},       {0x600, 0x605},
    {0x61c, 0x61c},     {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x890, 0x891},
    {0x8e2, 0x8e2},     {0x1680, 0x1680},   {0x180e, 0x180e},   {0x2000, 0x200f},
    {0x2028, 0x202f},   {0x205f, 0x2064},   {0x2066, 0x206f},   {0x3000, 0x3000},
    {0xe000, 0xf8ff},   {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0x110bd, 0x110bd},
    {0x110cd, 0x110cd}, {0x13430, 0x13438}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
    {0xe0001, 0xe0001}, {0xe0020, 0xe007f}, {0xf0000, 0xffffd}, {0x100000, 0x10fffd},
};

bool is_printable(std::uint32_t cp) {
    // Noncharacters are unassigned (Cn) but easy to recognise.
    if ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF)) {
        return false;
    }
    for (const auto& range : kNonPrintable) {
        if (cp < range[0]) {
            return true;
        }
        if (cp <= range[1]) {
            return false;
        }
    }
    return true;
}

void append_hex_escape(std::string& out, std::uint32_t cp) {
    constexpr char kHex[] = "0123456789abcdef";
    int digits = 8;
    if (cp <= 0xFF) {
        out += "\\x";
        digits = 2;
    } else if (cp <= 0xFFFF) {
        out += "\\u";
        digits = 4;
    } else {
        out += "\\U";
    }
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
        out += kHex[(cp >> shift) & 0xF];
    }
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

void append_repr(std::string& out, std::string_view text) {
    bool has_single = text.find('\'') != std::string_view::npos;
    bool has_double = text.find('"') != std::string_view::npos;
    char quote = has_single && !has_double ? '"' : '\'';
    out += quote;
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = next_code_point(text, i);
        if (cp == static_cast<unsigned char>(quote) || cp == '\\') {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (is_printable(cp)) {
            append_utf8(out, cp);
        } else {
            append_hex_escape(out, cp);
        }
    }
    out += quote;
}

void append_python_repr(std::string& out, const boost::json::value& value) {
    switch (value.kind()) {
        case boost::json::kind::null:
            out += "None";
            break;
        case boost::json::kind::bool_:
            out += value.get_bool() ? "True" : "False";
            break;
        case boost::json::kind::int64:
            out += std::to_string(value.get_int64());
            break;
        case boost::json::kind::uint64:
            out += std::to_string(value.get_uint64());
            break;
        case boost::json::kind::double_: {
            // core's helper writes JSON's NaN/Infinity; repr() says nan/inf.
            double number = value.get_double();
            if (std::isnan(number)) {
                out += "nan";
            } else if (std::isinf(number)) {
                out += number > 0 ? "inf" : "-inf";
            } else {
                core::json::append_python_float(out, number);
            }
            break;
        }
        case boost::json::kind::string:
            append_repr(out, value.get_string());
            break;
        case boost::json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& item : value.get_array()) {
                out += first ? "" : ", ";
                first = false;
                append_python_repr(out, item);
            }
            out += ']';
            break;
        }
        case boost::json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& member : value.get_object()) {
                out += first ? "" : ", ";
                first = false;
                append_repr(out, member.key());
                out += ": ";
                append_python_repr(out, member.value());
            }
            out += '}';
            break;
        }
    }
}

}  // namespace

std::uint32_t next_code_point(std::string_view text, std::size_t& i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(i);
    if (lead < 0x80) {
        ++i;
        return lead;
    }
    int length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte (Unicode Table 3-7)
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;
        high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        ++i;
        return 0xFFFD;
    }
    std::uint32_t cp = lead & (0x7F >> length);
    for (int k = 1; k < length; ++k) {
        if (i + k >= text.size() || byte(i + k) < low || byte(i + k) > high) {
            i += k;
            return 0xFFFD;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3F);
        low = 0x80;
        high = 0xBF;
    }
    i += length;
    return cp;
}

std::string python_str(const boost::json::value& value) {
    if (value.is_string()) {
        return std::string(value.get_string());
    }
    std::string out;
    append_python_repr(out, value);
    return out;
}

std::string python_repr(std::string_view utf8) {
    std::string out;
    append_repr(out, utf8);
    return out;
}

}  // namespace antenna

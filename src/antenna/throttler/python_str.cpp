#include "antenna/throttler/python_str.h"

#include <cmath>

#include <boost/json.hpp>

#include "core/json/python_json.h"
#include "core/text/utf8.h"

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

void append_repr(std::string& out, std::string_view text) {
    bool has_single = text.find('\'') != std::string_view::npos;
    bool has_double = text.find('"') != std::string_view::npos;
    char quote = has_single && !has_double ? '"' : '\'';
    out += quote;
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = core::text::next_code_point(text, i);
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
            core::text::append_utf8(out, cp);
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

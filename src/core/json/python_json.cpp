#include "core/json/python_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

#include <boost/json.hpp>

#include "core/text/utf8.h"

namespace core::json {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_u_escape(std::string& out, std::uint32_t unit) {
    out += "\\u";
    out += kHex[(unit >> 12) & 0xF];
    out += kHex[(unit >> 8) & 0xF];
    out += kHex[(unit >> 4) & 0xF];
    out += kHex[unit & 0xF];
}

void write(std::string& out, const boost::json::value& value, const PythonDumpsOptions& options);

void write_object(std::string& out, const boost::json::object& object,
                  const PythonDumpsOptions& options) {
    out += '{';
    std::vector<const boost::json::key_value_pair*> members;
    members.reserve(object.size());
    for (const auto& member : object) {
        members.push_back(&member);
    }
    if (options.sort_keys) {
        // Byte order of UTF-8 equals code point order, which is how Python sorts str keys.
        std::stable_sort(members.begin(), members.end(),
                         [](auto* a, auto* b) { return a->key() < b->key(); });
    }
    bool first = true;
    for (const auto* member : members) {
        if (!first) {
            out += ", ";
        }
        first = false;
        append_python_string(out, member->key());
        out += ": ";
        write(out, member->value(), options);
    }
    out += '}';
}

void write(std::string& out, const boost::json::value& value, const PythonDumpsOptions& options) {
    switch (value.kind()) {
        case boost::json::kind::null:
            out += "null";
            break;
        case boost::json::kind::bool_:
            out += value.get_bool() ? "true" : "false";
            break;
        case boost::json::kind::int64:
            out += std::to_string(value.get_int64());
            break;
        case boost::json::kind::uint64:
            out += std::to_string(value.get_uint64());
            break;
        case boost::json::kind::double_:
            append_python_float(out, value.get_double());
            break;
        case boost::json::kind::string:
            append_python_string(out, value.get_string());
            break;
        case boost::json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& item : value.get_array()) {
                if (!first) {
                    out += ", ";
                }
                first = false;
                write(out, item, options);
            }
            out += ']';
            break;
        }
        case boost::json::kind::object:
            write_object(out, value.get_object(), options);
            break;
    }
}

}  // namespace

void append_python_string(std::string& out, std::string_view text) {
    out += '"';
    for (std::size_t i = 0; i < text.size();) {
        // Most text needs no escape: copy each run of it at once.
        std::size_t plain = i;
        while (plain < text.size() && text[plain] >= ' ' && text[plain] <= '~' &&
               text[plain] != '"' && text[plain] != '\\') {
            ++plain;
        }
        out.append(text, i, plain - i);
        i = plain;
        if (i == text.size()) {
            break;
        }
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            ++i;
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                default:
                    // Python escapes everything outside ' '..'~', DEL included.
                    if (c < 0x20 || c == 0x7F) {
                        append_u_escape(out, c);
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            continue;
        }
        std::uint32_t cp = core::text::next_code_point(text, i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            append_u_escape(out, 0xD800 + (cp >> 10));
            append_u_escape(out, 0xDC00 + (cp & 0x3FF));
        } else {
            append_u_escape(out, cp);
        }
    }
    out += '"';
}

void append_python_float(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "Infinity" : "-Infinity";
        return;
    }
    // Shortest round-trip digits, as repr() uses; then Python's layout rules for them.
    char buffer[64];
    auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer));
    bool negative = sci.front() == '-';
    if (negative) {
        sci.remove_prefix(1);
    }
    auto e = sci.find('e');
    std::string digits;
    for (char ch : sci.substr(0, e)) {
        if (ch != '.') {
            digits += ch;
        }
    }
    int exponent = 0;
    std::string_view exp_text = sci.substr(e + 1);
    if (exp_text.front() == '+') {
        exp_text.remove_prefix(1);
    }
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);

    if (negative) {
        out += '-';
    }
    int point = exponent + 1;  // position of the decimal point after the first `point` digits
    if (exponent >= -4 && exponent < 16) {  // repr()'s switch to exponent notation
        if (point <= 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-point), '0');
            out += digits;
        } else if (static_cast<std::size_t>(point) >= digits.size()) {
            out += digits;
            out.append(static_cast<std::size_t>(point) - digits.size(), '0');
            out += ".0";
        } else {
            out.append(digits, 0, static_cast<std::size_t>(point));
            out += '.';
            out.append(digits, static_cast<std::size_t>(point));
        }
        return;
    }
    out += digits[0];
    if (digits.size() > 1) {
        out += '.';
        out.append(digits, 1);
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) {
        out += '0';
    }
    out += std::to_string(magnitude);
}

std::string python_dumps(const boost::json::value& value, PythonDumpsOptions options) {
    std::string out;
    write(out, value, options);
    return out;
}

}  // namespace core::json

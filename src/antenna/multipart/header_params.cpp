#include "antenna/multipart/header_params.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "antenna/multipart/charset.h"
#include "core/text/hex.h"

namespace antenna {
namespace {

// What Python's str.strip() removes besides ASCII whitespace (which also counts \x1c-\x1f),
// as UTF-8.
constexpr std::array<std::string_view, 19> kUnicodeSpaces = {
    "\u0085", "\u00A0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003",
    "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200A",
    "\u2028", "\u2029", "\u202F", "\u205F", "\u3000",
};

bool is_ascii_space(char c) {
    return (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= ' ');
}

bool is_ascii(char c) {
    return static_cast<unsigned char>(c) < 0x80;
}

// Every one of kUnicodeSpaces is non-ASCII, so an ASCII character that is not a space ends a
// strip without comparing it with each of them.
std::string_view rstrip(std::string_view text) {
    while (!text.empty()) {
        if (is_ascii_space(text.back())) {
            text.remove_suffix(1);
            continue;
        }
        if (is_ascii(text.back())) {
            break;
        }
        auto space = std::find_if(kUnicodeSpaces.begin(), kUnicodeSpaces.end(),
                                  [&](std::string_view s) { return text.ends_with(s); });
        if (space == kUnicodeSpaces.end()) {
            break;
        }
        text.remove_suffix(space->size());
    }
    return text;
}

std::string_view strip(std::string_view text) {
    while (!text.empty()) {
        if (is_ascii_space(text.front())) {
            text.remove_prefix(1);
            continue;
        }
        if (is_ascii(text.front())) {
            break;
        }
        auto space = std::find_if(kUnicodeSpaces.begin(), kUnicodeSpaces.end(),
                                  [&](std::string_view s) { return text.starts_with(s); });
        if (space == kUnicodeSpaces.end()) {
            break;
        }
        text.remove_prefix(space->size());
    }
    return rstrip(text);
}

std::string lower(std::string_view text) {
    constexpr std::string_view kKelvin = "\u212A";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == kKelvin.front() && text.substr(i).starts_with(kKelvin)) {
            out += 'k';
            i += kKelvin.size() - 1;
        } else {
            out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
    }
    return out;
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
    std::string out;
    for (std::size_t at = 0;;) {
        std::size_t found = text.find(from, at);
        out.append(text.substr(at, found - at));
        if (found == std::string_view::npos) {
            return out;
        }
        out.append(to);
        at = found + from.size();
    }
}

// _parse_param_old_stdlib: a ';' ends a segment unless the segment so far holds an odd number
// of '"' not preceded by '\'.
std::vector<std::string_view> split_segments(std::string_view line) {
    std::vector<std::string_view> segments;
    std::size_t start = 0;
    while (true) {
        std::string_view rest = line.substr(start);
        std::size_t end = 0;
        int quotes = 0;
        for (; end < rest.size(); ++end) {
            if (rest[end] == ';' && quotes % 2 == 0) {
                break;
            }
            if (rest[end] == '"' && (end == 0 || rest[end - 1] != '\\')) {
                ++quotes;
            }
        }
        segments.push_back(rest.substr(0, end));
        if (end == rest.size()) {
            return segments;
        }
        start += end + 1;
    }
}

bool is_utf8_text(std::string_view text) {
    return decode_text(text, "utf-8").has_value();
}

// Python's \w (str.isalnum() or '_') for the charset and language of filename*: exact for
// ASCII, Latin-1, General Punctuation, Currency Symbols and the ideographic space and
// punctuation U+3000-U+3004; any other non-ASCII character counts as alphanumeric (most
// assigned ones are).
bool is_word(char32_t c, bool allow_dash) {
    if (c < 0x80) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '_' || (allow_dash && c == '-');
    }
    if (c < 0x100) {
        return (c >= 0xC0 && c != 0xD7 && c != 0xF7) || c == 0xAA || c == 0xB2 || c == 0xB3 ||
               c == 0xB5 || c == 0xB9 || c == 0xBA || (c >= 0xBC && c <= 0xBE);
    }
    return !(c >= 0x2000 && c <= 0x206F) && !(c >= 0x20A0 && c <= 0x20CF) &&
           !(c >= 0x3000 && c <= 0x3004);
}

// The length in bytes of the run of \w characters at the start of the (valid UTF-8) text.
std::size_t word_run(std::string_view text, bool allow_dash) {
    std::size_t n = 0;
    while (n < text.size()) {
        auto lead = static_cast<unsigned char>(text[n]);
        std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        char32_t c = length == 1 ? lead : lead & (0x7F >> length);
        for (std::size_t i = 1; i < length && n + i < text.size(); ++i) {
            c = (c << 6) | (static_cast<unsigned char>(text[n + i]) & 0x3F);
        }
        if (!is_word(c, allow_dash)) {
            break;
        }
        n += length;
    }
    return std::min(n, text.size());
}

// urllib.parse.unquote_to_bytes: "%XX" with two hex digits becomes that byte, anything else
// stays as it is.
std::string unquote_to_bytes(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && core::hex_digit_value(text[i + 1]) >= 0 &&
            core::hex_digit_value(text[i + 2]) >= 0) {
            out += static_cast<char>(core::hex_digit_value(text[i + 1]) * 16 +
                                     core::hex_digit_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// Falcon's _FILENAME_STAR_RFC5987.match(): charset ([\w-]+), "'", language ([\w]*), "'", then
// the value (.+), which stops at a '\n'. Returns {charset, value} on a match.
std::optional<std::pair<std::string_view, std::string_view>> match_filename_star(
    std::string_view text) {
    std::size_t charset_end = word_run(text, true);
    if (charset_end == 0 || charset_end == text.size() || text[charset_end] != '\'') {
        return std::nullopt;
    }
    std::string_view after_charset = text.substr(charset_end + 1);
    std::size_t language_end = word_run(after_charset, false);
    if (language_end == after_charset.size() || after_charset[language_end] != '\'') {
        return std::nullopt;
    }
    std::string_view value = after_charset.substr(language_end + 1);
    value = value.substr(0, value.find('\n'));
    if (value.empty()) {
        return std::nullopt;
    }
    return std::pair{text.substr(0, charset_end), value};
}

}  // namespace

std::optional<std::string> HeaderValue::param(std::string_view name) const {
    for (const auto& [key, value] : params) {
        if (key == name) {
            return value;
        }
    }
    return std::nullopt;
}

constexpr std::size_t kParamsSearchedInPlace = 8;

HeaderValue parse_header(std::string_view line) {
    std::vector<std::string_view> segments = split_segments(line);
    HeaderValue result;
    result.value = std::string(strip(segments.front()));
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 1; i < segments.size(); ++i) {
        std::string_view segment = strip(segments[i]);
        std::size_t equals = segment.find('=');
        if (equals == std::string_view::npos) {
            continue;
        }
        std::string name = lower(strip(segment.substr(0, equals)));
        std::string_view raw = strip(segment.substr(equals + 1));
        std::string value(raw);
        if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
            value =
                replace_all(replace_all(raw.substr(1, raw.size() - 2), "\\\\", "\\"), "\\\"", "\"");
        }
        std::size_t at = 0;
        if (index.empty()) {
            while (at < result.params.size() && result.params[at].first != name) {
                ++at;
            }
        } else if (auto found = index.find(name); found != index.end()) {
            at = found->second;
        } else {
            at = result.params.size();
        }
        if (at < result.params.size()) {
            result.params[at].second = std::move(value);
            continue;
        }
        result.params.emplace_back(std::move(name), std::move(value));
        // A few parameters are searched in place; an index keeps a header of thousands of
        // parameters linear.
        if (!index.empty()) {
            index.emplace(result.params.back().first, at);
        } else if (result.params.size() > kParamsSearchedInPlace) {
            for (std::size_t i = 0; i < result.params.size(); ++i) {
                index.emplace(result.params[i].first, i);
            }
        }
    }
    return result;
}

Boundary multipart_boundary(std::string_view content_type) {
    std::string text;
    for (char c : content_type) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x80) {
            text += c;
        } else {
            text += static_cast<char>(0xC0 | (byte >> 6));
            text += static_cast<char>(0x80 | (byte & 0x3F));
        }
    }
    std::optional<std::string> boundary = parse_header(text).param("boundary");
    if (!boundary) {
        return {Boundary::Error::missing, {}};
    }
    std::string value(rstrip(*boundary));
    std::size_t characters = 0;
    for (char c : value) {
        characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }
    if (characters < 1 || characters > 70) {
        return {Boundary::Error::bad_length, {}};
    }
    return {Boundary::Error::none, std::move(value)};
}

std::optional<ContentDisposition> parse_content_disposition(std::string_view header) {
    if (!is_utf8_text(header)) {
        return std::nullopt;
    }
    HeaderValue parsed = parse_header(header);
    ContentDisposition disposition;
    disposition.name = parsed.param("name");
    std::string filename_star = parsed.param("filename*").value_or("");
    auto star = match_filename_star(filename_star);
    if (!star) {
        disposition.filename = parsed.param("filename");
        return disposition;
    }
    auto [charset, value] = *star;
    disposition.filename = decode_text(unquote_to_bytes(value), charset);
    if (!disposition.filename) {
        disposition.filename_error = "invalid text or charset: " + std::string(charset);
    }
    return disposition;
}

}  // namespace antenna

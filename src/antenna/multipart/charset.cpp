#include "antenna/multipart/charset.h"

#include <array>
#include <cerrno>
#include <iconv.h>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "antenna/multipart/python_codecs.h"
#include "core/text/utf8.h"

namespace antenna {
namespace {

using python_codecs::Codec;
using python_codecs::Kind;

// Well-formed UTF-8 (Unicode table 3-7), which is what Python's decoder accepts: no overlong
// forms, no surrogates, nothing above U+10FFFF.
bool is_utf8(std::string_view data) {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    const auto* end = p + data.size();
    while (p < end) {
        unsigned char c = *p++;
        if (c < 0x80) {
            continue;
        }
        int trailing;
        unsigned char low = 0x80, high = 0xBF;  // range of the first continuation byte
        if (c >= 0xC2 && c <= 0xDF) {
            trailing = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            trailing = 2;
            low = c == 0xE0 ? 0xA0 : 0x80;
            high = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            trailing = 3;
            low = c == 0xF0 ? 0x90 : 0x80;
            high = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        if (end - p < trailing || *p < low || *p > high) {
            return false;
        }
        for (int i = 1; i < trailing; ++i) {
            if ((p[i] & 0xC0) != 0x80) {
                return false;
            }
        }
        p += trailing;
    }
    return true;
}

// Python's UTF-16/UTF-32 decoders. `detect_bom`: the plain "utf-16"/"utf-32" codec, where a
// leading BOM picks the byte order and is dropped, and little-endian (native) is the default.
std::optional<std::string> decode_utf16_32(std::string_view data, int width, bool big_endian,
                                           bool detect_bom) {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t size = data.size();
    auto unit = [&](std::size_t at, bool big) {
        char32_t value = 0;
        for (int i = 0; i < width; ++i) {
            value |= static_cast<char32_t>(p[at + i]) << (8 * (big ? width - 1 - i : i));
        }
        return value;
    };
    std::size_t at = 0;
    if (detect_bom && size >= static_cast<std::size_t>(width)) {
        if (unit(0, false) == 0xFEFF) {
            at = width;
        } else if (unit(0, true) == 0xFEFF) {
            at = width;
            big_endian = true;
        }
    }
    if ((size - at) % width != 0) {
        return std::nullopt;  // "truncated data"
    }
    std::string out;
    for (; at < size; at += width) {
        char32_t cp = unit(at, big_endian);
        if (width == 2 && cp >= 0xD800 && cp <= 0xDBFF && at + 2 < size) {
            char32_t low = unit(at + 2, big_endian);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                at += 2;
            }
        }
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return std::nullopt;  // a lone surrogate or beyond Unicode
        }
        core::text::append_utf8(out, cp);
    }
    return out;
}

// Builds a new string rather than using std::string::replace, which GCC 12 at -O2 flags with a
// false -Wrestrict.
void replace_all(std::string& text, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(text.size());
    std::size_t start = 0;
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, start)) {
        out.append(text, start, at - start);
        out.append(to);
        start = at + from.size();
    }
    out.append(text, start);
    text = std::move(out);
}

using IconvHandle = std::unique_ptr<void, int (*)(iconv_t)>;

IconvHandle open_iconv(const char* from) {
    iconv_t cd = iconv_open("UTF-8", from);
    return IconvHandle(cd == reinterpret_cast<iconv_t>(-1) ? nullptr : cd, iconv_close);
}

// Strict conversion: iconv fails on an invalid sequence (EILSEQ) and an incomplete one at the
// end (EINVAL), as Python's codecs do. The final call flushes what a stateful converter holds
// back (glibc's CP1255 and CP1258 wait for combining marks).
std::optional<std::string> iconv_decode(void* cd, std::string_view data) {
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    std::string out(data.size() * 3 + 16, '\0');
    char* in = const_cast<char*>(data.data());
    std::size_t in_left = data.size();
    char* out_at = out.data();
    std::size_t out_left = out.size();
    for (bool flushing = false;;) {
        std::size_t result = flushing ? iconv(cd, nullptr, nullptr, &out_at, &out_left)
                                      : iconv(cd, &in, &in_left, &out_at, &out_left);
        if (result != static_cast<std::size_t>(-1)) {
            if (flushing) {
                break;
            }
            flushing = true;
        } else if (errno == E2BIG) {
            std::size_t used = out.size() - out_left;
            out.resize(out.size() * 2);
            out_at = out.data() + used;
            out_left = out.size() - used;
        } else {
            return std::nullopt;
        }
    }
    out.resize(out.size() - out_left);
    return out;
}

// Single-byte codecs decode through a 256-entry table built once from glibc (plus the
// overrides); an empty entry is a byte the codec leaves undefined.
using ByteTable = std::array<std::string, 256>;

const ByteTable* byte_table(const Codec& codec) {
    static std::mutex mutex;
    static std::unordered_map<const Codec*, ByteTable> tables;
    std::lock_guard lock(mutex);
    if (auto found = tables.find(&codec); found != tables.end()) {
        return &found->second;
    }
    IconvHandle cd = open_iconv(codec.iconv_name);
    if (!cd) {
        return nullptr;
    }
    ByteTable table;
    for (int byte = 0; byte < 256; ++byte) {
        char c = static_cast<char>(byte);
        table[byte] = iconv_decode(cd.get(), std::string_view(&c, 1)).value_or("");
        if (std::string_view text = python_codecs::byte_override(codec, byte); !text.empty()) {
            table[byte] = std::string(text);
        }
    }
    return &tables.emplace(&codec, std::move(table)).first->second;
}

}  // namespace

std::optional<std::string> decode_text(std::string_view data, std::string_view charset) {
    // bytes.decode() answers b"" with "" before it looks the codec up; only a NUL in the name
    // fails earlier, in argument parsing.
    if (data.empty() && charset.find('\0') == std::string_view::npos) {
        return std::string();
    }
    const Codec* codec = python_codecs::find_codec(charset);
    if (codec == nullptr) {
        return std::nullopt;
    }
    switch (codec->kind) {
        case Kind::utf8_sig:
            if (data.starts_with("\xEF\xBB\xBF")) {
                data.remove_prefix(3);
            }
            [[fallthrough]];
        case Kind::utf8:
            return is_utf8(data) ? std::optional<std::string>(data) : std::nullopt;
        case Kind::utf16:
            return decode_utf16_32(data, 2, false, true);
        case Kind::utf16le:
        case Kind::utf16be:
            return decode_utf16_32(data, 2, codec->kind == Kind::utf16be, false);
        case Kind::utf32:
            return decode_utf16_32(data, 4, false, true);
        case Kind::utf32le:
        case Kind::utf32be:
            return decode_utf16_32(data, 4, codec->kind == Kind::utf32be, false);
        case Kind::ascii:
        case Kind::latin1: {
            std::string out;
            for (unsigned char c : data) {
                if (c >= 0x80 && codec->kind == Kind::ascii) {
                    return std::nullopt;
                }
                core::text::append_utf8(out, c);
            }
            return out;
        }
        case Kind::single_byte: {
            const ByteTable* table = byte_table(*codec);
            if (table == nullptr) {
                return std::nullopt;
            }
            std::string out;
            for (unsigned char c : data) {
                if ((*table)[c].empty()) {
                    return std::nullopt;
                }
                out += (*table)[c];
            }
            return out;
        }
        case Kind::multibyte:
        case Kind::shift_jis: {
            IconvHandle cd = open_iconv(codec->iconv_name);
            std::optional<std::string> out = cd ? iconv_decode(cd.get(), data) : std::nullopt;
            if (out && codec->kind == Kind::shift_jis) {
                // glibc reads 0x5C and 0x7E as JIS X 0201 (YEN SIGN, OVERLINE); Python as ASCII.
                // No double-byte character decodes to either.
                replace_all(*out, "\u00A5", "\\");
                replace_all(*out, "\u203E", "~");
            }
            return out;
        }
    }
    return std::nullopt;
}

}  // namespace antenna

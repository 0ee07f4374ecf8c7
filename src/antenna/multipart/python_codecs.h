#pragma once

#include <string_view>

namespace antenna::python_codecs {

// How a codec decodes; see charset.cpp.
enum class Kind {
    utf8,
    utf8_sig,
    utf16,
    utf16le,
    utf16be,
    utf32,
    utf32le,
    utf32be,
    ascii,
    latin1,
    single_byte,  // a 256-entry table from glibc iconv, with Python's differences overridden
    multibyte,    // glibc iconv as is
    shift_jis,    // glibc iconv, 0x5C and 0x7E read as ASCII
};

struct Codec {
    std::string_view names;  // Python's module name, then its aliases (encodings/aliases.py)
    Kind kind;
    const char* iconv_name = nullptr;

    std::string_view module() const { return names.substr(0, names.find(' ')); }
};

// The codec Python's bytes.decode(charset) would use, among those we support; nullptr when
// Python would raise LookupError or the codec is one we do not support. CPython first
// normalizes the name (_Py_normalize_encoding: ASCII letters lower-cased, each run of other
// characters except '.' becomes one '_', none at the start or end), then looks it up as an
// alias, as an alias with '.' read as '_', and as a module name ("ANSI.X3.4.1968" is ascii,
// "utf.8" is unknown).
const Codec* find_codec(std::string_view charset);

// The UTF-8 text Python gives `byte` in a single-byte codec where glibc's table differs (found by
// comparing all 256 bytes of every supported codec); empty when glibc's answer stands.
std::string_view byte_override(const Codec& codec, unsigned char byte);

}  // namespace antenna::python_codecs

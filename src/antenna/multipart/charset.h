#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace antenna {

// Python's `data.decode(charset)` with strict errors, as Falcon's BodyPart.get_text() uses it
// for a text part's `charset` parameter: the text as UTF-8, or nullopt when a byte sequence is
// invalid for the charset or the charset is unknown (Antenna then notes "invalid text or
// charset: <charset>"). Empty data is "" whatever the charset, as in Python (unless the name
// holds a NUL).
//
// Names are looked up as CPython does: ASCII letters lower-cased, every run of other characters
// (except '.') taken as one '_', then Python's alias table ("Latin-1", "l1", "iso_8859-1:1987",
// "UTF8", "u8", "windows-1252", "US-ASCII", ...). Supported: utf-8, utf-8-sig, utf-16/32 (BOM
// chooses the order, little-endian without one) and their -le/-be forms, ascii, latin-1, the
// single-byte codecs verified byte for byte against Python (cp037/273/424/437/500/7xx/8xx/
// 1026/1125/1140/125x, cp874, iso8859-2..16, koi8-r/t/u, kz1048, ptcp154, hp-roman8,
// mac-roman/latin2/cyrillic) and the multibyte gb2312, cp949 and shift_jis (checked against
// Python on every 1- and 2-byte input). Python's other codecs (utf-7, euc-jp, gbk, big5, ...)
// differ from glibc's tables in places and are answered as unknown.
std::optional<std::string> decode_text(std::string_view data, std::string_view charset);

}  // namespace antenna

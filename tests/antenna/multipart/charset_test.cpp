#include "antenna/multipart/charset.h"

#include <gtest/gtest.h>

namespace antenna {
namespace {

using namespace std::string_literals;

TEST(DecodeText, Utf8IsCheckedStrictly) {
    EXPECT_EQ(decode_text("abc \xc3\xa9 \xf0\x9f\x98\x80", "utf-8"), "abc \u00e9 \U0001F600");
    EXPECT_EQ(decode_text("", "utf-8"), "");
    EXPECT_EQ(decode_text("\0a"s, "utf-8"), "\0a"s);
    EXPECT_EQ(decode_text("\xef\xbb\xbf"
                          "a",
                          "utf-8"),
              "\xef\xbb\xbf"
              "a");  // BOM kept
    EXPECT_EQ(decode_text("\xde\xde\xde", "utf-8"), std::nullopt);
    EXPECT_EQ(decode_text("\xc0\xaf", "utf-8"), std::nullopt);          // overlong
    EXPECT_EQ(decode_text("\xe0\x80\xaf", "utf-8"), std::nullopt);      // overlong
    EXPECT_EQ(decode_text("\xed\xa0\x80", "utf-8"), std::nullopt);      // surrogate
    EXPECT_EQ(decode_text("\xf4\x90\x80\x80", "utf-8"), std::nullopt);  // above U+10FFFF
    EXPECT_EQ(decode_text("\xe2\x82", "utf-8"), std::nullopt);          // truncated
    EXPECT_EQ(decode_text("\x80", "utf-8"), std::nullopt);
    EXPECT_EQ(decode_text("\xef\xbf\xbf\xf4\x8f\xbf\xbf", "utf-8"), "\uffff\U0010FFFF");
}

TEST(DecodeText, Utf8Sig) {
    EXPECT_EQ(decode_text("\xef\xbb\xbf"
                          "a\xef\xbb\xbf",
                          "utf-8-sig"),
              "a\xef\xbb\xbf");
    EXPECT_EQ(decode_text("a", "utf_8_sig"), "a");
}

TEST(DecodeText, PythonNamesAndAliases) {
    for (const char* name : {"utf-8", "UTF-8", "utf8", "UTF8", "u8", "utf_8", "Utf 8", "utf--8",
                             "-utf8-", "cp65001", "utf8_ucs4", "UTF-8\xc3\xa9"}) {
        EXPECT_EQ(decode_text("\xc3\xa9", name), "\u00e9") << name;
    }
    for (const char* name : {"latin-1", "latin1", "LATIN_1", "iso-8859-1", "iso8859-1",
                             "ISO_8859-1:1987", "l1", "L1", "cp819", "latin", "8859"}) {
        EXPECT_EQ(decode_text("\xe9", name), "\u00e9") << name;
    }
    for (const char* name : {"ascii", "US-ASCII", "us", "646", "ansi_x3.4-1968", "ANSI.X3.4.1968",
                             "iso_646.irv:1991"}) {
        EXPECT_EQ(decode_text("ok", name), "ok") << name;
    }
    EXPECT_EQ(decode_text("\x80", "windows-1252"), "\u20ac");
    EXPECT_EQ(decode_text("\x80", "CP1252"), "\u20ac");
}

TEST(DecodeText, UnknownCharsetFails) {
    for (const char* name : {"nope", "", "utf.8", "utf-9", "utf8-sig", "base64", "rot13", "aliases",
                             "undefined", "mbcs", "csHPRoman8"}) {
        EXPECT_EQ(decode_text("a", name), std::nullopt) << name;
    }
    EXPECT_EQ(decode_text("a", "utf8\0"s), std::nullopt);
}

TEST(DecodeText, EmptyDataDecodesWithAnyName) {
    EXPECT_EQ(decode_text("", "nope"), "");
    EXPECT_EQ(decode_text("", "base64"), "");
    EXPECT_EQ(decode_text("", ""), "");
    EXPECT_EQ(decode_text("", "utf8\0"s), std::nullopt);  // "embedded null character"
}

TEST(DecodeText, Latin1AndAscii) {
    EXPECT_EQ(decode_text("caf\xe9", "latin-1"), "caf\u00e9");
    EXPECT_EQ(decode_text("\x80\xff", "latin-1"), "\u0080\u00ff");
    EXPECT_EQ(decode_text("abc\x7f", "ascii"), "abc\x7f");
    EXPECT_EQ(decode_text("abc\x80", "ascii"), std::nullopt);
}

TEST(DecodeText, Utf16) {
    EXPECT_EQ(decode_text("\xff\xfe"
                          "a\0\xe9\0"s,
                          "utf-16"),
              "a\u00e9");
    EXPECT_EQ(decode_text("\xfe\xff\0a\0\xe9"s, "utf-16"), "a\u00e9");
    EXPECT_EQ(decode_text("a\0b\0"s, "utf-16"), "ab");                // no BOM: little-endian
    EXPECT_EQ(decode_text("\xff\xfe\xff\xfe"s, "utf-16"), "\ufeff");  // one BOM is dropped
    EXPECT_EQ(decode_text("", "utf-16"), "");
    EXPECT_EQ(decode_text("\xff\xfe"
                          "a"s,
                          "utf-16"),
              std::nullopt);  // odd length
    EXPECT_EQ(decode_text("\x3d\xd8\x00\xde"s, "utf-16"), "\U0001F600");
    EXPECT_EQ(decode_text("\x3d\xd8"s, "utf-16"), std::nullopt);  // lone high
    EXPECT_EQ(decode_text("\x3d\xd8"
                          "a\0"s,
                          "utf-16"),
              std::nullopt);                                      // high, not low
    EXPECT_EQ(decode_text("\x00\xde"s, "utf-16"), std::nullopt);  // lone low
    EXPECT_EQ(decode_text("\xff\xfe"
                          "a\0"s,
                          "utf-16-le"),
              "\ufeff"
              "a");  // BOM kept
    EXPECT_EQ(decode_text("\0a"s, "UTF-16BE"), "a");
    EXPECT_EQ(decode_text("\0a"s, "unicodebigunmarked"), "a");
}

TEST(DecodeText, Utf32) {
    EXPECT_EQ(decode_text("\xff\xfe\0\0"
                          "a\0\0\0"s,
                          "utf-32"),
              "a");
    EXPECT_EQ(decode_text("\0\0\xfe\xff\0\0\0a"s, "utf-32"), "a");
    EXPECT_EQ(decode_text("\x00\xf6\x01\x00"s, "utf-32"), "\U0001F600");
    EXPECT_EQ(decode_text("a\0\0"s, "utf-32"), std::nullopt);
    EXPECT_EQ(decode_text("\0\xd8\0\0"s, "utf-32"), std::nullopt);  // surrogate
    EXPECT_EQ(decode_text("\0\0\x11\0"s, "utf-32"), std::nullopt);  // above U+10FFFF
    EXPECT_EQ(decode_text("\0\0\0a"s, "utf-32-be"), "a");
    EXPECT_EQ(decode_text("\xff\xfe\0\0"s, "utf_32_le"), "\ufeff");
}

TEST(DecodeText, SingleByteCodecs) {
    EXPECT_EQ(decode_text("\x80\x9f", "cp1252"), "\u20ac\u0178");
    EXPECT_EQ(decode_text("\x81", "cp1252"), std::nullopt);  // undefined in Python's table
    EXPECT_EQ(decode_text("\xc0\xff", "koi8-r"), "\u044e\u042a");
    EXPECT_EQ(decode_text("\xa4", "iso-8859-15"), "\u20ac");
    EXPECT_EQ(decode_text("\xa5", "iso-8859-3"), std::nullopt);
    EXPECT_EQ(decode_text("\xc1", "cp037"), "A");
    // Bytes where glibc's table differs from Python's.
    EXPECT_EQ(decode_text("\xc6\xf0", "mac-roman"), "\u2206\uf8ff");
    EXPECT_EQ(decode_text("\x8f", "cp424"), "\u00b1");
    EXPECT_EQ(decode_text("\xff", "mac_cyrillic"), "\u20ac");
    // glibc's CP1255 holds a letter back for a combining mark; Python composes nothing.
    EXPECT_EQ(decode_text("\xe0", "cp1255"), "\u05d0");
    EXPECT_EQ(decode_text("\xe0\xc8", "windows-1255"), "\u05d0\u05b8");
}

TEST(DecodeText, MultibyteCodecs) {
    EXPECT_EQ(decode_text("\x82\xa0\x5c~", "shift_jis"), "\u3042\\~");
    EXPECT_EQ(decode_text("\x95\x5c", "sjis"), "\u8868");  // 0x5C as a trail byte
    EXPECT_EQ(decode_text("\x82", "shift_jis"), std::nullopt);
    EXPECT_EQ(decode_text("\xc4\xe3\xba\xc3", "gb2312"), "\u4f60\u597d");
    EXPECT_EQ(decode_text("\xc4", "gb2312"), std::nullopt);
    EXPECT_EQ(decode_text("\xc7\xd1\xb1\xdb", "cp949"), "\ud55c\uae00");
    EXPECT_EQ(decode_text("a", "utf-7"), std::nullopt);  // Python's codec, not supported
    EXPECT_EQ(decode_text("a", "euc-jp"), std::nullopt);
}

TEST(DecodeText, LargeInput) {
    std::string data(1 << 20, '\xe9');
    std::optional<std::string> decoded = decode_text(data, "latin-1");
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->size(), data.size() * 2);
    std::string japanese;
    for (int i = 0; i < 100000; ++i) {
        japanese += "\xb1";  // half-width katakana: 1 byte -> 3 UTF-8 bytes
    }
    EXPECT_EQ(decode_text(japanese, "shift_jis")->size(), japanese.size() * 3);
}

}  // namespace
}  // namespace antenna

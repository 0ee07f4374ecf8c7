#include "core/text/utf8.h"

#include <gtest/gtest.h>

namespace core::text {
namespace {

TEST(Utf8, DecodesAndAdvances) {
    std::string_view text = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    std::size_t i = 0;
    EXPECT_EQ(next_code_point(text, i), 0x61u);
    EXPECT_EQ(next_code_point(text, i), 0xE9u);
    EXPECT_EQ(next_code_point(text, i), 0x20ACu);
    EXPECT_EQ(next_code_point(text, i), 0x1F600u);
    EXPECT_EQ(i, text.size());
}

TEST(Utf8, IllFormedInputGivesOneReplacementPerMaximalSubpart) {
    // Python: b"\xe2\x82x\xc0\xaf".decode("utf-8", "replace") == "\ufffdx\ufffd\ufffd"
    std::string_view text = "\xe2\x82x\xc0\xaf";
    std::size_t i = 0;
    EXPECT_EQ(next_code_point(text, i), 0xFFFDu);
    EXPECT_EQ(i, 2u);
    EXPECT_EQ(next_code_point(text, i), static_cast<std::uint32_t>('x'));
    EXPECT_EQ(next_code_point(text, i), 0xFFFDu);
    EXPECT_EQ(next_code_point(text, i), 0xFFFDu);
    EXPECT_EQ(i, text.size());
}

TEST(Utf8, EncodesEveryLength) {
    std::string out;
    for (std::uint32_t cp : {0x24u, 0xA2u, 0x20ACu, 0x10348u}) {
        append_utf8(out, cp);
    }
    EXPECT_EQ(out, "\x24\xc2\xa2\xe2\x82\xac\xf0\x90\x8d\x88");
    std::size_t i = 0;
    for (std::uint32_t cp : {0x24u, 0xA2u, 0x20ACu, 0x10348u}) {
        EXPECT_EQ(next_code_point(out, i), cp);
    }
}

}  // namespace
}  // namespace core::text

#include "core/text/base64.h"

#include <gtest/gtest.h>

namespace {

using core::base64_decode;
using core::base64_encode;
using core::Base64Alphabet;

// RFC 4648 section 10.
TEST(Base64, RfcVectors) {
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(plain), encoded);
        EXPECT_EQ(base64_decode(encoded), plain);
    }
}

TEST(Base64, UrlAlphabetHasNoPaddingAndNoPlusOrSlash) {
    std::string bytes = "\xfb\xff\xbf?";
    EXPECT_EQ(base64_encode(bytes), "+/+/Pw==");
    EXPECT_EQ(base64_encode(bytes, Base64Alphabet::url_unpadded), "-_-_Pw");
    EXPECT_EQ(base64_decode("-_-_Pw", Base64Alphabet::url_unpadded), bytes);
}

TEST(Base64, RejectsWhatIsNotBase64) {
    EXPECT_FALSE(base64_decode("Zm9"));       // length
    EXPECT_FALSE(base64_decode("Zm9v!A=="));  // character
    EXPECT_FALSE(base64_decode("Zh=="));      // non-zero leftover bits
    EXPECT_FALSE(base64_decode("-_-_Pw=="));  // URL digits in the standard alphabet
    EXPECT_FALSE(base64_decode("A", Base64Alphabet::url_unpadded));
}

TEST(Base64, EveryByteRoundTrips) {
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all += static_cast<char>(i);
    }
    for (std::size_t length = 0; length <= all.size(); length += 37) {
        std::string part = all.substr(0, length);
        EXPECT_EQ(base64_decode(base64_encode(part)), part);
        EXPECT_EQ(base64_decode(base64_encode(part, Base64Alphabet::url_unpadded),
                                Base64Alphabet::url_unpadded),
                  part);
    }
}

}  // namespace

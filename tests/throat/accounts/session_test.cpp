#include "throat/accounts/session.h"

#include <gtest/gtest.h>

#include "core/text/base64.h"

namespace throat::accounts {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef";
constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::int64_t kDay = 86'400;

Session logged_in() {
    return SessionCodec::logged_in("5f1c2b9e-8a4d-4c1e-9b7a-2d3e4f5a6b7c", 3, true, kNow);
}

TEST(SessionCookie, ReadsBackWhatItWrote) {
    SessionCodec codec(kSecret);
    Session session = logged_in();
    auto back = codec.decode(codec.encode(session), kNow + 10, kDay);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, session);
    EXPECT_TRUE(back->logged_in());

    Session anonymous = SessionCodec::anonymous(kNow);
    EXPECT_EQ(anonymous.nonce.size(), 22u);  // 16 random bytes
    EXPECT_NE(anonymous.nonce, SessionCodec::anonymous(kNow).nonce);
    auto anonymous_back = codec.decode(codec.encode(anonymous), kNow, kDay);
    ASSERT_TRUE(anonymous_back);
    EXPECT_FALSE(anonymous_back->logged_in());
}

TEST(SessionCookie, RefusesWhatItDidNotSignOrWhatIsTooOld) {
    SessionCodec codec(kSecret);
    std::string cookie = codec.encode(logged_in());

    // Another user's id put in the payload, with the signature kept.
    std::size_t first_dot = cookie.find('.');
    std::size_t last_dot = cookie.rfind('.');
    std::string forged_payload = core::base64_encode(
        "nonce|someone-else|3|" + std::to_string(kNow) + "|1", core::Base64Alphabet::url_unpadded);
    std::string forged = cookie.substr(0, first_dot + 1) + forged_payload + cookie.substr(last_dot);
    EXPECT_FALSE(codec.decode(forged, kNow, kDay));

    std::string flipped = cookie;
    flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.decode(flipped, kNow, kDay));
    EXPECT_FALSE(SessionCodec(kSecret + "x").decode(cookie, kNow, kDay));
    EXPECT_FALSE(codec.decode("v1.garbage", kNow, kDay));
    EXPECT_FALSE(codec.decode("", kNow, kDay));

    EXPECT_TRUE(codec.decode(cookie, kNow + kDay, kDay));
    EXPECT_FALSE(codec.decode(cookie, kNow + kDay + 1, kDay));
    EXPECT_FALSE(codec.decode(cookie, kNow - 3600, kDay));  // issued in the future
}

TEST(SessionCookie, TheSecretMustBeLongEnough) {
    EXPECT_THROW(SessionCodec("short"), std::invalid_argument);
}

TEST(CsrfToken, BoundToTheSession) {
    SessionCodec codec(kSecret);
    Session mine = logged_in();
    Session other = logged_in();
    std::string token = codec.csrf_token(mine);
    EXPECT_TRUE(codec.csrf_valid(mine, token));
    EXPECT_FALSE(codec.csrf_valid(other, token));
    EXPECT_FALSE(codec.csrf_valid(mine, ""));
    EXPECT_FALSE(codec.csrf_valid(mine, token.substr(1)));
    EXPECT_FALSE(SessionCodec(kSecret + "x").csrf_valid(mine, token));
    // Logging in starts a new session: the anonymous session's token is not valid in it.
    Session anonymous = SessionCodec::anonymous(kNow);
    std::string before_login = codec.csrf_token(anonymous);
    Session after_login = SessionCodec::logged_in("uid", 0, false, kNow);
    EXPECT_TRUE(codec.csrf_valid(anonymous, before_login));
    EXPECT_FALSE(codec.csrf_valid(after_login, before_login));
}

}  // namespace
}  // namespace throat::accounts

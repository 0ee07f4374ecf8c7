#include "throat/accounts/credentials.h"

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace throat::accounts {
namespace {

TEST(Username, TwoTo32LettersDigitsDashesAndUnderscores) {
    EXPECT_EQ(username_problem("ab"), std::nullopt);
    EXPECT_EQ(username_problem("Some_User-42"), std::nullopt);
    EXPECT_EQ(username_problem(std::string(32, 'x')), std::nullopt);
    EXPECT_EQ(username_problem("a"), "Field must be between 2 and 32 characters long.");
    EXPECT_EQ(username_problem(std::string(33, 'x')),
              "Field must be between 2 and 32 characters long.");
    EXPECT_EQ(username_problem("abcdef", 5), "Field must be between 2 and 5 characters long.");
    EXPECT_EQ(username_problem("two words"), "Username has invalid characters.");
    EXPECT_EQ(username_problem("ab$"), "Username has invalid characters.");
    // Counted in characters, as Python counts them: 2 characters, 4 bytes.
    EXPECT_EQ(username_problem("\xC3\xA9\xC3\xA9"), "Username has invalid characters.");
}

TEST(Password, SevenTo256Characters) {
    EXPECT_EQ(password_problem("1234567"), std::nullopt);
    EXPECT_EQ(password_problem("123456"), "Field must be between 7 and 256 characters long.");
    std::string accents;
    for (int i = 0; i < 256; ++i) {
        accents += "\xC3\xA9";  // 512 bytes, 256 characters
    }
    EXPECT_EQ(password_problem(accents), std::nullopt);
    EXPECT_EQ(password_problem(accents + "x"), "Field must be between 7 and 256 characters long.");
    EXPECT_EQ(password_problem(std::string("secret\0pw", 9)), "Password has invalid characters.");
}

// Published bcrypt vectors (OpenBSD's and pyca/bcrypt's test suites).
TEST(PasswordHash, ChecksHashesMadeByOtherBcrypts) {
    EXPECT_TRUE(PasswordHasher::verify_now(
        "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
    EXPECT_TRUE(PasswordHasher::verify_now(
        "Kk4DQuMMfZL9o", "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"));
    EXPECT_FALSE(PasswordHasher::verify_now(
        "Kk4DQuMMfZL9O", "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"));
    EXPECT_FALSE(PasswordHasher::verify_now("anything", ""));  // a remote account
    EXPECT_FALSE(PasswordHasher::verify_now("anything", "$2b$04$short"));
}

TEST(PasswordHash, NewHashesAre2bWithAFreshSalt) {
    PasswordHasher hasher(1, 4);
    std::string first = hasher.hash_now("correct horse");
    std::string second = hasher.hash_now("correct horse");
    EXPECT_TRUE(first.starts_with("$2b$04$")) << first;
    EXPECT_EQ(first.size(), 60u);
    EXPECT_NE(first, second);
    EXPECT_TRUE(PasswordHasher::verify_now("correct horse", first));
    EXPECT_TRUE(PasswordHasher::verify_now("correct horse", second));
    EXPECT_FALSE(PasswordHasher::verify_now("correct horse!", first));
    EXPECT_THROW(hasher.hash_now(std::string("nul\0inside", 10)), std::invalid_argument);
}

// The event loop that asks is not the one that hashes, and it gets the answer back on its
// own thread.
TEST(PasswordHash, HashesOffTheCallersThread) {
    PasswordHasher hasher(1, 4);
    boost::asio::io_context io;
    std::thread::id caller;
    std::thread::id resumed;
    auto done = boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<bool> {
            caller = std::this_thread::get_id();
            // Named, not temporaries: GCC 12 mishandles temporaries in co_await arguments.
            std::string password = "correct horse";
            std::string wrong_password = "wrong horse";
            std::string stored = co_await hasher.hash(password);
            bool ok = co_await hasher.verify(password, stored);
            bool wrong = co_await hasher.verify(wrong_password, stored);
            std::string unusable("nul\0inside", 10);
            bool thrown = false;
            try {
                co_await hasher.hash(unusable);
            } catch (const std::invalid_argument&) {
                thrown = true;
            }
            resumed = std::this_thread::get_id();
            co_return ok && !wrong && thrown;
        },
        boost::asio::use_future);
    io.run();
    EXPECT_TRUE(done.get());
    EXPECT_EQ(caller, resumed);
}

}  // namespace
}  // namespace throat::accounts

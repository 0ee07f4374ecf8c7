#include "throat/limits/rate_limiter.h"

#include <gtest/gtest.h>

namespace throat::limits {
namespace {

using namespace std::chrono_literals;

TEST(RateLimitText, ReadsThroatsLimits) {
    EXPECT_EQ(parse_rate_limits("6/minute;120/hour"),
              (std::vector<RateLimit>{{6, 60, "6/minute"}, {120, 3600, "120/hour"}}));
    EXPECT_EQ(parse_rate_limits("25/5minute"), (std::vector<RateLimit>{{25, 300, "25/5minute"}}));
    EXPECT_EQ(parse_rate_limits(" 5 per 30 minutes "),
              (std::vector<RateLimit>{{5, 1800, "5 per 30 minutes"}}));
    EXPECT_EQ(parse_rate_limits("1/second, 2 PER Day | 3/month;4/YEARS"),
              (std::vector<RateLimit>{{1, 1, "1/second"},
                                      {2, 86400, "2 PER Day"},
                                      {3, 2592000, "3/month"},
                                      {4, 31104000, "4/YEARS"}}));
}

TEST(RateLimitText, RefusesWhatItCannotRead) {
    for (const char* bad : {"", "6", "6/", "six/minute", "6/fortnight", "6/0minute", "6 minute",
                            "6/minute;bad", "99999999999/minute"}) {
        EXPECT_THROW(parse_rate_limits(bad), std::invalid_argument) << bad;
    }
}

TEST(ClientKey, IPv4AsWrittenIPv6ByItsSlash64) {
    using boost::asio::ip::make_address;
    EXPECT_EQ(client_key(make_address("203.0.113.9")), "203.0.113.9");
    EXPECT_EQ(client_key(make_address("2001:db8::1")), "2001:0db8:0000:0000");
    EXPECT_EQ(client_key(make_address("2001:db8:0:1:ffff::7")), "2001:0db8:0000:0001");
    EXPECT_EQ(client_key(make_address("::ffff:192.0.2.1")), "0000:0000:0000:0000");
}

TEST(RateLimiter, AFixedWindowFromTheFirstRequest) {
    RateLimiter limiter;
    auto limits = parse_rate_limits("3/minute");
    auto start = RateLimiter::Clock::now();
    EXPECT_EQ(limiter.hit("1.2.3.4", "do.vote", limits, start), std::nullopt);
    EXPECT_EQ(limiter.hit("1.2.3.4", "do.vote", limits, start + 30s), std::nullopt);
    EXPECT_EQ(limiter.hit("1.2.3.4", "do.vote", limits, start + 59s), std::nullopt);
    auto refused = limiter.hit("1.2.3.4", "do.vote", limits, start + 59s);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->text, "3/minute");
    // Other clients and other routes count apart.
    EXPECT_EQ(limiter.hit("1.2.3.5", "do.vote", limits, start + 59s), std::nullopt);
    EXPECT_EQ(limiter.hit("1.2.3.4", "do.comment", limits, start + 59s), std::nullopt);
    // The window began at the first request, so it ends a minute after it.
    EXPECT_EQ(limiter.hit("1.2.3.4", "do.vote", limits, start + 60s), std::nullopt);
}

TEST(RateLimiter, LimitsAreCountedInTurnUntilOneIsExceeded) {
    RateLimiter limiter;
    auto limits = parse_rate_limits("2/minute;3/hour");
    auto start = RateLimiter::Clock::now();
    EXPECT_FALSE(limiter.hit("c", "post", limits, start));
    EXPECT_FALSE(limiter.hit("c", "post", limits, start));
    EXPECT_EQ(limiter.hit("c", "post", limits, start)->text, "2/minute");  // hour not counted
    EXPECT_FALSE(limiter.hit("c", "post", limits, start + 61s));           // hour at 3
    EXPECT_EQ(limiter.hit("c", "post", limits, start + 62s)->text, "3/hour");
}

TEST(RateLimiter, KeepsAtMostItsNumberOfCounters) {
    RateLimiter limiter(10);
    auto limits = parse_rate_limits("5/minute");
    auto start = RateLimiter::Clock::now();
    for (int i = 0; i < 10; ++i) {
        limiter.hit("old" + std::to_string(i), "r", limits, start);
    }
    EXPECT_EQ(limiter.counters(), 10u);
    // Ended windows go first.
    limiter.hit("new", "r", limits, start + 61s);
    EXPECT_EQ(limiter.counters(), 1u);
    for (int i = 0; i < 20; ++i) {
        limiter.hit("busy" + std::to_string(i), "r", limits, start + 62s);
    }
    EXPECT_LE(limiter.counters(), 10u);
}

}  // namespace
}  // namespace throat::limits

#include "throat/web/views.h"

#include <gtest/gtest.h>

namespace throat::web {
namespace {

TEST(Slugify, LowerCaseAsciiWordsJoinedByDashes) {
    EXPECT_EQ(slugify("Hello, World!"), "hello-world");
    EXPECT_EQ(slugify("  C++20 coroutines: a review  "), "c-20-coroutines-a-review");
    EXPECT_EQ(slugify("don't panic"), "dont-panic");
}

TEST(Slugify, NothingLeftIsAnUnderscore) {
    EXPECT_EQ(slugify("!!!"), "_");
    EXPECT_EQ(slugify("\xD0\x9F\xD1\x80\xD0\xB8"), "_");  // Cyrillic only
}

TEST(Slugify, AtMostEightyCharactersWithoutATrailingDash) {
    std::string title;
    for (int i = 0; i < 30; ++i) {
        title += "word ";
    }
    std::string slug = slugify(title);
    EXPECT_LE(slug.size(), 80u);
    EXPECT_NE(slug.back(), '-');
    EXPECT_EQ(slug.substr(0, 10), "word-word-");
}

TEST(TimeAgo, PicksTheLargestWholeUnit) {
    EXPECT_EQ(time_ago(1000, 1030), "just now");
    EXPECT_EQ(time_ago(1000, 1000 + 60), "1 minute ago");
    EXPECT_EQ(time_ago(1000, 1000 + 7200), "2 hours ago");
    EXPECT_EQ(time_ago(1000, 1000 + 86400 * 3), "3 days ago");
    EXPECT_EQ(time_ago(1000, 1000 + 86400 * 65), "2 months ago");
    EXPECT_EQ(time_ago(1000, 1000 + 86400 * 800), "2 years ago");
    EXPECT_EQ(time_ago(2000, 1000), "just now");  // a clock that went back
}

TEST(IsoTime, Utc) {
    EXPECT_EQ(iso_time(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(iso_time(1795982957), "2026-11-29T20:09:17Z");
}

}  // namespace
}  // namespace throat::web

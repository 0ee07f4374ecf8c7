#include "antenna/crash_id.h"

#include <set>

#include <gtest/gtest.h>

namespace antenna {
namespace {

using namespace std::chrono;

sys_time<microseconds> at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0,
                          int us = 0) {
    return sys_days{year{y} / m / d} + hours{hh} + minutes{mm} + seconds{ss} + microseconds{us};
}

constexpr std::array<std::uint8_t, 16> kAllOnes = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                                   0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
constexpr std::array<std::uint8_t, 16> kCounting = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                                    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

TEST(CreateCrashId, LaysOutUuid4ThrottleDigitAndDate) {
    std::string id = create_crash_id(kCounting, at(2011, 9, 6), 0);
    // uuid.UUID(bytes=..., version=4) is 00112233-4455-4677-8899-aabbccddeeff.
    EXPECT_EQ(id, "00112233-4455-4677-8899-aabbc0110906");
    EXPECT_TRUE(validate_crash_id(id, true));
    EXPECT_EQ(date_from_crash_id(id), "20110906");
}

TEST(CreateCrashId, SetsVersionAndVariantBits) {
    std::string ones = create_crash_id(kAllOnes, at(2016, 10, 4), 1);
    EXPECT_EQ(ones, "ffffffff-ffff-4fff-bfff-fffff1161004");
    std::array<std::uint8_t, 16> zeros{};
    std::string low = create_crash_id(zeros, at(2026, 1, 31, 23, 59, 59, 999999), 3);
    EXPECT_EQ(low, "00000000-0000-4000-8000-000003260131");
    EXPECT_FALSE(validate_crash_id(low, true));  // FAKEACCEPT's digit is not a stored id
    EXPECT_TRUE(validate_crash_id(low, false));
}

TEST(CreateCrashId, UsesTheUtcDate) {
    // 2020-02-29 23:30 UTC is already March 1st east of UTC; the id keeps the UTC day.
    EXPECT_TRUE(create_crash_id(kAllOnes, at(2020, 2, 29, 23, 30), 0).ends_with("0200229"));
    EXPECT_TRUE(create_crash_id(kAllOnes, at(2000, 1, 1), 2).ends_with("2000101"));
}

TEST(SystemCrashIdSource, GivesDifferentValidIds) {
    SystemCrashIdSource source;
    std::set<std::string> ids;
    for (int i = 0; i < 100; ++i) {
        std::string id = create_crash_id(source.random_bytes(), system_clock::now(), 0);
        ASSERT_TRUE(validate_crash_id(id, true)) << id;
        EXPECT_EQ(id[14], '4');
        EXPECT_NE(std::string_view("89ab").find(id[19]), std::string_view::npos) << id;
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 100u);
}

// tests/test_util.py::test_validate_crash_id
TEST(ValidateCrashId, AntennaVectors) {
    EXPECT_FALSE(validate_crash_id("", true));
    EXPECT_FALSE(validate_crash_id("aaa", true));
    EXPECT_FALSE(validate_crash_id("de1bb258cbbf4589a67334f800160918", true));
    EXPECT_FALSE(validate_crash_id("DE1BB258-CBBF-4589-A673-34F800160918", true));
    EXPECT_FALSE(validate_crash_id("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", true));
    EXPECT_TRUE(validate_crash_id("00000000-0000-0000-0000-000000000000", true));
    EXPECT_TRUE(validate_crash_id("de1bb258-cbbf-4589-a673-34f800160918", true));
    EXPECT_TRUE(validate_crash_id("de1bb258-cbbf-4589-a673-34f801160918", true));
    EXPECT_FALSE(validate_crash_id("de1bb258-cbbf-4589-a673-34f802160918", true));
    EXPECT_TRUE(validate_crash_id("de1bb258-cbbf-4589-a673-34f802160918", false));
}

TEST(ValidateCrashId, Shape) {
    EXPECT_FALSE(validate_crash_id("de1bb258-cbbf-4589-a673-34f80016091", false));
    EXPECT_FALSE(validate_crash_id("de1bb258-cbbf-4589-a673-34f8001609188", false));
    EXPECT_FALSE(validate_crash_id("de1bb258-cbbf-4589-a673-34f80016091a", false));  // date
    EXPECT_FALSE(validate_crash_id("de1bb258_cbbf-4589-a673-34f800160918", false));
    EXPECT_FALSE(validate_crash_id("de1bb258-cbbf-4589-a673-34g800160918", false));
    EXPECT_FALSE(validate_crash_id(" de1bb258-cbbf-4589-a673-34f800160918", false));
    EXPECT_FALSE(validate_crash_id("de1bb258-cbbf-4589-a673-34f800160918 ", false));
    EXPECT_FALSE(
        validate_crash_id(std::string_view("de1bb258-cbbf-4589-a673-34f800160918\0", 37), false));
}

// Python's `$` matches before one final newline; id[-7] then is the first digit of the year.
TEST(ValidateCrashId, TrailingNewlineQuirk) {
    EXPECT_TRUE(validate_crash_id("de1bb258-cbbf-4589-a673-34f800160918\n", true));
    EXPECT_TRUE(validate_crash_id("de1bb258-cbbf-4589-a673-34f802160918\n", true));
    EXPECT_FALSE(validate_crash_id("de1bb258-cbbf-4589-a673-34f800260918\n", true));
    EXPECT_TRUE(validate_crash_id("de1bb258-cbbf-4589-a673-34f800260918\n", false));
    EXPECT_FALSE(validate_crash_id("de1bb258-cbbf-4589-a673-34f800160918\n\n", false));
    EXPECT_FALSE(validate_crash_id("de1bb258-cbbf-4589-a673-34f800160918\r\n", false));
    EXPECT_EQ(date_from_crash_id("de1bb258-cbbf-4589-a673-34f800160918\n"), "20160918");
}

TEST(DateFromCrashId, IsTwentyAndTheLastSixCharacters) {
    EXPECT_EQ(date_from_crash_id("de1bb258-cbbf-4589-a673-34f800160918"), "20160918");
    EXPECT_EQ(date_from_crash_id("00000000-0000-0000-0000-000000000000"), "20000000");
}

TEST(IsoformatUtc, OmitsZeroMicroseconds) {
    EXPECT_EQ(isoformat_utc(at(2011, 9, 6)), "2011-09-06T00:00:00+00:00");
    EXPECT_EQ(isoformat_utc(at(2024, 2, 29, 13, 5, 9)), "2024-02-29T13:05:09+00:00");
}

TEST(IsoformatUtc, SixDigitMicroseconds) {
    EXPECT_EQ(isoformat_utc(at(2011, 9, 6, 0, 0, 0, 1)), "2011-09-06T00:00:00.000001+00:00");
    EXPECT_EQ(isoformat_utc(at(2026, 12, 31, 23, 59, 59, 999999)),
              "2026-12-31T23:59:59.999999+00:00");
    EXPECT_EQ(isoformat_utc(at(2026, 5, 7, 8, 9, 10, 120000)), "2026-05-07T08:09:10.120000+00:00");
}

TEST(IsoformatUtc, TruncatesBelowMicroseconds) {
    auto time = system_clock::time_point(at(2011, 9, 6)) + nanoseconds(999);
    EXPECT_EQ(isoformat_utc(time), "2011-09-06T00:00:00+00:00");
}

}  // namespace
}  // namespace antenna

// The Mozilla conditions that need code, against Antenna's tests (Test_match_infobar_true,
// Test_match_unsupported_windows, Test_match_old_buildid) and Python's behaviour at the edges.
#include "antenna/throttler/mozilla_rules.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "log_capture.h"

namespace {

using namespace antenna;
using antenna_tests::LogCapture;
using namespace std::chrono;

boost::json::object crash(std::string_view json) {
    return boost::json::parse(json).as_object();
}

system_clock::time_point at(int y, unsigned m, unsigned d, int hour = 0) {
    return sys_days(year(y) / month(m) / day(d)) + hours(hour);
}

class MozillaConditions : public ::testing::Test {
protected:
    Throttler make(system_clock::time_point now = at(2026, 7, 1, 12)) {
        return Throttler(
            mozilla_rules(), {}, mozilla_product_packagenames(), [] { return 0.5; },
            [now] { return now; }, logs_.logger());
    }

    LogCapture logs_;
};

TEST_F(MozillaConditions, InfobarIsTrue) {
    auto throttler = make(at(2019, 5, 27, 12));
    auto infobar = [&](std::string fields) {
        return match_infobar_true(throttler, RuleSubject{crash(fields), {}});
    };
    std::string base = R"("ProductName": "Firefox", "SubmittedFromInfobar": "true", )";
    auto with_version = [&](std::string version) {
        return infobar("{" + base + R"("BuildID": "20171128222554", "Version": ")" + version +
                       "\"}");
    };
    for (auto version : {"51.0", "60.0"}) {
        EXPECT_FALSE(with_version(version)) << version;
    }
    for (auto version :
         {"59.0", "58.0", "57.0", "57.0.2", "56.0", "55.0", "54.0", "53.0", "52.0"}) {
        EXPECT_TRUE(with_version(version)) << version;
    }
    EXPECT_FALSE(infobar(
        R"({"SubmittedFromInfobar": "true", "BuildID": "20171128222554", "Version": "57.0"})"));
    EXPECT_FALSE(infobar(
        R"({"ProductName": "FishSplat", "SubmittedFromInfobar": "true", "BuildID": "20171128222554", "Version": "57.0"})"));
    EXPECT_FALSE(
        infobar(R"({"ProductName": "Firefox", "BuildID": "20171128222554", "Version": "57.0"})"));
    EXPECT_FALSE(infobar(
        R"({"ProductName": "Firefox", "SubmittedFromInfobar": "false", "BuildID": "20171128222554", "Version": "57.0"})"));
    EXPECT_FALSE(infobar("{" + base + R"("Version": "57.0"})"));
    EXPECT_TRUE(infobar("{" + base + R"("BuildID": "20171128222554", "Version": "57.0"})"));
    EXPECT_FALSE(infobar("{" + base + R"("BuildID": "20171226003912", "Version": "57.0"})"));
}

bool unsupported_windows(const Throttler& throttler, std::string_view telemetry_json) {
    boost::json::object fields;
    fields["TelemetryEnvironment"] = boost::json::parse(telemetry_json);
    return match_unsupported_windows(throttler, RuleSubject{fields, {}});
}

bool windows_build(const Throttler& throttler, std::string_view number) {
    std::string text = R"({"system": {"os": {"name": "Windows_NT", "windowsBuildNumber": )" +
                       std::string(number) + "}}}";
    return unsupported_windows(throttler, boost::json::serialize(boost::json::value(text)));
}

TEST_F(MozillaConditions, MatchUnsupportedWindows) {
    auto throttler = make();
    EXPECT_FALSE(match_unsupported_windows(throttler, RuleSubject{crash("{}"), {}}));
    for (auto text :
         {"", "{}", R"({"system":{}})", R"({"system":{"os":{}}})",
          R"({"system":{"os":{"name":""}}})", R"({"system":{"os":{"name":"Windows_NT"}}})",
          R"({"system":{"os":{"name":"Windows_NT","windowsBuildNumber":""}}})",
          R"({"system":{"os":{"name":"Windows_NT","windowsBuildNumber":null}}})", "not json", "[1]",
          "7601", R"({"system": [1]})"}) {
        EXPECT_FALSE(
            unsupported_windows(throttler, boost::json::serialize(boost::json::value(text))))
            << text;
    }
    // Windows 7, 8, 8.1; Python's True is the int 1.
    for (auto number : {"7601", "9200", "9600", "-1", "true"}) {
        EXPECT_TRUE(windows_build(throttler, number)) << number;
    }
    for (auto number :
         {"10240", "0", "false", "7601.0", R"("7601")", "18446744073709551615", "[7601]"}) {
        EXPECT_FALSE(windows_build(throttler, number)) << number;
    }
    // An object (a JSON payload's annotation) is str()-ed to a repr, which is not JSON.
    EXPECT_FALSE(unsupported_windows(
        throttler, R"({"system": {"os": {"name": "Windows_NT", "windowsBuildNumber": 7601}}})"));
}

TEST_F(MozillaConditions, MatchUnsupportedWindowsReadsWhatPythonJsonReads) {
    auto throttler = make();
    auto os = [](std::string extra) {
        return boost::json::serialize(boost::json::value(
            R"({"system": {"os": {"name": "Windows_NT", "windowsBuildNumber": 7601)" + extra +
            "}}}"));
    };
    EXPECT_TRUE(unsupported_windows(throttler, os(R"(, "a": NaN, "b": [Infinity, -Infinity])")));
    EXPECT_TRUE(
        unsupported_windows(throttler, os(R"(, "a": "\ud800 \udc00 \"NaN\" \ud83d\ude00")")));
    EXPECT_TRUE(
        unsupported_windows(throttler, os(R"(, "windowsBuildNumber": 9600)")));  // last wins
    EXPECT_FALSE(unsupported_windows(throttler, os(R"(, "windowsBuildNumber": 10240)")));
    EXPECT_FALSE(unsupported_windows(throttler, os(R"(, "a": -NaN)")));
    EXPECT_FALSE(unsupported_windows(throttler, os(R"(, "a": 1NaN)")));
    EXPECT_FALSE(unsupported_windows(throttler, os(R"(, "a": nan)")));
}

TEST_F(MozillaConditions, MatchOldBuildId) {
    auto throttler = make(at(2020, 5, 27, 12));
    auto old = [&](std::string_view buildid_json) {
        return match_old_buildid(
            throttler, RuleSubject{crash(R"({"BuildID": )" + std::string(buildid_json) + "}"), {}});
    };
    EXPECT_FALSE(match_old_buildid(throttler, RuleSubject{crash("{}"), {}}));
    for (auto bad :
         {R"("")", R"("None")", "null", R"("abc")", R"("20220404")", R"("11111111111111")"}) {
        EXPECT_FALSE(old(bad)) << bad;
    }
    // Two years before the clock is 2018-05-28 12:00.
    for (auto buildid : {R"("20170101000000")", R"("20180101000000")", R"("20180528000000")"}) {
        EXPECT_TRUE(old(buildid)) << buildid;
    }
    for (auto buildid : {R"("20180529000000")", R"("20180530000000")", R"("20200527000000")"}) {
        EXPECT_FALSE(old(buildid)) << buildid;
    }
    // Python's quirks: $ before a final newline, \d and int() on any Unicode digit, a JSON
    // number str()-ed; strptime's calendar check and its ASCII-only month.
    EXPECT_TRUE(old(R"("20170101000000\n")"));
    EXPECT_FALSE(old(R"("20170101000000\n\n")"));
    EXPECT_TRUE(old(R"("20\u0661\u0667010100000\u0660")"));
    EXPECT_TRUE(old("20170101000000"));
    EXPECT_TRUE(old(R"("20160229000000")"));
    EXPECT_FALSE(old(R"("20170229000000")"));
    EXPECT_FALSE(old(R"("20171301000000")"));
    EXPECT_FALSE(old(R"("20170100000000")"));
    EXPECT_FALSE(old(R"("201701\u0661\u0661000000")"));
    EXPECT_TRUE(old(R"("2017011\u0661000000")"));
    EXPECT_FALSE(old(R"("20170101000000 ")"));
}

TEST_F(MozillaConditions, OldBuildIdBoundaryIsStrictAtMicroseconds) {
    // 730 days after 2018-05-28 00:00 is 2020-05-27 00:00.
    auto edge = at(2020, 5, 27);
    std::string fields = R"({"BuildID": "20180528000000"})";
    EXPECT_FALSE(match_old_buildid(make(edge + nanoseconds(999)), RuleSubject{crash(fields), {}}));
    EXPECT_TRUE(match_old_buildid(make(edge + microseconds(1)), RuleSubject{crash(fields), {}}));
}

}  // namespace

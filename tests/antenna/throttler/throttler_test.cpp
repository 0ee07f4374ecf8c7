// The engine and the Mozilla preset against the vectors of Antenna's tests/test_throttler.py
// (spec §3).
#include "antenna/throttler/throttler.h"

#include <stdexcept>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "antenna/throttler/mozilla_rules.h"
#include "log_capture.h"

namespace {

using namespace antenna;
using antenna_tests::LogCapture;
using namespace std::chrono;
using enum ThrottleResult;

boost::json::object crash(std::string_view json) {
    return boost::json::parse(json).as_object();
}

system_clock::time_point at(int y, unsigned m, unsigned d, int hour = 0) {
    return sys_days(year(y) / month(m) / day(d)) + hours(hour);
}

struct Config {
    std::vector<Rule> rules = mozilla_rules();
    std::vector<std::string> products = {};  // the test fixture's ALL_PRODUCTS
    ProductPackagenames packagenames = mozilla_product_packagenames();
    double random = 0.5;
    system_clock::time_point now = at(2026, 7, 1, 12);
};

class ThrottlerTest : public ::testing::Test {
protected:
    Throttler make(Config config = {}) {
        return Throttler(
            std::move(config.rules), std::move(config.products), std::move(config.packagenames),
            [r = config.random] { return r; }, [now = config.now] { return now; }, logs_.logger());
    }
    Throttler with_default_products(double random = 0.5) {
        return make({.products = mozilla_products(), .random = random});
    }
    static ThrottleDecision decide(const Throttler& throttler, std::string_view json) {
        return throttler.throttle(crash(json));
    }

    LogCapture logs_;
};

void expect_decision(const ThrottleDecision& got, ThrottleResult result, std::string_view rule,
                     double percentage) {
    EXPECT_EQ(result_name(got.result), result_name(result));
    EXPECT_EQ(got.rule_name, rule);
    EXPECT_EQ(got.percentage, percentage);
}

Rule rule(std::string name, std::string key, Condition condition,
          std::variant<ThrottleResult, SampledResult> result = accept) {
    return Rule{std::move(name), std::move(key), std::move(condition), result};
}

TEST(ResultName, IsAntennasText) {
    EXPECT_EQ(result_name(accept), "ACCEPT");
    EXPECT_EQ(result_name(defer), "DEFER");
    EXPECT_EQ(result_name(reject), "REJECT");
    EXPECT_EQ(result_name(fakeaccept), "FAKEACCEPT");
    EXPECT_EQ(result_name(continue_), "CONTINUE");
    EXPECT_EQ(static_cast<int>(fakeaccept), 3);
}

TEST_F(ThrottlerTest, RuleNamesAreCheckedAtConstruction) {
    for (std::string name : {"o m g!", "", "foo-bar", "caf\xc3\xa9", "x\n"}) {
        EXPECT_THROW(make({.rules = {rule(name, "*", always_match)}}), std::invalid_argument)
            << name;
    }
    EXPECT_NO_THROW(make({.rules = {rule("Foo_Bar_9", "*", always_match)}}));
    EXPECT_THROW(make({.rules = {rule("test", "*", nullptr)}}), std::invalid_argument);
    EXPECT_THROW(make({.rules = {rule("test", "*", always_match, continue_)}}),
                 std::invalid_argument);
}

TEST_F(ThrottlerTest, StarConditionsSeeTheCrashKeyedOnesStrOfTheValue) {
    Condition bar = [](const Throttler&, const RuleSubject& s) {
        return s.value.starts_with("bar");
    };
    auto throttler = make({.rules = {rule("test", "Foo", bar)}});
    expect_decision(decide(throttler, R"({"Foo": "bar"})"), accept, "test", 100);
    expect_decision(decide(throttler, R"({"Foo": "piano"})"), reject, "NO_MATCH", 0);
    expect_decision(decide(throttler, R"({"Foo": null})"), reject, "NO_MATCH", 0);

    Condition whole = [](const Throttler&, const RuleSubject& s) {
        return s.crash.contains("ProductName") && s.value.empty();
    };
    expect_decision(decide(make({.rules = {rule("test", "*", whole)}}), R"({"ProductName": ""})"),
                    accept, "test", 100);
}

TEST_F(ThrottlerTest, KeyedValuesArePythonStrOfJsonValues) {
    std::string seen;
    Condition record = [&seen](const Throttler&, const RuleSubject& s) {
        seen = s.value;
        return true;
    };
    auto throttler = make({.rules = {rule("test", "V", record)}});
    for (auto [json, text] :
         std::vector<std::pair<std::string, std::string>>{{"null", "None"},
                                                          {"true", "True"},
                                                          {"1.0", "1.0"},
                                                          {"7", "7"},
                                                          {R"({"a": [false]})", "{'a': [False]}"},
                                                          {R"("")", ""}}) {
        decide(throttler, R"({"V": )" + json + "}");
        EXPECT_EQ(seen, text) << json;
    }
    // So a JSON payload's Throttleable 0 is "0" and matches, as in Antenna.
    expect_decision(decide(make(), R"({"Throttleable": 0})"), accept, "throttleable_0", 100);
}

TEST_F(ThrottlerTest, KeyPresentWithEmptyValueStillMatches) {
    expect_decision(decide(make(), R"({"ProductName": "Test", "Comments": ""})"), accept,
                    "has_comments", 100);
    expect_decision(decide(make(), R"({"ProductName": "Test", "PHCKind": null})"), accept,
                    "has_phc", 100);
}

TEST_F(ThrottlerTest, SampledRulesCompareRandomTimes100WithThePercentage) {
    Condition is_test = [](const Throttler&, const RuleSubject& s) { return s.value == "test"; };
    auto rules =
        std::vector<Rule>{rule("test", "ProductName", is_test, SampledResult{50, accept, reject})};
    for (auto [random, result] : std::vector<std::pair<double, ThrottleResult>>{
             {0.45, accept}, {0.5, accept}, {0.55, reject}, {0.0, accept}}) {
        expect_decision(
            decide(make({.rules = rules, .random = random}), R"({"ProductName": "test"})"), result,
            "test", 50);
    }
}

TEST_F(ThrottlerTest, NothingDecidingIsNoMatch) {
    std::vector<Rule> rules = {
        rule("sometimes", "*", always_match, SampledResult{10, continue_, continue_})};
    expect_decision(decide(make({.rules = rules}), "{}"), reject, "NO_MATCH", 0);
    expect_decision(decide(make({.rules = {}}), "{}"), reject, "NO_MATCH", 0);
}

TEST_F(ThrottlerTest, AcceptAll) {
    expect_decision(decide(make({.rules = accept_all_rules()}), R"({"ProductName": "Test"})"),
                    accept, "accept_everything", 100);
}

TEST_F(ThrottlerTest, MozillaRulesOrderAndNames) {
    std::vector<std::string> names;
    for (const Rule& r : mozilla_rules()) {
        names.push_back(r.name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{
                         "has_old_buildid", "has_hangid_and_browser", "infobar_is_true", "b2g",
                         "unsupported_product", "unsupported_packagename", "throttleable_0",
                         "has_comments", "has_phc", "is_background", "is_shutdownkill",
                         "is_firefox_esr_unsupported_windows", "is_alpha_beta_esr", "is_nightly",
                         "is_firefox_desktop", "accept_everything"}));
    EXPECT_EQ(mozilla_products(),
              (std::vector<std::string>{"Fenix", "Firefox", "Firefox Enterprise", "Focus",
                                        "MozillaVPN", "ReferenceBrowser", "Thunderbird"}));
    EXPECT_EQ(mozilla_product_packagenames().at("Focus").back(), "org.mozilla.klar");
}

TEST_F(ThrottlerTest, MozillaRulesBasicVectors) {
    auto throttler = make();
    expect_decision(decide(throttler, "{}"), accept, "accept_everything", 100);
    expect_decision(decide(throttler, R"({"ProductName": null, "Version": null, "BuildID": null,
                                          "ReleaseChannel": null})"),
                    accept, "accept_everything", 100);
    expect_decision(
        decide(throttler, R"({"ProductName": "FireSquid", "BuildID": "20170505000000"})"), reject,
        "has_old_buildid", 100);
    expect_decision(decide(throttler, R"({"ProductName": "FireSquid", "Version": "99",
                                          "ProcessType": "browser", "HangID": "xyz"})"),
                    reject, "has_hangid_and_browser", 100);
    expect_decision(decide(throttler, R"({"HangID": "xyz"})"), reject, "has_hangid_and_browser",
                    100);
    expect_decision(decide(throttler, R"({"HangID": "xyz", "ProcessType": "content"})"), accept,
                    "accept_everything", 100);
    expect_decision(decide(throttler, R"({"ProductName": "Test", "Comments": "foo bar baz"})"),
                    accept, "has_comments", 100);
    expect_decision(decide(throttler, R"({"ProductName": "Test", "PHCKind": "some value"})"),
                    accept, "has_phc", 100);
    expect_decision(decide(throttler, R"({"ProductName": "testproduct"})"), accept,
                    "accept_everything", 100);
    EXPECT_TRUE(logs_.take().empty());
}

TEST_F(ThrottlerTest, InfobarVector) {
    auto throttler = make({.now = at(2019, 5, 27, 12)});
    expect_decision(decide(throttler, R"({"ProductName": "Firefox", "SubmittedFromInfobar": "true",
                                          "Version": "52.0.2", "BuildID": "20171223222554"})"),
                    reject, "infobar_is_true", 100);
}

TEST_F(ThrottlerTest, UnsupportedProductsAreRejectedAndLogged) {
    auto throttler = with_default_products();
    for (auto [fields, logged] : std::vector<std::pair<std::string, std::string>>{
             {R"({"ProductName": ""})", "''"},
             {R"({"ProductName": "firefox"})", "'firefox'"},
             {R"({"ProductName": "testproduct"})", "'testproduct'"},
             {R"({"ProductName": null})", "'None'"},
             {R"({})", "''"},
             {R"({"ProductName": "it's"})", "\"it's\""}}) {
        expect_decision(decide(throttler, fields), reject, "unsupported_product", 100);
        EXPECT_EQ(logs_.take(),
                  std::vector<std::string>{"antenna.throttler: ProductName rejected: " + logged});
    }
}

TEST_F(ThrottlerTest, B2GIsFakeAccepted) {
    for (auto products : {mozilla_products(), std::vector<std::string>{}}) {
        auto throttler = make({.products = products});
        for (auto name : {"b2g", "B2G", "b2G"}) {
            expect_decision(decide(throttler, std::string(R"({"ProductName": ")") + name + "\"}"),
                            fakeaccept, "b2g", 100);
            EXPECT_EQ(logs_.take(),
                      std::vector<std::string>{"antenna.throttler: ProductName B2G: fake accept"});
        }
    }
    // Supported B2G is no special case.
    expect_decision(decide(make({.products = {"B2G"}}), R"({"ProductName": "B2G"})"), accept,
                    "accept_everything", 100);
}

TEST_F(ThrottlerTest, AndroidPackageNames) {
    auto throttler = with_default_products();
    for (auto [product, package] : std::vector<std::pair<std::string, std::string>>{
             {"Fenix", "org.mozilla.firefox"},
             {"Focus", "org.mozilla.focus"},
             {"ReferenceBrowser", "org.mozilla.reference.browser"},
             {"Thunderbird", "org.example.fork"}}) {
        expect_decision(decide(throttler, R"({"ProductName": ")" + product +
                                              R"(", "Android_PackageName": ")" + package + "\"}"),
                        accept, "accept_everything", 100);
    }
    for (auto [product, package] : std::vector<std::pair<std::string, std::string>>{
             {"Fenix", ""}, {"Fenix", "org.example.fork"}, {"Focus", "org.example.fork"}}) {
        expect_decision(decide(throttler, R"({"ProductName": ")" + product +
                                              R"(", "Android_PackageName": ")" + package + "\"}"),
                        reject, "unsupported_packagename", 100);
        EXPECT_EQ(logs_.take(),
                  std::vector<std::string>{"antenna.throttler: Android_PackageName rejected: " +
                                           product + " '" + package + "'"});
    }
    for (auto fields : {R"({"ProductName": "Fenix"})",
                        R"({"ProductName": "Fenix", "Android_PackageName": null})"}) {
        expect_decision(decide(throttler, fields), reject, "unsupported_packagename", 100);
        EXPECT_EQ(
            logs_.take(),
            std::vector<std::string>{
                "antenna.throttler: Android_PackageName rejected: Fenix no Android_PackageName"});
    }
    auto all_packages = make({.products = mozilla_products(), .packagenames = {}});
    expect_decision(decide(all_packages, R"({"ProductName": "Fenix"})"), accept,
                    "accept_everything", 100);
    expect_decision(
        decide(all_packages,
               R"({"ProductName": "Fenix", "Android_PackageName": "org.example.fork"})"),
        accept, "accept_everything", 100);
}

TEST_F(ThrottlerTest, ThrottleableAndBackgroundProcesses) {
    auto throttler = make();
    expect_decision(decide(throttler, R"({"ProductName": "Test", "Throttleable": "0"})"), accept,
                    "throttleable_0", 100);
    for (auto value : {"1", "foo"}) {
        EXPECT_NE(decide(throttler, R"({"ProductName": "Test", "Throttleable": ")" +
                                        std::string(value) + "\"}")
                      .rule_name,
                  "throttleable_0");
    }
    for (auto type : {"gpu", "rdd", "plugin", "utility", "socket"}) {
        expect_decision(decide(throttler, R"({"ProductName": "BarTest", "ProcessType": ")" +
                                              std::string(type) + "\"}"),
                        accept, "is_background", 100);
    }
    for (auto type : {"", "content"}) {
        expect_decision(decide(throttler, R"({"ProductName": "BarTest", "ProcessType": ")" +
                                              std::string(type) + "\"}"),
                        accept, "accept_everything", 100);
    }
}

TEST_F(ThrottlerTest, ChannelsAndSampling) {
    for (auto channel : {"aurora", "beta", "esr"}) {
        expect_decision(decide(make(), R"({"ProductName": "Test", "ReleaseChannel": ")" +
                                           std::string(channel) + "\"}"),
                        accept, "is_alpha_beta_esr", 100);
    }
    for (auto channel : {"nightly", "nightlyfoo"}) {
        expect_decision(decide(make(), R"({"ProductName": "Test", "ReleaseChannel": ")" +
                                           std::string(channel) + "\"}"),
                        accept, "is_nightly", 100);
    }
    std::string shutdownkill = R"({"ProductName": "Test", "ipc_channel_error": "ShutDownKill"})";
    expect_decision(decide(make({.random = 0.9}), shutdownkill), reject, "is_shutdownkill", 10);
    expect_decision(decide(make({.random = 0.09}), shutdownkill), accept, "accept_everything", 100);

    std::string release = R"({"ProductName": "Firefox", "ReleaseChannel": "release"})";
    expect_decision(decide(with_default_products(0.09), release), accept, "is_firefox_desktop", 10);
    expect_decision(decide(with_default_products(0.9), release), reject, "is_firefox_desktop", 10);

    std::string esr = R"({"ProductName": "Firefox", "ReleaseChannel": "esr", "TelemetryEnvironment":
        "{\"system\": {\"os\": {\"name\": \"Windows_NT\", \"windowsBuildNumber\": 9600}}}"})";
    expect_decision(decide(make({.random = 0.30}), esr), reject,
                    "is_firefox_esr_unsupported_windows", 25);
    expect_decision(decide(make({.random = 0.20}), esr), accept, "is_alpha_beta_esr", 100);
}

TEST(DefaultRandomSource, StaysInUnitInterval) {
    RandomSource random = default_random_source();
    for (int i = 0; i < 10000; ++i) {
        double r = random();
        ASSERT_GE(r, 0.0);
        ASSERT_LT(r, 1.0);
    }
}

}  // namespace

// docs/examples/mozilla-throttle-rules.json against the built-in Mozilla preset.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "antenna/throttler/mozilla_rules.h"
#include "antenna/throttler/rules_file.h"
#include "log_capture.h"

#ifndef EXAMPLE_RULES
#error "EXAMPLE_RULES must name docs/examples/mozilla-throttle-rules.json"
#endif

namespace {

using namespace antenna;
using namespace std::chrono;
using antenna_tests::LogCapture;

boost::json::object crash(std::string_view json) {
    return boost::json::parse(json).as_object();
}

std::vector<std::string> rule_names(const std::vector<Rule>& rules) {
    std::vector<std::string> names;
    for (const Rule& rule : rules) {
        names.push_back(rule.name);
    }
    return names;
}

// Decisions and log lines of two throttlers built alike but for their rules.
class Comparison {
public:
    Comparison(std::vector<Rule> file_rules, std::vector<std::string> products,
               ProductPackagenames packages, double random, system_clock::time_point now)
        : preset_(
              mozilla_rules(), products, packages, [random] { return random; },
              [now] { return now; }, preset_logs_.logger()),
          file_(
              std::move(file_rules), products, packages, [random] { return random; },
              [now] { return now; }, file_logs_.logger()) {}

    void expect_same(const boost::json::object& raw_crash) {
        ThrottleDecision expected = preset_.throttle(raw_crash);
        ThrottleDecision got = file_.throttle(raw_crash);
        std::string text = boost::json::serialize(raw_crash);
        EXPECT_EQ(got.result, expected.result) << text;
        EXPECT_EQ(got.rule_name, expected.rule_name) << text;
        EXPECT_EQ(got.percentage, expected.percentage) << text;
        EXPECT_EQ(file_logs_.take(), preset_logs_.take()) << text;
    }

private:
    LogCapture preset_logs_, file_logs_;
    Throttler preset_, file_;
};

// Spec §3 vectors and the cases around each rule.
const std::vector<std::string> kVectors = {
    "{}",
    R"({"ProductName": null, "Version": null, "BuildID": null, "ReleaseChannel": null})",
    R"({"ProductName": "FireSquid", "BuildID": "20170505000000"})",
    R"({"ProductName": "Firefox", "BuildID": "20170505000000\n"})",
    R"({"ProductName": "FireSquid", "Version": "99", "ProcessType": "browser", "HangID": "xyz"})",
    R"({"HangID": null})",
    R"({"HangID": "x", "ProcessType": "content"})",
    R"({"HangID": "x", "ProcessType": null})",
    R"({"ProductName": "Firefox", "SubmittedFromInfobar": "true", "Version": "52.0.2", "BuildID": "20171223222554"})",
    R"({"ProductName": "Firefox", "SubmittedFromInfobar": "true", "Version": "59.0", "BuildID": "20171226"})",
    R"({"ProductName": "Firefox", "SubmittedFromInfobar": "true", "Version": "57.0"})",
    R"({"ProductName": ""})",
    R"({"ProductName": "firefox"})",
    R"({"ProductName": "testproduct"})",
    R"({"ProductName": "b2g"})",
    R"({"ProductName": "B2G"})",
    R"({"ProductName": true})",
    R"({"ProductName": "Fenix", "Android_PackageName": "org.mozilla.firefox"})",
    R"({"ProductName": "Focus", "Android_PackageName": "org.mozilla.focus"})",
    R"({"ProductName": "ReferenceBrowser", "Android_PackageName": "org.mozilla.reference.browser"})",
    R"({"ProductName": "Thunderbird", "Android_PackageName": "org.example.fork"})",
    R"({"ProductName": "Fenix", "Android_PackageName": ""})",
    R"({"ProductName": "Fenix", "Android_PackageName": "org.example.fork"})",
    R"({"ProductName": "Focus", "Android_PackageName": "org.example.fork"})",
    R"({"ProductName": "Fenix"})",
    R"({"ProductName": "Fenix", "Android_PackageName": "None"})",
    R"({"ProductName": "Test", "Throttleable": "0"})",
    R"({"ProductName": "Test", "Throttleable": "1"})",
    R"({"ProductName": "Test", "Throttleable": "foo"})",
    R"({"Throttleable": 0})",
    R"({"ProductName": "Test", "Comments": "foo bar baz"})",
    R"({"Comments": ""})",
    R"({"ProductName": "Test", "PHCKind": "some value"})",
    R"({"ProcessType": "gpu"})",
    R"({"ProcessType": "rdd"})",
    R"({"ProcessType": "plugin"})",
    R"({"ProcessType": "utility"})",
    R"({"ProcessType": "socket"})",
    R"({"ProcessType": ""})",
    R"({"ProcessType": "content"})",
    R"({"ProductName": "Test", "ipc_channel_error": "ShutDownKill"})",
    R"({"ProductName": "Firefox", "ReleaseChannel": "esr", "TelemetryEnvironment": "{\"system\": {\"os\": {\"name\": \"Windows_NT\", \"windowsBuildNumber\": 9600}}}"})",
    R"({"ProductName": "Firefox", "ReleaseChannel": "esr", "TelemetryEnvironment": "{\"system\": {\"os\": {\"name\": \"Windows_NT\", \"windowsBuildNumber\": 10240}}}"})",
    R"({"ProductName": "Firefox", "ReleaseChannel": "esr", "TelemetryEnvironment": {"system": {"os": {"name": "Windows_NT", "windowsBuildNumber": 9600}}}})",
    R"({"ProductName": "Test", "ReleaseChannel": "aurora"})",
    R"({"ProductName": "Test", "ReleaseChannel": "beta"})",
    R"({"ProductName": "Test", "ReleaseChannel": "esr"})",
    R"({"ProductName": "Test", "ReleaseChannel": "nightly"})",
    R"({"ProductName": "Test", "ReleaseChannel": "nightlyfoo"})",
    R"({"ProductName": "Firefox", "ReleaseChannel": "release"})",
    R"({"ProductName": "Firefox", "ReleaseChannel": "release", "ipc_channel_error": "ShutDownKill"})",
};

TEST(ExampleRulesFile, MakesTheSameDecisionsAsTheMozillaPreset) {
    RulesFile example = load_rules_file(EXAMPLE_RULES);
    EXPECT_EQ(rule_names(example.rules), rule_names(mozilla_rules()));
    EXPECT_EQ(example.products, mozilla_products());
    EXPECT_EQ(example.product_packagenames, mozilla_product_packagenames());

    std::vector<std::vector<std::string>> product_lists = {{}, mozilla_products()};
    std::vector<ProductPackagenames> package_maps = {{}, mozilla_product_packagenames()};
    std::vector<system_clock::time_point> clocks = {sys_days(2019y / 5 / 27) + 12h,
                                                    sys_days(2026y / 7 / 1)};
    for (const auto& products : product_lists) {
        for (const auto& packages : package_maps) {
            for (double random : {0.0, 0.09, 0.1, 0.2, 0.25, 0.3, 0.9, 0.999}) {
                for (auto now : clocks) {
                    Comparison comparison(load_rules_file(EXAMPLE_RULES).rules, products, packages,
                                          random, now);
                    for (const std::string& vector : kVectors) {
                        comparison.expect_same(crash(vector));
                    }
                }
            }
        }
    }
}

TEST(ExampleRulesFile, AgreesWithThePresetOnGeneratedCrashes) {
    // Every field a Mozilla rule reads, with values around each rule's edges.
    const std::vector<std::pair<std::string, std::vector<std::string>>> pool = {
        {"ProductName",
         {R"("Firefox")", R"("Fenix")", R"("Focus")", R"("b2g")", R"("Thunderbird")", R"("")",
          "null", R"("FireSquid")"}},
        {"BuildID",
         {R"("20170505000000")", R"("20240101000000")", R"("20171223222554")", R"("2017122")",
          R"("")", "20170101000000", "null"}},
        {"Version", {R"("52.0")", R"("59.1")", R"("60.0")", R"("")"}},
        {"SubmittedFromInfobar", {R"("true")", R"("false")", R"("")"}},
        {"HangID", {R"("x")", R"("")", "null"}},
        {"ProcessType", {R"("browser")", R"("gpu")", R"("content")", R"("")", "null"}},
        {"Android_PackageName",
         {R"("org.mozilla.firefox")", R"("org.mozilla.klar")", R"("org.example.fork")", R"("None")",
          R"("")"}},
        {"Throttleable", {R"("0")", R"("1")", "0"}},
        {"Comments", {R"("")", R"("x")"}},
        {"PHCKind", {R"("")"}},
        {"ipc_channel_error", {R"("ShutDownKill")", R"("other")"}},
        {"ReleaseChannel",
         {R"("release")", R"("esr")", R"("beta")", R"("nightly-x")", R"("")", "null"}},
        {"TelemetryEnvironment",
         {R"("{\"system\": {\"os\": {\"name\": \"Windows_NT\", \"windowsBuildNumber\": 7601}}}")",
          R"("{\"system\": {\"os\": {\"name\": \"Windows_NT\", \"windowsBuildNumber\": 19045}}}")",
          R"("{}")", R"("")", R"({"system": {}})"}},
    };
    std::mt19937 generator(20260701);
    for (int round = 0; round < 40; ++round) {
        double random = std::uniform_real_distribution<double>(0, 1)(generator);
        Comparison comparison(load_rules_file(EXAMPLE_RULES).rules,
                              round % 2 ? mozilla_products() : std::vector<std::string>{},
                              mozilla_product_packagenames(), random, sys_days(2019y / 5 / 27));
        for (int i = 0; i < 100; ++i) {
            boost::json::object raw_crash;
            for (const auto& [field, values] : pool) {
                if (generator() % 3 != 0) {
                    raw_crash[field] = boost::json::parse(values[generator() % values.size()]);
                }
            }
            comparison.expect_same(raw_crash);
        }
    }
}

TEST(ExampleRulesFile, LoadsThroughTheSettings) {
    ThrottlerSettings settings =
        load_throttler_settings(EXAMPLE_RULES, "antenna.throttler.MOZILLA_PRODUCTS",
                                "antenna.throttler.MOZILLA_PRODUCT_PACKAGENAMES");
    EXPECT_EQ(rule_names(settings.rules), rule_names(mozilla_rules()));
    EXPECT_EQ(settings.products, mozilla_products());
}

// docs/throttle-rules.md sits beside docs/examples/.
TEST(DocumentedExample, IsAValidRulesFile) {
    auto doc =
        std::filesystem::path(EXAMPLE_RULES).parent_path().parent_path() / "throttle-rules.md";
    std::ifstream in(doc);
    std::stringstream text;
    text << in.rdbuf();
    std::string markdown = text.str();
    int blocks = 0;
    for (std::size_t start = 0; (start = markdown.find("```json\n", start)) != std::string::npos;) {
        start += 8;
        std::size_t end = markdown.find("```", start);
        RulesFile file = parse_rules_file(markdown.substr(start, end - start), doc.string());
        EXPECT_FALSE(file.rules.empty());
        ++blocks;
    }
    EXPECT_EQ(blocks, 1);
}

}  // namespace

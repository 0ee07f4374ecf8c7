// Throttle rules as data (docs/throttle-rules.md) and the BREAKPAD_THROTTLER_* values.
#include "antenna/throttler/rules_file.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "antenna/throttler/mozilla_rules.h"
#include "core/config/options.h"
#include "log_capture.h"

namespace {

using namespace antenna;
using namespace std::chrono;
using antenna_tests::LogCapture;

boost::json::object crash(std::string_view json) {
    return boost::json::parse(json).as_object();
}

// A scratch directory for files, removed afterwards.
class TempDir {
public:
    TempDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("throttle-rules-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string write(const std::string& name, std::string_view text) const {
        std::ofstream(path_ / name) << text;
        return (path_ / name).string();
    }
    std::string path() const { return path_.string(); }

private:
    static inline int counter_ = 0;
    std::filesystem::path path_;
};

std::string error_of(auto&& action) {
    try {
        action();
    } catch (const core::ConfigError& e) {
        return e.what();
    }
    return "<no error>";
}

// Decides `crash_json` with the rules of a rules-file text, with all products supported.
ThrottleDecision decide(std::string_view rules_json, std::string_view crash_json,
                        double random = 0.5) {
    LogCapture logs;
    Throttler throttler(
        parse_rules_file(rules_json, "test.json").rules, {}, {}, [random] { return random; },
        [] { return system_clock::now(); }, logs.logger());
    return throttler.throttle(crash(crash_json));
}

std::string one_rule(std::string_view key, std::string_view condition) {
    return R"({"rules": [{"name": "r", "key": ")" + std::string(key) + R"(", "condition": )" +
           std::string(condition) + R"(, "result": "ACCEPT"}]})";
}

bool star_matches(std::string_view condition, std::string_view crash_json) {
    return decide(one_rule("*", condition), crash_json).rule_name == "r";
}

TEST(RulesFile, FieldOperators) {
    EXPECT_TRUE(star_matches(R"({"field": "P", "equals": "a"})", R"({"P": "a"})"));
    EXPECT_FALSE(star_matches(R"({"field": "P", "equals": "a"})", R"({"P": "ab"})"));
    EXPECT_TRUE(star_matches(R"({"field": "P", "equals": "None"})", R"({"P": null})"));
    EXPECT_TRUE(star_matches(R"({"field": "P", "equals": ""})", "{}"));
    EXPECT_TRUE(star_matches(R"({"field": "P", "default": "x", "equals": "x"})", "{}"));
    EXPECT_FALSE(star_matches(R"({"field": "P", "default": "x", "equals": "x"})", R"({"P": ""})"));
    EXPECT_TRUE(star_matches(R"({"field": "P", "in": ["a", "b"]})", R"({"P": "b"})"));
    EXPECT_FALSE(star_matches(R"({"field": "P", "in": []})", R"({"P": "b"})"));
    EXPECT_TRUE(star_matches(R"({"field": "P", "startswith": "ni"})", R"({"P": "nightly"})"));
    EXPECT_TRUE(
        star_matches(R"({"field": "P", "startswith": ["x", "ni"]})", R"({"P": "nightly"})"));
    EXPECT_FALSE(star_matches(R"({"field": "P", "startswith": ["x"]})", R"({"P": "nightly"})"));
    EXPECT_TRUE(star_matches(R"({"field": "B", "less_than": "20171226"})", R"({"B": "2017122"})"));
    EXPECT_FALSE(
        star_matches(R"({"field": "B", "less_than": "20171226"})", R"({"B": "20171226"})"));
    EXPECT_TRUE(
        star_matches(R"({"field": "B", "less_equal": "20171226"})", R"({"B": "20171226"})"));
    EXPECT_TRUE(star_matches(R"({"field": "B", "greater_than": "a"})", R"({"B": "\u00e9"})"));
    EXPECT_FALSE(star_matches(R"({"field": "B", "greater_equal": "b"})", R"({"B": "a"})"));
    EXPECT_TRUE(star_matches(R"({"field": "P", "empty": true})", R"({"P": ""})"));
    EXPECT_TRUE(star_matches(R"({"field": "P", "empty": true})", "{}"));
    EXPECT_TRUE(star_matches(R"({"field": "P", "empty": false})", R"({"P": null})"));
    EXPECT_TRUE(star_matches(R"({"field": "P", "present": true})", R"({"P": ""})"));
    EXPECT_FALSE(star_matches(R"({"field": "P", "present": true})", "{}"));
    EXPECT_TRUE(star_matches(R"({"field": "P", "present": false})", "{}"));
}

TEST(RulesFile, Combinators) {
    std::string a = R"({"field": "A", "equals": "1"})", b = R"({"field": "B", "equals": "1"})";
    EXPECT_TRUE(star_matches(R"({"all": [)" + a + "," + b + "]}", R"({"A": "1", "B": "1"})"));
    EXPECT_FALSE(star_matches(R"({"all": [)" + a + "," + b + "]}", R"({"A": "1"})"));
    EXPECT_TRUE(star_matches(R"({"any": [)" + a + "," + b + "]}", R"({"B": "1"})"));
    EXPECT_FALSE(star_matches(R"({"any": [)" + a + "," + b + "]}", "{}"));
    EXPECT_TRUE(star_matches(R"({"not": )" + a + "}", "{}"));
    EXPECT_TRUE(star_matches(R"({"not": {"not": "always"}})", "{}"));
    EXPECT_TRUE(star_matches(R"({"all": ["always", {"any": [)" + a + R"(, "always"]}]})", "{}"));
}

TEST(RulesFile, KeyedRulesTestTheKeysValueAndNeedTheKey) {
    std::string rules = one_rule("Throttleable", R"({"equals": "0"})");
    EXPECT_EQ(decide(rules, R"({"Throttleable": "0"})").rule_name, "r");
    EXPECT_EQ(decide(rules, R"({"Throttleable": 0})").rule_name, "r");
    EXPECT_EQ(decide(rules, R"({"Throttleable": "1"})").rule_name, "NO_MATCH");
    EXPECT_EQ(decide(one_rule("Comments", R"("always")"), R"({"Comments": ""})").rule_name, "r");
    EXPECT_EQ(decide(one_rule("Comments", R"("always")"), "{}").rule_name, "NO_MATCH");
    // A named field in a keyed rule reads the crash.
    EXPECT_EQ(decide(one_rule("K", R"({"field": "P", "equals": "x"})"), R"({"K": "", "P": "x"})")
                  .rule_name,
              "r");
}

TEST(RulesFile, Results) {
    auto rules = [](std::string_view result) {
        return R"({"rules": [{"name": "r", "condition": "always", "result": )" +
               std::string(result) + "}]}";
    };
    EXPECT_EQ(decide(rules(R"("DEFER")"), "{}").result, ThrottleResult::defer);
    EXPECT_EQ(decide(rules(R"("FAKEACCEPT")"), "{}").result, ThrottleResult::fakeaccept);
    std::string sampled =
        rules(R"({"percentage": 25.5, "sampled": "ACCEPT", "otherwise": "DEFER"})");
    ThrottleDecision low = decide(sampled, "{}", 0.255);
    EXPECT_EQ(low.result, ThrottleResult::accept);
    EXPECT_EQ(low.percentage, 25.5);
    EXPECT_EQ(decide(sampled, "{}", 0.26).result, ThrottleResult::defer);
    std::string go_on = R"({"rules": [
        {"name": "maybe", "condition": "always",
         "result": {"percentage": 10, "sampled": "CONTINUE", "otherwise": "REJECT"}},
        {"name": "rest", "condition": "always", "result": "ACCEPT"}]})";
    EXPECT_EQ(decide(go_on, "{}", 0.05).rule_name, "rest");
    EXPECT_EQ(decide(go_on, "{}", 0.5).rule_name, "maybe");
}

TEST(RulesFile, ErrorsNameTheFileTheRuleAndTheProblem) {
    auto error = [](std::string_view text) {
        return error_of([&] { parse_rules_file(text, "/x.json"); });
    };
    std::string prefix = "throttle rules file /x.json: ";
    auto rule3 = [](std::string_view body) {
        return std::string(R"({"rules": [{"name": "a", "condition": "always", "result": "ACCEPT"},
            {"name": "b", "condition": "always", "result": "ACCEPT"}, )") +
               std::string(body) + "]}";
    };
    std::vector<std::pair<std::string, std::string>> cases = {
        {rule3(R"({"name": "foo", "condition": "bar", "result": "ACCEPT"})"),
         R"(rule 3 ("foo"): unknown condition "bar" (expected always, b2g, has_old_buildid, )"
         R"(unsupported_packagename, unsupported_product, unsupported_windows or an object))"},
        {"[]", R"(expected an object with a "rules" list)"},
        {R"({"rules": []})", R"("rules" must be a non-empty list of rules)"},
        {R"({"rules": [1]})", "rule 1: must be an object"},
        {R"({"rule": []})",
         R"(unknown member "rule" (expected rules, products, product_packagenames, comment))"},
        {rule3(R"({"condition": "always", "result": "ACCEPT"})"),
         R"(rule 3: needs "name", a string)"},
        {rule3(R"({"name": "o m g!", "condition": "always", "result": "ACCEPT"})"),
         R"(rule 3 ("o m g!"): a name has only letters, digits and _)"},
        {rule3(R"({"name": "c", "result": "ACCEPT"})"),
         R"(rule 3 ("c"): needs "condition" and "result")"},
        {rule3(R"({"name": "c", "condition": "always", "result": "ACCEPT", "kye": "x"})"),
         R"(rule 3 ("c"): unknown member "kye" (expected name, key, condition, result, comment))"},
        {rule3(R"({"name": "c", "key": "K", "condition": "b2g", "result": "ACCEPT"})"),
         R"(rule 3 ("c"): condition "b2g" needs key "*")"},
        {rule3(R"({"name": "c", "condition": {"equals": "x"}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): "equals" needs "field" in a rule with key "*")"},
        {rule3(R"({"name": "c", "condition": {"field": "F", "equal": "x"}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): unknown operator "equal" (expected all, any, not, equals, in, startswith, )"
         R"(less_than, less_equal, greater_than, greater_equal, empty, present))"},
        {rule3(R"({"name": "c", "condition": {"field": "F"}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): a condition object needs exactly one operator, not 0)"},
        {rule3(
             R"({"name": "c", "condition": {"field": "F", "equals": "x", "in": []}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): a condition object needs exactly one operator, not 2)"},
        {rule3(R"({"name": "c", "condition": {"field": "F", "equals": 1}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): "equals" must be a string)"},
        {rule3(R"({"name": "c", "condition": {"field": "F", "in": ["a", 1]}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): "in" must be a list of strings)"},
        {rule3(
             R"({"name": "c", "condition": {"field": "F", "startswith": 1}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): "startswith" must be a string or a list of strings)"},
        {rule3(R"({"name": "c", "condition": {"field": "F", "empty": "no"}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): "empty" must be true or false)"},
        {rule3(R"({"name": "c", "key": "K", "condition": {"present": true}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): "present" needs "field")"},
        {rule3(
             R"({"name": "c", "condition": {"field": "F", "default": "d", "present": true}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): "default" needs "field" and a test of its value)"},
        {rule3(R"({"name": "c", "condition": {"all": []}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): "all" must be a non-empty list of conditions)"},
        {rule3(
             R"({"name": "c", "condition": {"not": "always", "field": "F"}, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): "not" takes no "field" or "default")"},
        {rule3(R"({"name": "c", "condition": 1, "result": "ACCEPT"})"),
         R"(rule 3 ("c"): a condition is a name or an object)"},
        {rule3(R"({"name": "c", "condition": "always", "result": "CONTINUE"})"),
         R"(rule 3 ("c"): CONTINUE is only a sampled outcome)"},
        {rule3(R"({"name": "c", "condition": "always", "result": "accept"})"),
         R"(rule 3 ("c"): unknown result "accept" (expected ACCEPT, DEFER, REJECT, FAKEACCEPT))"},
        {rule3(
             R"({"name": "c", "condition": "always", "result": {"percentage": 101, "sampled": "ACCEPT", "otherwise": "REJECT"}})"),
         R"(rule 3 ("c"): a sampled result needs "percentage", a number from 0 to 100)"},
        {rule3(
             R"({"name": "c", "condition": "always", "result": {"percentage": 1, "sampled": "ACCEPT"}})"),
         R"(rule 3 ("c"): a sampled result needs "sampled" and "otherwise")"},
        {rule3(
             R"({"name": "c", "condition": "always", "result": {"percentage": 1, "sampled": "X", "otherwise": "REJECT"}})"),
         R"(rule 3 ("c"): unknown result "X" (expected ACCEPT, DEFER, REJECT, FAKEACCEPT, CONTINUE))"},
        {R"({"rules": [{"name": "a", "condition": "always", "result": "ACCEPT"}], "products": "Firefox"})",
         R"("products" must be a list of strings)"},
        {R"({"rules": [{"name": "a", "condition": "always", "result": "ACCEPT"}], "product_packagenames": {"Fenix": "x"}})",
         R"("product_packagenames"["Fenix"] must be a list of strings)"},
        {"{\"rules\": [\n  {\"name\": \"a\",, }]}",
         "invalid JSON at line 2 column 16: syntax error"},
        {"{\"rules\": [", "invalid JSON at line 1 column 12: incomplete JSON"},
        {R"({"rules": [{"name": "a\nb", "condition": "always", "result": "ACCEPT"}]})",
         R"(rule 1 ("a\nb"): a name has only letters, digits and _)"},
    };
    for (const auto& [text, message] : cases) {
        EXPECT_EQ(error(text), prefix + message) << text;
    }
}

TEST(RulesFile, ReadErrors) {
    TempDir dir;
    EXPECT_EQ(error_of([&] { load_rules_file(dir.path() + "/missing.json"); }),
              "throttle rules file " + dir.path() +
                  "/missing.json: cannot read: No such file or directory");
    EXPECT_EQ(error_of([&] { load_rules_file(dir.path()); }),
              "throttle rules file " + dir.path() + ": cannot read: it is a directory");
}

const std::string kRules = "antenna.throttler.MOZILLA_RULES";
const std::string kProducts = "antenna.throttler.MOZILLA_PRODUCTS";
const std::string kPackages = "antenna.throttler.MOZILLA_PRODUCT_PACKAGENAMES";

std::vector<std::string> rule_names(const std::vector<Rule>& rules) {
    std::vector<std::string> names;
    for (const Rule& rule : rules) {
        names.push_back(rule.name);
    }
    return names;
}

TEST(ThrottlerSettings, PresetsByDottedOrShortName) {
    for (auto [rules, products, packages] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {kRules, kProducts, kPackages},
             {"MOZILLA_RULES", "MOZILLA_PRODUCTS", "MOZILLA_PRODUCT_PACKAGENAMES"}}) {
        ThrottlerSettings settings = load_throttler_settings(rules, products, packages);
        EXPECT_EQ(rule_names(settings.rules), rule_names(mozilla_rules()));
        EXPECT_EQ(settings.products, mozilla_products());
        EXPECT_EQ(settings.product_packagenames, mozilla_product_packagenames());
    }
    for (auto [rules, products, packages] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"antenna.throttler.ACCEPT_ALL", "antenna.throttler.ALL_PRODUCTS",
              "antenna.throttler.ALL_PRODUCT_PACKAGENAMES"},
             {"ACCEPT_ALL", "ALL_PRODUCTS", "ALL_PRODUCT_PACKAGENAMES"}}) {
        ThrottlerSettings settings = load_throttler_settings(rules, products, packages);
        EXPECT_EQ(rule_names(settings.rules), std::vector<std::string>{"accept_everything"});
        EXPECT_TRUE(settings.products.empty());
        EXPECT_TRUE(settings.product_packagenames.empty());
    }
}

TEST(ThrottlerSettings, UnknownNamesListWhatIsAccepted) {
    EXPECT_EQ(
        error_of([] { load_throttler_settings("mozilla_rules", kProducts, kPackages); }),
        "BREAKPAD_THROTTLER_RULES: unknown value \"mozilla_rules\"; expected "
        "antenna.throttler.MOZILLA_RULES, MOZILLA_RULES, antenna.throttler.ACCEPT_ALL, "
        "ACCEPT_ALL, or the path of a rules file (a value containing '/' or ending in .json)");
    EXPECT_EQ(
        error_of([] { load_throttler_settings(kRules, "antenna.throttler.PRODUCTS", kPackages); }),
        "BREAKPAD_THROTTLER_PRODUCTS: unknown value \"antenna.throttler.PRODUCTS\"; expected "
        "antenna.throttler.MOZILLA_PRODUCTS, MOZILLA_PRODUCTS, antenna.throttler.ALL_PRODUCTS, "
        "ALL_PRODUCTS, or the path of a JSON list of product names (a value containing '/' "
        "or ending in .json)");
    EXPECT_EQ(error_of([] { load_throttler_settings(kRules, kProducts, ""); }),
              "BREAKPAD_THROTTLER_PRODUCT_PACKAGENAMES: unknown value \"\"; expected "
              "antenna.throttler.MOZILLA_PRODUCT_PACKAGENAMES, MOZILLA_PRODUCT_PACKAGENAMES, "
              "antenna.throttler.ALL_PRODUCT_PACKAGENAMES, ALL_PRODUCT_PACKAGENAMES, or the path "
              "of a JSON object of package-name lists (a value containing '/' or ending in .json)");
}

TEST(ThrottlerSettings, FilesForEachValue) {
    TempDir dir;
    std::string rules = dir.write(
        "r.json", R"({"rules": [{"name": "only", "condition": "always", "result": "DEFER"}]})");
    std::string products = dir.write("p.json", R"(["Firefox", "Fenix"])");
    std::string packages = dir.write("k.json", R"({"Fenix": ["org.mozilla.fenix"]})");
    ThrottlerSettings settings = load_throttler_settings(rules, products, packages);
    EXPECT_EQ(rule_names(settings.rules), std::vector<std::string>{"only"});
    EXPECT_EQ(settings.products, (std::vector<std::string>{"Firefox", "Fenix"}));
    EXPECT_EQ(settings.product_packagenames,
              (ProductPackagenames{{"Fenix", {"org.mozilla.fenix"}}}));

    std::string bad = dir.write("bad.json", R"({"Firefox": 1})");
    EXPECT_EQ(error_of([&] { load_throttler_settings(kRules, bad, kPackages); }),
              "throttle products file " + bad + ": the file must be a list of strings");
    EXPECT_EQ(
        error_of([&] { load_throttler_settings(kRules, kProducts, bad); }),
        "throttle package names file " + bad + ": the file[\"Firefox\"] must be a list of strings");
    EXPECT_EQ(
        error_of([&] { load_throttler_settings(kRules, kProducts, dir.path() + "/none.json"); }),
        "throttle package names file " + dir.path() +
            "/none.json: cannot read: No such file or directory");

    // A relative name ending in .json is a path too.
    std::filesystem::path cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    EXPECT_EQ(rule_names(load_throttler_settings("r.json", kProducts, kPackages).rules),
              std::vector<std::string>{"only"});
    std::filesystem::current_path(cwd);
}

TEST(ThrottlerSettings, ListsInTheRulesFileReplaceOnlyTheDefaults) {
    TempDir dir;
    std::string rules =
        dir.write("r.json", R"({"rules": [{"name": "a", "condition": "always", "result": "ACCEPT"}],
        "products": ["Only"], "product_packagenames": {"Only": ["p"]}})");
    ThrottlerSettings settings = load_throttler_settings(rules, "MOZILLA_PRODUCTS", kPackages);
    EXPECT_EQ(settings.products, std::vector<std::string>{"Only"});
    EXPECT_EQ(settings.product_packagenames, (ProductPackagenames{{"Only", {"p"}}}));
    EXPECT_EQ(error_of([&] { load_throttler_settings(rules, "ALL_PRODUCTS", kPackages); }),
              "BREAKPAD_THROTTLER_PRODUCTS=ALL_PRODUCTS conflicts with \"products\" in throttle "
              "rules file " +
                  rules + "; set only one of them");
    EXPECT_EQ(error_of([&] { load_throttler_settings(rules, kProducts, "/k.json"); }),
              "BREAKPAD_THROTTLER_PRODUCT_PACKAGENAMES=/k.json conflicts with "
              "\"product_packagenames\" in throttle rules file " +
                  rules + "; set only one of them");
}

}  // namespace

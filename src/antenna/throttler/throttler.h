#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

#include "core/observability/log.h"

namespace antenna {

// Antenna's throttle results; the number is the throttle digit of a generated crash id.
// CONTINUE only occurs as an outcome of a sampled rule: go on with the next rule.
enum class ThrottleResult { accept = 0, defer = 1, reject = 2, fakeaccept = 3, continue_ = 4 };

// "ACCEPT", "DEFER", "REJECT", "FAKEACCEPT" or "CONTINUE" (Antenna's RESULT_TO_TEXT).
std::string_view result_name(ThrottleResult result);

struct ThrottleDecision {
    ThrottleResult result;
    std::string rule_name;  // "NO_MATCH" when no rule decided
    double percentage;      // 100 for a fixed result, the rule's percentage for a sampled one
};

class Throttler;

// What a rule's condition looks at: the whole crash for key "*"; for any other key, `value` is
// Python's str() of that annotation (only asked when the crash has the key).
struct RuleSubject {
    const boost::json::object& crash;
    std::string_view value;
};

using Condition = std::function<bool(const Throttler&, const RuleSubject&)>;

// Antenna's (percentage, le_result, gt_result): `sampled` when random() * 100 <= percentage,
// else `otherwise`.
struct SampledResult {
    double percentage;
    ThrottleResult sampled;
    ThrottleResult otherwise;
};

struct Rule {
    std::string name;  // in responses (Discarded=rule_<name>), logs and metric tags
    std::string key;   // "*" or an annotation name
    Condition condition;
    std::variant<ThrottleResult, SampledResult> result;
};

// Product name -> the Android_PackageName values accepted for it.
using ProductPackagenames = std::map<std::string, std::vector<std::string>, std::less<>>;

// Uniform in [0, 1), like Python's random.random(); called from several threads at once.
using RandomSource = std::function<double()>;
using Clock = std::function<std::chrono::system_clock::time_point()>;

// A per-thread 64-bit Mersenne Twister seeded from std::random_device, giving 53-bit doubles.
RandomSource default_random_source();

// Antenna's rule-name check: ^[a-z0-9_]+$, case-insensitive.
bool is_valid_rule_name(std::string_view name);

// Antenna's safe_get: str(crash.get(key, default)), `fallback` being str() of that default.
std::string safe_get(const boost::json::object& crash, std::string_view key,
                     std::string_view fallback = "");

// Runs a crash through an ordered rule list (antenna/throttler.py `Throttler`). Conditions
// read the supported products, package names, clock and logger through the throttler, as
// Antenna's read `throttler.config`.
class Throttler {
public:
    // `products` empty means every product is supported. Throws std::invalid_argument for an
    // invalid rule name, a rule without a condition or a fixed CONTINUE result (Antenna fails
    // on the latter only when a crash reaches the rule).
    Throttler(std::vector<Rule> rules, std::vector<std::string> products,
              ProductPackagenames product_packagenames, RandomSource random, Clock clock,
              core::Logger logger);

    // The first matching rule with a fixed result decides; a sampled rule decides unless its
    // outcome is CONTINUE; no decision is (REJECT, "NO_MATCH", 0).
    ThrottleDecision throttle(const boost::json::object& raw_crash) const;

    const std::vector<Rule>& rules() const { return rules_; }
    const std::vector<std::string>& products() const { return products_; }
    const ProductPackagenames& product_packagenames() const { return product_packagenames_; }
    std::chrono::system_clock::time_point now() const { return clock_(); }
    const core::Logger& logger() const { return logger_; }

private:
    std::vector<Rule> rules_;
    std::vector<std::string> products_;
    ProductPackagenames product_packagenames_;
    RandomSource random_;
    Clock clock_;
    core::Logger logger_;
};

}  // namespace antenna

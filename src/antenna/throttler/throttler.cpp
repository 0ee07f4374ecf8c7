#include "antenna/throttler/throttler.h"

#include <algorithm>
#include <random>
#include <stdexcept>

#include "antenna/throttler/python_str.h"

namespace antenna {
namespace {

bool matches(const Throttler& throttler, const Rule& rule, const boost::json::object& crash) {
    if (rule.key == "*") {
        return rule.condition(throttler, RuleSubject{crash, {}});
    }
    const boost::json::value* value = crash.if_contains(rule.key);
    if (value == nullptr) {
        return false;
    }
    std::string text = python_str(*value);
    return rule.condition(throttler, RuleSubject{crash, text});
}

}  // namespace

std::string_view result_name(ThrottleResult result) {
    switch (result) {
        case ThrottleResult::accept:
            return "ACCEPT";
        case ThrottleResult::defer:
            return "DEFER";
        case ThrottleResult::reject:
            return "REJECT";
        case ThrottleResult::fakeaccept:
            return "FAKEACCEPT";
        case ThrottleResult::continue_:
            return "CONTINUE";
    }
    return "REJECT";
}

RandomSource default_random_source() {
    return [] {
        thread_local std::mt19937_64 generator{[] {
            std::random_device device;
            std::seed_seq seed{device(), device(), device(), device()};
            return std::mt19937_64(seed);
        }()};
        // The top 53 bits scaled into [0, 1); std::generate_canonical may return 1.0.
        return static_cast<double>(generator() >> 11) * 0x1.0p-53;
    };
}

bool is_valid_rule_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

std::string safe_get(const boost::json::object& crash, std::string_view key,
                     std::string_view fallback) {
    const boost::json::value* value = crash.if_contains(key);
    return value != nullptr ? python_str(*value) : std::string(fallback);
}

Throttler::Throttler(std::vector<Rule> rules, std::vector<std::string> products,
                     ProductPackagenames product_packagenames, RandomSource random, Clock clock,
                     core::Logger logger)
    : rules_(std::move(rules)),
      products_(std::move(products)),
      product_packagenames_(std::move(product_packagenames)),
      random_(std::move(random)),
      clock_(std::move(clock)),
      logger_(std::move(logger)) {
    for (const Rule& rule : rules_) {
        if (!is_valid_rule_name(rule.name)) {
            throw std::invalid_argument("'" + rule.name + "' is not a valid rule name");
        }
        if (!rule.condition) {
            throw std::invalid_argument("rule " + rule.name + " has no condition");
        }
        const auto* fixed = std::get_if<ThrottleResult>(&rule.result);
        if (fixed != nullptr && *fixed == ThrottleResult::continue_) {
            throw std::invalid_argument("rule " + rule.name +
                                        ": CONTINUE is only a sampled outcome");
        }
    }
}

ThrottleDecision Throttler::throttle(const boost::json::object& raw_crash) const {
    for (const Rule& rule : rules_) {
        if (!matches(*this, rule, raw_crash)) {
            continue;
        }
        if (const auto* fixed = std::get_if<ThrottleResult>(&rule.result)) {
            return {*fixed, rule.name, 100};
        }
        const auto& sampled = std::get<SampledResult>(rule.result);
        ThrottleResult response =
            random_() * 100.0 <= sampled.percentage ? sampled.sampled : sampled.otherwise;
        if (response != ThrottleResult::continue_) {
            return {response, rule.name, sampled.percentage};
        }
    }
    // Antenna's comment says "defer"; its code rejects.
    return {ThrottleResult::reject, "NO_MATCH", 0};
}

}  // namespace antenna

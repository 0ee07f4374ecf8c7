#include "antenna/throttler/mozilla_rules.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "antenna/throttler/python_str.h"
#include "core/text/utf8.h"

namespace antenna {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

// The zero of every run of ten Unicode decimal digits (category Nd) in Python 3.11's Unicode 14
// database: what Python's \d matches and int() reads.
constexpr std::uint32_t kDigitZeros[] = {
    0x30,    0x660,   0x6f0,   0x7c0,   0x966,   0x9e6,   0xa66,   0xae6,   0xb66,   0xbe6,
    0xc66,   0xce6,   0xd66,   0xde6,   0xe50,   0xed0,   0xf20,   0x1040,  0x1090,  0x17e0,
    0x1810,  0x1946,  0x19d0,  0x1a80,  0x1a90,  0x1b50,  0x1bb0,  0x1c40,  0x1c50,  0xa620,
    0xa8d0,  0xa900,  0xa9d0,  0xa9f0,  0xaa50,  0xabf0,  0xff10,  0x104a0, 0x10d30, 0x11066,
    0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0,
    0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2,
    0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
};

std::optional<unsigned> digit_value(std::uint32_t cp) {
    for (std::uint32_t zero : kDigitZeros) {
        if (cp >= zero && cp < zero + 10) {
            return cp - zero;
        }
    }
    return std::nullopt;
}

bool in_range(std::uint32_t cp, char low, char high) {
    return cp >= std::uint32_t(low) && cp <= std::uint32_t(high);
}

// The date of a build id, or nullopt where Antenna's BUILDID_RE or strptime() refuse it.
std::optional<sys_days> buildid_date(std::string_view buildid) {
    std::vector<std::uint32_t> cps;
    for (std::size_t i = 0; i < buildid.size() && cps.size() <= 15;) {
        cps.push_back(core::text::next_code_point(buildid, i));
    }
    if (cps.size() == 15 && cps.back() == '\n') {
        cps.pop_back();
    }
    if (cps.size() != 14 || cps[0] != '2' || cps[1] != '0' ||
        !std::all_of(cps.begin() + 2, cps.end(),
                     [](auto cp) { return digit_value(cp).has_value(); })) {
        return std::nullopt;
    }
    // strptime must consume all eight characters, so %m is 1[0-2] or 0[1-9] (ASCII only) and %d
    // is 3[01], [12]\d or 0[1-9]: the regex alternatives of _strptime that are two wide.
    bool month_ok = (cps[4] == '1' && in_range(cps[5], '0', '2')) ||
                    (cps[4] == '0' && in_range(cps[5], '1', '9'));
    bool day_ok = (cps[6] == '3' && in_range(cps[7], '0', '1')) || in_range(cps[6], '1', '2') ||
                  (cps[6] == '0' && in_range(cps[7], '1', '9'));
    if (!month_ok || !day_ok) {
        return std::nullopt;
    }
    int year = 2000 + static_cast<int>(*digit_value(cps[2]) * 10 + *digit_value(cps[3]));
    unsigned month = (cps[4] - '0') * 10 + (cps[5] - '0');
    unsigned day = (cps[6] - '0') * 10 + *digit_value(cps[7]);
    std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                     std::chrono::day(day)};
    if (!date.ok()) {
        return std::nullopt;  // datetime() refuses 20230230
    }
    return sys_days(date);
}

// Rewrites what Python's json.loads accepts and Boost.JSON refuses, without changing anything
// match_unsupported_windows reads: NaN, Infinity and -Infinity become a float padded with
// spaces (so they do not merge with neighbours), lone surrogate escapes become \ufffd.
std::string boost_compatible_json(std::string_view text) {
    auto hex4 = [&](std::size_t at) -> std::optional<unsigned> {
        if (at + 4 > text.size()) {
            return std::nullopt;
        }
        unsigned value = 0;
        for (std::size_t k = at; k < at + 4; ++k) {
            char c = text[k];
            int digit = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
            if (digit < 0) {
                return std::nullopt;
            }
            value = value * 16 + static_cast<unsigned>(digit);
        }
        return value;
    };
    std::string out;
    out.reserve(text.size());
    bool in_string = false;
    for (std::size_t i = 0; i < text.size();) {
        std::string_view rest = text.substr(i);
        if (!in_string) {
            if (rest.starts_with("-Infinity")) {
                out += " -1.0 ";
                i += 9;
            } else if (rest.starts_with("Infinity")) {
                out += " 1.0 ";
                i += 8;
            } else if (rest.starts_with("NaN")) {
                out += " 1.0 ";
                i += 3;
            } else {
                in_string = text[i] == '"';
                out += text[i++];
            }
            continue;
        }
        if (text[i] == '"') {
            in_string = false;
        } else if (text[i] == '\\' && rest.size() >= 2 && rest[1] == 'u') {
            std::optional<unsigned> unit = hex4(i + 2);
            if (unit && *unit >= 0xD800 && *unit <= 0xDFFF) {
                std::optional<unsigned> low;
                if (*unit <= 0xDBFF && rest.substr(6).starts_with("\\u")) {
                    low = hex4(i + 8);
                }
                if (low && *low >= 0xDC00 && *low <= 0xDFFF) {
                    out.append(rest.substr(0, 12));
                    i += 12;
                } else {
                    out += "\\ufffd";
                    i += 6;
                }
                continue;
            }
        } else if (text[i] == '\\' && rest.size() >= 2) {
            out.append(rest.substr(0, 2));  // so that \" does not end the string
            i += 2;
            continue;
        }
        out += text[i++];
    }
    return out;
}

// Python's `not value or not isinstance(value, dict)`, inverted.
const boost::json::object* non_empty_object(const boost::json::value* value) {
    return value != nullptr && value->is_object() && !value->get_object().empty()
               ? &value->get_object()
               : nullptr;
}

bool starts_with_any(std::string_view text, std::initializer_list<std::string_view> prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](std::string_view prefix) { return text.starts_with(prefix); });
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

Rule fixed(std::string name, std::string key, Condition condition, ThrottleResult result) {
    return Rule{std::move(name), std::move(key), std::move(condition), result};
}

Rule sampled(std::string name, std::string key, Condition condition, SampledResult result) {
    return Rule{std::move(name), std::move(key), std::move(condition), result};
}

}  // namespace

bool always_match(const Throttler&, const RuleSubject&) {
    return true;
}

bool match_old_buildid(const Throttler& throttler, const RuleSubject& subject) {
    std::optional<sys_days> date = buildid_date(safe_get(subject.crash, "BuildID"));
    if (!date) {
        return false;
    }
    // datetime.now() has microseconds; the comparison is strict.
    auto now = std::chrono::floor<std::chrono::microseconds>(throttler.now());
    return *date < now - days(730);
}

bool match_infobar_true(const Throttler&, const RuleSubject& subject) {
    std::string product = safe_get(subject.crash, "ProductName");
    std::string infobar = safe_get(subject.crash, "SubmittedFromInfobar");
    std::string version = safe_get(subject.crash, "Version");
    std::string buildid = safe_get(subject.crash, "BuildID");
    if (product.empty() || infobar.empty() || version.empty() || buildid.empty()) {
        return false;
    }
    return product == "Firefox" && infobar == "true" &&
           starts_with_any(version, {"52.", "53.", "54.", "55.", "56.", "57.", "58.", "59."}) &&
           buildid < "20171226";
}

bool match_b2g(const Throttler& throttler, const RuleSubject& subject) {
    std::string product = safe_get(subject.crash, "ProductName");
    // No non-ASCII character lowercases to b, 2 or g, so an ASCII lower() is Python's lower().
    std::transform(product.begin(), product.end(), product.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
    if (contains(throttler.products(), "B2G") || product != "b2g") {
        return false;
    }
    throttler.logger().info("ProductName B2G: fake accept");
    return true;
}

bool match_unsupported_product(const Throttler& throttler, const RuleSubject& subject) {
    std::string product = safe_get(subject.crash, "ProductName");
    if (throttler.products().empty() || contains(throttler.products(), product)) {
        return false;
    }
    throttler.logger().info("ProductName rejected: " + python_repr(product));
    return true;
}

bool match_unsupported_packagename(const Throttler& throttler, const RuleSubject& subject) {
    std::string product = safe_get(subject.crash, "ProductName");
    auto packagenames = throttler.product_packagenames().find(product);
    if (packagenames == throttler.product_packagenames().end() || packagenames->second.empty()) {
        return false;
    }
    std::string packagename = safe_get(subject.crash, "Android_PackageName", "None");
    if (contains(packagenames->second, packagename)) {
        return false;
    }
    // A missing value and the text "None" look the same after str(), as in Antenna.
    throttler.logger().info(
        "Android_PackageName rejected: " + product + " " +
        (packagename == "None" ? "no Android_PackageName" : python_repr(packagename)));
    return true;
}

bool match_unsupported_windows(const Throttler&, const RuleSubject& subject) {
    std::string telemetry = safe_get(subject.crash, "TelemetryEnvironment");
    if (telemetry.empty()) {
        return false;
    }
    boost::json::parse_options options;
    options.max_depth = 1000;  // about where Python's json recursion gives up
    boost::json::error_code ec;
    boost::json::value data = boost::json::parse(boost_compatible_json(telemetry), ec, {}, options);
    // A JSON value other than an object makes Antenna's .get() raise (a 500); here it is no
    // match. Integers beyond 64 bits parse as floats here and so never match; Python would
    // match a windowsBuildNumber below -2**63.
    if (ec || !data.is_object()) {
        return false;
    }
    const boost::json::object* system = non_empty_object(data.get_object().if_contains("system"));
    const boost::json::object* os = system ? non_empty_object(system->if_contains("os")) : nullptr;
    if (os == nullptr) {
        return false;
    }
    const boost::json::value* name = os->if_contains("name");
    if (name == nullptr || !name->is_string() || name->get_string() != "Windows_NT") {
        return false;
    }
    const boost::json::value* build = os->if_contains("windowsBuildNumber");
    if (build == nullptr) {
        return false;
    }
    constexpr std::int64_t kWindows81 = 9600;
    if (build->is_bool()) {
        return build->get_bool();  // True == 1 <= 9600
    }
    if (build->is_int64()) {
        return build->get_int64() != 0 && build->get_int64() <= kWindows81;
    }
    return build->is_uint64() && build->get_uint64() != 0 &&
           build->get_uint64() <= static_cast<std::uint64_t>(kWindows81);
}

std::vector<Rule> mozilla_rules() {
    using enum ThrottleResult;
    auto value_in = [](std::initializer_list<std::string_view> values) {
        std::vector<std::string> set(values.begin(), values.end());
        return [set](const Throttler&, const RuleSubject& subject) {
            return contains(set, subject.value);
        };
    };
    std::vector<Rule> rules;
    rules.push_back(fixed("has_old_buildid", "*", match_old_buildid, reject));
    // Reject the browser side of multi-submission hang crashes.
    rules.push_back(fixed(
        "has_hangid_and_browser", "*",
        [](const Throttler&, const RuleSubject& subject) {
            return subject.crash.contains("HangID") &&
                   safe_get(subject.crash, "ProcessType", "browser") == "browser";
        },
        reject));
    rules.push_back(fixed("infobar_is_true", "*", match_infobar_true, reject));
    // Bug 1500243: B2G retries rejected reports forever, so pretend to accept them.
    rules.push_back(fixed("b2g", "*", match_b2g, fakeaccept));
    rules.push_back(fixed("unsupported_product", "*", match_unsupported_product, reject));
    rules.push_back(fixed("unsupported_packagename", "*", match_unsupported_packagename, reject));
    // Submitted by hand through about:crashes.
    rules.push_back(fixed("throttleable_0", "Throttleable", value_in({"0"}), accept));
    rules.push_back(fixed("has_comments", "Comments", always_match, accept));
    rules.push_back(fixed("has_phc", "PHCKind", always_match, accept));
    // Bugs 1547804, 1916751: few of these arrive, sampling would leave too few to study.
    rules.push_back(fixed("is_background", "ProcessType",
                          value_in({"gpu", "plugin", "rdd", "socket", "utility"}), accept));
    // Bug 1624949: not really crashes, and very many of them.
    rules.push_back(sampled("is_shutdownkill", "ipc_channel_error", value_in({"ShutDownKill"}),
                            {10, continue_, reject}));
    rules.push_back(sampled("is_firefox_esr_unsupported_windows", "*",
                            [](const Throttler& throttler, const RuleSubject& subject) {
                                return safe_get(subject.crash, "ProductName") == "Firefox" &&
                                       safe_get(subject.crash, "ReleaseChannel") == "esr" &&
                                       match_unsupported_windows(throttler, subject);
                            },
                            {25, continue_, reject}));
    rules.push_back(
        fixed("is_alpha_beta_esr", "ReleaseChannel", value_in({"aurora", "beta", "esr"}), accept));
    rules.push_back(fixed(
        "is_nightly", "ReleaseChannel",
        [](const Throttler&, const RuleSubject& subject) {
            return subject.value.starts_with("nightly");
        },
        accept));
    rules.push_back(sampled("is_firefox_desktop", "*",
                            [](const Throttler&, const RuleSubject& subject) {
                                return safe_get(subject.crash, "ProductName") == "Firefox" &&
                                       safe_get(subject.crash, "ReleaseChannel") == "release";
                            },
                            {10, accept, reject}));
    rules.push_back(fixed("accept_everything", "*", always_match, accept));
    return rules;
}

std::vector<Rule> accept_all_rules() {
    return {fixed("accept_everything", "*", always_match, ThrottleResult::accept)};
}

std::vector<std::string> mozilla_products() {
    return {"Fenix",      "Firefox",          "Firefox Enterprise", "Focus",
            "MozillaVPN", "ReferenceBrowser", "Thunderbird"};
}

ProductPackagenames mozilla_product_packagenames() {
    return {
        // org.mozilla.fenix is Firefox Nightly for Android (not the retired .fenix.nightly).
        {"Fenix", {"org.mozilla.firefox", "org.mozilla.firefox_beta", "org.mozilla.fenix"}},
        // org.mozilla.klar is the German Focus.
        {"Focus",
         {"org.mozilla.focus", "org.mozilla.focus.beta", "org.mozilla.focus.nightly",
          "org.mozilla.klar"}},
        {"ReferenceBrowser", {"org.mozilla.reference.browser"}},
    };
}

}  // namespace antenna

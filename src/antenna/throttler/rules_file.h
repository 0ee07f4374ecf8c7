#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "antenna/throttler/throttler.h"

namespace antenna {

// A throttle rules file (docs/throttle-rules.md) once read. The products and package names are
// set only when the file has them.
struct RulesFile {
    std::vector<Rule> rules;
    std::optional<std::vector<std::string>> products;
    std::optional<ProductPackagenames> product_packagenames;
};

// Reads a rules file. Throws core::ConfigError with one line naming the file and the problem,
// e.g. `throttle rules file /x.json: rule 3 ("foo"): unknown condition "bar" (...)`.
RulesFile load_rules_file(const std::string& path);

// The same for text in hand; `source` stands for the file name in messages.
RulesFile parse_rules_file(std::string_view text, std::string_view source);

// What a Throttler is built from.
struct ThrottlerSettings {
    std::vector<Rule> rules;
    std::vector<std::string> products;
    ProductPackagenames product_packagenames;
};

// Resolves the values of BREAKPAD_THROTTLER_RULES, BREAKPAD_THROTTLER_PRODUCTS and
// BREAKPAD_THROTTLER_PRODUCT_PACKAGENAMES. Each is one of Antenna's preset names, dotted
// (antenna.throttler.MOZILLA_RULES) or short (MOZILLA_RULES), or the path of a file: any value
// containing '/' or ending in .json. Rules files are described in docs/throttle-rules.md;
// products files hold a JSON list of strings, package-names files a JSON object of such lists.
// Products or package names in the rules file replace the variable's default and conflict
// with any other value. Throws core::ConfigError with a one-line message.
ThrottlerSettings load_throttler_settings(std::string_view rules, std::string_view products,
                                          std::string_view product_packagenames);

}  // namespace antenna

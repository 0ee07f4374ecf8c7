#include "antenna/throttler/rules_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "antenna/throttler/mozilla_rules.h"
#include "antenna/throttler/rule_conditions.h"
#include "core/config/options.h"

namespace antenna {
namespace {

using boost::json::object;
using boost::json::value;
using rules_format::as_string;
using rules_format::as_string_list;
using rules_format::check_members;
using rules_format::compile_condition;
using rules_format::FormatError;
using rules_format::Names;
using rules_format::quoted;

ProductPackagenames as_packagenames(const value& v, std::string_view what) {
    if (!v.is_object()) {
        throw FormatError(std::string(what) + " must be an object of lists of package names");
    }
    ProductPackagenames map;
    for (const auto& member : v.get_object()) {
        map[std::string(member.key())] =
            as_string_list(member.value(), std::string(what) + "[" + quoted(member.key()) + "]");
    }
    return map;
}

// Parses JSON, reporting a syntax error with its line and column.
value parse_json(std::string_view text) {
    boost::json::stream_parser parser;
    boost::json::error_code ec;
    std::size_t used = parser.write(text.data(), text.size(), ec);
    if (!ec) {
        parser.finish(ec);
    }
    if (ec) {
        std::string_view before = text.substr(0, used);
        std::size_t line =
            1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
        std::size_t line_start = before.rfind('\n');
        std::size_t column = used - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
        throw FormatError("invalid JSON at line " + std::to_string(line) + " column " +
                          std::to_string(column) + ": " + ec.message());
    }
    return parser.release();
}

std::string read_file(const std::string& path, std::string_view what) {
    auto fail = [&](std::string_view reason) {
        return core::ConfigError(std::string(what) + " " + path +
                                 ": cannot read: " + std::string(reason));
    };
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw fail("it is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw fail(std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

ThrottleResult parse_result_name(const value& v, bool sampled) {
    std::string_view name = as_string(v, "a result");
    for (auto result : {ThrottleResult::accept, ThrottleResult::defer, ThrottleResult::reject,
                        ThrottleResult::fakeaccept, ThrottleResult::continue_}) {
        if (name == result_name(result)) {
            if (result == ThrottleResult::continue_ && !sampled) {
                throw FormatError("CONTINUE is only a sampled outcome");
            }
            return result;
        }
    }
    throw FormatError("unknown result " + quoted(name) + " (expected ACCEPT, DEFER, REJECT, " +
                      "FAKEACCEPT" + (sampled ? ", CONTINUE)" : ")"));
}

std::variant<ThrottleResult, SampledResult> parse_result(const value& v) {
    if (!v.is_object()) {
        return parse_result_name(v, false);
    }
    const object& o = v.get_object();
    check_members(o, {"percentage", "sampled", "otherwise"});
    const value* percentage = o.if_contains("percentage");
    if (percentage == nullptr || !percentage->is_number() || percentage->to_number<double>() < 0 ||
        percentage->to_number<double>() > 100) {
        throw FormatError("a sampled result needs \"percentage\", a number from 0 to 100");
    }
    if (!o.contains("sampled") || !o.contains("otherwise")) {
        throw FormatError("a sampled result needs \"sampled\" and \"otherwise\"");
    }
    return SampledResult{percentage->to_number<double>(), parse_result_name(o.at("sampled"), true),
                         parse_result_name(o.at("otherwise"), true)};
}

Rule parse_rule(const value& v, std::size_t number) {
    std::string where = "rule " + std::to_string(number);
    try {
        if (!v.is_object()) {
            throw FormatError("must be an object");
        }
        const object& o = v.get_object();
        const value* name = o.if_contains("name");
        if (name == nullptr || !name->is_string()) {
            throw FormatError("needs \"name\", a string");
        }
        where += " (" + quoted(name->get_string()) + ")";
        check_members(o, {"name", "key", "condition", "result", "comment"});
        if (!is_valid_rule_name(name->get_string())) {
            throw FormatError("a name has only letters, digits and _");
        }
        std::string key = "*";
        if (const value* k = o.if_contains("key")) {
            key = std::string(as_string(*k, "\"key\""));
        }
        if (!o.contains("condition") || !o.contains("result")) {
            throw FormatError("needs \"condition\" and \"result\"");
        }
        return Rule{std::string(name->get_string()), key,
                    compile_condition(o.at("condition"), key == "*"), parse_result(o.at("result"))};
    } catch (const FormatError& e) {
        throw FormatError(where + ": " + e.what());
    }
}

RulesFile parse_document(const value& document) {
    if (!document.is_object()) {
        throw FormatError("expected an object with a \"rules\" list");
    }
    const object& o = document.get_object();
    check_members(o, {"rules", "products", "product_packagenames", "comment"});
    const value* rules = o.if_contains("rules");
    if (rules == nullptr || !rules->is_array() || rules->get_array().empty()) {
        throw FormatError("\"rules\" must be a non-empty list of rules");
    }
    RulesFile file;
    for (const value& rule : rules->get_array()) {
        file.rules.push_back(parse_rule(rule, file.rules.size() + 1));
    }
    if (const value* products = o.if_contains("products")) {
        file.products = as_string_list(*products, "\"products\"");
    }
    if (const value* packagenames = o.if_contains("product_packagenames")) {
        file.product_packagenames = as_packagenames(*packagenames, "\"product_packagenames\"");
    }
    return file;
}

// Antenna's preset `name` written as antenna.throttler.<name> or <name>.
bool names_preset(std::string_view value, std::string_view name) {
    constexpr std::string_view kModule = "antenna.throttler.";
    return value == name || (value.starts_with(kModule) && value.substr(kModule.size()) == name);
}

bool is_path(std::string_view value) {
    return value.find('/') != std::string_view::npos || value.ends_with(".json");
}

[[noreturn]] void unknown_value(std::string_view variable, std::string_view value,
                                const Names& presets, std::string_view file_kind) {
    std::string accepted;
    for (std::string_view preset : presets) {
        accepted += "antenna.throttler." + std::string(preset) + ", " + std::string(preset) + ", ";
    }
    throw core::ConfigError(std::string(variable) + ": unknown value " + quoted(value) +
                            "; expected " + accepted + "or the path of " + std::string(file_kind) +
                            " (a value containing '/' or ending in .json)");
}

// Reads a products or package-names file: one JSON value checked by `convert`.
template <typename Convert>
auto load_data_file(const std::string& path, std::string_view what, Convert convert) {
    std::string prefix = std::string(what) + " " + path + ": ";
    std::string text = read_file(path, what);
    try {
        return convert(parse_json(text));
    } catch (const FormatError& e) {
        throw core::ConfigError(prefix + e.what());
    }
}

}  // namespace

RulesFile parse_rules_file(std::string_view text, std::string_view source) {
    try {
        return parse_document(parse_json(text));
    } catch (const FormatError& e) {
        throw core::ConfigError("throttle rules file " + std::string(source) + ": " + e.what());
    }
}

RulesFile load_rules_file(const std::string& path) {
    return parse_rules_file(read_file(path, "throttle rules file"), path);
}

ThrottlerSettings load_throttler_settings(std::string_view rules, std::string_view products,
                                          std::string_view product_packagenames) {
    ThrottlerSettings settings;
    RulesFile file;
    if (names_preset(rules, "MOZILLA_RULES")) {
        settings.rules = mozilla_rules();
    } else if (names_preset(rules, "ACCEPT_ALL")) {
        settings.rules = accept_all_rules();
    } else if (is_path(rules)) {
        file = load_rules_file(std::string(rules));
        settings.rules = std::move(file.rules);
    } else {
        unknown_value("BREAKPAD_THROTTLER_RULES", rules, {"MOZILLA_RULES", "ACCEPT_ALL"},
                      "a rules file");
    }

    auto conflict = [&](std::string_view variable, std::string_view value,
                        std::string_view member) {
        return core::ConfigError(std::string(variable) + "=" + std::string(value) +
                                 " conflicts with \"" + std::string(member) +
                                 "\" in throttle rules file " + std::string(rules) +
                                 "; set only one of them");
    };
    if (file.products) {
        if (!names_preset(products, "MOZILLA_PRODUCTS")) {
            throw conflict("BREAKPAD_THROTTLER_PRODUCTS", products, "products");
        }
        settings.products = std::move(*file.products);
    } else if (names_preset(products, "MOZILLA_PRODUCTS")) {
        settings.products = mozilla_products();
    } else if (!names_preset(products, "ALL_PRODUCTS")) {
        if (!is_path(products)) {
            unknown_value("BREAKPAD_THROTTLER_PRODUCTS", products,
                          {"MOZILLA_PRODUCTS", "ALL_PRODUCTS"}, "a JSON list of product names");
        }
        settings.products =
            load_data_file(std::string(products), "throttle products file",
                           [](const value& v) { return as_string_list(v, "the file"); });
    }

    if (file.product_packagenames) {
        if (!names_preset(product_packagenames, "MOZILLA_PRODUCT_PACKAGENAMES")) {
            throw conflict("BREAKPAD_THROTTLER_PRODUCT_PACKAGENAMES", product_packagenames,
                           "product_packagenames");
        }
        settings.product_packagenames = std::move(*file.product_packagenames);
    } else if (names_preset(product_packagenames, "MOZILLA_PRODUCT_PACKAGENAMES")) {
        settings.product_packagenames = mozilla_product_packagenames();
    } else if (!names_preset(product_packagenames, "ALL_PRODUCT_PACKAGENAMES")) {
        if (!is_path(product_packagenames)) {
            unknown_value("BREAKPAD_THROTTLER_PRODUCT_PACKAGENAMES", product_packagenames,
                          {"MOZILLA_PRODUCT_PACKAGENAMES", "ALL_PRODUCT_PACKAGENAMES"},
                          "a JSON object of package-name lists");
        }
        settings.product_packagenames =
            load_data_file(std::string(product_packagenames), "throttle package names file",
                           [](const value& v) { return as_packagenames(v, "the file"); });
    }
    return settings;
}

}  // namespace antenna

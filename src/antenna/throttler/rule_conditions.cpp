#include "antenna/throttler/rule_conditions.h"

#include <algorithm>
#include <optional>

#include "antenna/throttler/mozilla_rules.h"
#include "core/json/python_json.h"

namespace antenna::rules_format {

using boost::json::object;
using boost::json::value;

std::string quoted(std::string_view text) {
    std::string out;
    core::json::append_python_string(out, text);
    return out;
}

std::string joined(const Names& names) {
    std::string out;
    for (std::string_view name : names) {
        out += out.empty() ? "" : ", ";
        out += name;
    }
    return out;
}

bool contains(const Names& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

void check_members(const object& o, const Names& allowed) {
    for (const auto& member : o) {
        if (!contains(allowed, member.key())) {
            throw FormatError("unknown member " + quoted(member.key()) + " (expected " +
                              joined(allowed) + ")");
        }
    }
}

std::string_view as_string(const value& v, std::string_view what) {
    if (!v.is_string()) {
        throw FormatError(std::string(what) + " must be a string");
    }
    return v.get_string();
}

std::vector<std::string> as_string_list(const value& v, std::string_view what) {
    if (!v.is_array()) {
        throw FormatError(std::string(what) + " must be a list of strings");
    }
    std::vector<std::string> list;
    for (const value& item : v.get_array()) {
        if (!item.is_string()) {
            throw FormatError(std::string(what) + " must be a list of strings");
        }
        list.emplace_back(item.get_string());
    }
    return list;
}

namespace {

// The text a field condition tests: a named field of the crash (str() of its value, `fallback`
// when absent) or, without "field", the value of the rule's key.
struct FieldSource {
    std::optional<std::string> field;
    std::string fallback;

    std::string text(const RuleSubject& subject) const {
        return field ? safe_get(subject.crash, *field, fallback) : std::string(subject.value);
    }
};

const Names kCombinators = {"all", "any", "not"};
const Names kFieldOperators = {"equals",        "in",         "startswith",
                               "less_than",     "less_equal", "greater_than",
                               "greater_equal", "empty",      "present"};
// Conditions that need code; everything else is written with operators. All but `always` read
// the whole crash.
constexpr std::pair<std::string_view, bool (*)(const Throttler&, const RuleSubject&)>
    kNamedConditions[] = {
        {"always", always_match},
        {"b2g", match_b2g},
        {"has_old_buildid", match_old_buildid},
        {"unsupported_packagename", match_unsupported_packagename},
        {"unsupported_product", match_unsupported_product},
        {"unsupported_windows", match_unsupported_windows},
};

Condition named_condition(std::string_view name, bool whole_crash) {
    Names known;
    for (const auto& [known_name, function] : kNamedConditions) {
        if (name != known_name) {
            known.push_back(known_name);
            continue;
        }
        if (!whole_crash && function != always_match) {
            throw FormatError("condition " + quoted(name) + " needs key \"*\"");
        }
        return function;
    }
    throw FormatError("unknown condition " + quoted(name) + " (expected " + joined(known) +
                      " or an object)");
}

std::function<bool(std::string_view)> compile_test(std::string_view op, const value& operand) {
    std::string what = quoted(op);
    if (op == "equals") {
        return [expected = std::string(as_string(operand, what))](std::string_view text) {
            return text == expected;
        };
    }
    if (op == "in" || (op == "startswith" && operand.is_array())) {
        bool prefix = op == "startswith";
        return [prefix, list = as_string_list(operand, what)](std::string_view text) {
            return std::any_of(list.begin(), list.end(), [&](const std::string& item) {
                return prefix ? text.starts_with(item) : text == item;
            });
        };
    }
    if (op == "startswith") {
        if (!operand.is_string()) {
            throw FormatError(what + " must be a string or a list of strings");
        }
        return [prefix = std::string(operand.get_string())](std::string_view text) {
            return text.starts_with(prefix);
        };
    }
    if (op == "empty") {
        if (!operand.is_bool()) {
            throw FormatError(what + " must be true or false");
        }
        return [want = operand.get_bool()](std::string_view text) { return text.empty() == want; };
    }
    // Python compares str by code point, which is the byte order of UTF-8.
    std::string bound(as_string(operand, what));
    if (op == "less_than") {
        return [bound](std::string_view text) { return text < bound; };
    }
    if (op == "less_equal") {
        return [bound](std::string_view text) { return text <= bound; };
    }
    if (op == "greater_than") {
        return [bound](std::string_view text) { return text > bound; };
    }
    return [bound](std::string_view text) { return text >= bound; };
}

Condition compile_field_condition(const object& o, std::string_view op, bool whole_crash) {
    FieldSource source;
    if (const value* field = o.if_contains("field")) {
        source.field = std::string(as_string(*field, "\"field\""));
    } else if (whole_crash || op == "present") {
        throw FormatError(quoted(op) + " needs \"field\"" +
                          (op == "present" ? "" : " in a rule with key \"*\""));
    }
    if (const value* fallback = o.if_contains("default")) {
        if (!source.field || op == "present") {
            throw FormatError("\"default\" needs \"field\" and a test of its value");
        }
        source.fallback = std::string(as_string(*fallback, "\"default\""));
    }
    const value& operand = o.at(op);
    if (op == "present") {
        if (!operand.is_bool()) {
            throw FormatError("\"present\" must be true or false");
        }
        return [field = *source.field, want = operand.get_bool()](const Throttler&,
                                                                  const RuleSubject& subject) {
            return subject.crash.contains(field) == want;
        };
    }
    return [source, test = compile_test(op, operand)](
               const Throttler&, const RuleSubject& subject) { return test(source.text(subject)); };
}

Condition compile_combinator(const object& o, std::string_view op, bool whole_crash) {
    if (o.size() != 1) {
        throw FormatError(quoted(op) + " takes no \"field\" or \"default\"");
    }
    const value& operand = o.at(op);
    if (op == "not") {
        return [inner = compile_condition(operand, whole_crash)](const Throttler& throttler,
                                                                 const RuleSubject& subject) {
            return !inner(throttler, subject);
        };
    }
    if (!operand.is_array() || operand.get_array().empty()) {
        throw FormatError(quoted(op) + " must be a non-empty list of conditions");
    }
    std::vector<Condition> parts;
    for (const value& part : operand.get_array()) {
        parts.push_back(compile_condition(part, whole_crash));
    }
    bool all = op == "all";
    return [all, parts](const Throttler& throttler, const RuleSubject& subject) {
        auto holds = [&](const Condition& part) { return part(throttler, subject); };
        return all ? std::all_of(parts.begin(), parts.end(), holds)
                   : std::any_of(parts.begin(), parts.end(), holds);
    };
}

}  // namespace

Condition compile_condition(const value& v, bool whole_crash) {
    if (v.is_string()) {
        return named_condition(v.get_string(), whole_crash);
    }
    if (!v.is_object()) {
        throw FormatError("a condition is a name or an object");
    }
    const object& o = v.get_object();
    Names ops;
    for (const auto& member : o) {
        if (member.key() != "field" && member.key() != "default") {
            if (!contains(kCombinators, member.key()) && !contains(kFieldOperators, member.key())) {
                throw FormatError("unknown operator " + quoted(member.key()) + " (expected " +
                                  joined(kCombinators) + ", " + joined(kFieldOperators) + ")");
            }
            ops.push_back(member.key());
        }
    }
    if (ops.size() != 1) {
        throw FormatError("a condition object needs exactly one operator, not " +
                          std::to_string(ops.size()));
    }
    return contains(kCombinators, ops[0]) ? compile_combinator(o, ops[0], whole_crash)
                                          : compile_field_condition(o, ops[0], whole_crash);
}

}  // namespace antenna::rules_format

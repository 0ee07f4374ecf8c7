#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace core {

// The process environment as name -> value; passed in rather than read from `environ` so that
// tests configure a component without touching global state.
using Environment = std::map<std::string, std::string, std::less<>>;

Environment environment_from(char** envp);

enum class OptionType { string, integer, number, boolean, seconds, choice };

// One configuration option, declared once by the component that uses it.
struct OptionSpec {
    std::string name;  // environment variable, e.g. "STATSD_PORT"
    OptionType type = OptionType::string;
    std::string default_value;  // in the same text form as the environment value
    std::string help = {};
    std::vector<std::string> choices = {};  // for OptionType::choice; matched case-insensitively
    std::optional<double> min = {};         // inclusive bounds for integer, number and seconds
    std::optional<double> max = {};
    bool secret = false;                      // masked in logs and --help defaults
    std::vector<std::string> fallbacks = {};  // other variables read when `name` is unset
    std::string default_help = {};            // shown instead of a machine-dependent default
};

// Raised for an invalid value; what() is the one line printed before exiting with code 2.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The ordered set of options a program accepts.
class OptionTable {
public:
    void add(OptionSpec spec);
    const std::vector<OptionSpec>& specs() const { return specs_; }
    const OptionSpec* find(std::string_view name) const;

    // The reference printed by --help: one block per option.
    std::string help_text(std::string_view program) const;
    // The same reference as a Markdown table (docs/configuration.md).
    std::string markdown(std::string_view program) const;

private:
    std::vector<OptionSpec> specs_;
};

// Values of every declared option, validated when built; accessors never fail for a declared
// option of the right type (asking for an undeclared one is a programming error).
class Config {
public:
    // Throws ConfigError naming the first invalid option.
    static Config load(const OptionTable& table, const Environment& env);

    const std::string& string(std::string_view name) const;
    std::int64_t integer(std::string_view name) const;
    double number(std::string_view name) const;
    bool boolean(std::string_view name) const;
    std::chrono::milliseconds seconds(std::string_view name) const;
    // For OptionType::choice: the canonical spelling from the declared choices.
    const std::string& choice(std::string_view name) const;

    // "NAME=value" for every option, secrets masked as *****, in declaration order.
    std::vector<std::string> describe() const;

private:
    struct Value {
        OptionSpec spec;
        std::string text;
        double number = 0;
        bool flag = false;
    };
    const Value& value(std::string_view name, OptionType type) const;

    std::map<std::string, Value, std::less<>> values_;
    std::vector<std::string> order_;
};

// Everett's boolean spellings: true/false, yes/no, on/off, 1/0, t/f, y/n (any case).
std::optional<bool> parse_boolean(std::string_view text);

}  // namespace core

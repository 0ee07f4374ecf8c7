#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include <yaml-cpp/yaml.h>

#include "core/config/options.h"

// Throat's configuration (§6.1-6.2 of the spec): a YAML file with Throat's keys, merged onto the
// defaults, then overridden by environment variables named after the key's path
// (site.trusted_proxy_count <- SITE_TRUSTED_PROXY_COUNT). Unlike Throat's, an override is read
// as the type the key has (integer, boolean, number, list), and a value that is not one stops
// startup with one line naming the variable.
namespace throat::config {

// A configuration error of the program as a whole: one line and exit code 2.
class ConfigError : public core::ConfigError {
public:
    using core::ConfigError::ConfigError;
};

using Environment = std::map<std::string, std::string>;

class SiteConfig {
public:
    // config.yaml under `root`, or configs/<CONFIG_NAME>/config.yaml when CONFIG_NAME is set (a
    // name, not a path).
    static std::filesystem::path locate(const std::filesystem::path& root, const Environment& env);

    // Throws ConfigError when the file is missing or not YAML, or an override does not fit.
    static SiteConfig load(const std::filesystem::path& file, const Environment& env);
    // The same from text (tests, and the embedded default configuration).
    static SiteConfig parse(std::string_view yaml, const Environment& env,
                            const std::string& source = "config");

    bool has(std::string_view path) const;
    // Each throws ConfigError naming the key when it is missing or not of that type.
    std::string string(std::string_view path) const;
    std::int64_t integer(std::string_view path) const;
    double number(std::string_view path) const;
    bool boolean(std::string_view path) const;
    std::vector<std::string> strings(std::string_view path) const;
    // Missing or null: nothing.
    std::optional<std::string> optional_string(std::string_view path) const;

private:
    explicit SiteConfig(YAML::Node root, std::string source)
        : root_(std::move(root)), source_(std::move(source)) {}
    YAML::Node find(std::string_view path) const;
    YAML::Node scalar(std::string_view path, std::string_view wanted) const;

    YAML::Node root_;
    std::string source_;
};

}  // namespace throat::config

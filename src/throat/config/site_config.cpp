#include "throat/config/site_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <utility>

namespace throat::config {
namespace {

// Throat's code defaults for the keys we use (app/config.py), where a key is absent from the
// file. Unlike Throat, debug is off and there is no built-in secret key.
constexpr std::string_view kDefaults = R"(
site:
  name: Throat
  sub_prefix: s
  enable_registration: true
  enable_posting: true
  title_edit_timeout: 300
  daily_sub_posting_limit: 10
  daily_site_posting_limit: 25
  trusted_proxy_count: 0
  custom_hot_sort: false
  enable_totp: false
  username_max_length: 32
  archive_post_after: 60
  upload_max_size: 16777216
  self_voting:
    posts: false
    comments: false
  cas_authorized_hosts: []
  extra_connect_src: []
auth:
  provider: LOCAL
  require_valid_emails: false
app:
  secret_key: ""
  debug: false
  force_https: false
  redis_url: redis://127.0.0.1:6379
  max_content_length: 10485760
  fallback_language: en
database:
  max_connections: 10
  stale_timeout: 300
  acquire_timeout: 5
  connect_timeout: 10
  query_timeout: 30
ratelimit:
  enabled: true
  default: 60/minute
storage:
  thumbnails:
    path: ./var/thumbs
  uploads:
    path: ./var/uploads
)";

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        std::size_t end = path.find('.', start);
        parts.emplace_back(path.substr(start, end - start));
        if (end == std::string_view::npos) {
            return parts;
        }
        start = end + 1;
    }
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::optional<bool> to_bool(const std::string& text) {
    std::string word = lower(text);
    if (word == "true" || word == "yes" || word == "on" || word == "1") {
        return true;
    }
    if (word == "false" || word == "no" || word == "off" || word == "0") {
        return false;
    }
    return std::nullopt;
}

std::optional<std::int64_t> to_integer(const std::string& text) {
    std::int64_t value = 0;
    const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
    auto [end, error] = std::from_chars(begin, text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> to_number(const std::string& text) {
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

bool is_yaml_bool(const std::string& text) {
    std::string word = lower(text);
    return word == "true" || word == "false" || word == "yes" || word == "no" || word == "on" ||
           word == "off";
}

YAML::Node load_yaml(std::string_view text, const std::string& source) {
    try {
        YAML::Node node = YAML::Load(std::string(text));
        if (node.IsNull()) {
            return YAML::Node(YAML::NodeType::Map);
        }
        if (!node.IsMap()) {
            throw ConfigError(source + ": the configuration must be a mapping of keys");
        }
        return node;
    } catch (const YAML::Exception& e) {
        throw ConfigError(source + ": not valid YAML: " + e.what());
    }
}

// The file's keys onto the defaults: mappings merge, anything else is replaced.
void merge(YAML::Node into, const YAML::Node& from) {
    for (const auto& entry : from) {
        std::string key = entry.first.as<std::string>();
        const YAML::Node& existing = std::as_const(into)[key];
        if (existing && existing.IsMap() && entry.second.IsMap()) {
            merge(into[key], entry.second);
        } else {
            into[key] = YAML::Clone(entry.second);
        }
    }
}

// A value from the environment, read as the type the key already has.
YAML::Node override_value(const YAML::Node& current, const std::string& variable,
                          const std::string& value) {
    auto refuse = [&](std::string_view wanted) {
        return ConfigError(variable + " must be " + std::string(wanted) + ", not '" + value + "'");
    };
    if (current.IsSequence()) {
        YAML::Node list(YAML::NodeType::Sequence);
        std::string trimmed = value;
        if (trimmed.starts_with('[')) {
            try {
                YAML::Node parsed = YAML::Load(trimmed);
                if (!parsed.IsSequence()) {
                    throw refuse("a list");
                }
                return parsed;
            } catch (const YAML::Exception&) {
                throw refuse("a list ([a, b] or a,b)");
            }
        }
        std::stringstream items(value);
        for (std::string item; std::getline(items, item, ',');) {
            item.erase(0, item.find_first_not_of(' '));
            item.erase(item.find_last_not_of(' ') + 1);
            if (!item.empty()) {
                list.push_back(item);
            }
        }
        return list;
    }
    if (current.IsScalar()) {
        const std::string& was = current.Scalar();
        if (is_yaml_bool(was)) {
            auto flag = to_bool(value);
            if (!flag) {
                throw refuse("true or false");
            }
            return YAML::Node(*flag ? "true" : "false");
        }
        if (to_integer(was)) {
            if (!to_integer(value)) {
                throw refuse("an integer");
            }
            return YAML::Node(value);
        }
        if (to_number(was) && !to_number(value)) {
            throw refuse("a number");
        }
    }
    return YAML::Node(value);
}

void apply_environment(YAML::Node map, const std::string& prefix, const Environment& env) {
    for (auto entry : map) {
        std::string key = entry.first.as<std::string>();
        std::string variable = prefix + key;
        std::transform(variable.begin(), variable.end(), variable.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        if (entry.second.IsMap()) {
            apply_environment(entry.second, variable + "_", env);
            continue;
        }
        auto it = env.find(variable);
        if (it != env.end()) {
            map[key] = override_value(entry.second, variable, it->second);
        }
    }
}

}  // namespace

std::filesystem::path SiteConfig::locate(const std::filesystem::path& root,
                                         const Environment& env) {
    auto it = env.find("CONFIG_NAME");
    if (it == env.end() || it->second.empty()) {
        return root / "config.yaml";
    }
    const std::string& name = it->second;
    bool plain =
        name != "." && name != ".." && std::all_of(name.begin(), name.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '-' || c == '_' || c == '.';
        });
    if (!plain) {
        throw ConfigError("CONFIG_NAME must name a directory of configs/, not '" + name + "'");
    }
    return root / "configs" / name / "config.yaml";
}

SiteConfig SiteConfig::load(const std::filesystem::path& file, const Environment& env) {
    std::ifstream in(file);
    if (!in) {
        throw ConfigError("cannot read the configuration file " + file.string());
    }
    std::stringstream text;
    text << in.rdbuf();
    return parse(text.str(), env, file.string());
}

SiteConfig SiteConfig::parse(std::string_view yaml, const Environment& env,
                             const std::string& source) {
    YAML::Node root = load_yaml(kDefaults, "defaults");
    merge(root, load_yaml(yaml, source));
    apply_environment(root, "", env);
    return SiteConfig(root, source);
}

YAML::Node SiteConfig::find(std::string_view path) const {
    YAML::Node node = root_;  // reset() below rebinds it; assignment would write the tree
    for (const auto& part : split_path(path)) {
        if (!node.IsMap()) {
            return YAML::Node(YAML::NodeType::Undefined);
        }
        const YAML::Node& map = node;
        YAML::Node next = map[part];
        if (!next) {
            return YAML::Node(YAML::NodeType::Undefined);
        }
        node.reset(next);
    }
    return node;
}

YAML::Node SiteConfig::scalar(std::string_view path, std::string_view wanted) const {
    YAML::Node node = find(path);
    if (!node || node.IsNull()) {
        throw ConfigError(std::string(path) + " is not set in " + source_);
    }
    if (!node.IsScalar()) {
        throw ConfigError(std::string(path) + " in " + source_ + " must be " + std::string(wanted));
    }
    return node;
}

bool SiteConfig::has(std::string_view path) const {
    YAML::Node node = find(path);
    return node && !node.IsNull();
}

std::string SiteConfig::string(std::string_view path) const {
    return scalar(path, "a string").Scalar();
}

std::optional<std::string> SiteConfig::optional_string(std::string_view path) const {
    if (!has(path)) {
        return std::nullopt;
    }
    return string(path);
}

std::int64_t SiteConfig::integer(std::string_view path) const {
    std::string text = scalar(path, "an integer").Scalar();
    auto value = to_integer(text);
    if (!value) {
        throw ConfigError(std::string(path) + " in " + source_ + " must be an integer, not '" +
                          text + "'");
    }
    return *value;
}

double SiteConfig::number(std::string_view path) const {
    std::string text = scalar(path, "a number").Scalar();
    auto value = to_number(text);
    if (!value) {
        throw ConfigError(std::string(path) + " in " + source_ + " must be a number, not '" + text +
                          "'");
    }
    return *value;
}

bool SiteConfig::boolean(std::string_view path) const {
    std::string text = scalar(path, "true or false").Scalar();
    auto value = is_yaml_bool(text) ? to_bool(text) : std::nullopt;
    if (!value) {
        throw ConfigError(std::string(path) + " in " + source_ + " must be true or false, not '" +
                          text + "'");
    }
    return *value;
}

std::vector<std::string> SiteConfig::strings(std::string_view path) const {
    YAML::Node node = find(path);
    if (!node || node.IsNull()) {
        throw ConfigError(std::string(path) + " is not set in " + source_);
    }
    if (!node.IsSequence()) {
        throw ConfigError(std::string(path) + " in " + source_ + " must be a list");
    }
    std::vector<std::string> values;
    for (const auto& item : node) {
        if (!item.IsScalar()) {
            throw ConfigError(std::string(path) + " in " + source_ + " must be a list of strings");
        }
        values.push_back(item.Scalar());
    }
    return values;
}

}  // namespace throat::config

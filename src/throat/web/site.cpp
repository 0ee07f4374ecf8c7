#include "throat/web/site.h"

#include <stdexcept>

namespace throat::web {

SiteSettings SiteSettings::from(const config::SiteConfig& config) {
    SiteSettings settings;
    settings.name = config.string("site.name");
    settings.sub_prefix = config.string("site.sub_prefix");
    if (settings.sub_prefix.empty() || settings.sub_prefix == "u" || settings.sub_prefix == "c" ||
        settings.sub_prefix == "p" || settings.sub_prefix.find('/') != std::string::npos) {
        throw config::ConfigError("site.sub_prefix: '" + settings.sub_prefix +
                                  "' cannot be used (a path segment other than u, c and p)");
    }
    std::int64_t max_length = config.integer("site.username_max_length");
    if (max_length < 2 || max_length > 64) {
        throw config::ConfigError("site.username_max_length must be between 2 and 64");
    }
    settings.username_max_length = static_cast<std::size_t>(max_length);
    settings.enable_registration = config.boolean("site.enable_registration");
    settings.enable_posting = config.boolean("site.enable_posting");
    std::int64_t proxies = config.integer("site.trusted_proxy_count");
    if (proxies < 0) {
        throw config::ConfigError("site.trusted_proxy_count must not be negative");
    }
    settings.trusted_proxy_count = static_cast<std::size_t>(proxies);
    settings.force_https = config.boolean("app.force_https");
    settings.rate_limits = config.boolean("ratelimit.enabled");
    try {
        settings.default_limit = limits::parse_rate_limits(config.string("ratelimit.default"));
    } catch (const std::invalid_argument& e) {
        throw config::ConfigError(std::string("ratelimit.default: ") + e.what());
    }
    settings.votes.self_voting_posts = config.boolean("site.self_voting.posts");
    settings.votes.self_voting_comments = config.boolean("site.self_voting.comments");
    settings.votes.archive_post_after_days =
        static_cast<double>(config.integer("site.archive_post_after"));
    settings.title_edit_timeout = config.integer("site.title_edit_timeout");
    settings.daily_sub_posting_limit = config.integer("site.daily_sub_posting_limit");
    settings.daily_site_posting_limit = config.integer("site.daily_site_posting_limit");
    return settings;
}

}  // namespace throat::web

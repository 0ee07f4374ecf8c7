#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/observability/log.h"
#include "throat/accounts/credentials.h"
#include "throat/accounts/session.h"
#include "throat/config/site_config.h"
#include "throat/db/pools.h"
#include "throat/limits/rate_limiter.h"
#include "throat/markdown/markdown.h"
#include "throat/store/voting.h"
#include "throat/web/templates.h"

namespace throat::web {

// What the pages need of the configuration, read once at startup.
struct SiteSettings {
    std::string name = "Throat";  // site.name
    std::string sub_prefix = "s";
    std::size_t username_max_length = 32;
    bool enable_registration = true;
    bool enable_posting = true;
    std::size_t trusted_proxy_count = 0;
    bool force_https = false;  // app.force_https: Secure cookies and HSTS
    bool rate_limits = true;   // ratelimit.enabled
    std::vector<limits::RateLimit> default_limit = {};
    store::VotePolicy votes = {};
    std::int64_t title_edit_timeout = 300;
    // Posts a user below level 7 may make in a day in one sub, and in all.
    std::int64_t daily_sub_posting_limit = 10;
    std::int64_t daily_site_posting_limit = 25;

    // Throws config::ConfigError for a value that cannot be used.
    static SiteSettings from(const config::SiteConfig& config);
};

// Everything a request handler shares with the others in the process. Safe to use from every
// worker thread: the members are either immutable or made for it.
struct Site {
    SiteSettings settings;
    db::Pools& pools;
    const Templates& templates;
    const markdown::Renderer& markdown;
    const accounts::SessionCodec& sessions;
    accounts::PasswordHasher& hasher;
    limits::RateLimiter& limiter;
    core::Logger log;
    std::string asset_version;  // changes with the static files: their URLs carry it
};

}  // namespace throat::web

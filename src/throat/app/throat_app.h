#pragma once

#include <memory>
#include <vector>

#include "core/config/options.h"
#include "core/runtime/program.h"
#include "throat/accounts/credentials.h"
#include "throat/accounts/session.h"
#include "throat/config/site_config.h"
#include "throat/db/pools.h"
#include "throat/limits/rate_limiter.h"
#include "throat/markdown/markdown.h"
#include "throat/web/site.h"
#include "throat/web/templates.h"

namespace throat {

// The forum assembled from its configuration: config.yaml (site keys, database, secrets) with
// environment overrides, one database pool per worker, the page templates and every route.
class ThroatApp {
public:
    static core::ProgramInfo program_info();
    static void declare(core::OptionTable& table);
    // migrate, admin: need the same configuration as the server, hence the environment.
    static std::vector<core::Command> commands(const config::Environment& env);

    // Throws config::ConfigError (reported as a configuration error) for unusable settings
    // and std::runtime_error when the database cannot be reached or is not migrated.
    ThroatApp(core::Runtime& runtime, const core::Config& config, const config::Environment& env);
    ~ThroatApp();

private:
    config::SiteConfig site_config_;
    std::unique_ptr<db::Pools> pools_;
    web::Templates templates_;
    markdown::Renderer markdown_;
    accounts::SessionCodec sessions_;
    accounts::PasswordHasher hasher_;
    limits::RateLimiter limiter_;
    std::unique_ptr<web::Site> site_;
};

// The site's configuration: CONFIG_NAME and THROAT_ROOT from the options, overrides from `env`.
config::SiteConfig load_site_config(const core::Config& config, const config::Environment& env);

}  // namespace throat

#include "throat/app/throat_app.h"

#include <iostream>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "clients/postgres/connection.h"
#include "core/http/server_options.h"
#include "core/text/hex.h"
#include "throat/db/migrations.h"
#include "throat/store/content.h"
#include "throat/store/users.h"
#include "throat/web/embedded_files.h"
#include "throat/web/routes.h"

namespace throat {
namespace {

namespace asio = boost::asio;
using clients::postgres::Connection;

// A libpq connection string from Throat's database keys (host, port, name, user, password),
// and the session settings of our statements.
std::string conninfo(const config::SiteConfig& site) {
    auto quoted = [](const std::string& value) {
        std::string text = "'";
        for (char c : value) {
            if (c == '\'' || c == '\\') {
                text += '\\';
            }
            text += c;
        }
        return text + "'";
    };
    std::string info;
    const std::pair<std::string_view, std::string_view> keys[] = {
        {"database.host", "host"}, {"database.port", "port"},         {"database.name", "dbname"},
        {"database.user", "user"}, {"database.password", "password"},
    };
    for (const auto& [key, keyword] : keys) {
        if (std::optional<std::string> value = site.optional_string(key)) {
            info += std::string(keyword) + "=" + quoted(*value) + " ";
        }
    }
    // The listings are prepared statements with the page's OFFSET as a parameter: under the
    // default plan cache mode the server plans them again on every execution, which costs more
    // than running them; their generic plans use the same indexes.
    return info + "options='-c plan_cache_mode=force_generic_plan'";
}

clients::postgres::ConnectionOptions connection_options(const config::SiteConfig& site) {
    return {.conninfo = conninfo(site),
            .application_name = "throat",
            .connect_timeout = std::chrono::seconds(site.integer("database.connect_timeout")),
            .query_timeout = std::chrono::seconds(site.integer("database.query_timeout"))};
}

// Runs `work` (a coroutine taking a fresh connection) to its end on a loop of its own: startup
// checks and commands, before or instead of the server.
template <typename Work>
auto with_connection(const config::SiteConfig& site, Work work) {
    asio::io_context io;
    auto future = asio::co_spawn(
        io,
        [&]() -> decltype(work(std::declval<Connection&>())) {
            std::unique_ptr<Connection> db =
                co_await Connection::connect(io.get_executor(), connection_options(site));
            co_return co_await work(*db);
        },
        asio::use_future);
    io.run();
    return future.get();
}

// The static files' version: their URLs change when their content does.
std::string asset_version() {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
    for (const web::EmbeddedFile& file : web::embedded_static_files()) {
        EVP_DigestUpdate(context, file.name.data(), file.name.size());
        EVP_DigestUpdate(context, file.content.data(), file.content.size());
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context, digest, &length);
    EVP_MD_CTX_free(context);
    return core::to_hex(std::span<const unsigned char>(digest, 6));
}

std::string random_password() {
    unsigned char bytes[12];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return core::to_hex(std::span<const unsigned char>(bytes, sizeof bytes));
}

int run_migrate(const config::SiteConfig& site) {
    std::vector<int> applied =
        with_connection(site, [](Connection& db) { return db::migrate(db, db::migrations()); });
    if (applied.empty()) {
        std::cout << "The database is up to date (version " << db::migrations().back().version
                  << ").\n";
    }
    for (int version : applied) {
        std::cout << "Applied migration " << version << ".\n";
    }
    return 0;
}

// throat admin create NAME [PASSWORD] | promote NAME | demote NAME
int run_admin(const std::vector<std::string>& args, const config::SiteConfig& site) {
    if (args.size() < 2 || (args[0] != "create" && args[0] != "promote" && args[0] != "demote") ||
        (args[0] == "create" ? args.size() > 3 : args.size() != 2)) {
        std::cerr << "usage: throat admin create NAME [PASSWORD] | promote NAME | demote NAME\n";
        return 2;
    }
    const std::string& name = args[1];
    if (args[0] == "create") {
        if (auto problem = accounts::username_problem(name)) {
            std::cerr << "throat admin: " << name << ": " << *problem << "\n";
            return 2;
        }
        std::string password = args.size() == 3 ? args[2] : random_password();
        if (auto problem = accounts::password_problem(password)) {
            std::cerr << "throat admin: the password: " << *problem << "\n";
            return 2;
        }
        std::string hash = accounts::PasswordHasher().hash_now(password);
        bool created = with_connection(site, [&](Connection& db) -> asio::awaitable<bool> {
            std::optional<store::UserRecord> user = co_await store::create_user(db, name, hash);
            if (user) {
                co_await store::set_admin(db, user->uid, true);
            }
            co_return user.has_value();
        });
        if (!created) {
            std::cerr << "throat admin: the name " << name << " is taken\n";
            return 1;
        }
        std::cout << "Created administrator " << name;
        if (args.size() == 2) {
            std::cout << " with the password " << password;
        }
        std::cout << "\n";
        return 0;
    }
    bool admin = args[0] == "promote";
    bool found = with_connection(site, [&](Connection& db) -> asio::awaitable<bool> {
        std::optional<store::UserRecord> user = co_await store::find_user_by_name(db, name);
        if (user) {
            co_await store::set_admin(db, user->uid, admin);
        }
        co_return user.has_value();
    });
    if (!found) {
        std::cerr << "throat admin: there is no user " << name << "\n";
        return 1;
    }
    std::cout << name
              << (admin ? " is now an administrator\n" : " is no longer an administrator\n");
    return 0;
}

// throat default add|remove SUB
int run_default(const std::vector<std::string>& args, const config::SiteConfig& site) {
    if (args.size() != 2 || (args[0] != "add" && args[0] != "remove")) {
        std::cerr << "usage: throat default add|remove SUB\n";
        return 2;
    }
    bool add = args[0] == "add";
    bool found = with_connection(site, [&](Connection& db) -> asio::awaitable<bool> {
        std::optional<store::SubRecord> sub = co_await store::find_sub(db, args[1]);
        if (!sub) {
            co_return false;
        }
        if (add) {
            co_await store::add_default_sub(db, sub->sid);
        } else {
            co_await db.query("DELETE FROM site_metadata WHERE key = 'default' AND value = $1",
                              sub->sid);
        }
        co_return true;
    });
    if (!found) {
        std::cerr << "throat default: there is no sub " << args[1] << "\n";
        return 1;
    }
    return 0;
}

}  // namespace

config::SiteConfig load_site_config(const core::Config& config, const config::Environment& env) {
    config::Environment names = env;
    if (!config.string("CONFIG_NAME").empty()) {
        names["CONFIG_NAME"] = config.string("CONFIG_NAME");
    }
    return config::SiteConfig::load(config::SiteConfig::locate(config.string("THROAT_ROOT"), names),
                                    env);
}

core::ProgramInfo ThroatApp::program_info() {
    return core::ProgramInfo{.name = "throat",
                             .metric_prefix = "throat",
                             .server_defaults = {.port = 8001, .max_body_bytes = 1024 * 1024}};
}

void ThroatApp::declare(core::OptionTable& table) {
    table.add({.name = "THROAT_ROOT",
               .default_value = ".",
               .help = "Directory holding config.yaml, or configs/<CONFIG_NAME>/config.yaml."});
    table.add({.name = "CONFIG_NAME",
               .default_value = "",
               .help = "Selects configs/<name>/config.yaml under THROAT_ROOT (a name, not a "
                       "path): several configurations side by side."});
}

std::vector<core::Command> ThroatApp::commands(const config::Environment& env) {
    return {
        {.name = "migrate",
         .usage = "migrate",
         .help = "Applies the schema migrations the database lacks.",
         .run =
             [env](const std::vector<std::string>& args, core::Runtime&,
                   const core::Config& config) {
                 if (!args.empty()) {
                     std::cerr << "usage: throat migrate\n";
                     return 2;
                 }
                 return run_migrate(load_site_config(config, env));
             }},
        {.name = "admin",
         .usage = "admin create NAME [PASSWORD] | promote NAME | demote NAME",
         .help = "Creates an administrator (printing a new password unless given one), or "
                 "grants or takes away the role.",
         .run =
             [env](const std::vector<std::string>& args, core::Runtime&,
                   const core::Config& config) {
                 return run_admin(args, load_site_config(config, env));
             }},
        {.name = "default",
         .usage = "default add|remove SUB",
         .help = "Makes a sub one of the defaults (the visitors' front page and new users' "
                 "subscriptions), or no longer.",
         .run =
             [env](const std::vector<std::string>& args, core::Runtime&,
                   const core::Config& config) {
                 return run_default(args, load_site_config(config, env));
             }},
    };
}

ThroatApp::ThroatApp(core::Runtime& runtime, const core::Config& config,
                     const config::Environment& env)
    : site_config_(load_site_config(config, env)),
      markdown_({.sub_prefix = site_config_.string("site.sub_prefix")}),
      sessions_([&] {
          std::string secret = site_config_.string("app.secret_key");
          if (secret.size() < 32) {
              throw config::ConfigError(
                  "app.secret_key must be set to at least 32 characters (APP_SECRET_KEY)");
          }
          return secret;
      }()),
      hasher_(2) {
    web::SiteSettings settings = web::SiteSettings::from(site_config_);
    clients::postgres::PoolOptions pool{
        .connection = connection_options(site_config_),
        .max_connections =
            static_cast<std::size_t>(site_config_.integer("database.max_connections")),
        .stale_timeout = std::chrono::seconds(site_config_.integer("database.stale_timeout")),
        .acquire_timeout = std::chrono::milliseconds(
            static_cast<std::int64_t>(site_config_.number("database.acquire_timeout") * 1000))};
    if (pool.max_connections < 1) {
        throw config::ConfigError("database.max_connections must be at least 1");
    }
    try {
        pools_ = std::make_unique<db::Pools>(pool, core::http::ServerOptions::from(config).workers);
    } catch (const std::invalid_argument& e) {
        throw config::ConfigError(std::string(e.what()) + " (lower WORKERS or raise it)");
    }

    core::Logger log = runtime.logger("app");
    int version = 0;
    try {
        version =
            with_connection(site_config_, [](Connection& db) { return db::schema_version(db); });
    } catch (const clients::postgres::Error& e) {
        throw std::runtime_error(std::string("cannot reach the database: ") + e.what());
    }
    int wanted = db::migrations().back().version;
    if (version < wanted) {
        throw std::runtime_error("the database schema is at version " + std::to_string(version) +
                                 ", this program needs " + std::to_string(wanted) +
                                 ": run `throat migrate`");
    }

    site_ = std::make_unique<web::Site>(web::Site{.settings = std::move(settings),
                                                  .pools = *pools_,
                                                  .templates = templates_,
                                                  .markdown = markdown_,
                                                  .sessions = sessions_,
                                                  .hasher = hasher_,
                                                  .limiter = limiter_,
                                                  .log = log,
                                                  .asset_version = asset_version()});
    web::add_routes(runtime.router(), *site_);
    runtime.health_checks().add(
        "Database", [this]() -> asio::awaitable<std::optional<std::string>> {
            try {
                auto executor = co_await asio::this_coro::executor;
                auto lease = co_await pools_->for_executor(executor).acquire();
                co_await lease->query("SELECT 1");
                co_return std::nullopt;
            } catch (const std::exception& e) {
                co_return std::string(e.what());
            }
        });
    runtime.on_shutdown([this] { pools_->close(); });
    log.info("throat ready: schema version " + std::to_string(version));
}

ThroatApp::~ThroatApp() = default;

}  // namespace throat

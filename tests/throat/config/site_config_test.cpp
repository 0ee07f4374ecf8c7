#include "throat/config/site_config.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

namespace throat::config {
namespace {

namespace fs = std::filesystem;

TEST(SiteConfig, ThroatsDefaultsWhereTheFileIsSilent) {
    auto config = SiteConfig::parse("", {});
    EXPECT_EQ(config.string("site.sub_prefix"), "s");
    EXPECT_EQ(config.integer("site.trusted_proxy_count"), 0);
    EXPECT_EQ(config.string("ratelimit.default"), "60/minute");
    EXPECT_FALSE(config.boolean("site.self_voting.posts"));
    EXPECT_TRUE(config.strings("site.cas_authorized_hosts").empty());
    EXPECT_FALSE(config.has("site.server_name"));
    EXPECT_EQ(config.optional_string("site.server_name"), std::nullopt);
}

TEST(SiteConfig, TheFileMergesOntoTheDefaults) {
    auto config = SiteConfig::parse(R"(
site:
  sub_prefix: c
  server_name: forum.example
  self_voting:
    comments: true
database:
  name: throat
  port: 5433
something_of_our_own:
  kept: yes
)",
                                    {});
    EXPECT_EQ(config.string("site.sub_prefix"), "c");
    EXPECT_EQ(config.integer("site.trusted_proxy_count"), 0);  // the default beside it stays
    EXPECT_TRUE(config.boolean("site.self_voting.comments"));
    EXPECT_FALSE(config.boolean("site.self_voting.posts"));
    EXPECT_EQ(config.optional_string("site.server_name"), "forum.example");
    EXPECT_EQ(config.integer("database.port"), 5433);
    EXPECT_TRUE(config.boolean("something_of_our_own.kept"));
}

TEST(SiteConfig, EnvironmentOverridesAreReadAsTheKeysType) {
    auto config = SiteConfig::parse("database:\n  port: 5432\n  host: db\n",
                                    {{"SITE_TRUSTED_PROXY_COUNT", "2"},
                                     {"APP_DEBUG", "False"},  // Throat reads this as true
                                     {"APP_FORCE_HTTPS", "yes"},
                                     {"DATABASE_HOST", "10.0.0.5"},
                                     {"DATABASE_PORT", "6432"},
                                     {"STORAGE_THUMBNAILS_PATH", "/srv/thumbs"},
                                     {"SITE_CAS_AUTHORIZED_HOSTS", "a.example, b.example"},
                                     {"SITE_EXTRA_CONNECT_SRC", "[wss://x.example]"},
                                     {"SITE_NOT_A_KEY", "ignored"}});
    EXPECT_EQ(config.integer("site.trusted_proxy_count"), 2);
    EXPECT_FALSE(config.boolean("app.debug"));
    EXPECT_TRUE(config.boolean("app.force_https"));
    EXPECT_EQ(config.string("database.host"), "10.0.0.5");
    EXPECT_EQ(config.integer("database.port"), 6432);
    EXPECT_EQ(config.string("storage.thumbnails.path"), "/srv/thumbs");
    EXPECT_EQ(config.strings("site.cas_authorized_hosts"),
              (std::vector<std::string>{"a.example", "b.example"}));
    EXPECT_EQ(config.strings("site.extra_connect_src"),
              (std::vector<std::string>{"wss://x.example"}));
    EXPECT_FALSE(config.has("site.not_a_key"));
}

TEST(SiteConfig, AnOverrideOfTheWrongTypeNamesTheVariable) {
    try {
        SiteConfig::parse("", {{"SITE_TRUSTED_PROXY_COUNT", "two"}});
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "SITE_TRUSTED_PROXY_COUNT must be an integer, not 'two'");
    }
    EXPECT_THROW(SiteConfig::parse("", {{"APP_DEBUG", "maybe"}}), ConfigError);
    EXPECT_THROW(SiteConfig::parse("", {{"SITE_EXTRA_CONNECT_SRC", "[unclosed"}}), ConfigError);
}

TEST(SiteConfig, ReadingAKeyAsTheWrongTypeNamesTheKey) {
    auto config = SiteConfig::parse("site:\n  trusted_proxy_count: lots\n", {}, "config.yaml");
    try {
        config.integer("site.trusted_proxy_count");
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(),
                     "site.trusted_proxy_count in config.yaml must be an integer, not 'lots'");
    }
    EXPECT_THROW(config.boolean("site.sub_prefix"), ConfigError);
    EXPECT_THROW(config.string("site.self_voting"), ConfigError);  // a mapping
    EXPECT_THROW(config.strings("site.sub_prefix"), ConfigError);
    EXPECT_THROW(config.string("database.name"), ConfigError);  // not set
}

TEST(SiteConfig, BrokenYamlIsOneClearError) {
    try {
        SiteConfig::parse("site:\n  sub_prefix: [c\n", {}, "config.yaml");
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_TRUE(std::string(e.what()).starts_with("config.yaml: not valid YAML: ")) << e.what();
    }
    EXPECT_THROW(SiteConfig::parse("- a list\n", {}), ConfigError);
}

TEST(SiteConfig, ConfigNameSelectsADirectoryOfConfigs) {
    fs::path root = fs::temp_directory_path() / ("throat-config-" + std::to_string(::getpid()));
    fs::create_directories(root / "configs" / "test");
    std::ofstream(root / "configs" / "test" / "config.yaml") << "site:\n  sub_prefix: t\n";
    EXPECT_EQ(SiteConfig::locate(root, {}), root / "config.yaml");
    fs::path chosen = SiteConfig::locate(root, {{"CONFIG_NAME", "test"}});
    EXPECT_EQ(chosen, root / "configs" / "test" / "config.yaml");
    EXPECT_EQ(SiteConfig::load(chosen, {}).string("site.sub_prefix"), "t");
    EXPECT_THROW(SiteConfig::locate(root, {{"CONFIG_NAME", "../etc"}}), ConfigError);
    EXPECT_THROW(SiteConfig::load(root / "config.yaml", {}), ConfigError);  // no such file
    fs::remove_all(root);
}

}  // namespace
}  // namespace throat::config

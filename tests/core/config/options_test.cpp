#include "core/config/options.h"

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using core::Config;
using core::ConfigError;
using core::Environment;
using core::OptionSpec;
using core::OptionTable;
using core::OptionType;

// A table that declares only `spec`.
OptionTable single(OptionSpec spec) {
    OptionTable table;
    table.add(std::move(spec));
    return table;
}

// The ConfigError message for loading `spec` with NAME=value, or "" when it loads.
std::string load_error(OptionSpec spec, const std::string& value) {
    std::string name = spec.name;
    try {
        Config::load(single(std::move(spec)), Environment{{name, value}});
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

TEST(Options, ParsesEachType) {
    OptionTable table;
    table.add({.name = "PORT", .type = OptionType::integer, .default_value = "0"});
    table.add({.name = "RATIO", .type = OptionType::number, .default_value = "0"});
    table.add({.name = "TIMEOUT", .type = OptionType::seconds, .default_value = "0"});
    table.add({.name = "NAME", .type = OptionType::string, .default_value = ""});
    Config config = Config::load(
        table, {{"PORT", "8125"}, {"RATIO", "0.25"}, {"TIMEOUT", "1.5"}, {"NAME", "antenna"}});
    EXPECT_EQ(config.integer("PORT"), 8125);
    EXPECT_DOUBLE_EQ(config.number("RATIO"), 0.25);
    EXPECT_EQ(config.seconds("TIMEOUT"), std::chrono::milliseconds(1500));
    EXPECT_EQ(config.string("NAME"), "antenna");
}

TEST(Options, BooleanAcceptsEverettSpellingsInAnyCase) {
    OptionSpec spec{.name = "FLAG", .type = OptionType::boolean, .default_value = "false"};
    const OptionTable table = single(spec);
    for (std::string text : {"true", "yes", "on", "1", "t", "y", "TRUE", "Yes", "oN", "T", "Y"}) {
        Config config = Config::load(table, {{"FLAG", text}});
        EXPECT_TRUE(config.boolean("FLAG")) << text;
    }
    for (std::string text : {"false", "no", "off", "0", "f", "n", "FALSE", "No", "OFF", "F", "N"}) {
        Config config = Config::load(table, {{"FLAG", text}});
        EXPECT_FALSE(config.boolean("FLAG")) << text;
    }
    EXPECT_NE(load_error(spec, "maybe"), "");
}

TEST(Options, ChoiceMatchesCaseInsensitivelyAndReturnsCanonicalSpelling) {
    OptionSpec spec{.name = "MODE",
                    .type = OptionType::choice,
                    .default_value = "Fast",
                    .choices = {"Fast", "Safe"}};
    const OptionTable table = single(spec);
    EXPECT_EQ(Config::load(table, {{"MODE", "sAFE"}}).choice("MODE"), "Safe");
    EXPECT_EQ(Config::load(table, {}).choice("MODE"), "Fast");
    EXPECT_EQ(load_error(spec, "other").rfind("MODE", 0), 0u);
}

TEST(Options, DefaultsApplyWhenVariableIsAbsent) {
    OptionTable table;
    table.add({.name = "PORT", .type = OptionType::integer, .default_value = "8000"});
    table.add({.name = "TIMEOUT", .type = OptionType::seconds, .default_value = "0.25"});
    table.add({.name = "DEBUG", .type = OptionType::boolean, .default_value = "yes"});
    Config config = Config::load(table, {{"UNRELATED", "1"}});
    EXPECT_EQ(config.integer("PORT"), 8000);
    EXPECT_EQ(config.seconds("TIMEOUT"), std::chrono::milliseconds(250));
    EXPECT_TRUE(config.boolean("DEBUG"));
}

TEST(Options, FallbacksAreConsultedInOrderWhenPrimaryIsUnset) {
    OptionSpec spec{.name = "HOST", .default_value = "default", .fallbacks = {"ALT1", "ALT2"}};
    const OptionTable table = single(spec);
    EXPECT_EQ(Config::load(table, {{"ALT2", "two"}}).string("HOST"), "two");
    EXPECT_EQ(Config::load(table, {{"ALT1", "one"}, {"ALT2", "two"}}).string("HOST"), "one");
    EXPECT_EQ(Config::load(table, {{"HOST", "main"}, {"ALT1", "one"}}).string("HOST"), "main");
    EXPECT_EQ(Config::load(table, {}).string("HOST"), "default");
}

TEST(Options, BoundsAreEnforcedWithOptionNameFirst) {
    OptionSpec spec{
        .name = "WORKERS", .type = OptionType::integer, .default_value = "1", .min = 1, .max = 64};
    const OptionTable table = single(spec);
    EXPECT_EQ(Config::load(table, {{"WORKERS", "64"}}).integer("WORKERS"), 64);
    EXPECT_EQ(load_error(spec, "0").rfind("WORKERS", 0), 0u);
    EXPECT_EQ(load_error(spec, "65").rfind("WORKERS", 0), 0u);

    OptionSpec seconds{
        .name = "WAIT", .type = OptionType::seconds, .default_value = "1", .min = 0.5};
    EXPECT_EQ(load_error(seconds, "0.1").rfind("WAIT", 0), 0u);
}

TEST(Options, MalformedIntegersAreRejected) {
    OptionSpec spec{.name = "PORT", .type = OptionType::integer, .default_value = "1"};
    for (std::string text : {"12x", "", "1.5"}) {
        EXPECT_EQ(load_error(spec, text).rfind("PORT", 0), 0u) << "'" << text << "'";
    }
}

TEST(Options, SecretsAreMaskedInDescribeAndErrors) {
    OptionTable table;
    table.add({.name = "TOKEN", .default_value = "", .secret = true});
    table.add({.name = "AWS_SECRET_ACCESS_KEY", .default_value = ""});
    table.add({.name = "REGION", .default_value = ""});
    Config config = Config::load(
        table, {{"TOKEN", "hunter2"}, {"AWS_SECRET_ACCESS_KEY", "abc"}, {"REGION", "us"}});
    EXPECT_EQ(config.describe(), (std::vector<std::string>{
                                     "TOKEN=*****", "AWS_SECRET_ACCESS_KEY=*****", "REGION=us"}));

    OptionSpec pin{
        .name = "PIN", .type = OptionType::integer, .default_value = "0", .secret = true};
    std::string error = load_error(pin, "12ab34");
    EXPECT_NE(error.find("*****"), std::string::npos) << error;
    EXPECT_EQ(error.find("12ab34"), std::string::npos) << error;
}

TEST(Options, HelpTextListsEveryOption) {
    OptionTable table;
    table.add({.name = "ALPHA", .default_value = "a", .help = "First."});
    table.add({.name = "BETA", .type = OptionType::integer, .default_value = "2"});
    table.add(
        {.name = "GAMMA", .type = OptionType::choice, .default_value = "x", .choices = {"x"}});
    std::string help = table.help_text("antenna");
    for (const char* name : {"ALPHA", "BETA", "GAMMA"}) {
        EXPECT_NE(help.find(name), std::string::npos) << name;
    }
}

TEST(Options, DeclaringAnOptionTwiceIsALogicError) {
    OptionTable table;
    table.add({.name = "PORT", .default_value = ""});
    EXPECT_THROW(table.add({.name = "PORT", .default_value = ""}), std::logic_error);
}

TEST(Options, EnvironmentFromParsesEnvp) {
    char a[] = "A=1";
    char b[] = "B=x=y";
    char empty[] = "EMPTY=";
    char* envp[] = {a, b, empty, nullptr};
    Environment env = core::environment_from(envp);
    EXPECT_EQ(env, (Environment{{"A", "1"}, {"B", "x=y"}, {"EMPTY", ""}}));
}

}  // namespace

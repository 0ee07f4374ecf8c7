// docs/configuration.md is generated from the option table; this fails when it is stale.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "server_process.h"

namespace antenna_tests {
namespace {

TEST(ConfigurationReference, DocsMatchTheOptionTable) {
    auto result = testing_support::run_to_exit(ANTENNA_BINARY, {}, {"--config-markdown"});
    ASSERT_EQ(result.exit_code, 0);
    std::ifstream file(std::string(SOURCE_DIR) + "/docs/configuration.md");
    std::stringstream docs;
    docs << file.rdbuf();
    EXPECT_EQ(docs.str(), result.out)
        << "regenerate with: build/bin/antenna --config-markdown > docs/configuration.md";
}

TEST(ConfigurationReference, HelpListsTheSameOptions) {
    auto result = testing_support::run_to_exit(ANTENNA_BINARY, {}, {"--help"});
    ASSERT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("\n  STATSD_HOST (string, default: localhost)"), std::string::npos);
    EXPECT_NE(result.out.find("\n  MAX_BODY_BYTES (integer, default: 26214400)"),
              std::string::npos);
}

}  // namespace
}  // namespace antenna_tests

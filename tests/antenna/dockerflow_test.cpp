// Compatibility plan §14 A (Dockerflow and routing) against the built antenna binary.
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "antenna_blackbox.h"

namespace antenna_tests {
namespace {

namespace fs = std::filesystem;
using testing_support::Env;
using testing_support::http_request;
using testing_support::ServerProcess;

// antenna with its defaults, but a spool of its own: tests run in parallel, and a spool
// belongs to one collector.
class DefaultAntenna {
public:
    explicit DefaultAntenna(Env env) {
        env.emplace("CRASHMOVER_SPOOL_DIR", (dir_.path() / "spool").string());
        process_ = std::make_unique<ServerProcess>(ANTENNA_BINARY, std::move(env));
    }
    ServerProcess* operator->() { return process_.get(); }

private:
    TempDir dir_;
    std::unique_ptr<ServerProcess> process_;
};

DefaultAntenna start_antenna(Env env = {}) {
    return DefaultAntenna(std::move(env));
}

TEST(AntennaDockerflow, LbHeartbeat) {
    auto antenna = start_antenna();
    auto response = http_request(antenna->port(), "GET", "/__lbheartbeat__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(response->body, "");
}

TEST(AntennaDockerflow, Heartbeat) {
    auto antenna = start_antenna();
    auto response = http_request(antenna->port(), "GET", "/__heartbeat__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, R"({"errors": []})");
}

TEST(AntennaDockerflow, VersionFromBasedir) {
    fs::path dir = fs::temp_directory_path() / ("antenna-version-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    auto antenna = start_antenna({{"BASEDIR", dir.string()}});
    EXPECT_EQ(http_request(antenna->port(), "GET", "/__version__")->body, "{}");
    std::ofstream(dir / "version.json") << R"({"commit":"ou812"})";
    EXPECT_EQ(http_request(antenna->port(), "GET", "/__version__")->body, R"({"commit": "ou812"})");
    std::ofstream(dir / "version.json") << "not json";
    EXPECT_EQ(http_request(antenna->port(), "GET", "/__version__")->body, "{}");
    fs::remove_all(dir);
}

TEST(AntennaDockerflow, BrokenLogsAnUnhandledExceptionAsAntennaApp) {
    auto antenna = start_antenna();
    auto response = http_request(antenna->port(), "GET", "/__broken__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 500);
    EXPECT_EQ(response->body, R"({"title": "500 Internal Server Error"})");
    auto line = antenna->wait_for_line("Unhandled exception");
    ASSERT_TRUE(line);
    EXPECT_NE(line->find(R"("Type": "antenna.app", "Logger": "antenna")"), std::string::npos);
    EXPECT_NE(line->find(R"("Severity": 3)"), std::string::npos);
}

TEST(AntennaDockerflow, UnknownPathIs404Json) {
    auto antenna = start_antenna();
    auto response = http_request(antenna->port(), "GET", "/foo");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 404);
    EXPECT_TRUE(response->header("Content-Type").starts_with("application/json"));
    EXPECT_EQ(response->body, R"({"title": "404 Not Found"})");
}

TEST(AntennaDockerflow, HeartbeatIsGetOnly) {
    auto antenna = start_antenna();
    auto response = http_request(antenna->port(), "POST", "/__heartbeat__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 405);
    EXPECT_EQ(response->header("Allow"), "GET, OPTIONS");
    auto options = http_request(antenna->port(), "OPTIONS", "/__heartbeat__");
    ASSERT_TRUE(options);
    EXPECT_EQ(options->status, 200);
    EXPECT_EQ(options->header("Allow"), "GET");
}

}  // namespace
}  // namespace antenna_tests

// Dockerflow endpoints with Antenna's exact bodies and content types (spec Part 2 §1.3).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "http/blackbox.h"

namespace core_tests {
namespace {

namespace fs = std::filesystem;
using testing_support::http_request;

class TempDir {
public:
    TempDir() {
        path_ = fs::temp_directory_path() /
                ("dockerflow-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }
    void write(const std::string& name, const std::string& content) const {
        std::ofstream(path_ / name, std::ios::binary) << content;
    }

private:
    static inline int counter_ = 0;
    fs::path path_;
};

TEST(Dockerflow, LbHeartbeatIsAnEmpty200) {
    auto server = start_test_server();
    auto response = http_request(server->port(), "GET", "/__lbheartbeat__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(response->header("Content-Length"), "0");
    EXPECT_EQ(response->body, "");
}

TEST(Dockerflow, HeartbeatWithHealthyChecks) {
    auto server = start_test_server();
    auto response = http_request(server->port(), "GET", "/__heartbeat__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("Content-Type"), "application/json");
    EXPECT_EQ(response->body, R"({"errors": []})");
}

TEST(Dockerflow, HeartbeatReportsAFailingCheckWith503) {
    auto server = start_test_server({{"TEST_HEALTH_FAIL", "true"}});
    auto response = http_request(server->port(), "GET", "/__heartbeat__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 503);
    EXPECT_EQ(
        response->body,
        R"json({"errors": [{"name": "TestCheck", "msg": "TestError('storage unreachable')"}]})json");
}

TEST(Dockerflow, VersionWithoutVersionJsonIsEmptyObject) {
    TempDir dir;
    auto server = start_test_server({{"BASEDIR", dir.path().string()}});
    auto response = http_request(server->port(), "GET", "/__version__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(response->body, "{}");
}

TEST(Dockerflow, VersionServesVersionJsonReserialized) {
    TempDir dir;
    dir.write("version.json",
              R"({"commit":"ou812","version":"v1","source":"https://x/é","build":"b"})");
    auto server = start_test_server({{"BASEDIR", dir.path().string()}});
    auto response = http_request(server->port(), "GET", "/__version__");
    ASSERT_TRUE(response);
    EXPECT_EQ(
        response->body,
        R"({"commit": "ou812", "version": "v1", "source": "https://x/\u00e9", "build": "b"})");
}

TEST(Dockerflow, InvalidVersionJsonIsEmptyObject) {
    TempDir dir;
    dir.write("version.json", "{\"commit\": ");
    auto server = start_test_server({{"BASEDIR", dir.path().string()}});
    auto response = http_request(server->port(), "GET", "/__version__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "{}");
}

TEST(Dockerflow, BrokenIs500AndLoggedAsUnhandled) {
    auto server = start_test_server();
    auto response = http_request(server->port(), "GET", "/__broken__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 500);
    EXPECT_EQ(response->header("Content-Type"), "application/json");
    EXPECT_EQ(response->body, R"({"title": "500 Internal Server Error"})");
    auto line = server->wait_for_line("Unhandled exception");
    ASSERT_TRUE(line);
    EXPECT_NE(line->find("\"Type\": \"testserver.app\""), std::string::npos);
}

}  // namespace
}  // namespace core_tests

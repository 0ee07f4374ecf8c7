// Startup verification of the storage (one clear line and no server when it cannot be written),
// the storage's health check behind /__heartbeat__, and configuration errors of the collector.
#include <gtest/gtest.h>

#include "antenna_blackbox.h"

namespace antenna_tests {
namespace {

TEST(AntennaStartup, UnwritableFilesystemRootStopsStartup) {
    TempDir dir;
    std::ofstream(dir.path() / "a-file") << "not a directory";
    auto result = testing_support::run_to_exit(
        ANTENNA_BINARY, {{"CRASHMOVER_CRASHSTORAGE_CLASS", "fs"},
                         {"CRASHMOVER_CRASHSTORAGE_FS_ROOT", (dir.path() / "a-file/root").string()},
                         {"CRASHMOVER_SPOOL_DIR", (dir.path() / "spool").string()},
                         {"PORT", "0"}});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find("antenna: cannot start: FSCrashStorage verification failed"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.out.find("listening on"), std::string::npos);
}

TEST(AntennaStartup, ASecondCollectorOnTheSameSpoolRefusesToStart) {
    Collector first;
    auto second = testing_support::run_to_exit(ANTENNA_BINARY, first.env());
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_EQ(second.err, "antenna: cannot start: the spool " + first.spool().string() +
                              " is in use by another process (pid " +
                              std::to_string(first.process().pid()) + ")\n");
}

TEST(AntennaStartup, HeartbeatReportsStorageThatCannotBeWritten) {
    Collector collector;
    auto healthy = testing_support::http_request(collector.port(), "GET", "/__heartbeat__");
    ASSERT_TRUE(healthy);
    EXPECT_EQ(healthy->status, 200);
    fs::remove_all(collector.root());
    std::ofstream(collector.root()) << "the storage root is now a file";
    auto broken = testing_support::http_request(collector.port(), "GET", "/__heartbeat__");
    ASSERT_TRUE(broken);
    EXPECT_EQ(broken->status, 503);
    EXPECT_TRUE(broken->body.starts_with(R"({"errors": [{"name": "FSCrashStorage", "msg": ")"))
        << broken->body;
}

TEST(AntennaStartup, UnknownStorageClassAndRulesAreConfigurationErrors) {
    auto storage = testing_support::run_to_exit(
        ANTENNA_BINARY, {{"CRASHMOVER_CRASHSTORAGE_CLASS", "antenna.ext.nope.Storage"}});
    EXPECT_EQ(storage.exit_code, 2);
    EXPECT_NE(storage.err.find("CRASHMOVER_CRASHSTORAGE_CLASS='antenna.ext.nope.Storage'"),
              std::string::npos)
        << storage.err;
    auto rules = testing_support::run_to_exit(
        ANTENNA_BINARY, {{"BREAKPAD_THROTTLER_RULES", "antenna.throttler.NO_SUCH_RULES"}});
    EXPECT_EQ(rules.exit_code, 2);
    EXPECT_EQ(std::count(rules.err.begin(), rules.err.end(), '\n'), 1) << rules.err;
}

TEST(AntennaStartup, LoggingSetupLine) {
    Collector collector(Env{{"HOSTNAME", "box-9"}});
    EXPECT_TRUE(collector.process().wait_for_line(
        "set up logging logging_level=INFO debug=False host_id=box-9 processname=antenna"));
}

}  // namespace
}  // namespace antenna_tests

// PROMETHEUS_PORT: a scrape of a collector under load shows its counters moving.

#include <gtest/gtest.h>

#include "antenna_blackbox.h"
#include "service_scripts.h"

namespace antenna_tests {
namespace {

// GET <path> on the metrics port: status and body.
HttpResponse scrape(std::uint16_t port, const std::string& path = "/metrics") {
    RawClient client(port);
    client.send("GET " + path + " HTTP/1.1\r\nHost: metrics\r\n\r\n");
    auto response = client.read_response(5s);
    return response ? *response : HttpResponse{};
}

// The value of the sample line `series` ("name{labels}"), or -1 when absent.
double sample(const std::string& exposition, const std::string& series) {
    std::istringstream lines(exposition);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with(series + " ")) {
            return std::stod(line.substr(series.size() + 1));
        }
    }
    return -1;
}

TEST(PrometheusScrape, ALoadedCollectorsCountersMove) {
    std::uint16_t metrics_port = testing_support::free_ports(1);
    Collector collector(Env{{"PROMETHEUS_PORT", std::to_string(metrics_port)}});
    HttpResponse before = scrape(metrics_port);
    ASSERT_EQ(before.status, 200);
    EXPECT_EQ(before.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");

    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(collector.post(antenna::multipart_encode(test_crash(), kBoundary)).status, 200);
    }
    ASSERT_TRUE(collector.wait_until_moved());
    HttpResponse after = scrape(metrics_port);
    ASSERT_EQ(after.status, 200);
    EXPECT_EQ(sample(after.body, "socorro_collector_breakpad_resource_incoming_crash_total") -
                  std::max(0.0, sample(before.body,
                                       "socorro_collector_breakpad_resource_incoming_crash_total")),
              5);
    EXPECT_EQ(
        sample(after.body, "socorro_collector_breakpad_resource_throttle_total{result=\"accept\"}"),
        5);
    EXPECT_EQ(sample(after.body, "socorro_collector_crashmover_save_crash_count_total"), 5);
    EXPECT_EQ(sample(after.body, "socorro_collector_crashmover_crash_save_time_seconds_count"), 5);
    EXPECT_NE(after.body.find("# TYPE socorro_collector_crashmover_crash_save_time_seconds "
                              "histogram"),
              std::string::npos);
    // The program-wide host tag is StatsD's; Prometheus adds its own instance label.
    EXPECT_EQ(after.body.find("host="), std::string::npos);
    EXPECT_EQ(scrape(metrics_port, "/other").status, 404);
}

TEST(PrometheusScrape, IsOffUnlessAPortIsGiven) {
    std::uint16_t metrics_port = testing_support::free_ports(1);
    Collector collector;
    EXPECT_ANY_THROW(scrape(metrics_port));  // nothing listens there
}

TEST(PrometheusScrape, ABusyPortOrABadAddressStopsStartupWithOneLine) {
    // Something already listens on the port.
    auto listener = std::make_unique<testing_support::SilentListener>();
    TempDir spool("spool");
    Env settings{{"PROMETHEUS_PORT", std::to_string(listener->port())},
                 {"CRASHMOVER_SPOOL_DIR", (spool.path() / "spool").string()},
                 {"CRASHMOVER_CRASHSTORAGE_CLASS", "fs"},
                 {"CRASHMOVER_CRASHSTORAGE_FS_ROOT", (spool.path() / "fs").string()}};
    auto busy = testing_support::run_to_exit(ANTENNA_BINARY, settings);
    listener.reset();
    EXPECT_EQ(busy.exit_code, 1) << busy.err;
    EXPECT_NE(busy.err.find("cannot start"), std::string::npos) << busy.err;

    settings["PROMETHEUS_LISTEN_ADDRESS"] = "metrics.local";
    auto bad = testing_support::run_to_exit(ANTENNA_BINARY, settings);
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
    EXPECT_NE(bad.err.find("PROMETHEUS_LISTEN_ADDRESS"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace antenna_tests

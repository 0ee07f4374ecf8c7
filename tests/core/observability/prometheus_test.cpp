#include "core/observability/prometheus.h"

#include <gtest/gtest.h>

namespace {

using core::MetricType;
using core::PrometheusRegistry;

TEST(PrometheusRegistry, CountersAddUpPerLabelSetUnderSanitizedNames) {
    PrometheusRegistry registry;
    registry.record("socorro.collector.throttle", MetricType::counter, 1, {"result:accept"});
    registry.record("socorro.collector.throttle", MetricType::counter, 2, {"result:accept"});
    registry.record("socorro.collector.throttle", MetricType::counter, 1, {"result:reject"});
    registry.record("9-lives", MetricType::counter, 1, {});
    EXPECT_EQ(registry.exposition(),
              "# TYPE _9_lives_total counter\n"
              "_9_lives_total 1\n"
              "# TYPE socorro_collector_throttle_total counter\n"
              "socorro_collector_throttle_total{result=\"accept\"} 3\n"
              "socorro_collector_throttle_total{result=\"reject\"} 1\n");
}

TEST(PrometheusRegistry, GaugesKeepTheLastValue) {
    PrometheusRegistry registry;
    registry.record("queue.size", MetricType::gauge, 7, {});
    registry.record("queue.size", MetricType::gauge, 2.5, {});
    EXPECT_EQ(registry.exposition(), "# TYPE queue_size gauge\nqueue_size 2.5\n");
}

TEST(PrometheusRegistry, TimingsAreHistogramsInSecondsWithCumulativeBuckets) {
    PrometheusRegistry registry;
    registry.record("save.time", MetricType::timing, 3, {"status:200"});      // 0.003 s
    registry.record("save.time", MetricType::timing, 40, {"status:200"});     // 0.04 s
    registry.record("save.time", MetricType::timing, 60000, {"status:200"});  // beyond 30 s
    std::string text = registry.exposition();
    EXPECT_NE(text.find("# TYPE save_time_seconds histogram\n"), std::string::npos);
    EXPECT_NE(text.find("save_time_seconds_bucket{status=\"200\",le=\"0.0025\"} 0\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("save_time_seconds_bucket{status=\"200\",le=\"0.005\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("save_time_seconds_bucket{status=\"200\",le=\"0.05\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("save_time_seconds_bucket{status=\"200\",le=\"30\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("save_time_seconds_bucket{status=\"200\",le=\"+Inf\"} 3\n"),
              std::string::npos);
    EXPECT_NE(text.find("save_time_seconds_sum{status=\"200\"} 60.043\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("save_time_seconds_count{status=\"200\"} 3\n"), std::string::npos);
}

TEST(PrometheusRegistry, StatsdHistogramsAreSummaries) {
    PrometheusRegistry registry;
    registry.record("crash_size", MetricType::histogram, 100, {"payload:compressed"});
    registry.record("crash_size", MetricType::histogram, 300, {"payload:compressed"});
    EXPECT_EQ(registry.exposition(),
              "# TYPE crash_size summary\n"
              "crash_size_sum{payload=\"compressed\"} 400\n"
              "crash_size_count{payload=\"compressed\"} 2\n");
}

TEST(PrometheusRegistry, LabelsAreSortedEscapedAndBareTagsAreTrue) {
    PrometheusRegistry registry;
    registry.record("m", MetricType::counter, 1, {"z:1", "a-b:say \"hi\"\\", "flag"});
    EXPECT_EQ(registry.exposition(),
              "# TYPE m_total counter\n"
              "m_total{a_b=\"say \\\"hi\\\"\\\\\",flag=\"true\",z=\"1\"} 1\n");
}

}  // namespace

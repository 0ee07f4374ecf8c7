#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/observability/log.h"
#include "core/observability/metrics.h"

namespace core {

// The same counters, gauges and timers as StatsD, aggregated for Prometheus' text format
// (version 0.0.4). Names keep StatsD's with every character Prometheus does not allow turned
// into '_': counters get "_total"; timings (milliseconds) become histograms in seconds named
// "_seconds"; StatsD histograms become summaries (sum and count). Tags "key:value" are labels.
class PrometheusRegistry final : public MetricsRecorder {
public:
    void record(std::string_view name, MetricType type, double value, Tags tags) override;
    std::string exposition() const;

    // Upper bounds, in seconds, of the timings' buckets (+Inf is implied).
    static const std::vector<double>& timing_buckets();

private:
    struct Series {
        double value = 0;                    // counter or gauge
        std::vector<std::uint64_t> buckets;  // timing: counts per bound, not cumulative
        double sum = 0;
        std::uint64_t count = 0;
    };
    struct Family {
        MetricType type = MetricType::counter;
        std::map<std::string, Series> series;  // by rendered label set, "" for none
    };

    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;  // by exposed name
};

// Serves GET /metrics from `registry` on address:port, on a thread of its own, so scrapes
// never compete with crash uploads for the workers (opt-in: PROMETHEUS_PORT).
class PrometheusExporter {
public:
    // Binds at once; throws std::system_error when the address is unusable.
    PrometheusExporter(const std::string& address, std::uint16_t port,
                       std::shared_ptr<const PrometheusRegistry> registry, Logger log);
    ~PrometheusExporter();
    PrometheusExporter(const PrometheusExporter&) = delete;
    PrometheusExporter& operator=(const PrometheusExporter&) = delete;

    std::uint16_t port() const;

private:
    void accept();

    std::shared_ptr<const PrometheusRegistry> registry_;
    Logger log_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
};

}  // namespace core

#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace core {

// Where formatted metric lines go (one DogStatsD line per call, no trailing newline).
class MetricsSink {
public:
    virtual ~MetricsSink() = default;
    virtual void send(std::string_view line) = 0;
};

// DogStatsD over UDP. Lines are batched, newline-separated, into datagrams of at most
// `max_datagram` bytes, sent when full or every `flush_interval`: one syscall per many requests
// instead of one per metric. Sending is non-blocking; a full socket buffer drops the datagram
// (metrics must never slow a request down) and the drops are counted.
class StatsdSink : public MetricsSink {
public:
    // Throws std::runtime_error when the host does not resolve.
    StatsdSink(const std::string& host, std::uint16_t port,
               std::chrono::milliseconds flush_interval = std::chrono::milliseconds(100),
               std::size_t max_datagram = 1432);
    ~StatsdSink() override;  // sends what is still batched
    StatsdSink(const StatsdSink&) = delete;
    StatsdSink& operator=(const StatsdSink&) = delete;

    void send(std::string_view line) override;
    void flush();
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

private:
    void send_batch_locked();

    int fd_ = -1;
    std::size_t max_datagram_;
    std::atomic<std::uint64_t> dropped_{0};
    std::mutex mutex_;
    std::string batch_;
    std::condition_variable stop_requested_;
    bool stopping_ = false;
    std::thread flusher_;
};

enum class MetricType { counter, gauge, timing, histogram };

using Tags = std::initializer_list<std::string_view>;

// Sees every value as it is recorded, as a number (the Prometheus exporter aggregates them).
// Called from any thread; the program-wide tags are not passed.
class MetricsRecorder {
public:
    virtual ~MetricsRecorder() = default;
    virtual void record(std::string_view name, MetricType type, double value, Tags tags) = 0;
};

class Metrics;

// A metric registered once by name; its methods format and send one line.
class Metric {
public:
    Metric() = default;
    const std::string& name() const { return name_; }
    MetricType type() const { return type_; }

protected:
    Metric(Metrics* owner, std::string name, MetricType type)
        : owner_(owner), name_(std::move(name)), type_(type) {}
    void emit(double number, std::string_view value, Tags tags) const;

private:
    friend class Metrics;
    Metrics* owner_ = nullptr;
    std::string name_;
    MetricType type_ = MetricType::counter;
};

class Counter : public Metric {
public:
    Counter() = default;
    void incr(std::int64_t by = 1, Tags tags = {}) const;

private:
    friend class Metrics;
    using Metric::Metric;
};

class Gauge : public Metric {
public:
    Gauge() = default;
    void set(double value, Tags tags = {}) const;

private:
    friend class Metrics;
    using Metric::Metric;
};

// `timing` (|ms) and `histogram` (|h) share the shape: one observed value per call.
class Timing : public Metric {
public:
    Timing() = default;
    void observe(double value, Tags tags = {}) const;
    void observe(std::chrono::steady_clock::duration elapsed, Tags tags = {}) const {
        observe(std::chrono::duration<double, std::milli>(elapsed).count(), tags);
    }

private:
    friend class Metrics;
    using Metric::Metric;
};

// The registry of metric names, each registered once at startup, and the tags every metric
// carries (e.g. host:<HOSTNAME>).
class Metrics {
public:
    Metrics(std::shared_ptr<MetricsSink> sink, std::vector<std::string> global_tags);

    // Also hands every value to `recorder`; set before any metric is recorded.
    void set_recorder(std::shared_ptr<MetricsRecorder> recorder) {
        recorder_ = std::move(recorder);
    }

    Counter counter(std::string name);
    Gauge gauge(std::string name);
    Timing timing(std::string name);
    Timing histogram(std::string name);

    struct Registered {
        std::string name;
        MetricType type;
    };
    std::vector<Registered> registered() const;

private:
    friend class Metric;
    void check_new(const std::string& name, MetricType type);
    void send(std::string_view name, std::string_view value, std::string_view type_code,
              Tags tags) const;
    void record(std::string_view name, MetricType type, double value, Tags tags) const {
        if (recorder_) {
            recorder_->record(name, type, value, tags);
        }
    }

    std::shared_ptr<MetricsSink> sink_;
    std::shared_ptr<MetricsRecorder> recorder_;
    std::string global_tags_;  // "host:x,..." already joined
    mutable std::mutex registry_mutex_;
    std::vector<Registered> registered_;
};

}  // namespace core

#include "core/observability/metrics.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <netdb.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace core {
namespace {

const char* type_code(MetricType type) {
    switch (type) {
        case MetricType::counter:
            return "c";
        case MetricType::gauge:
            return "g";
        case MetricType::timing:
            return "ms";
        case MetricType::histogram:
            return "h";
    }
    return "c";
}

std::string format_number(double value) {
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

}  // namespace

StatsdSink::StatsdSink(const std::string& host, std::uint16_t port,
                       std::chrono::milliseconds flush_interval, std::size_t max_datagram)
    : max_datagram_(max_datagram) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    std::string service = std::to_string(port);
    if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        throw std::runtime_error("STATSD_HOST '" + host +
                                 "' does not resolve: " + ::gai_strerror(rc));
    }
    for (addrinfo* ai = found; ai; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            continue;
        }
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            fd_ = fd;
            break;
        }
        ::close(fd);
    }
    ::freeaddrinfo(found);
    if (fd_ < 0) {
        throw std::runtime_error("cannot open a UDP socket to STATSD_HOST '" + host + "'");
    }
    batch_.reserve(max_datagram_);
    flusher_ = std::thread([this, flush_interval] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            stop_requested_.wait_for(lock, flush_interval);
            send_batch_locked();
        }
    });
}

StatsdSink::~StatsdSink() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_requested_.notify_all();
    flusher_.join();
    ::close(fd_);
}

void StatsdSink::send(std::string_view line) {
    std::lock_guard lock(mutex_);
    if (!batch_.empty() && batch_.size() + 1 + line.size() > max_datagram_) {
        send_batch_locked();
    }
    if (!batch_.empty()) {
        batch_ += '\n';
    }
    batch_.append(line);
}

void StatsdSink::flush() {
    std::lock_guard lock(mutex_);
    send_batch_locked();
}

void StatsdSink::send_batch_locked() {
    if (batch_.empty()) {
        return;
    }
    // A connected UDP socket reports ECONNREFUSED from an earlier datagram when nobody
    // listens; that, like a full buffer, only means this datagram is dropped.
    if (::send(fd_, batch_.data(), batch_.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
    }
    batch_.clear();
}

void Metric::emit(double number, std::string_view value, Tags tags) const {
    if (owner_) {
        owner_->record(name_, type_, number, tags);
        owner_->send(name_, value, type_code(type_), tags);
    }
}

void Counter::incr(std::int64_t by, Tags tags) const {
    emit(static_cast<double>(by), std::to_string(by), tags);
}

void Gauge::set(double value, Tags tags) const {
    emit(value, format_number(value), tags);
}

void Timing::observe(double value, Tags tags) const {
    emit(value, format_number(value), tags);
}

Metrics::Metrics(std::shared_ptr<MetricsSink> sink, std::vector<std::string> global_tags)
    : sink_(std::move(sink)) {
    for (const auto& tag : global_tags) {
        global_tags_ += (global_tags_.empty() ? "" : ",") + tag;
    }
}

void Metrics::check_new(const std::string& name, MetricType type) {
    std::lock_guard lock(registry_mutex_);
    for (const auto& r : registered_) {
        if (r.name == name) {
            if (r.type != type) {
                throw std::logic_error("metric registered with two types: " + name);
            }
            return;
        }
    }
    registered_.push_back({name, type});
}

Counter Metrics::counter(std::string name) {
    check_new(name, MetricType::counter);
    return Counter(this, std::move(name), MetricType::counter);
}

Gauge Metrics::gauge(std::string name) {
    check_new(name, MetricType::gauge);
    return Gauge(this, std::move(name), MetricType::gauge);
}

Timing Metrics::timing(std::string name) {
    check_new(name, MetricType::timing);
    return Timing(this, std::move(name), MetricType::timing);
}

Timing Metrics::histogram(std::string name) {
    check_new(name, MetricType::histogram);
    return Timing(this, std::move(name), MetricType::histogram);
}

std::vector<Metrics::Registered> Metrics::registered() const {
    std::lock_guard lock(registry_mutex_);
    return registered_;
}

void Metrics::send(std::string_view name, std::string_view value, std::string_view code,
                   Tags tags) const {
    if (!sink_) {
        return;
    }
    std::string line;
    line.reserve(name.size() + value.size() + global_tags_.size() + 32);
    line.append(name).append(":").append(value).append("|").append(code);
    bool any = !global_tags_.empty() || tags.size() > 0;
    if (any) {
        line += "|#";
        line += global_tags_;
        bool first = global_tags_.empty();
        for (auto tag : tags) {
            if (!first) {
                line += ',';
            }
            first = false;
            line.append(tag);
        }
    }
    sink_->send(line);
}

}  // namespace core

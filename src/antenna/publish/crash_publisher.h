#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "antenna/crash_report.h"
#include "core/observability/log.h"

namespace antenna {

// Where the ids of saved crashes go for processing. The message is the crash id's bytes.
class CrashPublisher {
public:
    virtual ~CrashPublisher() = default;

    virtual std::string name() const = 0;  // Antenna's class name, e.g. "PubSubCrashPublish"
    virtual boost::asio::awaitable<Outcome> publish(std::string_view crash_id) = 0;
    virtual Outcome verify() = 0;
    virtual boost::asio::awaitable<std::optional<std::string>> check_health() = 0;
};

// Antenna's default NoOpCrashPublish: logs and publishes nothing.
class NoOpCrashPublisher final : public CrashPublisher {
public:
    explicit NoOpCrashPublisher(core::Logger log) : log_(std::move(log)) {}

    std::string name() const override { return "NoOpCrashPublish"; }
    boost::asio::awaitable<Outcome> publish(std::string_view crash_id) override {
        log_.info("crash publish no-op: " + std::string(crash_id));
        co_return Outcome::success();
    }
    Outcome verify() override { return Outcome::success(); }
    boost::asio::awaitable<std::optional<std::string>> check_health() override {
        co_return std::nullopt;
    }

private:
    core::Logger log_;
};

}  // namespace antenna

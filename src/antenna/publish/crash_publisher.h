#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "antenna/crash_report.h"
#include "core/observability/log.h"

namespace antenna {

// Where the ids of saved crashes go for processing. The message is the crash id's bytes.
class CrashPublisher {
public:
    virtual ~CrashPublisher() = default;

    virtual std::string name() const = 0;  // Antenna's class name, e.g. "PubSubCrashPublish"
    // Publishes every id of a batch (the mover's, up to hundreds) in as few requests as the
    // protocol allows; one Outcome per id, in order, so that only the failed ones are retried.
    virtual boost::asio::awaitable<std::vector<Outcome>> publish(
        const std::vector<std::string>& crash_ids) = 0;
    // Antenna's startup check: publishes the message "test" (consumers ignore it).
    virtual Outcome verify() = 0;
    virtual boost::asio::awaitable<std::optional<std::string>> check_health() = 0;

    boost::asio::awaitable<Outcome> publish_one(const std::string& crash_id) {
        std::vector<std::string> crash_ids{crash_id};
        std::vector<Outcome> outcomes = co_await publish(crash_ids);
        co_return outcomes.front();
    }
};

// Clients answer a batch with one error per message, "" when it was taken.
inline std::vector<Outcome> outcomes_from_errors(std::vector<std::string> errors) {
    std::vector<Outcome> outcomes;
    outcomes.reserve(errors.size());
    for (auto& error : errors) {
        outcomes.push_back(error.empty() ? Outcome::success() : Outcome::failure(std::move(error)));
    }
    return outcomes;
}

// Antenna's default NoOpCrashPublish: logs and publishes nothing.
class NoOpCrashPublisher final : public CrashPublisher {
public:
    explicit NoOpCrashPublisher(core::Logger log) : log_(std::move(log)) {}

    std::string name() const override { return "NoOpCrashPublish"; }
    boost::asio::awaitable<std::vector<Outcome>> publish(
        const std::vector<std::string>& crash_ids) override {
        for (const auto& crash_id : crash_ids) {
            log_.info("crash publish no-op: " + crash_id);
        }
        co_return std::vector<Outcome>(crash_ids.size(), Outcome::success());
    }
    Outcome verify() override { return Outcome::success(); }
    boost::asio::awaitable<std::optional<std::string>> check_health() override {
        co_return std::nullopt;
    }

private:
    core::Logger log_;
};

}  // namespace antenna

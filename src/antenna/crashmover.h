#pragma once

#include <chrono>

#include <boost/asio/awaitable.hpp>

#include "antenna/crash_keeper.h"
#include "antenna/crash_report.h"
#include "antenna/publish/crash_publisher.h"
#include "antenna/storage/crash_storage.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"

namespace antenna {

struct CrashMoverOptions {
    int max_attempts = 5;
    std::chrono::milliseconds retry_sleep = std::chrono::seconds(2);
};

// CRASHMOVER_ACK=sync: saves a crash, then publishes its id, each with retries, inside the
// request, as Antenna's synchronous crash mover does (spec Part 2 §5.1): a save that gives up
// means the crash was not kept (the client gets a 500 and may retry); a publish that gives up
// still counts as kept.
class CrashMover final : public CrashKeeper {
public:
    CrashMover(CrashMoverOptions options, CrashStorage& storage, CrashPublisher& publisher,
               core::Logger log, core::Metrics& metrics);

    std::optional<std::string> refusal() override { return std::nullopt; }
    boost::asio::awaitable<Kept> keep(CrashReport& report) override;

private:
    boost::asio::awaitable<bool> save_with_retry(CrashReport& report);
    boost::asio::awaitable<bool> publish_with_retry(const CrashReport& report);
    boost::asio::awaitable<void> sleep_before_retry();

    CrashMoverOptions options_;
    CrashStorage& storage_;
    CrashPublisher& publisher_;
    core::Logger log_;
    core::Counter retry_count_;
    core::Timing crash_handling_time_;
    core::Counter save_crash_dropped_;
    core::Counter save_crash_;
    core::Counter publish_crash_dropped_;
    core::Timing crash_save_time_;
    core::Timing crash_publish_time_;
};

}  // namespace antenna

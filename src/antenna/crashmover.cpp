#include "antenna/crashmover.h"

#include <filesystem>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace antenna {

using SteadyClock = std::chrono::steady_clock;

CrashMover::CrashMover(CrashMoverOptions options, CrashStorage& storage, CrashPublisher& publisher,
                       core::Logger log, core::Metrics& metrics)
    : options_(options),
      storage_(storage),
      publisher_(publisher),
      log_(std::move(log)),
      retry_count_(metrics.counter("socorro.collector.crashmover.retry_count")),
      crash_handling_time_(metrics.timing("socorro.collector.crashmover.crash_handling.time")),
      save_crash_dropped_(metrics.counter("socorro.collector.crashmover.save_crash_dropped.count")),
      save_crash_(metrics.counter("socorro.collector.crashmover.save_crash.count")),
      publish_crash_dropped_(
          metrics.counter("socorro.collector.crashmover.publish_crash_dropped.count")),
      crash_save_time_(metrics.timing("socorro.collector.crashmover.crash_save.time")),
      crash_publish_time_(metrics.timing("socorro.collector.crashmover.crash_publish.time")) {}

boost::asio::awaitable<void> CrashMover::sleep_before_retry() {
    if (options_.retry_sleep.count() > 0) {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                        options_.retry_sleep);
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

boost::asio::awaitable<bool> CrashMover::save_with_retry(CrashReport& report) {
    for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
        auto started = SteadyClock::now();
        Outcome outcome = co_await storage_.save(report);
        if (outcome.ok) {
            crash_save_time_.observe(SteadyClock::now() - started);
            log_.info(report.crash_id + " saved");
            co_return true;
        }
        log_.warning("CrashMover.crashmover_save: exception " + outcome.error + ", retry attempt " +
                     std::to_string(attempt));
        if (attempt + 1 < options_.max_attempts) {
            retry_count_.incr(1, {"count:save_crash_exception.count"});
            co_await sleep_before_retry();
        }
    }
    co_return false;
}

boost::asio::awaitable<bool> CrashMover::publish_with_retry(const CrashReport& report) {
    for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
        auto started = SteadyClock::now();
        Outcome outcome = co_await publisher_.publish_one(report.crash_id);
        if (outcome.ok) {
            crash_publish_time_.observe(SteadyClock::now() - started);
            log_.info(report.crash_id + " published");
            co_return true;
        }
        log_.warning("CrashMover.crashmover_publish: exception " + outcome.error +
                     ", retry attempt " + std::to_string(attempt));
        if (attempt + 1 < options_.max_attempts) {
            retry_count_.incr(1, {"count:publish_crash_exception.count"});
            co_await sleep_before_retry();
        }
    }
    co_return false;
}

boost::asio::awaitable<Kept> CrashMover::keep(CrashReport& report) {
    auto started = SteadyClock::now();
    bool saved = co_await save_with_retry(report);
    if (!saved) {
        log_.error(report.crash_id + ": too many errors trying to save; dropped");
        save_crash_dropped_.incr();
    } else if (co_await publish_with_retry(report)) {
        save_crash_.incr();
    } else {
        log_.error(report.crash_id + ": too many errors trying to publish; dropped");
        publish_crash_dropped_.incr();
    }
    crash_handling_time_.observe(SteadyClock::now() - started);
    for (const auto& dump : report.dumps) {
        std::error_code ignored;
        std::filesystem::remove(dump.path, ignored);  // what storage did not move into place
    }
    co_return Kept{.status = saved ? Kept::Status::kept : Kept::Status::failed};
}

}  // namespace antenna

#pragma once

#include <chrono>
#include <deque>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "antenna/publish/crash_publisher.h"
#include "antenna/spool/spool.h"
#include "antenna/storage/crash_storage.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"

namespace antenna {

struct SpoolMoverOptions {
    std::chrono::milliseconds retry_sleep = std::chrono::seconds(2);  // the first pause
    std::chrono::milliseconds max_retry_sleep = std::chrono::seconds(60);
    std::size_t batch_size = 500;  // most crashes saved per storage flush, when behind
    bool flush_storage = true;     // make each batch durable in storage before publishing it
    std::size_t concurrency = 8;   // crashes being saved at once
};

// The pause before a crash's next attempt after `failures` failed ones: doubling from
// `first` up to `longest`, half of it fixed and half random ("equal jitter"), so that many
// collectors coming back from one outage do not retry in step. `random01` is in [0, 1).
std::chrono::milliseconds retry_delay(int failures, std::chrono::milliseconds first,
                                      std::chrono::milliseconds longest, double random01);

// Moves spooled crashes to storage and publishes their ids, on a thread of its own: save,
// flush storage, publish, then remove from the spool (marked saved if publishing fails). Every
// failure is retried with backoff, without end: a crash leaves the spool only once saved and
// published, so a crash may be published more than once (after a kill between publishing and
// removing) but never lost.
class SpoolMover {
public:
    SpoolMover(SpoolMoverOptions options, Spool& spool, CrashStorage& storage,
               CrashPublisher& publisher, core::Logger log, core::Metrics& metrics);
    ~SpoolMover();
    SpoolMover(const SpoolMover&) = delete;
    SpoolMover& operator=(const SpoolMover&) = delete;

    // Starts moving `waiting` (found in the spool at startup) and whatever is added.
    void start(std::vector<std::string> waiting);
    // Thread-safe: a crash just committed.
    void add(std::string crash_id);
    // Keeps moving until the spool is empty or `timeout` passed, then stops; what is left is
    // moved at the next start.
    void finish(std::chrono::milliseconds timeout);

    struct Pass {
        std::size_t moved = 0;
        std::size_t failed = 0;
    };
    // One attempt at each crash, on the calling thread (`antenna spool retry`).
    Pass move_once(const std::vector<std::string>& crash_ids);

private:
    struct Entry {
        std::string crash_id;
        int failures = 0;
        std::chrono::steady_clock::time_point not_before{};
    };
    void enqueue(std::string crash_id);  // once: a crash already queued is not queued again
    boost::asio::awaitable<void> run();
    boost::asio::awaitable<void> wait_until(std::chrono::steady_clock::time_point when);
    std::vector<Entry> take_due(std::chrono::steady_clock::time_point now);
    struct BatchResult {
        std::size_t moved = 0;
        std::vector<Entry> failures;  // with their failure counted
    };
    // Moves a batch; crashes no longer in the spool are dropped from it.
    boost::asio::awaitable<BatchResult> move_batch(std::vector<Entry> batch);
    void failed(Entry& entry, std::string_view step, const std::string& error);

    SpoolMoverOptions options_;
    Spool& spool_;
    CrashStorage& storage_;
    CrashPublisher& publisher_;
    core::Logger log_;
    core::Counter retry_count_;
    core::Counter save_crash_;
    core::Timing crash_handling_time_;
    core::Timing crash_save_time_;
    core::Timing crash_publish_time_;
    std::minstd_rand random_;

    // Touched only on the mover's thread.
    boost::asio::io_context io_;
    boost::asio::steady_timer wake_;
    std::deque<Entry> queue_;
    std::unordered_set<std::string> queued_ids_;  // queued or being moved
    int consecutive_failures_ = 0;
    std::chrono::steady_clock::time_point paused_until_{};
    bool finishing_ = false;
    std::thread thread_;
};

}  // namespace antenna

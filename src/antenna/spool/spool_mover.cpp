#include "antenna/spool/spool_mover.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <system_error>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/async/for_each_concurrently.h"

namespace antenna {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds retry_delay(int failures, milliseconds first, milliseconds longest, double random01) {
    double delay = static_cast<double>(first.count()) * std::pow(2.0, std::max(failures - 1, 0));
    delay = std::min(delay, static_cast<double>(longest.count()));
    return milliseconds(static_cast<std::int64_t>(delay / 2 + delay / 2 * random01));
}

SpoolMover::SpoolMover(SpoolMoverOptions options, Spool& spool, CrashStorage& storage,
                       CrashPublisher& publisher, core::Logger log, core::Metrics& metrics)
    : options_(options),
      spool_(spool),
      storage_(storage),
      publisher_(publisher),
      log_(std::move(log)),
      retry_count_(metrics.counter("socorro.collector.crashmover.retry_count")),
      save_crash_(metrics.counter("socorro.collector.crashmover.save_crash.count")),
      crash_handling_time_(metrics.timing("socorro.collector.crashmover.crash_handling.time")),
      crash_save_time_(metrics.timing("socorro.collector.crashmover.crash_save.time")),
      crash_publish_time_(metrics.timing("socorro.collector.crashmover.crash_publish.time")),
      random_(std::random_device{}()),
      wake_(io_) {}

SpoolMover::~SpoolMover() {
    if (thread_.joinable()) {
        io_.stop();
        thread_.join();
    }
}

void SpoolMover::start(std::vector<std::string> waiting) {
    for (auto& crash_id : waiting) {
        enqueue(std::move(crash_id));
    }
    if (!queue_.empty()) {
        log_.info(std::to_string(queue_.size()) + " crashes waiting in the spool");
    }
    boost::asio::co_spawn(io_, run(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
}

void SpoolMover::add(std::string crash_id) {
    boost::asio::post(io_, [this, crash_id = std::move(crash_id)]() mutable {
        enqueue(std::move(crash_id));
        wake_.cancel();
    });
}

void SpoolMover::enqueue(std::string crash_id) {
    if (queued_ids_.insert(crash_id).second) {
        queue_.push_back({.crash_id = std::move(crash_id)});
    }
}

void SpoolMover::finish(milliseconds timeout) {
    if (!thread_.joinable()) {
        return;
    }
    boost::asio::post(io_, [this] {
        finishing_ = true;
        wake_.cancel();
    });
    boost::asio::steady_timer deadline(io_, timeout);
    deadline.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            io_.stop();
        }
    });
    thread_.join();
    std::size_t left = spool_.size();
    if (left > 0) {
        log_.warning(std::to_string(left) +
                     " crashes stay in the spool; they are moved at the next start");
    }
}

boost::asio::awaitable<void> SpoolMover::wait_until(SteadyClock::time_point when) {
    wake_.expires_at(when);
    co_await wake_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

std::vector<SpoolMover::Entry> SpoolMover::take_due(SteadyClock::time_point now) {
    std::vector<Entry> due;
    for (auto it = queue_.begin(); it != queue_.end() && due.size() < options_.batch_size;) {
        if (it->not_before <= now) {
            due.push_back(std::move(*it));
            it = queue_.erase(it);
        } else {
            ++it;
        }
    }
    return due;
}

boost::asio::awaitable<void> SpoolMover::run() {
    for (;;) {
        auto now = SteadyClock::now();
        if (queue_.empty()) {
            if (finishing_) {
                io_.stop();
                co_return;
            }
            co_await wait_until(SteadyClock::time_point::max());
            continue;
        }
        if (paused_until_ > now) {
            co_await wait_until(paused_until_);
            continue;
        }
        std::vector<Entry> batch = take_due(now);
        if (batch.empty()) {
            auto next = std::min_element(
                queue_.begin(), queue_.end(),
                [](const Entry& a, const Entry& b) { return a.not_before < b.not_before; });
            co_await wait_until(next->not_before);
            continue;
        }
        std::vector<std::string> ids;
        for (const auto& entry : batch) {
            ids.push_back(entry.crash_id);
        }
        BatchResult result = co_await move_batch(std::move(batch));
        for (auto& id : ids) {
            queued_ids_.erase(id);
        }
        if (result.moved == 0 && !result.failures.empty()) {
            // Nothing got through: storage or queue is down. Pause everything, not only the
            // crashes just tried, so that an outage costs one attempt per pause.
            ++consecutive_failures_;
            paused_until_ =
                SteadyClock::now() +
                retry_delay(consecutive_failures_, options_.retry_sleep, options_.max_retry_sleep,
                            std::uniform_real_distribution<double>(0, 1)(random_));
        } else {
            consecutive_failures_ = 0;
        }
        for (auto& entry : result.failures) {
            queued_ids_.insert(entry.crash_id);
            queue_.push_back(std::move(entry));
        }
    }
}

void SpoolMover::failed(Entry& entry, std::string_view step, const std::string& error) {
    ++entry.failures;
    auto delay = retry_delay(entry.failures, options_.retry_sleep, options_.max_retry_sleep,
                             std::uniform_real_distribution<double>(0, 1)(random_));
    entry.not_before = SteadyClock::now() + delay;
    retry_count_.incr(1, {"count:" + std::string(step) + "_crash_exception.count"});
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(delay.count()) / 1000.0);
    log_.warning(entry.crash_id + ": " + std::string(step) + " failed (" + error + "), attempt " +
                 std::to_string(entry.failures) + "; next in " + seconds + " s");
}

boost::asio::awaitable<SpoolMover::BatchResult> SpoolMover::move_batch(std::vector<Entry> batch) {
    struct Moving {
        Entry entry;
        SpoolRecord record;
        bool marked_saved = false;
    };
    BatchResult result;
    std::vector<Entry>& failures = result.failures;
    std::vector<Moving> to_save;
    std::vector<Moving> just_saved;
    std::vector<Moving> to_publish;
    for (auto& entry : batch) {
        Moving moving{std::move(entry), {}};
        try {
            moving.record = spool_.load(moving.entry.crash_id);
        } catch (const std::system_error& e) {
            if (e.code() == std::errc::no_such_file_or_directory) {
                log_.error(moving.entry.crash_id + ": no longer in the spool; dropped");
                continue;
            }
            failed(moving.entry, "save", std::string("reading the spool: ") + e.what());
            failures.push_back(std::move(moving.entry));
            continue;
        } catch (const std::exception& e) {
            failed(moving.entry, "save", std::string("reading the spool: ") + e.what());
            failures.push_back(std::move(moving.entry));
            continue;
        }
        if (spool_.is_saved(moving.entry.crash_id)) {
            moving.marked_saved = true;
            to_publish.push_back(std::move(moving));
            continue;
        }
        to_save.push_back(std::move(moving));
    }

    // Object storage answers each PUT after a round trip: several crashes at once keep the
    // mover up with the collector.
    std::vector<Outcome> saved(to_save.size());
    co_await core::for_each_concurrently(
        to_save.size(), options_.concurrency, [&](std::size_t i) -> boost::asio::awaitable<void> {
            auto started = SteadyClock::now();
            saved[i] = co_await storage_.save(to_save[i].record.report);
            if (saved[i].ok) {
                crash_save_time_.observe(SteadyClock::now() - started);
            }
        });
    for (std::size_t i = 0; i < to_save.size(); ++i) {
        Moving& moving = to_save[i];
        if (!saved[i].ok) {
            failed(moving.entry, "save", saved[i].error);
            failures.push_back(std::move(moving.entry));
            continue;
        }
        log_.info(moving.entry.crash_id + " saved");
        just_saved.push_back(std::move(moving));
    }

    if (!just_saved.empty() && options_.flush_storage) {
        if (Outcome flushed = co_await storage_.flush(); !flushed.ok) {
            for (auto& moving : just_saved) {
                failed(moving.entry, "save", "flushing storage: " + flushed.error);
                failures.push_back(std::move(moving.entry));
            }
            just_saved.clear();
        }
    }
    for (auto& moving : just_saved) {
        to_publish.push_back(std::move(moving));
    }

    std::vector<std::string> crash_ids;
    for (const auto& moving : to_publish) {
        crash_ids.push_back(moving.entry.crash_id);
    }
    auto publish_started = SteadyClock::now();
    std::vector<Outcome> published;
    if (!crash_ids.empty()) {
        published = co_await publisher_.publish(crash_ids);
    }
    auto publish_time = SteadyClock::now() - publish_started;
    std::vector<std::string> moved;  // removed from the spool together
    for (std::size_t i = 0; i < to_publish.size(); ++i) {
        Moving& moving = to_publish[i];
        const std::string& crash_id = moving.entry.crash_id;
        if (!published[i].ok) {
            // Marked only now: a kill before the publish saves the crash again, which storage
            // allows, and the common path writes no marker.
            if (!moving.marked_saved) {
                try {
                    spool_.mark_saved(crash_id);
                } catch (const std::exception& e) {
                    log_.warning(crash_id + ": cannot mark it saved in the spool (" + e.what() +
                                 "); it is saved again before it is published");
                }
            }
            failed(moving.entry, "publish", published[i].error);
            failures.push_back(std::move(moving.entry));
            continue;
        }
        crash_publish_time_.observe(publish_time);
        log_.info(crash_id + " published");
        moved.push_back(crash_id);
        save_crash_.incr();
        crash_handling_time_.observe(std::chrono::system_clock::now() - moving.record.received);
        ++result.moved;
    }
    try {
        spool_.remove(moved);
    } catch (const std::exception& e) {
        log_.error("published, but cannot remove every crash of the batch from the spool (" +
                   std::string(e.what()) + "); those are published again at the next start");
    }
    co_return result;
}

SpoolMover::Pass SpoolMover::move_once(const std::vector<std::string>& crash_ids) {
    Pass pass;
    boost::asio::io_context context;
    boost::asio::co_spawn(
        context,
        [&]() -> boost::asio::awaitable<void> {
            for (std::size_t i = 0; i < crash_ids.size(); i += options_.batch_size) {
                std::vector<Entry> batch;
                for (std::size_t j = i; j < std::min(crash_ids.size(), i + options_.batch_size);
                     ++j) {
                    batch.push_back({.crash_id = crash_ids[j]});
                }
                BatchResult result = co_await move_batch(std::move(batch));
                pass.failed += result.failures.size();
                pass.moved += result.moved;
            }
        },
        boost::asio::detached);
    context.run();
    return pass;
}

}  // namespace antenna

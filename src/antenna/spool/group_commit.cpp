#include "antenna/spool/group_commit.h"

#include <memory>
#include <unordered_set>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/io/files.h"

namespace antenna {
namespace fs = std::filesystem;

SyncMode parse_sync_mode(std::string_view name) {
    if (name == "fsync") {
        return SyncMode::fsync;
    }
    return name == "off" ? SyncMode::off : SyncMode::syncfs;
}

GroupCommitter::GroupCommitter(SyncMode mode, fs::path spool_dir, core::Logger log,
                               core::Metrics& metrics)
    : mode_(mode),
      spool_dir_(std::move(spool_dir)),
      log_(std::move(log)),
      flush_time_(metrics.timing("socorro.collector.spool.flush.time")),
      batch_size_(metrics.histogram("socorro.collector.spool.flush.batch_size")) {
    if (mode_ != SyncMode::off) {
        thread_ = std::thread([this] { run(); });
    }
}

GroupCommitter::~GroupCommitter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) {
        thread_.join();
    }
}

boost::asio::awaitable<Outcome> GroupCommitter::flush(std::vector<fs::path> paths) {
    if (mode_ == SyncMode::off) {
        co_return Outcome::success();
    }
    co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                   void(Outcome)>(
        [this](auto handler, std::vector<fs::path> to_flush) {
            auto executor = boost::asio::get_associated_executor(handler);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            enqueue({std::move(to_flush), [shared, executor](Outcome outcome) {
                         boost::asio::post(executor, [shared, outcome = std::move(outcome)] {
                             (*shared)(outcome);
                         });
                     }});
        },
        boost::asio::use_awaitable, std::move(paths));
}

void GroupCommitter::enqueue(Waiter waiter) {
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(std::move(waiter));
    }
    wake_.notify_one();
}

void GroupCommitter::run() {
    for (;;) {
        std::vector<Waiter> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
            if (pending_.empty()) {
                return;
            }
            batch.swap(pending_);
        }
        auto started = std::chrono::steady_clock::now();
        Outcome outcome = flush_batch(batch);
        flush_time_.observe(std::chrono::steady_clock::now() - started);
        batch_size_.observe(static_cast<double>(batch.size()));
        if (!outcome.ok) {
            log_.error("flushing the spool failed: " + outcome.error);
        }
        for (auto& waiter : batch) {
            waiter.done(outcome);
        }
    }
}

Outcome GroupCommitter::flush_batch(const std::vector<Waiter>& batch) {
    try {
        if (mode_ == SyncMode::syncfs) {
            core::sync_filesystem(spool_dir_);
            return Outcome::success();
        }
        std::unordered_set<std::string> flushed;
        for (const auto& waiter : batch) {
            for (const auto& path : waiter.paths) {
                if (flushed.insert(path.string()).second) {
                    core::fsync_path(path);
                }
            }
        }
        return Outcome::success();
    } catch (const std::exception& e) {
        return Outcome::failure(e.what());
    }
}

}  // namespace antenna

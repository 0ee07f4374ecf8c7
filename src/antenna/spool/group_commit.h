#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "antenna/crash_report.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"

namespace antenna {

// How committed crashes are made durable (CRASHMOVER_SPOOL_SYNC).
enum class SyncMode {
    syncfs,  // one syncfs() of the spool's filesystem per batch
    fsync,   // fsync() of every file and directory of the batch
    off,     // trust the page cache: a power cut may lose acknowledged crashes
};
SyncMode parse_sync_mode(std::string_view name);  // "syncfs", "fsync" or "off"

// Group commit: requests that finish at about the same time share one flush. A thread takes
// everything queued since its last flush, flushes it, and wakes the waiting requests on their
// own event loops; while it flushes, the next batch gathers.
class GroupCommitter {
public:
    GroupCommitter(SyncMode mode, std::filesystem::path spool_dir, core::Logger log,
                   core::Metrics& metrics);
    ~GroupCommitter();  // flushes what is queued, then stops
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    // Completes once `paths` (files, then the directories holding them) are on disk.
    boost::asio::awaitable<Outcome> flush(std::vector<std::filesystem::path> paths);

private:
    struct Waiter {
        std::vector<std::filesystem::path> paths;
        std::function<void(Outcome)> done;
    };
    void enqueue(Waiter waiter);
    void run();
    Outcome flush_batch(const std::vector<Waiter>& batch);

    SyncMode mode_;
    std::filesystem::path spool_dir_;
    core::Logger log_;
    core::Timing flush_time_;
    core::Timing batch_size_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Waiter> pending_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace antenna

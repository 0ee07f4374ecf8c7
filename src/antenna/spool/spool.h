#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "antenna/crash_report.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"

namespace antenna {

struct SpoolLimits {
    std::uint64_t max_crashes = 0;  // 0: no limit
    std::uint64_t max_bytes = 0;    // 0: no limit
};

// A committed crash read back from the spool.
struct SpoolRecord {
    CrashReport report;
    std::chrono::system_clock::time_point received{};
};

// What `antenna spool list` shows of one crash.
struct SpooledCrash {
    std::string crash_id;
    std::chrono::system_clock::time_point received{};
    std::size_t dumps = 0;
    std::uint64_t bytes = 0;  // dumps, as received
    bool saved = false;       // in storage, not yet published
};

// The on-disk spool of accepted crashes (docs/antenna.md, "The spool"):
//   incoming/            dumps being received; the dumps of committed crashes (they stay
//                        where they were written); records being written (<id>.json.partial)
//   ready/<id>.json      committed: crash id, raw crash, and each dump's name, file, size, sha256
//   ready/<id>.saved     once storage has the crash and only the publish is left
//   damaged/<id>/        found incomplete at startup; never acknowledged, kept for a look
// A crash is committed by one rename of its record into ready/, so ready/ only names whole
// crashes; no directory is made or removed per crash. One collector owns a spool (an flock on
// .lock), so no crash is moved twice at once.
class Spool {
public:
    // Creates the directories and takes the lock. Throws std::runtime_error when the spool
    // cannot be used or another process holds it.
    Spool(std::filesystem::path dir, SpoolLimits limits, core::Logger log, core::Metrics& metrics);
    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    const std::filesystem::path& incoming_dir() const { return incoming_; }

    // Writes the report's record into ready/; its dumps stay in incoming/ (a dump elsewhere is
    // moved there, and the report's path follows). Returns what must be flushed for the crash
    // to survive a power cut. Throws std::system_error (ENOSPC when the disk is full, EEXIST
    // while a crash with this id is in the spool); the spool is unchanged then, the dumps are
    // the caller's.
    std::vector<std::filesystem::path> commit(CrashReport& report);
    // At startup: the crashes in ready/, oldest first (crashes of the earlier ready/<id>/ layout
    // are rewritten in this one first). Those found incomplete move to damaged/; whatever no
    // record names is removed from incoming/.
    std::vector<std::string> recover();
    // Reads a committed crash back.
    SpoolRecord load(const std::string& crash_id) const;
    void mark_saved(const std::string& crash_id);
    bool is_saved(const std::string& crash_id) const;
    // Forgets a crash once it is saved and published (or when its commit was not flushed).
    void remove(const std::string& crash_id);

    // Nothing while there is room, else why not (CRASHMOVER_SPOOL_MAX_CRASHES/_BYTES).
    std::optional<std::string> full() const;
    std::size_t size() const;

    // For `antenna spool list`: reads a spool without taking it.
    static std::vector<SpooledCrash> list(const std::filesystem::path& dir);

private:
    struct Tracked {
        std::uint64_t bytes = 0;
        std::vector<std::filesystem::path> files;  // its dumps in incoming/
    };

    std::filesystem::path record_path(const std::string& crash_id) const;
    std::filesystem::path saved_path(const std::string& crash_id) const;
    void migrate_legacy_crashes();
    // Moves what was found for a crash (a record, or a legacy crash directory) to damaged/.
    void damage(const std::string& crash_id, const std::filesystem::path& found,
                const std::string& why);
    bool claim(const std::string& crash_id);  // false when the id is taken
    void track(const std::string& crash_id, std::uint64_t bytes,
               std::vector<std::filesystem::path> files);
    void forget(const std::string& crash_id);

    std::filesystem::path dir_;
    std::filesystem::path incoming_;
    std::filesystem::path ready_;
    std::filesystem::path damaged_;
    SpoolLimits limits_;
    core::Logger log_;
    core::Gauge queue_size_;
    core::Counter damaged_count_;
    int lock_fd_ = -1;

    mutable std::mutex mutex_;
    std::unordered_map<std::string, Tracked> tracked_;
    std::uint64_t total_bytes_ = 0;
};

}  // namespace antenna

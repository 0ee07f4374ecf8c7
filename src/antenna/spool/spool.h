#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
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
//   incoming/                dumps being received, and the dumps of committed crashes (they
//                            stay where they were written)
//   ready/<n>.jsonl          records, one JSON line each, appended by commits: crash id, raw
//                            crash, and each dump's name, file, size, sha256; then lines that
//                            mark a crash of the file saved ({"saved": id}) or gone ({"done": id})
//   damaged/<id>/            found incomplete at startup; never acknowledged, kept for a look
// A crash is committed by one append to the current records file, which is flushed before the
// crash is acknowledged; a file is deleted once every crash in it is done. Records share files
// so that a crash costs no file of its own in the spool: creating and deleting a file per
// crash was a third of the collector's work at 5 KB. One collector owns a spool (an flock on
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

    // Appends the report's record to the current records file; its dumps stay in incoming/ (a
    // dump elsewhere is moved there, and the report's path follows). Returns what must be
    // flushed for the crash to survive a power cut. Throws std::system_error (ENOSPC when the
    // disk is full, EEXIST while a crash with this id is in the spool); the spool is unchanged
    // then, the dumps are the caller's.
    std::vector<std::filesystem::path> commit(CrashReport& report);
    // At startup: the crashes waiting in ready/, oldest first (crashes of the earlier layouts,
    // ready/<id>/ and ready/<id>.json, are rewritten in this one first). Those found incomplete
    // move to damaged/; whatever no record names is removed from incoming/.
    std::vector<std::string> recover();
    // Reads a committed crash back.
    SpoolRecord load(const std::string& crash_id) const;
    void mark_saved(const std::string& crash_id);
    bool is_saved(const std::string& crash_id) const;
    // Forgets crashes once saved and published (or when their commit was not flushed): marks
    // them done, makes the marks durable where dumps are still to be deleted, then deletes
    // their dumps. A crash whose mark cannot be written or flushed stays as it is, to be moved
    // again at the next start; the first such error is thrown once the others are removed.
    void remove(const std::vector<std::string>& crash_ids);
    void remove(const std::string& crash_id) { remove(std::vector<std::string>{crash_id}); }

    // Nothing while there is room, else why not (CRASHMOVER_SPOOL_MAX_CRASHES/_BYTES).
    std::optional<std::string> full() const;
    std::size_t size() const;

    // For `antenna spool list`: reads a spool without taking it.
    static std::vector<SpooledCrash> list(const std::filesystem::path& dir);

private:
    struct Tracked {
        std::uint64_t bytes = 0;
        std::vector<std::filesystem::path> files;  // its dumps in incoming/
        std::uint64_t records_file = 0;            // the number of the file with its record
        std::uint64_t offset = 0;                  // where its record's line starts there
        std::uint64_t length = 0;
        bool saved = false;
    };
    struct RecordsFile {
        std::filesystem::path path;
        std::size_t waiting = 0;  // crashes recorded there and not yet done
        bool torn = false;        // ends with a line cut short: the next line starts anew
    };
    struct Appended {
        std::uint64_t records_file = 0;
        std::uint64_t offset = 0;
    };

    void migrate_legacy_crashes();  // ready/<id>/ -> ready/<id>.json
    void import_record_files();     // ready/<id>.json -> a records file
    // Moves what was found for a crash (a record file, or a legacy crash directory) to damaged/.
    void damage(const std::string& crash_id, const std::filesystem::path& found,
                const std::string& why);
    // The same for a crash recorded in a records file: its line and its dumps.
    void damage_record(const std::string& crash_id, std::string_view line,
                       const std::vector<DumpFile>& dumps, const std::string& why);
    // A line of a records file that is neither a record nor a mark.
    void damage_line(const std::filesystem::path& records_file, std::size_t offset,
                     std::string_view line);
    std::filesystem::path damaged_place(const std::string& name, const std::string& why);
    bool claim(const std::string& crash_id);  // false when the id is taken
    void forget(const std::string& crash_id);

    // With mutex_ held.
    Appended append_locked(std::string_view line);
    void append_to_current_locked(std::string_view line);
    void open_records_file_locked();
    void close_records_file_locked();
    void write_marker_locked(std::uint64_t records_file, std::string_view kind,
                             const std::string& crash_id);
    void release_locked(std::uint64_t records_file);  // one crash of the file is done

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
    std::map<std::uint64_t, RecordsFile> records_files_;
    std::uint64_t next_records_file_ = 1;
    int current_fd_ = -1;  // the records file commits append to, if open
    std::uint64_t current_ = 0;
    std::uint64_t current_size_ = 0;
    std::size_t current_records_ = 0;
};

}  // namespace antenna

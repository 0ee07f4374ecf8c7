#include "antenna/spool/spool.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>
#include <unordered_set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/io/files.h"

namespace antenna {
namespace fs = std::filesystem;
namespace {

constexpr auto kRecordSuffix = ".json";
constexpr auto kSavedSuffix = ".saved";
constexpr auto kPartialSuffix = ".partial";
// The layout before records and dumps were kept flat: ready/<id>/crash.json and dump.<name>.
constexpr auto kLegacyRecord = "crash.json";

fs::path legacy_dump_path(const fs::path& crash_dir, const std::string& dump_name) {
    // Dump names are [A-Za-z0-9_]* (sanitize_key_name), so "dump.<name>" never meets crash.json.
    return crash_dir / ("dump." + dump_name);
}

// A dump file named in a record: a plain name in incoming/, nothing that leads elsewhere.
bool plain_file_name(std::string_view name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

bool ends_with(const std::string& text, std::string_view suffix) {
    return text.size() > suffix.size() && text.ends_with(suffix);
}

std::int64_t epoch_ms(std::chrono::system_clock::time_point when) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
}

std::string record_of(const CrashReport& report, std::chrono::system_clock::time_point received) {
    boost::json::array dumps;
    for (const auto& dump : report.dumps) {
        dumps.push_back(boost::json::object{{"name", dump.name},
                                            {"file", dump.path.filename().string()},
                                            {"size", dump.size},
                                            {"sha256", dump.sha256}});
    }
    return boost::json::serialize(boost::json::object{
        {"crash_id", report.crash_id},
        {"received_ms", epoch_ms(received)},
        {"dumps", std::move(dumps)},
        {"raw_crash", report.raw_crash},
    });
}

// Reads a record; its dumps are files of `dumps_dir` (incoming/), or of the crash's directory in
// the legacy layout (dump.<name>, no "file"). Throws when the record is missing or not what
// commit() wrote.
SpoolRecord read_record(const fs::path& record_file, const fs::path& dumps_dir) {
    boost::json::object record = boost::json::parse(core::read_file(record_file)).as_object();
    SpoolRecord result;
    result.report.crash_id = std::string(record.at("crash_id").as_string());
    result.report.raw_crash = std::move(record.at("raw_crash").as_object());
    result.received = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(record.at("received_ms").to_number<std::int64_t>()));
    for (const auto& value : record.at("dumps").as_array()) {
        const auto& dump = value.as_object();
        std::string name(dump.at("name").as_string());
        fs::path path;
        if (const auto* file = dump.if_contains("file")) {
            std::string_view file_name = file->as_string();
            if (!plain_file_name(file_name)) {
                throw std::runtime_error("a dump file name that is not plain: " +
                                         std::string(file_name));
            }
            path = dumps_dir / std::string(file_name);
        } else {
            path = legacy_dump_path(record_file.parent_path(), name);
        }
        result.report.dumps.push_back(DumpFile{
            .name = std::move(name),
            .path = std::move(path),
            .size = dump.at("size").to_number<std::uint64_t>(),
            .sha256 = std::string(dump.at("sha256").as_string()),
        });
    }
    return result;
}

std::uint64_t dump_bytes(const CrashReport& report) {
    std::uint64_t total = 0;
    for (const auto& dump : report.dumps) {
        total += dump.size;
    }
    return total;
}

// Why a crash found in ready/ at startup cannot be moved, if it cannot. A dump may be missing
// (storage moves dumps out of the spool before the crash is marked saved), but never short.
std::optional<std::string> incomplete(const fs::path& record_file, const fs::path& dumps_dir,
                                      const std::string& crash_id) {
    try {
        SpoolRecord record = read_record(record_file, dumps_dir);
        if (record.report.crash_id != crash_id) {
            return "the record names " + record.report.crash_id;
        }
        for (const auto& dump : record.report.dumps) {
            std::error_code ec;
            auto size = fs::file_size(dump.path, ec);
            if (!ec && size != dump.size) {
                return dump.path.filename().string() + " has " + std::to_string(size) +
                       " bytes, not " + std::to_string(dump.size);
            }
        }
        return std::nullopt;
    } catch (const std::exception& e) {
        return std::string("record unreadable: ") + e.what();
    }
}

int lock_spool(const fs::path& dir) {
    fs::path lock_path = dir / ".lock";
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot open " + lock_path.string() + ": " + std::strerror(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int error = errno;
        char holder[32] = {};
        ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
        ::close(fd);
        std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "?";
        if (error == EWOULDBLOCK) {
            throw std::runtime_error("the spool " + dir.string() +
                                     " is in use by another process (pid " + pid + ")");
        }
        throw std::runtime_error("cannot lock " + lock_path.string() + ": " + std::strerror(error));
    }
    std::string pid = std::to_string(::getpid());
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        int error = errno;
        ::close(fd);
        throw std::runtime_error("cannot write " + lock_path.string() + ": " +
                                 std::strerror(error));
    }
    return fd;
}

}  // namespace

Spool::Spool(fs::path dir, SpoolLimits limits, core::Logger log, core::Metrics& metrics)
    : dir_(std::move(dir)),
      incoming_(dir_ / "incoming"),
      ready_(dir_ / "ready"),
      damaged_(dir_ / "damaged"),
      limits_(limits),
      log_(std::move(log)),
      queue_size_(metrics.gauge("socorro.collector.crashmover.save_queue_size")),
      damaged_count_(metrics.counter("socorro.collector.spool.damaged")) {
    for (const auto& path : {incoming_, ready_, damaged_}) {
        std::error_code ec;
        fs::create_directories(path, ec);
        if (ec) {
            throw std::runtime_error("cannot create the spool directory " + path.string() + ": " +
                                     ec.message());
        }
    }
    lock_fd_ = lock_spool(dir_);
}

Spool::~Spool() {
    if (lock_fd_ >= 0) {
        ::close(lock_fd_);
    }
}

fs::path Spool::record_path(const std::string& crash_id) const {
    return ready_ / (crash_id + kRecordSuffix);
}

fs::path Spool::saved_path(const std::string& crash_id) const {
    return ready_ / (crash_id + kSavedSuffix);
}

std::vector<fs::path> Spool::commit(CrashReport& report) {
    const std::string& id = report.crash_id;
    fs::path partial = incoming_ / (id + kRecordSuffix + kPartialSuffix);
    if (!claim(id)) {
        // Only the stage submitter chooses crash ids. Replacing a crash the mover may be
        // saving would mix two crashes; once the first has been moved, the newer one is
        // accepted and replaces it in storage, as in Antenna.
        throw std::system_error(EEXIST, std::generic_category(),
                                "crash " + id + " is still waiting in the spool");
    }
    std::vector<fs::path> files;
    try {
        for (auto& dump : report.dumps) {
            // A dump that is not whole would be acknowledged and then found damaged.
            if (fs::file_size(dump.path) != dump.size) {
                throw std::system_error(
                    EIO, std::generic_category(),
                    dump.path.string() + " is not " + std::to_string(dump.size) + " bytes long");
            }
            // The payload extractor writes dumps into incoming/, where they stay.
            if (dump.path.parent_path() != incoming_) {
                fs::path placed = incoming_ / (id + ".dump." + dump.name);
                fs::rename(dump.path, placed);
                dump.path = std::move(placed);
            }
            files.push_back(dump.path);
        }
        // The record appears in ready/ by one rename: that is the commit.
        core::write_file(partial, record_of(report, std::chrono::system_clock::now()));
        fs::rename(partial, record_path(id));
    } catch (...) {
        std::error_code ignored;
        fs::remove(partial, ignored);
        forget(id);
        throw;
    }
    std::vector<fs::path> to_flush = files;
    to_flush.push_back(record_path(id));
    to_flush.push_back(incoming_);
    to_flush.push_back(ready_);
    track(id, dump_bytes(report), std::move(files));
    return to_flush;
}

void Spool::migrate_legacy_crashes() {
    for (const auto& entry : fs::directory_iterator(ready_)) {
        if (!entry.is_directory()) {
            continue;
        }
        const fs::path& crash_dir = entry.path();
        std::string id = crash_dir.filename().string();
        SpoolRecord record;
        try {
            record = read_record(crash_dir / kLegacyRecord, incoming_);
        } catch (const std::exception&) {
            damage(id, crash_dir, "record unreadable");
            continue;
        }
        CrashReport& report = record.report;
        for (auto& dump : report.dumps) {
            fs::path placed = incoming_ / (id + ".dump." + dump.name);
            std::error_code ec;
            fs::rename(dump.path, placed, ec);  // missing: storage took it already
            dump.path = std::move(placed);
        }
        bool saved = fs::exists(crash_dir / "saved");
        fs::path partial = incoming_ / (id + kRecordSuffix + kPartialSuffix);
        core::write_file(partial, record_of(report, record.received));
        fs::rename(partial, record_path(id));
        if (saved) {
            core::write_file(saved_path(id), "");
        }
        fs::remove_all(crash_dir);
    }
}

void Spool::damage(const std::string& crash_id, const fs::path& found, const std::string& why) {
    log_.error(crash_id + ": incomplete in the spool (" + why +
               "); it was never acknowledged; moved to " + damaged_.string());
    damaged_count_.incr();
    fs::path place = damaged_ / crash_id;
    std::error_code ec;
    fs::remove_all(place, ec);
    if (fs::is_directory(found)) {
        fs::rename(found, place);
        return;
    }
    fs::create_directories(place);
    try {
        for (const auto& dump : read_record(found, incoming_).report.dumps) {
            fs::rename(dump.path, place / ("dump." + dump.name), ec);
        }
    } catch (const std::exception&) {
        // An unreadable record names no dumps; what it had is cleaned from incoming/.
    }
    fs::rename(found, place / kLegacyRecord);
    fs::remove(saved_path(crash_id), ec);
}

std::vector<std::string> Spool::recover() {
    migrate_legacy_crashes();
    struct Found {
        std::string id;
        std::chrono::system_clock::time_point received;
        std::uint64_t bytes;
        std::vector<fs::path> files;
    };
    std::vector<Found> found;
    std::vector<fs::path> markers;
    for (const auto& entry : fs::directory_iterator(ready_)) {
        std::string name = entry.path().filename().string();
        if (ends_with(name, kSavedSuffix)) {
            markers.push_back(entry.path());
            continue;
        }
        if (!ends_with(name, kRecordSuffix)) {
            damage(name, entry.path(), "not a crash record");
            continue;
        }
        std::string id = name.substr(0, name.size() - std::string_view(kRecordSuffix).size());
        if (auto problem = incomplete(entry.path(), incoming_, id)) {
            damage(id, entry.path(), *problem);
            continue;
        }
        SpoolRecord record = read_record(entry.path(), incoming_);
        Found crash{id, record.received, dump_bytes(record.report), {}};
        for (const auto& dump : record.report.dumps) {
            crash.files.push_back(dump.path);
        }
        found.push_back(std::move(crash));
    }
    // Everything else in incoming/ belongs to nobody: uploads and commits that a previous
    // process never finished (no crash id was given for them), and the dumps of crashes
    // removed halfway.
    std::unordered_set<std::string> kept;
    for (const auto& crash : found) {
        for (const auto& file : crash.files) {
            kept.insert(file.filename().string());
        }
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(incoming_)) {
        if (!kept.contains(entry.path().filename().string())) {
            fs::remove_all(entry.path(), ec);
        }
    }
    for (const auto& marker : markers) {
        std::string name = marker.filename().string();
        std::string id = name.substr(0, name.size() - std::string_view(kSavedSuffix).size());
        if (!fs::exists(record_path(id))) {
            fs::remove(marker, ec);
        }
    }
    std::sort(found.begin(), found.end(),
              [](const Found& a, const Found& b) { return a.received < b.received; });
    std::vector<std::string> ids;
    for (auto& crash : found) {
        track(crash.id, crash.bytes, std::move(crash.files));
        ids.push_back(std::move(crash.id));
    }
    return ids;
}

SpoolRecord Spool::load(const std::string& crash_id) const {
    return read_record(record_path(crash_id), incoming_);
}

void Spool::mark_saved(const std::string& crash_id) {
    // Not flushed: if the marker is lost, the crash is saved again, which storage allows.
    core::write_file(saved_path(crash_id), "");
}

bool Spool::is_saved(const std::string& crash_id) const {
    std::error_code ec;
    return fs::exists(saved_path(crash_id), ec);
}

void Spool::remove(const std::string& crash_id) {
    std::vector<fs::path> files;
    {
        std::lock_guard lock(mutex_);
        if (auto it = tracked_.find(crash_id); it != tracked_.end()) {
            files = it->second.files;
        }
    }
    // The record first, in one step: a kill halfway leaves only dumps that no record names,
    // which the next start removes from incoming/.
    fs::remove(record_path(crash_id));
    forget(crash_id);
    std::error_code ec;
    for (const auto& file : files) {
        fs::remove(file, ec);  // filesystem storage moved it out already
    }
    fs::remove(saved_path(crash_id), ec);
}

bool Spool::claim(const std::string& crash_id) {
    std::lock_guard lock(mutex_);
    return tracked_.emplace(crash_id, Tracked{}).second;
}

void Spool::track(const std::string& crash_id, std::uint64_t bytes, std::vector<fs::path> files) {
    std::lock_guard lock(mutex_);
    Tracked& tracked = tracked_[crash_id];
    total_bytes_ = total_bytes_ - tracked.bytes + bytes;
    tracked.bytes = bytes;
    tracked.files = std::move(files);
    queue_size_.set(static_cast<double>(tracked_.size()));
}

void Spool::forget(const std::string& crash_id) {
    std::lock_guard lock(mutex_);
    auto it = tracked_.find(crash_id);
    if (it != tracked_.end()) {
        total_bytes_ -= it->second.bytes;
        tracked_.erase(it);
    }
    queue_size_.set(static_cast<double>(tracked_.size()));
}

std::optional<std::string> Spool::full() const {
    std::lock_guard lock(mutex_);
    if (limits_.max_crashes > 0 && tracked_.size() >= limits_.max_crashes) {
        return "the spool holds " + std::to_string(tracked_.size()) +
               " crashes waiting for storage, the limit of CRASHMOVER_SPOOL_MAX_CRASHES";
    }
    if (limits_.max_bytes > 0 && total_bytes_ >= limits_.max_bytes) {
        return "the spool holds " + std::to_string(total_bytes_) +
               " bytes of crashes waiting for storage, at CRASHMOVER_SPOOL_MAX_BYTES (" +
               std::to_string(limits_.max_bytes) + ")";
    }
    return std::nullopt;
}

std::size_t Spool::size() const {
    std::lock_guard lock(mutex_);
    return tracked_.size();
}

std::vector<SpooledCrash> Spool::list(const fs::path& dir) {
    std::vector<SpooledCrash> crashes;
    std::error_code ec;
    const fs::path ready = dir / "ready";
    for (const auto& entry : fs::directory_iterator(ready, ec)) {
        std::string name = entry.path().filename().string();
        fs::path record_file = entry.path();
        fs::path saved_marker;
        if (entry.is_directory(ec)) {
            record_file /= kLegacyRecord;
            saved_marker = entry.path() / "saved";
        } else if (ends_with(name, kRecordSuffix)) {
            saved_marker =
                ready / (name.substr(0, name.size() - std::string_view(kRecordSuffix).size()) +
                         kSavedSuffix);
        } else {
            continue;
        }
        try {
            SpoolRecord record = read_record(record_file, dir / "incoming");
            crashes.push_back({
                .crash_id = record.report.crash_id,
                .received = record.received,
                .dumps = record.report.dumps.size(),
                .bytes = dump_bytes(record.report),
                .saved = fs::exists(saved_marker, ec),
            });
        } catch (const std::exception&) {
            // Being removed by the collector right now, or damaged: found again at its start.
        }
    }
    std::sort(crashes.begin(), crashes.end(),
              [](const SpooledCrash& a, const SpooledCrash& b) { return a.received < b.received; });
    return crashes;
}

}  // namespace antenna

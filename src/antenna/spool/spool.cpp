#include "antenna/spool/spool.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/io/files.h"

namespace antenna {
namespace fs = std::filesystem;
namespace {

constexpr auto kRecord = "crash.json";
constexpr auto kSavedMarker = "saved";
constexpr auto kPartialSuffix = ".partial";

fs::path dump_path(const fs::path& crash_dir, const std::string& dump_name) {
    // Dump names are [A-Za-z0-9_]* (sanitize_key_name), so "dump.<name>" never meets crash.json.
    return crash_dir / ("dump." + dump_name);
}

std::int64_t epoch_ms(std::chrono::system_clock::time_point when) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
}

std::string record_of(const CrashReport& report) {
    boost::json::array dumps;
    for (const auto& dump : report.dumps) {
        dumps.push_back(
            boost::json::object{{"name", dump.name}, {"size", dump.size}, {"sha256", dump.sha256}});
    }
    return boost::json::serialize(boost::json::object{
        {"crash_id", report.crash_id},
        {"received_ms", epoch_ms(std::chrono::system_clock::now())},
        {"dumps", std::move(dumps)},
        {"raw_crash", report.raw_crash},
    });
}

// Reads ready/<id>/crash.json; throws when it is missing or not what commit() wrote.
SpoolRecord read_record(const fs::path& crash_dir) {
    boost::json::object record =
        boost::json::parse(core::read_file(crash_dir / kRecord)).as_object();
    SpoolRecord result;
    result.report.crash_id = std::string(record.at("crash_id").as_string());
    result.report.raw_crash = std::move(record.at("raw_crash").as_object());
    result.received = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(record.at("received_ms").to_number<std::int64_t>()));
    for (const auto& value : record.at("dumps").as_array()) {
        const auto& dump = value.as_object();
        std::string name(dump.at("name").as_string());
        fs::path path = dump_path(crash_dir, name);
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
std::optional<std::string> incomplete(const fs::path& crash_dir, const std::string& crash_id) {
    try {
        SpoolRecord record = read_record(crash_dir);
        if (record.report.crash_id != crash_id) {
            return "crash.json names " + record.report.crash_id;
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
        return std::string("crash.json unreadable: ") + e.what();
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
    // Dumps and commits of uploads that a previous process never finished: no crash id was
    // given for them, so they belong to nobody.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(incoming_, ec)) {
        fs::remove_all(entry.path(), ec);
    }
}

Spool::~Spool() {
    if (lock_fd_ >= 0) {
        ::close(lock_fd_);
    }
}

std::vector<fs::path> Spool::commit(CrashReport& report) {
    const std::string& id = report.crash_id;
    fs::path building = incoming_ / (id + kPartialSuffix);
    fs::path target = ready_ / id;
    if (!claim(id)) {
        // Only the stage submitter chooses crash ids. Replacing a crash the mover may be
        // saving would mix two crashes; once the first has been moved, the newer one is
        // accepted and replaces it in storage, as in Antenna.
        throw std::system_error(EEXIST, std::generic_category(),
                                "crash " + id + " is still waiting in the spool");
    }
    try {
        fs::create_directory(building);
        for (auto& dump : report.dumps) {
            fs::path placed = dump_path(building, dump.name);
            fs::rename(dump.path, placed);
            dump.path = std::move(placed);
        }
        core::write_file(building / kRecord, record_of(report));
        fs::rename(building, target);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(building, ignored);
        forget(id);
        throw;
    }
    std::vector<fs::path> to_flush;
    for (auto& dump : report.dumps) {
        dump.path = dump_path(target, dump.name);
        to_flush.push_back(dump.path);
    }
    to_flush.push_back(target / kRecord);
    to_flush.push_back(target);
    to_flush.push_back(ready_);
    track(id, dump_bytes(report));
    return to_flush;
}

std::vector<std::string> Spool::recover() {
    struct Found {
        std::string id;
        std::chrono::system_clock::time_point received;
        std::uint64_t bytes;
    };
    std::vector<Found> found;
    for (const auto& entry : fs::directory_iterator(ready_)) {
        std::string id = entry.path().filename().string();
        if (auto problem = incomplete(entry.path(), id)) {
            log_.error(id + ": incomplete in the spool (" + *problem +
                       "); it was never acknowledged; moved to " + damaged_.string());
            damaged_count_.incr();
            std::error_code ec;
            fs::remove_all(damaged_ / id, ec);
            fs::rename(entry.path(), damaged_ / id);
            continue;
        }
        SpoolRecord record = read_record(entry.path());
        found.push_back({id, record.received, dump_bytes(record.report)});
    }
    std::sort(found.begin(), found.end(),
              [](const Found& a, const Found& b) { return a.received < b.received; });
    std::vector<std::string> ids;
    for (auto& crash : found) {
        track(crash.id, crash.bytes);
        ids.push_back(std::move(crash.id));
    }
    return ids;
}

SpoolRecord Spool::load(const std::string& crash_id) const {
    return read_record(ready_ / crash_id);
}

void Spool::mark_saved(const std::string& crash_id) {
    // Not flushed: if the marker is lost, the crash is saved again, which storage allows.
    core::write_file(ready_ / crash_id / kSavedMarker, "");
}

bool Spool::is_saved(const std::string& crash_id) const {
    std::error_code ec;
    return fs::exists(ready_ / crash_id / kSavedMarker, ec);
}

void Spool::remove(const std::string& crash_id) {
    // Out of ready/ in one step, so that a kill halfway through deleting it leaves no half
    // crash there; incoming/ is emptied at the next start.
    fs::path leaving = incoming_ / (crash_id + ".removed");
    std::error_code ec;
    fs::remove_all(leaving, ec);
    fs::rename(ready_ / crash_id, leaving);
    forget(crash_id);
    fs::remove_all(leaving);
}

bool Spool::claim(const std::string& crash_id) {
    std::lock_guard lock(mutex_);
    return bytes_by_crash_.emplace(crash_id, 0).second;
}

void Spool::track(const std::string& crash_id, std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    std::uint64_t& tracked = bytes_by_crash_[crash_id];
    total_bytes_ = total_bytes_ - tracked + bytes;
    tracked = bytes;
    queue_size_.set(static_cast<double>(bytes_by_crash_.size()));
}

void Spool::forget(const std::string& crash_id) {
    std::lock_guard lock(mutex_);
    auto it = bytes_by_crash_.find(crash_id);
    if (it != bytes_by_crash_.end()) {
        total_bytes_ -= it->second;
        bytes_by_crash_.erase(it);
    }
    queue_size_.set(static_cast<double>(bytes_by_crash_.size()));
}

std::optional<std::string> Spool::full() const {
    std::lock_guard lock(mutex_);
    if (limits_.max_crashes > 0 && bytes_by_crash_.size() >= limits_.max_crashes) {
        return "the spool holds " + std::to_string(bytes_by_crash_.size()) +
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
    return bytes_by_crash_.size();
}

std::vector<SpooledCrash> Spool::list(const fs::path& dir) {
    std::vector<SpooledCrash> crashes;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir / "ready", ec)) {
        try {
            SpoolRecord record = read_record(entry.path());
            crashes.push_back({
                .crash_id = record.report.crash_id,
                .received = record.received,
                .dumps = record.report.dumps.size(),
                .bytes = dump_bytes(record.report),
                .saved = fs::exists(entry.path() / kSavedMarker),
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

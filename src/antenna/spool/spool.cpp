#include "antenna/spool/spool.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <set>
#include <stdexcept>
#include <sys/file.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <unordered_set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/io/files.h"

namespace antenna {
namespace fs = std::filesystem;
namespace {

constexpr auto kRecordsSuffix = ".jsonl";
// A records file takes this many commits, then the next file starts, so that a file empties
// (and is deleted) soon after its crashes are moved.
constexpr std::size_t kRecordsPerFile = 256;
// The layouts before records shared files: ready/<id>.json with ready/<id>.saved, and before
// that ready/<id>/crash.json with dump.<name> files and a "saved" marker.
constexpr auto kRecordSuffix = ".json";
constexpr auto kSavedSuffix = ".saved";
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

std::string stem(const std::string& name, std::string_view suffix) {
    return name.substr(0, name.size() - suffix.size());
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

// A record as commit() wrote it; its dumps are files of `dumps_dir` (incoming/), or of
// `legacy_dir` (dump.<name>, no "file") for a crash of the directory layout. Throws when the
// record is not what commit() wrote.
SpoolRecord parse_record(boost::json::object record, const fs::path& dumps_dir,
                         const fs::path& legacy_dir = {}) {
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
        } else if (!legacy_dir.empty()) {
            path = legacy_dump_path(legacy_dir, name);
        } else {
            throw std::runtime_error("a dump without a file");
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

// Deeper than any raw crash the payload extractor accepts (boost::json's default depth for
// a JSON payload), which sits two levels down in a record.
boost::json::parse_options record_parse_options() {
    boost::json::parse_options options;
    options.max_depth = 64;
    return options;
}

boost::json::object parse_object(std::string_view text) {
    return boost::json::parse(text, {}, record_parse_options()).as_object();
}

// Reads a record file of the earlier layouts. Throws when it is missing or not a record.
SpoolRecord read_record(const fs::path& record_file, const fs::path& dumps_dir) {
    return parse_record(parse_object(core::read_file(record_file)), dumps_dir,
                        record_file.parent_path());
}

std::uint64_t dump_bytes(const CrashReport& report) {
    std::uint64_t total = 0;
    for (const auto& dump : report.dumps) {
        total += dump.size;
    }
    return total;
}

// Why a spooled crash cannot be moved, if it cannot. A dump may be missing (storage moves dumps
// out of the spool before the crash is done), but never short.
std::optional<std::string> short_dump(const CrashReport& report) {
    for (const auto& dump : report.dumps) {
        std::error_code ec;
        auto size = fs::file_size(dump.path, ec);
        if (!ec && size != dump.size) {
            return dump.path.filename().string() + " has " + std::to_string(size) + " bytes, not " +
                   std::to_string(dump.size);
        }
    }
    return std::nullopt;
}

std::optional<std::string> incomplete(const fs::path& record_file, const fs::path& dumps_dir,
                                      const std::string& crash_id) {
    try {
        SpoolRecord record = read_record(record_file, dumps_dir);
        if (record.report.crash_id != crash_id) {
            return "the record names " + record.report.crash_id;
        }
        return short_dump(record.report);
    } catch (const std::exception& e) {
        return std::string("record unreadable: ") + e.what();
    }
}

// The crashes of a records file, in the order written, with what later lines say of them.
struct RecordLine {
    std::string crash_id;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;  // without the newline
    bool done = false;
    bool saved = false;
};

struct RecordsFileContent {
    std::vector<RecordLine> records;
    // Whole lines that are neither records nor marks: damaged, as a kill leaves no newline.
    std::vector<std::pair<std::size_t, std::size_t>> unreadable;  // offset, length
    // The bytes up to the last newline; what follows is a line cut short by a kill or a full
    // disk, never acknowledged.
    std::size_t whole = 0;
};

RecordsFileContent read_records_file(const std::string& content) {
    RecordsFileContent file;
    std::vector<RecordLine>& lines = file.records;
    std::unordered_map<std::string, std::size_t> latest;  // crash id -> its newest line
    std::size_t start = 0;
    for (std::size_t end; (end = content.find('\n', start)) != std::string::npos; start = end + 1) {
        file.whole = end + 1;
        std::string_view line(content.data() + start, end - start);
        if (line.empty()) {
            continue;  // after a line cut short, the next one starts with a newline
        }
        boost::system::error_code ec;
        boost::json::value value = boost::json::parse(line, ec, {}, record_parse_options());
        if (ec || !value.is_object()) {
            file.unreadable.emplace_back(start, line.size());
            continue;
        }
        const auto& object = value.as_object();
        if (const auto* id = object.if_contains("crash_id"); id && id->is_string()) {
            std::string crash_id(id->as_string());
            if (auto it = latest.find(crash_id); it != latest.end()) {
                lines[it->second].done = true;  // committed again once done: the newer counts
            }
            latest[crash_id] = lines.size();
            lines.push_back(
                {.crash_id = std::move(crash_id), .offset = start, .length = line.size()});
            continue;
        }
        bool mark = false;
        for (const char* kind : {"done", "saved"}) {
            const auto* id = object.if_contains(kind);
            if (!id || !id->is_string()) {
                continue;
            }
            mark = true;
            if (auto it = latest.find(std::string(id->as_string())); it != latest.end()) {
                (kind == std::string_view("done") ? lines[it->second].done
                                                  : lines[it->second].saved) = true;
            }
        }
        if (!mark) {
            file.unreadable.emplace_back(start, line.size());
        }
    }
    return file;
}

// The records files of a spool by number.
std::map<std::uint64_t, fs::path> records_files_in(const fs::path& ready) {
    std::map<std::uint64_t, fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(ready, ec)) {
        std::string name = entry.path().filename().string();
        if (!ends_with(name, kRecordsSuffix)) {
            continue;
        }
        std::string number = stem(name, kRecordsSuffix);
        if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos ||
            number.size() > 18) {
            continue;
        }
        files.emplace(std::stoull(number), entry.path());
    }
    return files;
}

std::string read_range(const fs::path& path, std::uint64_t offset, std::uint64_t length) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "open " + path.string());
    }
    std::string data(length, '\0');
    std::size_t done = 0;
    while (done < length) {
        ssize_t n =
            ::pread(fd, data.data() + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            int error = n < 0 ? errno : EIO;
            ::close(fd);
            throw std::system_error(error, std::generic_category(), "read " + path.string());
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return data;
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
    for (const auto& [number, path] : records_files_in(ready_)) {
        next_records_file_ = std::max(next_records_file_, number + 1);
    }
}

Spool::~Spool() {
    if (current_fd_ >= 0) {
        ::close(current_fd_);
    }
    if (lock_fd_ >= 0) {
        ::close(lock_fd_);
    }
}

std::vector<fs::path> Spool::commit(CrashReport& report) {
    const std::string& id = report.crash_id;
    if (!claim(id)) {
        // Only the stage submitter chooses crash ids. Replacing a crash the mover may be
        // saving would mix two crashes; once the first has been moved, the newer one is
        // accepted and replaces it in storage, as in Antenna.
        throw std::system_error(EEXIST, std::generic_category(),
                                "crash " + id + " is still waiting in the spool");
    }
    std::vector<fs::path> files;
    std::string line;
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
        line = record_of(report, std::chrono::system_clock::now()) + "\n";
    } catch (...) {
        forget(id);
        throw;
    }
    std::vector<fs::path> to_flush = files;
    std::lock_guard lock(mutex_);
    Appended appended;
    try {
        appended = append_locked(line);
    } catch (...) {
        tracked_.erase(id);
        throw;
    }
    Tracked& tracked = tracked_[id];
    tracked.bytes = dump_bytes(report);
    tracked.files = std::move(files);
    tracked.records_file = appended.records_file;
    tracked.offset = appended.offset;
    tracked.length = line.size() - 1;
    total_bytes_ += tracked.bytes;
    queue_size_.set(static_cast<double>(tracked_.size()));
    to_flush.push_back(records_files_.at(appended.records_file).path);
    to_flush.push_back(incoming_);
    to_flush.push_back(ready_);
    return to_flush;
}

Spool::Appended Spool::append_locked(std::string_view line) {
    if (current_fd_ < 0) {
        open_records_file_locked();
    }
    Appended appended{.records_file = current_, .offset = current_size_};
    append_to_current_locked(line);
    ++records_files_.at(appended.records_file).waiting;
    if (++current_records_ >= kRecordsPerFile) {
        close_records_file_locked();
    }
    return appended;
}

void Spool::append_to_current_locked(std::string_view line) {
    try {
        core::write_all(current_fd_, line, "append to the current records file");
    } catch (...) {
        // Cut back to the last whole line, so that later lines stay whole; if that fails too,
        // the next line goes to a new file, and a mark added here starts on a line of its own.
        if (::ftruncate(current_fd_, static_cast<off_t>(current_size_)) != 0) {
            records_files_.at(current_).torn = true;
            close_records_file_locked();
        }
        throw;
    }
    current_size_ += line.size();
}

void Spool::open_records_file_locked() {
    char name[32];
    std::snprintf(name, sizeof name, "%012llu%s",
                  static_cast<unsigned long long>(next_records_file_), kRecordsSuffix);
    fs::path path = ready_ / name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "create " + path.string());
    }
    current_fd_ = fd;
    current_ = next_records_file_++;
    current_size_ = 0;
    current_records_ = 0;
    records_files_[current_] = RecordsFile{.path = std::move(path), .waiting = 0};
}

void Spool::close_records_file_locked() {
    if (current_fd_ >= 0) {
        ::close(current_fd_);
        current_fd_ = -1;
    }
    current_ = 0;
}

void Spool::write_marker_locked(std::uint64_t records_file, std::string_view kind,
                                const std::string& crash_id) {
    RecordsFile& file = records_files_.at(records_file);
    std::string line = (file.torn ? "\n" : "") +
                       boost::json::serialize(boost::json::object{{kind, crash_id}}) + "\n";
    if (records_file == current_ && current_fd_ >= 0) {
        append_to_current_locked(line);
        return;
    }
    int fd = ::open(file.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "open " + file.path.string());
    }
    struct stat before {};
    try {
        if (::fstat(fd, &before) != 0) {
            throw std::system_error(errno, std::generic_category(), "stat " + file.path.string());
        }
        core::write_all(fd, line, "append to " + file.path.string());
    } catch (...) {
        if (before.st_size > 0 && ::ftruncate(fd, before.st_size) != 0) {
            file.torn = true;
        }
        ::close(fd);
        throw;
    }
    ::close(fd);
    file.torn = false;
}

void Spool::release_locked(std::uint64_t records_file) {
    auto it = records_files_.find(records_file);
    if (it == records_files_.end() || --it->second.waiting > 0) {
        return;
    }
    if (records_file == current_) {
        close_records_file_locked();
    }
    if (::unlink(it->second.path.c_str()) != 0 && errno != ENOENT) {
        log_.warning("cannot delete " + it->second.path.string() + ": " + std::strerror(errno));
    }
    records_files_.erase(it);
}

void Spool::migrate_legacy_crashes() {
    std::vector<fs::path> written;
    std::vector<fs::path> migrated;
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
        written.push_back(ready_ / (id + kRecordSuffix));
        core::write_file(written.back(), record_of(report, record.received));
        if (fs::exists(crash_dir / "saved")) {
            written.push_back(ready_ / (id + kSavedSuffix));
            core::write_file(written.back(), "");
        }
        migrated.push_back(crash_dir);
    }
    if (migrated.empty()) {
        return;
    }
    // The crashes are whole in the newer layout before the older one goes.
    for (const auto& path : written) {
        core::fsync_path(path);
    }
    core::fsync_path(incoming_);
    core::fsync_path(ready_);
    for (const auto& crash_dir : migrated) {
        fs::remove(crash_dir / kLegacyRecord);  // first: a kill halfway leaves no record behind
        fs::remove_all(crash_dir);
    }
}

void Spool::import_record_files() {
    std::vector<fs::path> imported;
    for (const auto& entry : fs::directory_iterator(ready_)) {
        std::string name = entry.path().filename().string();
        if (!entry.is_regular_file() || !ends_with(name, kRecordSuffix)) {
            continue;
        }
        std::string id = stem(name, kRecordSuffix);
        if (auto problem = incomplete(entry.path(), incoming_, id)) {
            damage(id, entry.path(), *problem);
            continue;
        }
        // Serialized again: one line, whatever the file's layout.
        std::string line =
            boost::json::serialize(parse_object(core::read_file(entry.path()))) + "\n";
        std::lock_guard lock(mutex_);
        Appended appended = append_locked(line);
        imported.push_back(entry.path());
        fs::path saved = ready_ / (id + kSavedSuffix);
        if (fs::exists(saved)) {
            write_marker_locked(appended.records_file, "saved", id);
            imported.push_back(saved);
        }
    }
    std::lock_guard lock(mutex_);
    for (const auto& [number, file] : records_files_) {
        core::fsync_path(file.path);
    }
    close_records_file_locked();
    records_files_.clear();
    if (imported.empty()) {
        return;
    }
    core::fsync_path(incoming_);
    core::fsync_path(ready_);
    for (const auto& path : imported) {
        fs::remove(path);
    }
}

fs::path Spool::damaged_place(const std::string& name, const std::string& why) {
    log_.error(name + ": incomplete in the spool (" + why +
               "); it was never acknowledged; moved to " + damaged_.string());
    damaged_count_.incr();
    // The name comes from the spool's own files, which may be damaged: only a plain name.
    fs::path place = damaged_ / (plain_file_name(name) ? name : "unnamed");
    std::error_code ec;
    fs::remove_all(place, ec);
    return place;
}

void Spool::damage_line(const fs::path& records_file, std::size_t offset, std::string_view line) {
    fs::path place = damaged_place(records_file.filename().string() + "-" + std::to_string(offset),
                                   "a line that is not a crash record");
    fs::create_directories(place);
    core::write_file(place / kLegacyRecord, line);
}

void Spool::damage(const std::string& crash_id, const fs::path& found, const std::string& why) {
    fs::path place = damaged_place(crash_id, why);
    std::error_code ec;
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
    fs::remove(ready_ / (crash_id + kSavedSuffix), ec);
}

void Spool::damage_record(const std::string& crash_id, std::string_view line,
                          const std::vector<DumpFile>& dumps, const std::string& why) {
    fs::path place = damaged_place(crash_id, why);
    fs::create_directories(place);
    core::write_file(place / kLegacyRecord, line);
    std::error_code ec;
    for (const auto& dump : dumps) {
        fs::rename(dump.path, place / ("dump." + dump.name), ec);
    }
}

std::vector<std::string> Spool::recover() {
    migrate_legacy_crashes();
    import_record_files();
    struct Found {
        std::chrono::system_clock::time_point received{};
        Tracked tracked;
    };
    std::unordered_map<std::string, Found> found;
    std::lock_guard lock(mutex_);
    const std::map<std::uint64_t, fs::path> records_files = records_files_in(ready_);
    std::unordered_set<fs::path> known;
    for (const auto& [number, path] : records_files) {
        known.insert(path);
    }
    for (const auto& entry : fs::directory_iterator(ready_)) {
        if (known.contains(entry.path())) {
            continue;
        }
        std::string name = entry.path().filename().string();
        if (ends_with(name, kSavedSuffix)) {
            fs::remove(entry.path());  // the mark of a crash that is gone
            continue;
        }
        damage(name, entry.path(), "not a crash record");
    }
    for (const auto& [number, path] : records_files) {
        RecordsFile& file = records_files_[number] = RecordsFile{.path = path};
        std::string content = core::read_file(path);
        RecordsFileContent lines = read_records_file(content);
        if (lines.whole < content.size()) {
            // A line cut short was never acknowledged: cut it off before anything is added.
            std::error_code ec;
            fs::resize_file(path, lines.whole, ec);
            file.torn = static_cast<bool>(ec);
            log_.warning(path.string() + ": the last line was cut short (by a kill or a full " +
                         "disk, never acknowledged); " + (ec ? "skipped" : "removed"));
        }
        for (const auto& [offset, length] : lines.unreadable) {
            damage_line(path, offset, std::string_view(content).substr(offset, length));
        }
        for (const RecordLine& line : lines.records) {
            // A record of the crash in a later file supersedes any earlier one, done or not:
            // the crash was done before it was committed again, even if that mark was lost.
            if (auto older = found.find(line.crash_id); older != found.end()) {
                --records_files_.at(older->second.tracked.records_file).waiting;
                found.erase(older);
            }
            if (line.done) {
                continue;
            }
            std::string_view text(content.data() + line.offset, line.length);
            SpoolRecord record;
            std::optional<std::string> problem;
            try {
                record = parse_record(parse_object(text), incoming_);
                problem = short_dump(record.report);
            } catch (const std::exception& e) {
                problem = std::string("record unreadable: ") + e.what();
            }
            if (problem) {
                // Marked first: a kill before the mark finds the crash damaged again.
                try {
                    write_marker_locked(number, "done", line.crash_id);
                } catch (const std::exception& e) {
                    log_.warning(line.crash_id + ": cannot mark it done (" + e.what() +
                                 "); found damaged again at the next start");
                }
                damage_record(line.crash_id, text, record.report.dumps, *problem);
                continue;
            }
            Found crash{.received = record.received,
                        .tracked = Tracked{.bytes = dump_bytes(record.report),
                                           .files = {},
                                           .records_file = number,
                                           .offset = line.offset,
                                           .length = line.length,
                                           .saved = line.saved}};
            for (const auto& dump : record.report.dumps) {
                crash.tracked.files.push_back(dump.path);
            }
            found.emplace(line.crash_id, std::move(crash));
            ++file.waiting;
        }
    }
    for (auto it = records_files_.begin(); it != records_files_.end();) {
        if (it->second.waiting == 0) {
            fs::remove(it->second.path);
            it = records_files_.erase(it);
        } else {
            ++it;
        }
    }
    // Everything else in incoming/ belongs to nobody: uploads and commits that a previous
    // process never finished (no crash id was given for them), and the dumps of crashes
    // removed halfway.
    std::unordered_set<std::string> kept;
    for (const auto& [id, crash] : found) {
        for (const auto& file : crash.tracked.files) {
            kept.insert(file.filename().string());
        }
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(incoming_)) {
        if (!kept.contains(entry.path().filename().string())) {
            fs::remove_all(entry.path(), ec);
        }
    }
    std::vector<std::pair<std::chrono::system_clock::time_point, std::string>> order;
    for (auto& [id, crash] : found) {
        order.emplace_back(crash.received, id);
        total_bytes_ += crash.tracked.bytes;
        tracked_[id] = std::move(crash.tracked);
    }
    if (!found.empty()) {
        queue_size_.set(static_cast<double>(tracked_.size()));
    }
    std::sort(order.begin(), order.end());
    std::vector<std::string> ids;
    for (auto& [received, id] : order) {
        ids.push_back(std::move(id));
    }
    return ids;
}

SpoolRecord Spool::load(const std::string& crash_id) const {
    fs::path path;
    Tracked where;
    {
        std::lock_guard lock(mutex_);
        auto it = tracked_.find(crash_id);
        if (it == tracked_.end() || it->second.length == 0) {
            throw std::system_error(ENOENT, std::generic_category(),
                                    "crash " + crash_id + " is not in the spool");
        }
        where = it->second;
        path = records_files_.at(where.records_file).path;
    }
    return parse_record(parse_object(read_range(path, where.offset, where.length)), incoming_);
}

void Spool::mark_saved(const std::string& crash_id) {
    // Not flushed: if the mark is lost, the crash is saved again, which storage allows.
    std::lock_guard lock(mutex_);
    auto it = tracked_.find(crash_id);
    if (it == tracked_.end() || it->second.length == 0) {
        return;
    }
    it->second.saved = true;
    write_marker_locked(it->second.records_file, "saved", crash_id);
}

bool Spool::is_saved(const std::string& crash_id) const {
    std::lock_guard lock(mutex_);
    auto it = tracked_.find(crash_id);
    return it != tracked_.end() && it->second.saved;
}

void Spool::remove(const std::vector<std::string>& crash_ids) {
    std::exception_ptr failure;
    auto failed = [&failure] {
        if (!failure) {
            failure = std::current_exception();
        }
    };
    // Marked first: a kill before the mark leaves the crash to be moved again (it is published
    // twice); after it, only dumps that no record names, which the next start removes.
    std::vector<std::string> marked;
    std::set<fs::path> to_flush;
    {
        std::lock_guard lock(mutex_);
        for (const auto& crash_id : crash_ids) {
            auto it = tracked_.find(crash_id);
            if (it == tracked_.end() || it->second.length == 0) {
                continue;  // unknown, or its commit is under way
            }
            try {
                write_marker_locked(it->second.records_file, "done", crash_id);
            } catch (...) {
                failed();
                continue;
            }
            marked.push_back(crash_id);
            // Filesystem storage moved the dumps out already; dumps still here are deleted
            // below, which must not reach the disk before the mark does.
            for (const auto& dump : it->second.files) {
                std::error_code ec;
                if (fs::exists(dump, ec)) {
                    to_flush.insert(records_files_.at(it->second.records_file).path);
                    break;
                }
            }
        }
    }
    for (const auto& path : to_flush) {
        try {
            core::fsync_path(path);
        } catch (...) {
            failed();
            return std::rethrow_exception(failure);  // nothing deleted: moved again next start
        }
    }
    std::vector<fs::path> dumps;
    {
        std::lock_guard lock(mutex_);
        for (const auto& crash_id : marked) {
            auto it = tracked_.find(crash_id);
            release_locked(it->second.records_file);
            dumps.insert(dumps.end(), it->second.files.begin(), it->second.files.end());
            total_bytes_ -= it->second.bytes;
            tracked_.erase(it);
        }
        queue_size_.set(static_cast<double>(tracked_.size()));
    }
    std::error_code ec;
    for (const auto& dump : dumps) {
        fs::remove(dump, ec);
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
}

bool Spool::claim(const std::string& crash_id) {
    std::lock_guard lock(mutex_);
    return tracked_.emplace(crash_id, Tracked{}).second;
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
    std::unordered_map<std::string, SpooledCrash> crashes;
    auto add = [&crashes](const SpoolRecord& record, bool saved) {
        crashes[record.report.crash_id] = SpooledCrash{
            .crash_id = record.report.crash_id,
            .received = record.received,
            .dumps = record.report.dumps.size(),
            .bytes = dump_bytes(record.report),
            .saved = saved,
        };
    };
    std::error_code ec;
    const fs::path ready = dir / "ready";
    const fs::path incoming = dir / "incoming";
    // A spool of the earlier layouts, not yet rewritten by a collector's start.
    for (const auto& entry : fs::directory_iterator(ready, ec)) {
        std::string name = entry.path().filename().string();
        fs::path record_file = entry.path();
        fs::path saved_marker;
        if (entry.is_directory(ec)) {
            record_file /= kLegacyRecord;
            saved_marker = entry.path() / "saved";
        } else if (ends_with(name, kRecordSuffix)) {
            saved_marker = ready / (stem(name, kRecordSuffix) + kSavedSuffix);
        } else {
            continue;
        }
        try {
            add(read_record(record_file, incoming), fs::exists(saved_marker, ec));
        } catch (const std::exception&) {
            // Being rewritten by the collector right now, or damaged: found again at its start.
        }
    }
    for (const auto& [number, path] : records_files_in(ready)) {
        std::string content;
        try {
            content = core::read_file(path);
        } catch (const std::exception&) {
            continue;  // emptied and deleted by the collector meanwhile
        }
        for (const RecordLine& line : read_records_file(content).records) {
            if (line.done) {
                crashes.erase(line.crash_id);
                continue;
            }
            try {
                add(parse_record(
                        parse_object(std::string_view(content).substr(line.offset, line.length)),
                        incoming),
                    line.saved);
            } catch (const std::exception&) {
                // Damaged: set aside at the collector's next start.
            }
        }
    }
    std::vector<SpooledCrash> sorted;
    for (auto& [id, crash] : crashes) {
        sorted.push_back(std::move(crash));
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const SpooledCrash& a, const SpooledCrash& b) { return a.received < b.received; });
    return sorted;
}

}  // namespace antenna

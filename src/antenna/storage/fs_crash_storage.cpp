#include "antenna/storage/fs_crash_storage.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

#include "antenna/crash_id.h"
#include "core/json/python_json.h"

namespace antenna {
namespace fs = std::filesystem;
namespace {

// Writes `data` to `path` (truncating, like Python's open(fn, "wb")).
void write_file(const fs::path& path, std::string_view data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "open " + path.string());
    }
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int error = errno;
            ::close(fd);
            throw std::system_error(error, std::generic_category(), "write " + path.string());
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::close(fd) != 0) {
        throw std::system_error(errno, std::generic_category(), "close " + path.string());
    }
}

// Moves a dump into place; a dump already moved by an earlier attempt is left as it is.
void place_dump(const DumpFile& dump, const fs::path& target) {
    std::error_code ec;
    fs::rename(dump.path, target, ec);
    if (!ec) {
        return;
    }
    if (ec == std::errc::cross_device_link) {
        fs::copy_file(dump.path, target, fs::copy_options::overwrite_existing);
        fs::remove(dump.path);
        return;
    }
    if (ec == std::errc::no_such_file_or_directory && fs::exists(target) &&
        fs::file_size(target) == dump.size) {
        return;
    }
    throw fs::filesystem_error("rename dump", dump.path, target, ec);
}

}  // namespace

FsCrashStorage::FsCrashStorage(fs::path root, core::Logger log)
    : root_(fs::absolute(std::move(root)).lexically_normal()), log_(std::move(log)) {
    if (root_.has_filename() == false) {
        root_ = root_.parent_path();  // no trailing separator, as Antenna's abspath()
    }
}

Outcome FsCrashStorage::verify() {
    std::error_code ec;
    fs::create_directories(root_, ec);
    if (ec) {
        return Outcome::failure("cannot create " + root_.string() + ": " + ec.message());
    }
    if (::access(root_.c_str(), W_OK) != 0) {
        return Outcome::failure(root_.string() + " is not writable: " + std::strerror(errno));
    }
    return Outcome::success();
}

boost::asio::awaitable<std::optional<std::string>> FsCrashStorage::check_health() {
    Outcome ok = verify();
    co_return ok.ok ? std::nullopt : std::optional<std::string>(ok.error);
}

boost::asio::awaitable<Outcome> FsCrashStorage::save(CrashReport& report) {
    co_return save_now(report);
}

Outcome FsCrashStorage::save_now(CrashReport& report) {
    try {
        const std::string& id = report.crash_id;
        fs::path day = root_ / date_from_crash_id(id);

        std::vector<std::string> names;
        for (const auto& dump : report.dumps) {
            names.push_back(dump.name);
        }
        std::sort(names.begin(), names.end());
        boost::json::array name_list(names.begin(), names.end());

        fs::create_directories(day / "dump_names");
        write_file(day / "dump_names" / (id + ".json"), core::json::python_dumps(name_list));
        for (const auto& dump : report.dumps) {
            fs::path directory = day / dump.name;
            fs::create_directories(directory);
            log_.debug("Saving file '" + (directory / id).string() + "'");
            place_dump(dump, directory / id);
        }
        fs::create_directories(day / "raw_crash");
        write_file(day / "raw_crash" / (id + ".json"),
                   core::json::python_dumps(report.raw_crash, {.sort_keys = true}));
        return Outcome::success();
    } catch (const std::exception& e) {
        return Outcome::failure(e.what());
    }
}

boost::asio::awaitable<Outcome> NoOpCrashStorage::save(CrashReport& report) {
    log_.info("crash storage no-op: " + report.crash_id);
    co_return Outcome::success();
}

}  // namespace antenna

#include "antenna/storage/fs_crash_storage.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

#include "antenna/crash_id.h"
#include "core/io/files.h"
#include "core/json/python_json.h"

namespace antenna {
namespace fs = std::filesystem;
namespace {

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
        core::write_file(day / "dump_names" / (id + ".json"), core::json::python_dumps(name_list));
        for (const auto& dump : report.dumps) {
            fs::path directory = day / dump.name;
            fs::create_directories(directory);
            log_.debug("Saving file '" + (directory / id).string() + "'");
            place_dump(dump, directory / id);
        }
        fs::create_directories(day / "raw_crash");
        core::write_file(day / "raw_crash" / (id + ".json"),
                         core::json::python_dumps(report.raw_crash, {.sort_keys = true}));
        return Outcome::success();
    } catch (const std::exception& e) {
        return Outcome::failure(e.what());
    }
}

boost::asio::awaitable<Outcome> FsCrashStorage::flush() {
    try {
        core::sync_filesystem(root_);
        co_return Outcome::success();
    } catch (const std::exception& e) {
        co_return Outcome::failure(e.what());
    }
}

boost::asio::awaitable<Outcome> NoOpCrashStorage::save(CrashReport& report) {
    log_.info("crash storage no-op: " + report.crash_id);
    co_return Outcome::success();
}

}  // namespace antenna

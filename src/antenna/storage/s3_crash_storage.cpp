#include "antenna/storage/s3_crash_storage.h"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "antenna/crash_id.h"
#include "core/async/wait_for.h"
#include "core/json/python_json.h"

namespace antenna {

std::string dump_names_key(const std::string& crash_id) {
    return "v1/dump_names/" + crash_id;
}

std::string dump_key(const std::string& dump_name, const std::string& crash_id) {
    bool minidump = dump_name.empty() || dump_name == "upload_file_minidump";
    return "v1/" + (minidump ? std::string("dump") : dump_name) + "/" + crash_id;
}

std::string raw_crash_key(const std::string& crash_id) {
    return "v1/raw_crash/" + date_from_crash_id(crash_id) + "/" + crash_id;
}

S3CrashStorage::S3CrashStorage(std::string name, clients::aws::S3Options options, core::Logger log)
    : name_(std::move(name)), client_(std::move(options)), log_(std::move(log)) {}

boost::asio::awaitable<Outcome> S3CrashStorage::save(CrashReport& report) {
    const std::string& id = report.crash_id;
    std::vector<std::string> names;
    for (const auto& dump : report.dumps) {
        names.push_back(dump.name);
    }
    std::sort(names.begin(), names.end());
    std::string key = dump_names_key(id);
    std::string content = core::json::python_dumps(boost::json::array(names.begin(), names.end()));
    auto saved = co_await client_.put_object(key, content);
    for (const auto& dump : report.dumps) {
        if (!saved.ok()) {
            break;
        }
        key = dump_key(dump.name, id);
        log_.debug("Saving object '" + key + "'");
        saved = co_await client_.put_file(key, dump.path, dump.size, dump.sha256);
    }
    if (saved.ok()) {
        key = raw_crash_key(id);
        content = core::json::python_dumps(report.raw_crash, {.sort_keys = true});
        saved = co_await client_.put_object(key, content);
    }
    if (!saved.ok()) {
        log_.error(id + ": cannot save " + key + ": " + saved.error);
        co_return Outcome::failure(saved.error);
    }
    co_return Outcome::success();
}

Outcome S3CrashStorage::verify() {
    std::string key =
        "test/testfile-" + boost::uuids::to_string(boost::uuids::random_generator()()) + ".txt";
    std::string content = "test";
    clients::aws::S3Result result = core::wait_for(client_.put_object(key, content));
    if (!result.ok()) {
        return Outcome::failure("cannot write to the bucket: " + result.error);
    }
    return Outcome::success();
}

boost::asio::awaitable<std::optional<std::string>> S3CrashStorage::check_health() {
    clients::aws::S3Result result = co_await client_.head_bucket();
    if (!result.ok()) {
        co_return result.error;
    }
    co_return std::nullopt;
}

}  // namespace antenna

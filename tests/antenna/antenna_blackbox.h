#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <signal.h>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>

#include "antenna/mini_poster.h"
#include "raw_client.h"
#include "server_process.h"
#include "temp_dir.h"

namespace antenna_tests {

namespace fs = std::filesystem;
using testing_support::Env;
using testing_support::HttpResponse;
using testing_support::RawClient;
using testing_support::ServerProcess;
using namespace std::chrono_literals;

using testing_support::TempDir;

inline std::string read_file(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// Every regular file under `root`, relative path -> content.
inline std::map<std::string, std::string> stored_files(const fs::path& root) {
    std::map<std::string, std::string> files;
    if (!fs::exists(root)) {
        return files;
    }
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) {
            files[fs::relative(entry.path(), root).string()] = read_file(entry.path());
        }
    }
    return files;
}

// antenna with filesystem storage in a temporary directory and, unless the test says
// otherwise, the compatibility plan's settings: ACCEPT_ALL rules, ALL_PRODUCTS.
class Collector {
public:
    explicit Collector(Env env = {}) {
        env.try_emplace("CRASHMOVER_CRASHSTORAGE_CLASS", "fs");
        env.try_emplace("CRASHMOVER_CRASHSTORAGE_FS_ROOT", root().string());
        env.try_emplace("CRASHMOVER_SPOOL_DIR", (dir_.path() / "spool").string());
        env.try_emplace("BREAKPAD_THROTTLER_RULES", "antenna.throttler.ACCEPT_ALL");
        env.try_emplace("BREAKPAD_THROTTLER_PRODUCTS", "antenna.throttler.ALL_PRODUCTS");
        env.try_emplace("ACCESS_LOG", "false");
        env_ = env;
        process_ = std::make_unique<ServerProcess>(ANTENNA_BINARY, std::move(env));
    }

    // Stops the collector gracefully and starts it again with the same settings.
    void restart() {
        process_->signal(SIGTERM);
        process_->wait_exit(10s);
        process_ = std::make_unique<ServerProcess>(ANTENNA_BINARY, env_);
    }

    // Kills the collector (SIGKILL: no drain, nothing cleaned up) and starts it again.
    void kill_and_restart() {
        kill();
        start();
    }
    void kill() {
        process_->signal(SIGKILL);
        process_->wait_exit(10s);
        previous_.push_back(std::move(process_));
    }
    // Stops the collector gracefully; start() brings it back, with `changes` to its settings.
    std::optional<int> stop() {
        process_->signal(SIGTERM);
        std::optional<int> exit_code = process_->wait_exit(30s);
        previous_.push_back(std::move(process_));
        return exit_code;
    }
    void start(const Env& changes = {}) {
        for (const auto& [name, value] : changes) {
            env_[name] = value;
        }
        process_ = std::make_unique<ServerProcess>(ANTENNA_BINARY, env_);
    }
    const Env& env() const { return env_; }
    // The log lines of every process this collector ran, in order.
    std::vector<std::string> all_lines() const {
        std::vector<std::string> lines;
        for (const auto& process : previous_) {
            auto more = process->lines();
            lines.insert(lines.end(), more.begin(), more.end());
        }
        if (process_) {
            auto more = process_->lines();
            lines.insert(lines.end(), more.begin(), more.end());
        }
        return lines;
    }

    fs::path root() const { return dir_.path() / "crashes"; }
    fs::path spool() const { return env_.at("CRASHMOVER_SPOOL_DIR"); }
    ServerProcess& process() { return *process_; }
    std::uint16_t port() const { return process_->port(); }
    // What storage holds once the spool has moved every acknowledged crash (with the default
    // CRASHMOVER_ACK=spool, storage is written after the answer).
    std::map<std::string, std::string> files() const {
        wait_until_moved();
        return stored_files(root());
    }
    // The mover marks a moved crash done, deletes a records file of ready/ once all of its
    // crashes are done and forgets the crash, then its dumps: once ready/ is empty, the spool
    // no longer counts any crash.
    bool wait_until_moved(std::chrono::milliseconds timeout = 10s) const {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        auto holds_crashes = [this] {
            return fs::exists(spool() / "ready") && !fs::is_empty(spool() / "ready");
        };
        while (holds_crashes()) {
            if (std::chrono::steady_clock::now() > deadline) {
                return false;
            }
            std::this_thread::sleep_for(10ms);
        }
        return true;
    }

    // Posts `body` with the given head lines (each "Name: value") and returns the answer.
    HttpResponse post(const std::string& body, const std::vector<std::string>& headers,
                      bool add_length = true) {
        RawClient client(port());
        std::string request = "POST /submit HTTP/1.1\r\nHost: antenna\r\n";
        for (const auto& header : headers) {
            request += header + "\r\n";
        }
        if (add_length) {
            request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        }
        request += "\r\n" + body;
        client.send(request);
        auto response = client.read_response(10s);
        if (!response) {
            throw std::runtime_error("no answer to POST /submit");
        }
        return *response;
    }

    HttpResponse post(const antenna::EncodedPayload& payload,
                      std::vector<std::string> headers = {}) {
        headers.push_back("Content-Type: " + payload.content_type);
        return post(payload.body, headers);
    }

private:
    TempDir dir_;
    Env env_;
    std::unique_ptr<ServerProcess> process_;
    std::vector<std::unique_ptr<ServerProcess>> previous_;
};

inline const std::string kBoundary(32, '0');

// The plan's MP({ProductName: Test, Version: 1.0, DUMP}): 483 bytes.
inline antenna::CrashPayload test_crash() {
    antenna::CrashPayload payload;
    payload.annotations = {{"ProductName", "Test"}, {"Version", "1.0"}};
    payload.dumps.push_back({"upload_file_minidump", "fakecrash.dump", "abcd1234"});
    return payload;
}

inline std::string crash_id_from(const std::string& body) {
    const std::string prefix = "CrashID=bp-";
    if (!body.starts_with(prefix) || body.size() < prefix.size() + 36) {
        return {};
    }
    return body.substr(prefix.size(), 36);
}

}  // namespace antenna_tests

#pragma once

#include <algorithm>
#include <atomic>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "core/io/files.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"

namespace spool_tests {

namespace fs = std::filesystem;

// A private directory, removed with everything in it.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("spool-unit-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Log lines go to a file (never blocks, unlike a pipe nobody reads), read back as text.
class FileLog {
public:
    explicit FileLog(fs::path file) : file_(std::move(file)) {
        fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            throw std::runtime_error("cannot open " + file_.string());
        }
        sink_ = std::make_unique<core::LogSink>(
            core::LogOptions{.level = core::Severity::debug, .fd = fd_});
    }
    ~FileLog() { ::close(fd_); }
    FileLog(const FileLog&) = delete;
    FileLog& operator=(const FileLog&) = delete;

    core::Logger logger(std::string_view type = "antenna.spool") {
        return core::Logger(*sink_, std::string(type));
    }
    std::string text() const { return core::read_file(file_); }

private:
    fs::path file_;
    int fd_ = -1;
    std::unique_ptr<core::LogSink> sink_;
};

// The metric lines sent, kept for the test to look at.
class CapturingSink : public core::MetricsSink {
public:
    void send(std::string_view line) override {
        std::lock_guard lock(mutex_);
        lines_.emplace_back(line);
    }
    std::size_t count(std::string_view line) const {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(std::count(lines_.begin(), lines_.end(), line));
    }
    std::vector<std::string> starting_with(std::string_view prefix) const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> found;
        for (const auto& line : lines_) {
            if (line.starts_with(prefix)) {
                found.push_back(line);
            }
        }
        return found;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

}  // namespace spool_tests

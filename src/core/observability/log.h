#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace core {

// Syslog severities, as mozlog's `Severity` field carries them.
enum class Severity { critical = 2, error = 3, warning = 4, info = 6, debug = 7 };

// Parses CRITICAL/ERROR/WARNING/INFO/DEBUG (any case); nullopt for anything else.
std::optional<Severity> parse_severity(std::string_view name);

struct LogOptions {
    std::string logger = "antenna";  // mozlog `Logger`, also the `processname` field
    std::string hostname = {};       // `Hostname` and the `host_id` field
    Severity level = Severity::info;
    bool human = false;  // LOCAL_DEV_ENV: one readable line instead of mozlog JSON
    int fd = 1;          // stdout
};

// Writes whole log lines to a file descriptor, one write(2) per line so that lines from
// several threads never interleave.
class LogSink {
public:
    explicit LogSink(LogOptions options);

    bool enabled(Severity severity) const {
        return static_cast<int>(severity) <= static_cast<int>(options_.level);
    }
    void write(Severity severity, std::string_view type, std::string_view msg,
               const boost::json::object& fields);

    const LogOptions& options() const { return options_; }

private:
    std::string mozlog_line(Severity severity, std::string_view type, std::string_view msg,
                            const boost::json::object& fields) const;
    std::string human_line(Severity severity, std::string_view type, std::string_view msg,
                           const boost::json::object& fields) const;

    LogOptions options_;
    int pid_;
    std::mutex write_mutex_;
};

// A named source of log lines (mozlog `Type`, e.g. "antenna.app"); cheap to copy.
class Logger {
public:
    Logger(LogSink& sink, std::string type) : sink_(&sink), type_(std::move(type)) {}

    void log(Severity severity, std::string_view msg,
             const boost::json::object& fields = {}) const {
        if (sink_->enabled(severity)) {
            sink_->write(severity, type_, msg, fields);
        }
    }
    void debug(std::string_view msg, const boost::json::object& fields = {}) const {
        log(Severity::debug, msg, fields);
    }
    void info(std::string_view msg, const boost::json::object& fields = {}) const {
        log(Severity::info, msg, fields);
    }
    void warning(std::string_view msg, const boost::json::object& fields = {}) const {
        log(Severity::warning, msg, fields);
    }
    void error(std::string_view msg, const boost::json::object& fields = {}) const {
        log(Severity::error, msg, fields);
    }
    void critical(std::string_view msg, const boost::json::object& fields = {}) const {
        log(Severity::critical, msg, fields);
    }
    bool enabled(Severity severity) const { return sink_->enabled(severity); }
    LogSink& sink() const { return *sink_; }

private:
    LogSink* sink_;
    std::string type_;
};

}  // namespace core

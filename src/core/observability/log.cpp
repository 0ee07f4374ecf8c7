#include "core/observability/log.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <unistd.h>

#include "core/json/python_json.h"

namespace core {
namespace {

const char* severity_name(Severity severity) {
    switch (severity) {
        case Severity::critical:
            return "CRITICAL";
        case Severity::error:
            return "ERROR";
        case Severity::warning:
            return "WARNING";
        case Severity::info:
            return "INFO";
        case Severity::debug:
            return "DEBUG";
    }
    return "INFO";
}

void write_all(int fd, std::string_view line) {
    while (!line.empty()) {
        ssize_t n = ::write(fd, line.data(), line.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;  // Nowhere left to report a failing log stream.
        }
        line.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

std::optional<Severity> parse_severity(std::string_view name) {
    for (Severity s : {Severity::critical, Severity::error, Severity::warning, Severity::info,
                       Severity::debug}) {
        std::string_view candidate = severity_name(s);
        if (candidate.size() == name.size() &&
            std::equal(name.begin(), name.end(), candidate.begin(),
                       [](char a, char b) { return std::toupper(a) == b; })) {
            return s;
        }
    }
    return std::nullopt;
}

LogSink::LogSink(LogOptions options) : options_(std::move(options)), pid_(::getpid()) {}

std::string LogSink::mozlog_line(Severity severity, std::string_view type, std::string_view msg,
                                 const boost::json::object& fields) const {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    boost::json::object out;
    out["Timestamp"] = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
    out["Type"] = type;
    out["Logger"] = options_.logger;
    out["Hostname"] = options_.hostname;
    out["EnvVersion"] = "2.0";
    out["Severity"] = static_cast<int>(severity);
    out["Pid"] = pid_;
    boost::json::object all_fields;
    all_fields["host_id"] = options_.hostname;
    all_fields["processname"] = options_.logger;
    for (const auto& field : fields) {
        all_fields[field.key()] = field.value();
    }
    if (!msg.empty()) {
        all_fields["msg"] = msg;
    }
    out["Fields"] = std::move(all_fields);
    std::string line = json::python_dumps(out);
    line += '\n';
    return line;
}

std::string LogSink::human_line(Severity severity, std::string_view type, std::string_view msg,
                                const boost::json::object& fields) const {
    auto now = std::chrono::system_clock::now();
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm local{};
    localtime_r(&seconds, &local);
    char stamp[64];
    std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
    std::snprintf(stamp + n, sizeof stamp - n, ",%03d", static_cast<int>(millis));

    std::string line = std::string(stamp) + " " + severity_name(severity) + " - " +
                       options_.logger + " - " + std::string(type) + " - " + std::string(msg);
    for (const auto& field : fields) {
        line += ' ';
        line += field.key();
        line += '=';
        line += field.value().is_string() ? std::string(field.value().get_string())
                                          : json::python_dumps(field.value());
    }
    line += '\n';
    return line;
}

void LogSink::write(Severity severity, std::string_view type, std::string_view msg,
                    const boost::json::object& fields) {
    std::string line = options_.human ? human_line(severity, type, msg, fields)
                                      : mozlog_line(severity, type, msg, fields);
    std::lock_guard lock(write_mutex_);
    write_all(options_.fd, line);
}

}  // namespace core

#pragma once

#include <fcntl.h>
#include <memory>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>

#include "core/observability/log.h"

namespace antenna_tests {

// Collects the messages a core::LogSink writes, through a non-blocking pipe.
class LogCapture {
public:
    LogCapture() {
        if (::pipe(fds_) != 0) {
            throw std::runtime_error("pipe failed");
        }
        ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
        sink_ = std::make_unique<core::LogSink>(core::LogOptions{.fd = fds_[1]});
    }
    ~LogCapture() {
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    core::Logger logger() { return core::Logger(*sink_, "antenna.throttler"); }

    // "<Type>: <msg>" for each line written so far.
    std::vector<std::string> take() {
        std::string text;
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(fds_[0], buffer, sizeof buffer)) > 0) {
            text.append(buffer, static_cast<std::size_t>(n));
        }
        std::vector<std::string> lines;
        for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos;
             start = end + 1) {
            auto line = boost::json::parse(text.substr(start, end - start)).as_object();
            lines.push_back(std::string(line["Type"].as_string()) + ": " +
                            std::string(line["Fields"].as_object()["msg"].as_string()));
        }
        return lines;
    }

private:
    int fds_[2] = {-1, -1};
    std::unique_ptr<core::LogSink> sink_;
};

}  // namespace antenna_tests

#include "core/observability/log.h"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace {

using core::Logger;
using core::LogOptions;
using core::LogSink;
using core::Severity;

// A pipe whose read end never blocks, so reading returns whatever the sink has written so far.
class LogPipe {
public:
    LogPipe() {
        if (::pipe(fds_) != 0) {
            ADD_FAILURE() << "pipe failed: errno " << errno;
            return;
        }
        ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
    }
    ~LogPipe() {
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    int write_fd() const { return fds_[1]; }

    std::string drain() {
        std::string out;
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(fds_[0], buffer, sizeof buffer)) > 0) {
            out.append(buffer, static_cast<std::size_t>(n));
        }
        return out;
    }

private:
    int fds_[2] = {-1, -1};
};

LogOptions options_for(int fd, bool human = false) {
    return LogOptions{
        .logger = "antenna", .hostname = "h1", .level = Severity::info, .human = human, .fd = fd};
}

TEST(Log, MozlogLineCarriesTheStandardFields) {
    LogPipe pipe;
    LogSink sink(options_for(pipe.write_fd()));
    Logger(sink, "antenna.app").info("hello", {{"k", 1}});

    std::string line = pipe.drain();
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;

    boost::json::object entry = boost::json::parse(line).as_object();
    EXPECT_EQ(entry.at("Type"), "antenna.app");
    EXPECT_EQ(entry.at("Logger"), "antenna");
    EXPECT_EQ(entry.at("Hostname"), "h1");
    EXPECT_EQ(entry.at("EnvVersion"), "2.0");
    EXPECT_EQ(entry.at("Severity").to_number<int>(), 6);
    EXPECT_EQ(entry.at("Pid").to_number<long long>(), static_cast<long long>(::getpid()));
    // Nanoseconds since the epoch; seconds or milliseconds would be orders of magnitude smaller.
    EXPECT_GT(entry.at("Timestamp").to_number<double>(), 1.6e18);

    const auto& fields = entry.at("Fields").as_object();
    EXPECT_EQ(fields.at("host_id"), "h1");
    EXPECT_EQ(fields.at("processname"), "antenna");
    EXPECT_EQ(fields.at("k").to_number<int>(), 1);
    EXPECT_EQ(fields.at("msg"), "hello");
}

TEST(Log, MozlogLineUsesPythonSeparators) {
    LogPipe pipe;
    LogSink sink(options_for(pipe.write_fd()));
    Logger(sink, "antenna.app").info("hello");

    std::string line = pipe.drain();
    EXPECT_NE(line.find(R"("Type": "antenna.app")"), std::string::npos) << line;
    EXPECT_NE(line.find(R"("EnvVersion": "2.0", )"), std::string::npos) << line;
}

TEST(Log, LinesBelowTheLevelAreSuppressed) {
    LogPipe pipe;
    LogSink sink(options_for(pipe.write_fd()));
    Logger logger(sink, "antenna.app");
    logger.debug("hidden");
    EXPECT_EQ(pipe.drain(), "");
    EXPECT_FALSE(logger.enabled(Severity::debug));

    logger.warning("shown");
    std::string line = pipe.drain();
    EXPECT_EQ(line.find("hidden"), std::string::npos);
    EXPECT_EQ(boost::json::parse(line).at("Severity").to_number<int>(), 4);
}

TEST(Log, EmptyMessageOmitsMsgField) {
    LogPipe pipe;
    LogSink sink(options_for(pipe.write_fd()));
    Logger(sink, "antenna.app").info("", {{"k", "v"}});

    boost::json::value entry = boost::json::parse(pipe.drain());
    const auto& fields = entry.at("Fields").as_object();
    EXPECT_FALSE(fields.contains("msg"));
    EXPECT_EQ(fields.at("k"), "v");
}

TEST(Log, HumanFormatIsOneReadableLine) {
    LogPipe pipe;
    LogSink sink(options_for(pipe.write_fd(), /*human=*/true));
    Logger(sink, "antenna.app").info("hello", {{"k", 1}, {"s", "text"}});

    std::string line = pipe.drain();
    EXPECT_NE(line.find(" INFO - antenna - antenna.app - hello"), std::string::npos) << line;
    EXPECT_NE(line.find("k=1"), std::string::npos) << line;
    EXPECT_NE(line.find("s=text"), std::string::npos) << line;
    EXPECT_EQ(line.find('{'), std::string::npos) << line;
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
}

TEST(Log, ParseSeverityIsCaseInsensitive) {
    EXPECT_EQ(core::parse_severity("warning"), Severity::warning);
    EXPECT_EQ(core::parse_severity("DEBUG"), Severity::debug);
    EXPECT_EQ(core::parse_severity("Critical"), Severity::critical);
    EXPECT_EQ(core::parse_severity("loud"), std::nullopt);
    EXPECT_EQ(core::parse_severity(""), std::nullopt);
}

}  // namespace

#include "core/observability/metrics.h"

#include <arpa/inet.h>
#include <chrono>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

namespace {

using core::Metrics;
using core::MetricType;

class CapturingSink : public core::MetricsSink {
public:
    void send(std::string_view line) override { lines.emplace_back(line); }
    std::vector<std::string> lines;
};

class MetricsTest : public ::testing::Test {
protected:
    std::shared_ptr<CapturingSink> sink = std::make_shared<CapturingSink>();
    Metrics metrics{sink, {"host:h1"}};
};

TEST_F(MetricsTest, CounterLines) {
    auto counter = metrics.counter("antenna.submit");
    counter.incr();
    counter.incr(3, {"reason:x"});
    counter.incr(2, {"a:1", "b:2"});
    EXPECT_EQ(sink->lines, (std::vector<std::string>{"antenna.submit:1|c|#host:h1",
                                                     "antenna.submit:3|c|#host:h1,reason:x",
                                                     "antenna.submit:2|c|#host:h1,a:1,b:2"}));
}

TEST_F(MetricsTest, GaugeTimingAndHistogramLines) {
    metrics.gauge("queue").set(2.5);
    metrics.timing("latency").observe(12.5);
    metrics.histogram("size").observe(1024);
    metrics.timing("elapsed").observe(std::chrono::milliseconds(3));
    EXPECT_EQ(sink->lines,
              (std::vector<std::string>{"queue:2.5|g|#host:h1", "latency:12.5|ms|#host:h1",
                                        "size:1024|h|#host:h1", "elapsed:3|ms|#host:h1"}));
}

TEST(Metrics, NoTagsMeansNoTagSection) {
    auto sink = std::make_shared<CapturingSink>();
    Metrics metrics(sink, {});
    auto counter = metrics.counter("plain");
    counter.incr();
    counter.incr(1, {"only:me"});
    EXPECT_EQ(sink->lines, (std::vector<std::string>{"plain:1|c", "plain:1|c|#only:me"}));
}

TEST_F(MetricsTest, SameNameWithTwoTypesIsALogicError) {
    metrics.counter("dup");
    EXPECT_THROW(metrics.gauge("dup"), std::logic_error);
    EXPECT_THROW(metrics.histogram("dup"), std::logic_error);
    // Registering again with the same type hands back a working metric.
    metrics.counter("dup").incr();
    EXPECT_EQ(sink->lines, (std::vector<std::string>{"dup:1|c|#host:h1"}));
}

TEST_F(MetricsTest, RegisteredListsNamesOnce) {
    metrics.counter("a");
    metrics.timing("b");
    metrics.counter("a");
    auto registered = metrics.registered();
    ASSERT_EQ(registered.size(), 2u);
    EXPECT_EQ(registered[0].name, "a");
    EXPECT_EQ(registered[0].type, MetricType::counter);
    EXPECT_EQ(registered[1].name, "b");
    EXPECT_EQ(registered[1].type, MetricType::timing);
}

// A UDP socket bound to an ephemeral loopback port.
class UdpListener {
public:
    UdpListener() {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            ADD_FAILURE() << "cannot bind a UDP socket";
        }
        port_ = ntohs(address.sin_port);
    }
    ~UdpListener() { close(); }
    void close() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    std::uint16_t port() const { return port_; }

    // One datagram, or "" when none arrives within the timeout.
    std::string receive(int timeout_ms = 2000) {
        pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
        if (::poll(&p, 1, timeout_ms) != 1) {
            return "";
        }
        char buffer[1500];
        ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
    }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

TEST(StatsdSink, DeliversABatchWithinTheFlushInterval) {
    UdpListener listener;
    auto sink = std::make_shared<core::StatsdSink>("127.0.0.1", listener.port(),
                                                   std::chrono::milliseconds(50));
    Metrics metrics(sink, {"host:h1"});
    metrics.counter("antenna.up").incr();
    metrics.counter("antenna.down").incr(2);
    EXPECT_EQ(listener.receive(), "antenna.up:1|c|#host:h1\nantenna.down:2|c|#host:h1");
    EXPECT_EQ(sink->dropped(), 0u);
}

TEST(StatsdSink, FullBatchIsSentAtOnceAndNeverSplitsALine) {
    UdpListener listener;
    // A flush interval far beyond the test: only a full batch can trigger the first send.
    core::StatsdSink sink("127.0.0.1", listener.port(), std::chrono::hours(1), 40);
    sink.send("first.metric:1|c|#host:h1");   // 25 bytes
    sink.send("second.metric:1|c|#host:h1");  // would make 52 > 40: first goes out alone
    EXPECT_EQ(listener.receive(), "first.metric:1|c|#host:h1");
    sink.flush();
    EXPECT_EQ(listener.receive(), "second.metric:1|c|#host:h1");
}

TEST(StatsdSink, SendingWithNoListenerDoesNotThrow) {
    UdpListener listener;
    std::uint16_t port = listener.port();
    // Freed so that nothing listens on the port; the kernel then answers with ICMP refusals.
    listener.close();
    core::StatsdSink sink("127.0.0.1", port);
    for (int i = 0; i < 3; ++i) {
        EXPECT_NO_THROW(sink.send("lost:1|c"));
    }
}

}  // namespace

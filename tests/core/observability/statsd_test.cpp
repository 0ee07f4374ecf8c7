// Metrics leave the process as DogStatsD datagrams; a UDP socket in the test receives them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <set>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "http/blackbox.h"

namespace core_tests {
namespace {

class UdpListener {
public:
    UdpListener() {
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
        socklen_t length = sizeof address;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
    }
    ~UdpListener() { ::close(fd_); }
    std::uint16_t port() const { return port_; }

    // Metric lines (a datagram carries several) received until one contains `text` or the
    // timeout passes.
    std::vector<std::string> receive_until(const std::string& text,
                                           std::chrono::milliseconds timeout = 3s) {
        std::vector<std::string> received;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) {
                continue;
            }
            char buffer[2048];
            ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            std::string_view datagram(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
            bool found = false;
            while (!datagram.empty()) {
                auto end = datagram.find('\n');
                received.emplace_back(datagram.substr(0, end));
                found = found || received.back().find(text) != std::string::npos;
                datagram.remove_prefix(end == std::string_view::npos ? datagram.size() : end + 1);
            }
            if (found) {
                break;
            }
        }
        return received;
    }

private:
    int fd_;
    std::uint16_t port_;
};

TEST(Statsd, HealthEndpointCountersAndRequestTimingsAreSent) {
    UdpListener listener;
    auto server = start_test_server({{"STATSD_HOST", "127.0.0.1"},
                                     {"STATSD_PORT", std::to_string(listener.port())},
                                     {"HOSTNAME", "box-1"}});
    ASSERT_TRUE(testing_support::http_request(server->port(), "GET", "/__lbheartbeat__"));
    auto datagrams = listener.receive_until("test.http.request.duration");
    std::set<std::string> names;
    bool saw_counter = false;
    bool saw_timing = false;
    for (const auto& d : datagrams) {
        if (d == "test.health.lbheartbeat.count:1|c|#host:box-1") {
            saw_counter = true;
        }
        if (d.starts_with("test.http.request.duration:") &&
            d.find("|ms|#host:box-1,status:200") != std::string::npos) {
            saw_timing = true;
        }
    }
    EXPECT_TRUE(saw_counter);
    EXPECT_TRUE(saw_timing);
}

TEST(Statsd, UnreachableStatsdDoesNotAffectRequests) {
    // Nothing listens on the discard port; requests are answered all the same.
    auto server = start_test_server({{"STATSD_HOST", "127.0.0.1"}, {"STATSD_PORT", "9"}});
    for (int i = 0; i < 20; ++i) {
        auto response = testing_support::http_request(server->port(), "GET", "/__lbheartbeat__");
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
    }
}

}  // namespace
}  // namespace core_tests

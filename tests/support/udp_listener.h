#pragma once

#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace testing_support {

using namespace std::chrono_literals;

// A UDP socket on a free loopback port that collects StatsD lines.
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

}  // namespace testing_support

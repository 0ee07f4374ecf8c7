#include "service_scripts.h"

#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <random>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace testing_support {

CommandResult run_command(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        result.out = "cannot run: " + command;
        return result;
    }
    char buffer[4096];
    for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
        result.out.append(buffer, got);
    }
    result.status = ::pclose(pipe);
    return result;
}

std::uint16_t free_ports(int count, std::uint16_t lowest, std::uint16_t highest) {
    std::mt19937 random(std::random_device{}());
    for (;;) {
        auto port =
            static_cast<std::uint16_t>(std::uniform_int_distribution<int>(lowest, highest)(random));
        bool free = true;
        for (int p = port; p < port + count && free; ++p) {
            int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_port = htons(static_cast<std::uint16_t>(p));
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
            ::close(fd);
        }
        if (free) {
            return port;
        }
    }
}

SilentListener::SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error("cannot listen on a loopback port");
    }
    port_ = ntohs(address.sin_port);
}

SilentListener::~SilentListener() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

}  // namespace testing_support

#include "service_scripts.h"

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <random>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
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

namespace {

// True when every thread of `pid` is in state T (stopped); the state follows the
// parenthesized command name in /proc/<pid>/task/<tid>/stat.
bool all_threads_stopped(pid_t pid) {
    std::error_code error;
    std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", error);
    if (error) {
        return false;
    }
    for (const auto& task : tasks) {
        std::ifstream stat(task.path() / "stat");
        std::string line;
        std::getline(stat, line);
        auto name_end = line.rfind(')');
        if (name_end == std::string::npos || name_end + 2 >= line.size() ||
            line[name_end + 2] != 'T') {
            return false;
        }
    }
    return true;
}

}  // namespace

FrozenProcess::FrozenProcess(pid_t pid) : pid_(pid) {
    if (pid <= 0 || ::kill(pid, SIGSTOP) != 0) {
        throw std::runtime_error("cannot stop process " + std::to_string(pid));
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!all_threads_stopped(pid)) {
        if (std::chrono::steady_clock::now() > deadline) {
            thaw();
            throw std::runtime_error("process " + std::to_string(pid) + " did not stop");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void FrozenProcess::thaw() {
    if (frozen_) {
        ::kill(pid_, SIGCONT);
        frozen_ = false;
    }
}

}  // namespace testing_support

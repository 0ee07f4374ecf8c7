#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace testing_support {

using namespace std::chrono_literals;
using Env = std::map<std::string, std::string>;

// A program under test, started with exactly the given environment (plus PATH), its stdout
// collected line by line. By default it listens on a free port (PORT=0) with one worker; the
// port is read from its "listening" log line.
class ServerProcess {
public:
    ServerProcess(const std::string& binary, Env env, std::vector<std::string> args = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }

    std::vector<std::string> lines() const;
    // Waits until a stdout line contains `text`; returns that line.
    std::optional<std::string> wait_for_line(const std::string& text,
                                             std::chrono::milliseconds timeout = 5s) const;

    void signal(int signo) const;
    // Waits for the process to end; its exit code, or nullopt on timeout (or -signal).
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);

private:
    void read_output(int fd);

    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::optional<int> exit_code_;
    std::thread reader_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<std::string> lines_;
    bool eof_ = false;
};

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs a program to completion (for --help and startup failures).
RunResult run_to_exit(const std::string& binary, const Env& env,
                      const std::vector<std::string>& args = {},
                      std::chrono::milliseconds timeout = 10s);

}  // namespace testing_support

#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

// Running the project's service scripts (scripts/services/) from tests.
namespace testing_support {

struct CommandResult {
    int status = -1;  // as from pclose(): 0 when the command exited 0
    std::string out;  // standard output and error
};

// Runs `command` with /bin/sh and collects what it prints.
CommandResult run_command(const std::string& command);

// A loopback port P in [lowest, highest] such that P .. P+count-1 are all free now (services
// such as RGW's monitor take neighbours of the one they are given).
std::uint16_t free_ports(int count = 1, std::uint16_t lowest = 20000,
                         std::uint16_t highest = 40000);

// A loopback port that accepts connections into its backlog but never answers: a busy port,
// or a server that hangs. Closed when destroyed.
class SilentListener {
public:
    SilentListener();  // throws std::runtime_error when no socket can be bound
    ~SilentListener();
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;

    std::uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

// Freezes a process with SIGSTOP for as long as it lives. kill() returns before the target's
// threads have stopped, so the constructor waits until /proc shows every thread stopped: a
// test then knows that nothing the process does can come after it.
class FrozenProcess {
public:
    explicit FrozenProcess(pid_t pid);  // throws std::runtime_error when it cannot freeze it
    ~FrozenProcess() { thaw(); }
    FrozenProcess(const FrozenProcess&) = delete;
    FrozenProcess& operator=(const FrozenProcess&) = delete;

    void thaw();

private:
    pid_t pid_;
    bool frozen_ = true;
};

}  // namespace testing_support

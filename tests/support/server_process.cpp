#include "server_process.h"

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <regex>
#include <signal.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace testing_support {
namespace {

struct Spawned {
    pid_t pid;
    int out;
    int err;
};

Spawned spawn(const std::string& binary, const Env& env, const std::vector<std::string>& args) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    std::vector<std::string> env_strings;
    if (const char* path = std::getenv("PATH")) {
        env_strings.push_back(std::string("PATH=") + path);
    }
    for (const auto& [key, value] : env) {
        env_strings.push_back(key + "=" + value);
    }
    std::vector<char*> envp;
    for (auto& s : env_strings) {
        envp.push_back(s.data());
    }
    envp.push_back(nullptr);
    std::vector<std::string> arg_strings{binary};
    arg_strings.insert(arg_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : arg_strings) {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        ::execve(binary.c_str(), argv.data(), envp.data());
        std::perror("execve");
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    return {pid, out[0], err[0]};
}

int decode_status(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return -WTERMSIG(status);
}

}  // namespace

ServerProcess::ServerProcess(const std::string& binary, Env env, std::vector<std::string> args) {
    env.try_emplace("PORT", "0");
    env.try_emplace("WORKERS", "1");
    env.try_emplace("HOSTNAME", "testhost");
    env.try_emplace("STATSD_PORT", "9");  // discard port: metrics go nowhere unless asked
    Spawned spawned = spawn(binary, env, args);
    pid_ = spawned.pid;
    // stderr is forwarded to the test's stderr so that failures are visible in ctest output.
    std::thread([fd = spawned.err] {
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
            (void)!::write(2, buffer, static_cast<std::size_t>(n));
        }
        ::close(fd);
    }).detach();
    reader_ = std::thread([this, fd = spawned.out] { read_output(fd); });

    auto line = wait_for_line("listening on http://", 15s);
    if (!line) {
        throw std::runtime_error("server did not start: " + binary);
    }
    std::smatch m;
    std::regex port_re("\"port\": ([0-9]+)|:([0-9]+)/");
    if (std::regex_search(*line, m, port_re)) {
        port_ = static_cast<std::uint16_t>(std::stoi(m[1].matched ? m[1].str() : m[2].str()));
    }
}

ServerProcess::~ServerProcess() {
    if (!exit_code_) {
        ::kill(pid_, SIGKILL);
        int status;
        ::waitpid(pid_, &status, 0);
    }
    if (reader_.joinable()) {
        reader_.join();
    }
}

void ServerProcess::read_output(int fd) {
    std::string pending;
    char buffer[8192];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t newline;
        std::lock_guard lock(mutex_);
        while ((newline = pending.find('\n')) != std::string::npos) {
            lines_.push_back(pending.substr(0, newline));
            pending.erase(0, newline + 1);
        }
        changed_.notify_all();
    }
    ::close(fd);
    std::lock_guard lock(mutex_);
    eof_ = true;
    changed_.notify_all();
}

std::vector<std::string> ServerProcess::lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

std::optional<std::string> ServerProcess::wait_for_line(const std::string& text,
                                                        std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    std::size_t checked = 0;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        for (; checked < lines_.size(); ++checked) {
            if (lines_[checked].find(text) != std::string::npos) {
                return lines_[checked];
            }
        }
        if (eof_ || changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
            for (; checked < lines_.size(); ++checked) {
                if (lines_[checked].find(text) != std::string::npos) {
                    return lines_[checked];
                }
            }
            return std::nullopt;
        }
    }
}

void ServerProcess::signal(int signo) const {
    ::kill(pid_, signo);
}

std::optional<int> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
    if (exit_code_) {
        return exit_code_;
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status;
        pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            exit_code_ = decode_status(status);
            return exit_code_;
        }
        std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
}

RunResult run_to_exit(const std::string& binary, const Env& env,
                      const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
    Spawned spawned = spawn(binary, env, args);
    RunResult result;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{spawned.out, POLLIN, 0}, {spawned.err, POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open = 2;
    while (open > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ::kill(spawned.pid, SIGKILL);
            break;
        }
        if (::poll(fds, 2, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP))) {
                char buffer[4096];
                ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
                if (n <= 0) {
                    fds[i].fd = -1;
                    --open;
                } else {
                    sinks[i]->append(buffer, static_cast<std::size_t>(n));
                }
            }
        }
    }
    int status = 0;
    ::waitpid(spawned.pid, &status, 0);
    ::close(spawned.out);
    ::close(spawned.err);
    result.exit_code = decode_status(status);
    return result;
}

}  // namespace testing_support

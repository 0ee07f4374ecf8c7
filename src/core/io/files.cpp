#include "core/io/files.h"

#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace core {
namespace {

[[noreturn]] void fail(int error, std::string_view what, const std::filesystem::path& path) {
    throw std::system_error(error, std::generic_category(),
                            std::string(what) + " " + path.string());
}

// An fd closed on every path out.
class FileDescriptor {
public:
    FileDescriptor(const std::filesystem::path& path, int flags, std::string_view what)
        : fd_(::open(path.c_str(), flags | O_CLOEXEC, 0644)) {
        if (fd_ < 0) {
            fail(errno, what, path);
        }
    }
    ~FileDescriptor() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }
    // close(2) reports delayed write errors (e.g. ENOSPC on NFS); it must be checked.
    int release_and_close() { return ::close(std::exchange(fd_, -1)); }

private:
    int fd_;
};

}  // namespace

void write_all(int fd, std::string_view data, std::string_view what) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::system_error(errno, std::generic_category(), std::string(what));
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

void write_file(const std::filesystem::path& path, std::string_view data) {
    FileDescriptor file(path, O_WRONLY | O_CREAT | O_TRUNC, "open");
    write_all(file.get(), data, "write " + path.string());
    if (file.release_and_close() != 0) {
        fail(errno, "close", path);
    }
}

std::string read_file(const std::filesystem::path& path) {
    FileDescriptor file(path, O_RDONLY, "open");
    std::string content;
    char buffer[64 * 1024];
    for (;;) {
        ssize_t n = ::read(file.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail(errno, "read", path);
        }
        if (n == 0) {
            return content;
        }
        content.append(buffer, static_cast<std::size_t>(n));
    }
}

void fsync_path(const std::filesystem::path& path) {
    FileDescriptor file(path, O_RDONLY, "open");
    if (::fsync(file.get()) != 0) {
        fail(errno, "fsync", path);
    }
}

void sync_filesystem(const std::filesystem::path& path) {
    FileDescriptor file(path, O_RDONLY, "open");
    if (::syncfs(file.get()) != 0) {
        fail(errno, "syncfs", path);
    }
}

}  // namespace core

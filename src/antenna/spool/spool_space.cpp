#include "antenna/spool/spool_space.h"

#include <cerrno>
#include <cstring>
#include <sys/statvfs.h>

namespace antenna {

SpoolSpace::SpoolSpace(std::filesystem::path dir, std::uint64_t min_free_bytes, core::Logger log)
    : dir_(std::move(dir)), min_free_bytes_(min_free_bytes), log_(std::move(log)) {}

std::optional<std::string> SpoolSpace::problem() {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (now - checked_ < std::chrono::seconds(1)) {
        return problem_;
    }
    checked_ = now;
    std::optional<std::string> found;
    struct statvfs stats {};
    if (::statvfs(dir_.c_str(), &stats) != 0) {
        found = "cannot read the free space of " + dir_.string() + ": " + std::strerror(errno);
    } else {
        std::uint64_t free_bytes = static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize;
        if (free_bytes < min_free_bytes_) {
            found = "free space on " + dir_.string() + " is " + std::to_string(free_bytes) +
                    " bytes, below CRASHMOVER_SPOOL_MIN_FREE_BYTES (" +
                    std::to_string(min_free_bytes_) + ")";
        }
    }
    if (found && !problem_) {
        log_.warning("not accepting crashes: " + *found);
    } else if (!found && problem_) {
        log_.info("accepting crashes again: the spool has room");
    }
    problem_ = std::move(found);
    return problem_;
}

}  // namespace antenna

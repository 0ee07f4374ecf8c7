#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "core/observability/log.h"

namespace antenna {

// Free space on the spool's filesystem. Below the configured minimum, /submit answers 503 with
// Retry-After (a Breakpad client keeps the report and tries again; any 4xx would make it drop
// the report) and /__heartbeat__ reports it, until space comes back.
class SpoolSpace {
public:
    SpoolSpace(std::filesystem::path dir, std::uint64_t min_free_bytes, core::Logger log);

    // Nothing when there is room, else why not. Asks the filesystem at most once a second.
    std::optional<std::string> problem();

private:
    std::filesystem::path dir_;
    std::uint64_t min_free_bytes_;
    core::Logger log_;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point checked_{};
    std::optional<std::string> problem_;
};

}  // namespace antenna

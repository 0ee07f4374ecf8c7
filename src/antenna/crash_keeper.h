#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "antenna/crash_report.h"

namespace antenna {

// What became of an accepted crash, which decides the answer to the client.
struct Kept {
    enum class Status {
        kept,         // 200 CrashID=: we answer for it from now on
        failed,       // 500, as Antenna when saving gives up
        unavailable,  // 503 with Retry-After: the client keeps the report and tries again
    };
    Status status = Status::kept;
    std::string reason = {};  // with unavailable: the Discarded= reason, e.g. "spool_full"
};

// The seam between the submit resource and what keeps its crashes: saved inside the request
// (CRASHMOVER_ACK=sync, CrashMover) or spooled durably and moved afterwards (=spool).
class CrashKeeper {
public:
    virtual ~CrashKeeper() = default;

    // Nothing while crashes are taken, else the Discarded= reason of a 503 (checked before the
    // body is read).
    virtual std::optional<std::string> refusal() = 0;
    // Takes the report's dump files, whatever the outcome.
    virtual boost::asio::awaitable<Kept> keep(CrashReport& report) = 0;
};

}  // namespace antenna

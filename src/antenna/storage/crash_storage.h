#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "antenna/crash_report.h"

namespace antenna {

// Where accepted crashes are kept. Implementations write the raw crash last, so a raw crash
// present means the crash is complete.
class CrashStorage {
public:
    virtual ~CrashStorage() = default;

    // Antenna's class name, used in health reports and logs ("FSCrashStorage").
    virtual std::string name() const = 0;
    // Saves the crash. May consume the dump files (move them into place); saving the same
    // report again after a failure completes what is missing.
    virtual boost::asio::awaitable<Outcome> save(CrashReport& report) = 0;
    // Makes what was saved so far survive a power cut. Storage that is durable once save()
    // returns (object storage answers only then) has nothing to do.
    virtual boost::asio::awaitable<Outcome> flush() { co_return Outcome::success(); }
    // Startup verification: fails when the storage cannot be written.
    virtual Outcome verify() = 0;
    // For /__heartbeat__: nothing when healthy, else the problem.
    virtual boost::asio::awaitable<std::optional<std::string>> check_health() = 0;
};

}  // namespace antenna

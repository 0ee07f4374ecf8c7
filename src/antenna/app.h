#pragma once

#include <memory>

#include "antenna/breakpad_resource.h"
#include "antenna/crash_id.h"
#include "antenna/crashmover.h"
#include "antenna/publish/crash_publisher.h"
#include "antenna/spool_space.h"
#include "antenna/storage/crash_storage.h"
#include "antenna/throttler/throttler.h"
#include "core/config/options.h"
#include "core/runtime/program.h"

namespace antenna {

// The collector assembled from its configuration (Antenna's app.py): storage, publisher,
// throttler, crash mover and the /submit route, with their health checks.
class AntennaApp {
public:
    static core::ProgramInfo program_info();
    static void declare(core::OptionTable& table);

    // Throws core::ConfigError for unusable settings and std::runtime_error when startup
    // verification of the storage or the publisher fails.
    AntennaApp(core::Runtime& runtime, const core::Config& config);
    ~AntennaApp();

private:
    std::unique_ptr<CrashStorage> storage_;
    std::unique_ptr<CrashPublisher> publisher_;
    std::unique_ptr<Throttler> throttler_;
    std::unique_ptr<CrashIdSource> ids_;
    std::unique_ptr<CrashMover> mover_;
    std::unique_ptr<SpoolSpace> spool_space_;
    std::unique_ptr<BreakpadSubmitterResource> breakpad_;
};

}  // namespace antenna

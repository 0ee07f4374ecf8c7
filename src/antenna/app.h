#pragma once

#include <memory>

#include "antenna/breakpad_resource.h"
#include "antenna/crash_id.h"
#include "antenna/crash_keeper.h"
#include "antenna/publish/crash_publisher.h"
#include "antenna/spool/group_commit.h"
#include "antenna/spool/spool.h"
#include "antenna/spool/spool_mover.h"
#include "antenna/spool/spool_space.h"
#include "antenna/storage/crash_storage.h"
#include "antenna/throttler/throttler.h"
#include "core/config/options.h"
#include "core/runtime/program.h"

namespace antenna {

// The collector assembled from its configuration (Antenna's app.py): storage, publisher,
// throttler, spool, crash keeper and mover, and the /submit route, with their health checks.
class AntennaApp {
public:
    static core::ProgramInfo program_info();
    static void declare(core::OptionTable& table);
    static std::vector<core::Command> commands();

    // Throws core::ConfigError for unusable settings and std::runtime_error when startup
    // verification of the storage or the publisher fails.
    AntennaApp(core::Runtime& runtime, const core::Config& config);
    ~AntennaApp();

private:
    std::unique_ptr<CrashStorage> storage_;
    std::unique_ptr<CrashPublisher> publisher_;
    std::unique_ptr<Throttler> throttler_;
    std::unique_ptr<CrashIdSource> ids_;
    std::unique_ptr<Spool> spool_;
    std::unique_ptr<SpoolSpace> spool_space_;
    std::unique_ptr<SpoolMover> mover_;
    std::unique_ptr<GroupCommitter> committer_;
    std::unique_ptr<CrashKeeper> keeper_;
    std::unique_ptr<BreakpadSubmitterResource> breakpad_;
};

}  // namespace antenna

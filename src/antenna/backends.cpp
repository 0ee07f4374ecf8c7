#include "antenna/backends.h"

#include <algorithm>
#include <stdexcept>

#include "antenna/storage/fs_crash_storage.h"

namespace antenna {

std::unique_ptr<CrashStorage> make_crash_storage(const core::Config& config,
                                                 const core::Runtime& runtime) {
    const std::string& storage_class = config.choice("CRASHMOVER_CRASHSTORAGE_CLASS");
    if (storage_class == "fs" || storage_class == kFsStorageClass) {
        return std::make_unique<FsCrashStorage>(config.string("CRASHMOVER_CRASHSTORAGE_FS_ROOT"),
                                                runtime.logger("ext.fs.crashstorage"));
    }
    return std::make_unique<NoOpCrashStorage>(runtime.logger("ext.crashstorage_base"));
}

std::unique_ptr<CrashPublisher> make_crash_publisher(const core::Config&,
                                                     const core::Runtime& runtime) {
    return std::make_unique<NoOpCrashPublisher>(runtime.logger("ext.crashpublish_base"));
}

void verify_backends(CrashStorage& storage, CrashPublisher& publisher, core::Logger& log) {
    log.debug("Verification starting.");
    log.debug("Verifying " + storage.name() + ".verify");
    if (Outcome verified = storage.verify(); !verified.ok) {
        throw std::runtime_error(storage.name() + " verification failed: " + verified.error);
    }
    log.debug("Verifying " + publisher.name() + ".verify");
    if (Outcome verified = publisher.verify(); !verified.ok) {
        throw std::runtime_error(publisher.name() + " verification failed: " + verified.error);
    }
    log.debug("Verification complete: everything is good!");
}

SpoolMoverOptions spool_mover_options(const core::Config& config) {
    return {
        // A zero pause would spin against a storage outage.
        .retry_sleep = std::max(config.seconds("CRASHMOVER_RETRY_SLEEP_SECONDS"),
                                std::chrono::milliseconds(100)),
        .max_retry_sleep = config.seconds("CRASHMOVER_RETRY_MAX_SLEEP_SECONDS"),
        .flush_storage = config.choice("CRASHMOVER_SPOOL_SYNC") != "off",
    };
}

}  // namespace antenna

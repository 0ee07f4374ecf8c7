#pragma once

#include <memory>

#include "antenna/publish/crash_publisher.h"
#include "antenna/spool/spool_mover.h"
#include "antenna/storage/crash_storage.h"
#include "core/config/options.h"
#include "core/runtime/program.h"

namespace antenna {

// Antenna's class names, accepted beside our short ones ("fs", "noop").
inline constexpr auto kFsStorageClass = "antenna.ext.fs.crashstorage.FSCrashStorage";
inline constexpr auto kS3StorageClass = "antenna.ext.s3.crashstorage.S3CrashStorage";
inline constexpr auto kGcsStorageClass = "antenna.ext.gcs.crashstorage.GcsCrashStorage";
inline constexpr auto kNoOpStorageClass = "antenna.ext.crashstorage_base.NoOpCrashStorage";
inline constexpr auto kNoOpPublishClass = "antenna.ext.crashpublish_base.NoOpCrashPublish";
inline constexpr auto kPubSubPublishClass = "antenna.ext.pubsub.crashpublish.PubSubCrashPublish";
inline constexpr auto kSqsPublishClass = "antenna.ext.sqs.crashpublish.SQSCrashPublish";

// The storage and the publisher named by CRASHMOVER_CRASHSTORAGE_CLASS and
// CRASHMOVER_CRASHPUBLISH_CLASS, shared by the server and `antenna spool retry`.
std::unique_ptr<CrashStorage> make_crash_storage(const core::Config& config,
                                                 const core::Runtime& runtime);
std::unique_ptr<CrashPublisher> make_crash_publisher(const core::Config& config,
                                                     const core::Runtime& runtime);
// Antenna's startup verification; throws std::runtime_error naming what failed.
void verify_backends(CrashStorage& storage, CrashPublisher& publisher, core::Logger& log);

SpoolMoverOptions spool_mover_options(const core::Config& config);

}  // namespace antenna

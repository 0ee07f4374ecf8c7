#include "antenna/backends.h"

#include <algorithm>
#include <stdexcept>

#include "antenna/storage/fs_crash_storage.h"
#include "antenna/storage/s3_crash_storage.h"

namespace antenna {

namespace {

// S3's settings; GCS differs only in its endpoint and region.
clients::aws::S3Options s3_options(const core::Config& config, bool gcs) {
    clients::aws::S3Options options{
        .endpoint_url = config.string("CRASHMOVER_CRASHSTORAGE_ENDPOINT_URL"),
        .region = config.string("CRASHMOVER_CRASHSTORAGE_REGION"),
        .bucket = config.string("CRASHMOVER_CRASHSTORAGE_BUCKET_NAME"),
        .virtual_hosted = config.choice("CRASHMOVER_CRASHSTORAGE_ADDRESSING_STYLE") == "virtual",
        .credentials = {.access_key_id = config.string("CRASHMOVER_CRASHSTORAGE_ACCESS_KEY"),
                        .secret_access_key =
                            config.string("CRASHMOVER_CRASHSTORAGE_SECRET_ACCESS_KEY"),
                        .session_token = config.string("CRASHMOVER_CRASHSTORAGE_SESSION_TOKEN")},
        .multipart_threshold_bytes = static_cast<std::uint64_t>(
            config.integer("CRASHMOVER_CRASHSTORAGE_MULTIPART_THRESHOLD_BYTES")),
        .multipart_part_bytes = static_cast<std::uint64_t>(
            config.integer("CRASHMOVER_CRASHSTORAGE_MULTIPART_PART_BYTES")),
        .http = {.connect_timeout =
                     config.seconds("CRASHMOVER_CRASHSTORAGE_CONNECT_TIMEOUT_SECONDS"),
                 .io_timeout = config.seconds("CRASHMOVER_CRASHSTORAGE_TIMEOUT_SECONDS"),
                 .ca_file = config.string("CRASHMOVER_CRASHSTORAGE_CA_BUNDLE")},
    };
    if (options.region.empty()) {
        options.region = gcs ? "auto" : "us-west-2";
    }
    if (options.endpoint_url.empty() && gcs) {
        options.endpoint_url = "https://storage.googleapis.com";
    }
    if (options.bucket.empty()) {
        throw core::ConfigError("CRASHMOVER_CRASHSTORAGE_BUCKET_NAME is required for " +
                                std::string(gcs ? "gcs" : "s3") + " storage");
    }
    if (options.credentials.access_key_id.empty() ||
        options.credentials.secret_access_key.empty()) {
        throw core::ConfigError(
            "CRASHMOVER_CRASHSTORAGE_ACCESS_KEY and CRASHMOVER_CRASHSTORAGE_SECRET_ACCESS_KEY (or "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) are required for " +
            std::string(gcs ? "gcs" : "s3") + " storage");
    }
    return options;
}

}  // namespace

std::unique_ptr<CrashStorage> make_crash_storage(const core::Config& config,
                                                 const core::Runtime& runtime) {
    const std::string& storage_class = config.choice("CRASHMOVER_CRASHSTORAGE_CLASS");
    if (storage_class == "fs" || storage_class == kFsStorageClass) {
        return std::make_unique<FsCrashStorage>(config.string("CRASHMOVER_CRASHSTORAGE_FS_ROOT"),
                                                runtime.logger("ext.fs.crashstorage"));
    }
    bool gcs = storage_class == "gcs" || storage_class == kGcsStorageClass;
    if (gcs || storage_class == "s3" || storage_class == kS3StorageClass) {
        try {
            return std::make_unique<S3CrashStorage>(
                gcs ? "GcsCrashStorage" : "S3CrashStorage", s3_options(config, gcs),
                runtime.logger(gcs ? "ext.gcs.crashstorage" : "ext.s3.crashstorage"));
        } catch (const std::invalid_argument& e) {
            throw core::ConfigError("CRASHMOVER_CRASHSTORAGE_ENDPOINT_URL: " +
                                    std::string(e.what()));
        }
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
        .concurrency =
            static_cast<std::size_t>(config.integer("CRASHMOVER_CONCURRENT_CRASHMOVERS")),
    };
}

}  // namespace antenna

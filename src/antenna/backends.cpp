#include "antenna/backends.h"

#include <algorithm>
#include <stdexcept>

#include "antenna/publish/pubsub_crash_publisher.h"
#include "antenna/publish/rabbitmq_crash_publisher.h"
#include "antenna/publish/sqs_crash_publisher.h"
#include "antenna/storage/fs_crash_storage.h"
#include "antenna/storage/s3_crash_storage.h"
#include "core/io/files.h"

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

std::string required(const core::Config& config, const std::string& name,
                     const std::string& publisher) {
    std::string value = config.string(name);
    if (value.empty()) {
        throw core::ConfigError(name + " is required for the " + publisher + " publisher");
    }
    return value;
}

clients::http::ClientOptions publisher_http_options(const core::Config& config) {
    return {.connect_timeout = config.seconds("CRASHMOVER_CRASHPUBLISH_TIMEOUT"),
            .io_timeout = config.seconds("CRASHMOVER_CRASHPUBLISH_TIMEOUT"),
            .ca_file = config.string("CRASHMOVER_CRASHPUBLISH_CA_BUNDLE")};
}

clients::gcp::PubSubOptions pubsub_options(const core::Config& config) {
    clients::gcp::PubSubOptions options{
        .project = required(config, "CRASHMOVER_CRASHPUBLISH_PROJECT_ID", "pubsub"),
        .topic = required(config, "CRASHMOVER_CRASHPUBLISH_TOPIC_NAME", "pubsub"),
        .http = publisher_http_options(config),
    };
    using Kind = clients::gcp::GoogleCredentials::Kind;
    if (std::string emulator = config.string("PUBSUB_EMULATOR_HOST"); !emulator.empty()) {
        options.endpoint_url = "http://" + emulator;
    } else if (std::string key_file = config.string("GOOGLE_APPLICATION_CREDENTIALS");
               !key_file.empty()) {
        std::string text;
        try {
            text = core::read_file(key_file);
        } catch (const std::exception& e) {
            throw core::ConfigError("GOOGLE_APPLICATION_CREDENTIALS: cannot read " + key_file +
                                    ": " + e.what());
        }
        std::string error;
        auto key = clients::gcp::parse_service_account_key(text, error);
        if (!key) {
            throw core::ConfigError("GOOGLE_APPLICATION_CREDENTIALS: " + key_file + ": " + error);
        }
        options.credentials = {.kind = Kind::service_account, .key = *key};
    } else {
        options.credentials = {.kind = Kind::metadata_server,
                               .metadata_host = config.string("GCE_METADATA_HOST")};
    }
    return options;
}

clients::aws::SqsOptions sqs_options(const core::Config& config) {
    clients::aws::SqsOptions options{
        .endpoint_url = config.string("CRASHMOVER_CRASHPUBLISH_ENDPOINT_URL"),
        .region = config.string("CRASHMOVER_CRASHPUBLISH_REGION"),
        .credentials = {.access_key_id = config.string("CRASHMOVER_CRASHPUBLISH_ACCESS_KEY"),
                        .secret_access_key =
                            config.string("CRASHMOVER_CRASHPUBLISH_SECRET_ACCESS_KEY"),
                        .session_token = config.string("CRASHMOVER_CRASHPUBLISH_SESSION_TOKEN")},
        .http = publisher_http_options(config),
    };
    if (options.credentials.access_key_id.empty() ||
        options.credentials.secret_access_key.empty()) {
        throw core::ConfigError(
            "CRASHMOVER_CRASHPUBLISH_ACCESS_KEY and CRASHMOVER_CRASHPUBLISH_SECRET_ACCESS_KEY (or "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) are required for the sqs publisher");
    }
    return options;
}

clients::amqp::PublisherOptions rabbitmq_options(const core::Config& config) {
    std::string error;
    auto url = clients::amqp::parse_url(config.string("CRASHMOVER_CRASHPUBLISH_AMQP_URL"), error);
    if (!url) {
        throw core::ConfigError("CRASHMOVER_CRASHPUBLISH_AMQP_URL: " + error);
    }
    return {.url = *url,
            .queue = required(config, "CRASHMOVER_CRASHPUBLISH_QUEUE_NAME", "rabbitmq"),
            .timeout = config.seconds("CRASHMOVER_CRASHPUBLISH_TIMEOUT")};
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

std::unique_ptr<CrashPublisher> make_crash_publisher(const core::Config& config,
                                                     const core::Runtime& runtime) {
    const std::string& publish_class = config.choice("CRASHMOVER_CRASHPUBLISH_CLASS");
    try {
        if (publish_class == "pubsub" || publish_class == kPubSubPublishClass) {
            return std::make_unique<PubSubCrashPublisher>(
                pubsub_options(config), runtime.logger("ext.pubsub.crashpublish"));
        }
        if (publish_class == "sqs" || publish_class == kSqsPublishClass) {
            return std::make_unique<SqsCrashPublisher>(
                sqs_options(config), required(config, "CRASHMOVER_CRASHPUBLISH_QUEUE_NAME", "sqs"),
                runtime.logger("ext.sqs.crashpublish"));
        }
    } catch (const std::invalid_argument& e) {
        throw core::ConfigError(publish_class + " publisher: " + std::string(e.what()));
    }
    if (publish_class == "rabbitmq") {
        return std::make_unique<RabbitMqCrashPublisher>(
            rabbitmq_options(config), runtime.logger("ext.rabbitmq.crashpublish"));
    }
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

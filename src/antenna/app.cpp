#include "antenna/app.h"

#include <filesystem>

#include <boost/json/parse.hpp>

#include "antenna/backends.h"
#include "antenna/crashmover.h"
#include "antenna/spool/spool_command.h"
#include "antenna/spool/spool_keeper.h"
#include "antenna/throttler/rules_file.h"
#include "clients/sentry/sentry_reporter.h"
#include "core/io/files.h"

namespace antenna {
namespace {

namespace bhttp = boost::beast::http;

// Antenna's Sentry release: "<version>:<commit[:8]>" from version.json, "none:unknown" without.
std::string sentry_release(const std::string& basedir) {
    std::string version = "none";
    std::string commit = "unknown";
    try {
        boost::json::value parsed = boost::json::parse(core::read_file(basedir + "/version.json"));
        if (const auto* fields = parsed.if_object()) {
            if (const auto* v = fields->if_contains("version"); v && v->is_string()) {
                version = v->as_string();
            }
            if (const auto* c = fields->if_contains("commit"); c && c->is_string()) {
                commit = std::string(c->as_string()).substr(0, 8);
            }
        }
    } catch (const std::exception&) {
        // No or unreadable version.json: Antenna's fallback.
    }
    return version + ":" + commit;
}

std::shared_ptr<clients::sentry::SentryReporter> make_sentry_reporter(const core::Config& config,
                                                                      core::Runtime& runtime) {
    const std::string& dsn_text = config.string("SECRET_SENTRY_DSN");
    if (dsn_text.empty()) {
        return nullptr;
    }
    std::string error;
    auto dsn = clients::sentry::parse_dsn(dsn_text, error);
    if (!dsn) {
        throw core::ConfigError("SECRET_SENTRY_DSN: " + error);
    }
    return std::make_shared<clients::sentry::SentryReporter>(
        clients::sentry::SentryOptions{.dsn = *dsn,
                                       .server_name = config.string("HOSTNAME"),
                                       .release = sentry_release(config.string("BASEDIR")),
                                       .logger = "antenna.app"},
        runtime.logger("sentry"));
}

}  // namespace

core::ProgramInfo AntennaApp::program_info() {
    return {
        .name = "antenna",
        .metric_prefix = "socorro.collector",
        .server_defaults = {.port = 8000, .max_body_bytes = 25 * 1024 * 1024},
    };
}

void AntennaApp::declare(core::OptionTable& table) {
    using core::OptionType;
    table.add({.name = "SECRET_SENTRY_DSN",
               .default_value = "",
               .help = "Sentry DSN: unhandled errors (e.g. /__broken__) are sent to Sentry, "
                       "with X-Forwarded-For, X-Real-Ip, Authorization and Cookie scrubbed; "
                       "empty: off.",
               .secret = true});
    table.add({.name = "BREAKPAD_DUMP_FIELD",
               .default_value = "upload_file_minidump",
               .help = "Accepted for compatibility; unused, as in Antenna."});
    table.add({.name = "BREAKPAD_STAGE_SUBMITTER_BEARER_TOKEN",
               .default_value = "",
               .help = "When set, requests with 'Authorization: Bearer <token>' may choose their "
                       "crash id with a uuid field; without it a uuid field is refused (401).",
               .secret = true});
    table.add({.name = "BREAKPAD_THROTTLER_RULES",
               .default_value = "antenna.throttler.MOZILLA_RULES",
               .help =
                   "Throttle rules: MOZILLA_RULES, ACCEPT_ALL (dotted antenna.throttler.* "
                   "names also accepted) or the path of a rules file (docs/throttle-rules.md)."});
    table.add({.name = "BREAKPAD_THROTTLER_PRODUCTS",
               .default_value = "antenna.throttler.MOZILLA_PRODUCTS",
               .help = "Supported products: MOZILLA_PRODUCTS, ALL_PRODUCTS or the path of a JSON "
                       "list."});
    table.add({.name = "BREAKPAD_THROTTLER_PRODUCT_PACKAGENAMES",
               .default_value = "antenna.throttler.MOZILLA_PRODUCT_PACKAGENAMES",
               .help = "Allowed Android package names per product: MOZILLA_PRODUCT_PACKAGENAMES, "
                       "ALL_PRODUCT_PACKAGENAMES or the path of a JSON object."});
    table.add({.name = "BREAKPAD_MAX_DECOMPRESSED_BYTES",
               .type = OptionType::integer,
               .default_value = "104857600",
               .help = "Largest size a gzipped crash report may inflate to; beyond it the answer "
                       "is 413 Discarded=decompressed_too_large.",
               .min = 1});
    table.add({.name = "BREAKPAD_MAX_PARTS",
               .type = OptionType::integer,
               .default_value = "2000",
               .help = "Most parts (annotations and dumps) in one crash report; beyond it the "
                       "answer is 413 Discarded=too_many_parts.",
               .min = 1});
    table.add({.name = "BREAKPAD_MAX_TEXT_PART_BYTES",
               .type = OptionType::integer,
               .default_value = "20971520",
               .help = "Largest annotation part; a larger one is dropped with a collector note, "
                       "as in Antenna.",
               .min = 1});
    table.add({.name = "BREAKPAD_MAX_JSON_PART_BYTES",
               .type = OptionType::integer,
               .default_value = "20971520",
               .help = "Largest JSON annotations part; beyond it the answer is 413 "
                       "Discarded=json_part_too_large.",
               .min = 1});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_CLASS",
               .type = OptionType::choice,
               .default_value = kNoOpStorageClass,
               .help = "Crash storage: fs (filesystem), s3 (any S3-compatible object storage: "
                       "AWS S3, Ceph RGW, MinIO), gcs (Google Cloud Storage through its "
                       "S3-compatible XML API with HMAC keys) or noop; Antenna's dotted class "
                       "names are accepted too.",
               .choices = {"fs", "s3", "gcs", "noop", kFsStorageClass, kS3StorageClass,
                           kGcsStorageClass, kNoOpStorageClass}});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_CLASS",
               .type = OptionType::choice,
               .default_value = kNoOpPublishClass,
               .help = "Crash id publisher: pubsub (Google Cloud Pub/Sub), sqs (AWS SQS), "
                       "rabbitmq (AMQP 0-9-1) or noop; Antenna's dotted class names are accepted "
                       "too.",
               .choices = {"pubsub", "sqs", "rabbitmq", "noop", kPubSubPublishClass,
                           kSqsPublishClass, kNoOpPublishClass}});
    table.add({.name = "CRASHMOVER_ACK",
               .type = OptionType::choice,
               .default_value = "spool",
               .help = "When a crash is acknowledged (CrashID=): spool: once it is flushed to "
                       "the local spool, from which it is moved to storage and published with "
                       "retries until it gets there; sync: once saved to storage inside the "
                       "request, as Antenna (500 when saving gives up).",
               .choices = {"spool", "sync"}});
    table.add({.name = "CRASHMOVER_MAX_ATTEMPTS",
               .type = OptionType::integer,
               .default_value = "5",
               .help = "With CRASHMOVER_ACK=sync: attempts to save, and separately to publish, a "
                       "crash. The spool never gives up.",
               .min = 1});
    table.add({.name = "CRASHMOVER_RETRY_SLEEP_SECONDS",
               .type = OptionType::seconds,
               .default_value = "2",
               .help = "With CRASHMOVER_ACK=sync the pause between two attempts; for the spool "
                       "the first pause of an exponential backoff with jitter (at least 0.1).",
               .min = 0});
    table.add({.name = "CRASHMOVER_RETRY_MAX_SLEEP_SECONDS",
               .type = OptionType::seconds,
               .default_value = "60",
               .help = "Longest pause of the spool's backoff.",
               .min = 0.1});
    table.add({.name = "CRASHMOVER_CONCURRENT_CRASHMOVERS",
               .type = OptionType::integer,
               .default_value = "8",
               .help = "How many spooled crashes the mover saves to storage at once (Antenna's "
                       "name from its asynchronous era); object storage needs several to keep up.",
               .min = 1,
               .max = 256});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_FS_ROOT",
               .default_value = "/tmp/antenna_crashes",
               .help = "Root directory of the filesystem storage."});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_BUCKET_NAME",
               .default_value = "",
               .help = "s3/gcs: the bucket (it must exist)."});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_ACCESS_KEY",
               .default_value = "",
               .help = "s3/gcs: the access key id (for GCS an HMAC key's access id).",
               .fallbacks = {"AWS_ACCESS_KEY_ID"}});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_SECRET_ACCESS_KEY",
               .default_value = "",
               .help = "s3/gcs: the secret access key (for GCS the HMAC key's secret).",
               .secret = true,
               .fallbacks = {"AWS_SECRET_ACCESS_KEY"}});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_SESSION_TOKEN",
               .default_value = "",
               .help = "s3: the session token of temporary credentials (AWS STS).",
               .secret = true,
               .fallbacks = {"AWS_SESSION_TOKEN"}});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_REGION",
               .default_value = "",
               .help = "s3/gcs: the region requests are signed for (RGW and MinIO accept "
                       "us-east-1 unless configured otherwise).",
               .fallbacks = {"S3_REGION"},
               .default_help = "us-west-2 for s3 (as Antenna), auto for gcs"});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_ENDPOINT_URL",
               .default_value = "",
               .help = "s3/gcs: the server, http:// or https:// with host and port, no path.",
               .fallbacks = {"S3_ENDPOINT_URL"},
               .default_help = "https://s3.<region>.amazonaws.com for s3, "
                               "https://storage.googleapis.com for gcs"});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_ADDRESSING_STYLE",
               .type = OptionType::choice,
               .default_value = "path",
               .help = "s3/gcs: path (https://endpoint/bucket/key, as Antenna: bucket names may "
                       "contain dots) or virtual (https://bucket.endpoint/key).",
               .choices = {"path", "virtual"}});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_CA_BUNDLE",
               .default_value = "",
               .help = "s3/gcs: a PEM file of the certificate authorities to trust for https "
                       "endpoints; empty: the system's (/etc/ssl/certs).",
               .fallbacks = {"AWS_CA_BUNDLE"}});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_MULTIPART_THRESHOLD_BYTES",
               .type = OptionType::integer,
               .default_value = "8388608",
               .help = "s3/gcs: dumps larger than this are uploaded in parts (multipart upload).",
               .min = 1});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_MULTIPART_PART_BYTES",
               .type = OptionType::integer,
               .default_value = "8388608",
               .help = "s3/gcs: the size of each part of a multipart upload (S3's least is "
                       "5 MiB).",
               .min = 5242880,
               .max = 5368709120.0});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_CONNECT_TIMEOUT_SECONDS",
               .type = OptionType::seconds,
               .default_value = "10",
               .help = "s3/gcs: longest wait for a connection (TCP and TLS).",
               .min = 0.1});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_TIMEOUT_SECONDS",
               .type = OptionType::seconds,
               .default_value = "30",
               .help = "s3/gcs: longest wait for progress while sending a request, and for the "
                       "answer after it.",
               .min = 0.1});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_TIMEOUT",
               .type = OptionType::seconds,
               .default_value = "5",
               .help = "pubsub/sqs/rabbitmq: longest wait for a connection, and for each answer "
                       "(Antenna's Pub/Sub RPC timeout).",
               .min = 0.1});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_PROJECT_ID",
               .default_value = "",
               .help = "pubsub: the Google Cloud project of the topic."});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_TOPIC_NAME",
               .default_value = "",
               .help = "pubsub: the topic (it must exist, with a subscription for the "
                       "processor)."});
    table.add({.name = "PUBSUB_EMULATOR_HOST",
               .default_value = "",
               .help = "pubsub: host:port of the Pub/Sub emulator; plain HTTP without "
                       "credentials, as Google's libraries."});
    table.add({.name = "GOOGLE_APPLICATION_CREDENTIALS",
               .default_value = "",
               .help = "pubsub: a service account's JSON key file; without it access tokens come "
                       "from the metadata server of the machine (GCE, GKE, Cloud Run)."});
    table.add({.name = "GCE_METADATA_HOST",
               .default_value = "metadata.google.internal",
               .help = "pubsub: host[:port] of the metadata server."});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_QUEUE_NAME",
               .default_value = "",
               .help = "sqs/rabbitmq: the queue (for sqs it must exist; rabbitmq declares it "
                       "durable)."});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_ACCESS_KEY",
               .default_value = "",
               .help = "sqs: the access key id.",
               .fallbacks = {"AWS_ACCESS_KEY_ID"}});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_SECRET_ACCESS_KEY",
               .default_value = "",
               .help = "sqs: the secret access key.",
               .secret = true,
               .fallbacks = {"AWS_SECRET_ACCESS_KEY"}});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_SESSION_TOKEN",
               .default_value = "",
               .help = "sqs: the session token of temporary credentials.",
               .secret = true,
               .fallbacks = {"AWS_SESSION_TOKEN"}});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_REGION",
               .default_value = "us-west-2",
               .help = "sqs: the region (Antenna's fallback S3_REGION is kept).",
               .fallbacks = {"S3_REGION"}});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_ENDPOINT_URL",
               .default_value = "",
               .help = "sqs: the server, http:// or https:// with host and port (Antenna's "
                       "fallback S3_ENDPOINT_URL is kept).",
               .fallbacks = {"S3_ENDPOINT_URL"},
               .default_help = "https://sqs.<region>.amazonaws.com"});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_CA_BUNDLE",
               .default_value = "",
               .help = "pubsub/sqs: a PEM file of the certificate authorities to trust for "
                       "https; empty: the system's (/etc/ssl/certs).",
               .fallbacks = {"AWS_CA_BUNDLE"}});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_AMQP_URL",
               .default_value = "amqp://guest:guest@localhost:5672/%2f",
               .help = "rabbitmq: the broker, amqp://user:password@host:port/vhost (vhost "
                       "percent-encoded: %2f is /).",
               .secret = true});
    table.add({.name = "CRASHMOVER_SPOOL_MIN_FREE_BYTES",
               .type = OptionType::integer,
               .default_value = "104857600",
               .help = "Below this much free space on the spool's filesystem, /submit answers 503 "
                       "with Retry-After (clients keep the report and retry) and "
                       "/__heartbeat__ fails, until space comes back.",
               .min = 0});
    table.add({.name = "CRASHMOVER_RETRY_AFTER_SECONDS",
               .type = OptionType::integer,
               .default_value = "60",
               .help = "The Retry-After of 503 answers.",
               .min = 0});
    table.add({.name = "CRASHMOVER_SPOOL_DIR",
               .default_value = "/tmp/antenna_spool",
               .help = "The spool: dumps being received and crashes waiting for storage. Put it "
                       "on persistent local disk, on the same filesystem as the filesystem "
                       "storage so that dumps are moved, not copied. One collector per spool."});
    table.add({.name = "CRASHMOVER_SPOOL_SYNC",
               .type = OptionType::choice,
               .default_value = "syncfs",
               .help = "How a spooled crash is made durable before it is acknowledged, shared by "
                       "the requests of the same moment: syncfs (one flush of the spool's "
                       "filesystem), fsync (each file and directory) or off (a power cut may "
                       "lose acknowledged crashes). Also flushes filesystem storage before ids are "
                       "published.",
               .choices = {"syncfs", "fsync", "off"}});
    table.add({.name = "CRASHMOVER_SPOOL_MAX_CRASHES",
               .type = OptionType::integer,
               .default_value = "100000",
               .help = "With this many crashes waiting in the spool, /submit answers 503 with "
                       "Retry-After and /__heartbeat__ fails, until the mover catches up. 0: no "
                       "limit.",
               .min = 0});
    table.add({.name = "CRASHMOVER_SPOOL_MAX_BYTES",
               .type = OptionType::integer,
               .default_value = "0",
               .help = "The same for the dump bytes waiting in the spool. 0: no limit but "
                       "CRASHMOVER_SPOOL_MIN_FREE_BYTES.",
               .min = 0});
    table.add({.name = "CRASHMOVER_SHUTDOWN_SECONDS",
               .type = OptionType::seconds,
               .default_value = "10",
               .help = "On shutdown, after the last request, how long the mover keeps moving "
                       "spooled crashes; the rest wait in the spool for the next start.",
               .min = 0});
}

std::vector<core::Command> AntennaApp::commands() {
    return {spool_command()};
}

AntennaApp::AntennaApp(core::Runtime& runtime, const core::Config& config) {
    core::Logger app_log = runtime.logger("app");
    runtime.set_error_reporter(make_sentry_reporter(config, runtime));
    storage_ = make_crash_storage(config, runtime);
    publisher_ = make_crash_publisher(config, runtime);
    verify_backends(*storage_, *publisher_, app_log);
    runtime.health_checks().add(storage_->name(), [this] { return storage_->check_health(); });
    runtime.health_checks().add(publisher_->name(), [this] { return publisher_->check_health(); });

    ThrottlerSettings throttling = load_throttler_settings(
        config.string("BREAKPAD_THROTTLER_RULES"), config.string("BREAKPAD_THROTTLER_PRODUCTS"),
        config.string("BREAKPAD_THROTTLER_PRODUCT_PACKAGENAMES"));
    throttler_ = std::make_unique<Throttler>(
        std::move(throttling.rules), std::move(throttling.products),
        std::move(throttling.product_packagenames), default_random_source(),
        [] { return std::chrono::system_clock::now(); }, runtime.logger("throttler"));

    ids_ = std::make_unique<SystemCrashIdSource>();

    std::filesystem::path spool_dir = config.string("CRASHMOVER_SPOOL_DIR");
    spool_ = std::make_unique<Spool>(
        spool_dir,
        SpoolLimits{
            .max_crashes =
                static_cast<std::uint64_t>(config.integer("CRASHMOVER_SPOOL_MAX_CRASHES")),
            .max_bytes = static_cast<std::uint64_t>(config.integer("CRASHMOVER_SPOOL_MAX_BYTES"))},
        runtime.logger("spool"), runtime.metrics());
    spool_space_ = std::make_unique<SpoolSpace>(
        spool_dir, static_cast<std::uint64_t>(config.integer("CRASHMOVER_SPOOL_MIN_FREE_BYTES")),
        runtime.logger("spool"));
    // Crashes spooled by an earlier run are moved whatever CRASHMOVER_ACK says now.
    mover_ =
        std::make_unique<SpoolMover>(spool_mover_options(config), *spool_, *storage_, *publisher_,
                                     runtime.logger("crashmover"), runtime.metrics());
    mover_->start(spool_->recover());
    runtime.on_shutdown([this, timeout = config.seconds("CRASHMOVER_SHUTDOWN_SECONDS")] {
        mover_->finish(timeout);
    });

    if (config.choice("CRASHMOVER_ACK") == "spool") {
        committer_ = std::make_unique<GroupCommitter>(
            parse_sync_mode(config.choice("CRASHMOVER_SPOOL_SYNC")), spool_dir,
            runtime.logger("spool"), runtime.metrics());
        keeper_ =
            std::make_unique<SpoolKeeper>(*spool_, *committer_, *mover_, runtime.logger("spool"));
    } else {
        keeper_ = std::make_unique<CrashMover>(
            CrashMoverOptions{
                .max_attempts = static_cast<int>(config.integer("CRASHMOVER_MAX_ATTEMPTS")),
                .retry_sleep = config.seconds("CRASHMOVER_RETRY_SLEEP_SECONDS")},
            *storage_, *publisher_, runtime.logger("crashmover"), runtime.metrics());
    }
    runtime.health_checks().add(
        "Spool", [this]() -> boost::asio::awaitable<std::optional<std::string>> {
            if (std::optional<std::string> problem = spool_space_->problem()) {
                co_return problem;
            }
            co_return spool_->full();
        });
    breakpad_ = std::make_unique<BreakpadSubmitterResource>(
        BreakpadOptions{
            .stage_submitter_bearer_token = config.string("BREAKPAD_STAGE_SUBMITTER_BEARER_TOKEN"),
            .max_decompressed_bytes =
                static_cast<std::uint64_t>(config.integer("BREAKPAD_MAX_DECOMPRESSED_BYTES")),
            .retry_after = std::chrono::seconds(config.integer("CRASHMOVER_RETRY_AFTER_SECONDS")),
            .extractor = {.incoming_dir = spool_->incoming_dir(),
                          .max_parts =
                              static_cast<std::size_t>(config.integer("BREAKPAD_MAX_PARTS")),
                          .max_text_part_bytes = static_cast<std::size_t>(
                              config.integer("BREAKPAD_MAX_TEXT_PART_BYTES")),
                          .max_json_part_bytes = static_cast<std::size_t>(
                              config.integer("BREAKPAD_MAX_JSON_PART_BYTES"))}},
        *throttler_, *ids_, [] { return std::chrono::system_clock::now(); }, *keeper_,
        *spool_space_, runtime.log_sink(), runtime.metrics());

    runtime.router().add(
        bhttp::verb::post, "/submit",
        [this](core::http::Request& request) { return breakpad_->on_post(request); },
        {.error_response = BreakpadSubmitterResource::error_response});
}

AntennaApp::~AntennaApp() = default;

}  // namespace antenna

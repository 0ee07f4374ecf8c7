#include "antenna/app.h"

#include <filesystem>

#include "antenna/storage/fs_crash_storage.h"
#include "antenna/throttler/rules_file.h"

namespace antenna {
namespace {

namespace bhttp = boost::beast::http;

constexpr auto kFsStorage = "antenna.ext.fs.crashstorage.FSCrashStorage";
constexpr auto kNoOpStorage = "antenna.ext.crashstorage_base.NoOpCrashStorage";
constexpr auto kNoOpPublish = "antenna.ext.crashpublish_base.NoOpCrashPublish";

// Short names accepted beside Antenna's dotted class names.
bool is_storage(const std::string& value, std::string_view dotted, std::string_view short_name) {
    return value == dotted || value == short_name;
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
               .default_value = kNoOpStorage,
               .help = "Crash storage: fs (filesystem) or noop; Antenna's dotted class names are "
                       "accepted too.",
               .choices = {"fs", "noop", kFsStorage, kNoOpStorage}});
    table.add({.name = "CRASHMOVER_CRASHPUBLISH_CLASS",
               .type = OptionType::choice,
               .default_value = kNoOpPublish,
               .help = "Crash id publisher: noop; Antenna's dotted class name is accepted too.",
               .choices = {"noop", kNoOpPublish}});
    table.add({.name = "CRASHMOVER_MAX_ATTEMPTS",
               .type = OptionType::integer,
               .default_value = "5",
               .help = "Attempts to save, and separately to publish, a crash.",
               .min = 1});
    table.add({.name = "CRASHMOVER_RETRY_SLEEP_SECONDS",
               .type = OptionType::seconds,
               .default_value = "2",
               .help = "Pause between two attempts.",
               .min = 0});
    table.add({.name = "CRASHMOVER_CRASHSTORAGE_FS_ROOT",
               .default_value = "/tmp/antenna_crashes",
               .help = "Root directory of the filesystem storage."});
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
               .help = "Directory dumps are streamed to while a crash report is received; keep "
                       "it on the same filesystem as the filesystem storage so that dumps are "
                       "moved, not copied."});
}

AntennaApp::AntennaApp(core::Runtime& runtime, const core::Config& config) {
    core::Logger app_log = runtime.logger("app");
    const std::string& storage_class = config.choice("CRASHMOVER_CRASHSTORAGE_CLASS");
    if (is_storage(storage_class, kFsStorage, "fs")) {
        storage_ =
            std::make_unique<FsCrashStorage>(config.string("CRASHMOVER_CRASHSTORAGE_FS_ROOT"),
                                             runtime.logger("ext.fs.crashstorage"));
    } else {
        storage_ = std::make_unique<NoOpCrashStorage>(runtime.logger("ext.crashstorage_base"));
    }
    publisher_ = std::make_unique<NoOpCrashPublisher>(runtime.logger("ext.crashpublish_base"));

    app_log.debug("Verification starting.");
    app_log.debug("Verifying " + storage_->name() + ".verify");
    if (Outcome verified = storage_->verify(); !verified.ok) {
        throw std::runtime_error(storage_->name() + " verification failed: " + verified.error);
    }
    app_log.debug("Verifying " + publisher_->name() + ".verify");
    if (Outcome verified = publisher_->verify(); !verified.ok) {
        throw std::runtime_error(publisher_->name() + " verification failed: " + verified.error);
    }
    app_log.debug("Verification complete: everything is good!");
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
    mover_ = std::make_unique<CrashMover>(
        CrashMoverOptions{
            .max_attempts = static_cast<int>(config.integer("CRASHMOVER_MAX_ATTEMPTS")),
            .retry_sleep = config.seconds("CRASHMOVER_RETRY_SLEEP_SECONDS")},
        *storage_, *publisher_, runtime.logger("crashmover"), runtime.metrics());

    std::filesystem::path incoming =
        std::filesystem::path(config.string("CRASHMOVER_SPOOL_DIR")) / "incoming";
    std::error_code ec;
    std::filesystem::create_directories(incoming, ec);
    if (ec) {
        throw std::runtime_error("cannot create the spool directory " + incoming.string() + ": " +
                                 ec.message());
    }
    // Dumps of uploads that a previous process never finished: they belong to no crash.
    for (const auto& entry : std::filesystem::directory_iterator(incoming, ec)) {
        std::filesystem::remove(entry.path(), ec);
    }
    spool_space_ = std::make_unique<SpoolSpace>(
        incoming, static_cast<std::uint64_t>(config.integer("CRASHMOVER_SPOOL_MIN_FREE_BYTES")),
        runtime.logger("spool"));
    runtime.health_checks().add("Spool",
                                [this]() -> boost::asio::awaitable<std::optional<std::string>> {
                                    co_return spool_space_->problem();
                                });
    breakpad_ = std::make_unique<BreakpadSubmitterResource>(
        BreakpadOptions{
            .stage_submitter_bearer_token = config.string("BREAKPAD_STAGE_SUBMITTER_BEARER_TOKEN"),
            .max_decompressed_bytes =
                static_cast<std::uint64_t>(config.integer("BREAKPAD_MAX_DECOMPRESSED_BYTES")),
            .retry_after = std::chrono::seconds(config.integer("CRASHMOVER_RETRY_AFTER_SECONDS")),
            .extractor = {.incoming_dir = incoming,
                          .max_parts =
                              static_cast<std::size_t>(config.integer("BREAKPAD_MAX_PARTS")),
                          .max_text_part_bytes = static_cast<std::size_t>(
                              config.integer("BREAKPAD_MAX_TEXT_PART_BYTES")),
                          .max_json_part_bytes = static_cast<std::size_t>(
                              config.integer("BREAKPAD_MAX_JSON_PART_BYTES"))}},
        *throttler_, *ids_, [] { return std::chrono::system_clock::now(); }, *mover_, *spool_space_,
        runtime.log_sink(), runtime.metrics());

    runtime.router().add(
        bhttp::verb::post, "/submit",
        [this](core::http::Request& request) { return breakpad_->on_post(request); },
        {.error_response = BreakpadSubmitterResource::error_response});
}

AntennaApp::~AntennaApp() = default;

}  // namespace antenna

#include "antenna/breakpad_resource.h"

#include <array>
#include <vector>

#include <openssl/crypto.h>

#include "antenna/gzip_decoder.h"
#include "antenna/multipart/header_params.h"
#include "core/http/responses.h"

namespace antenna {
namespace bhttp = boost::beast::http;
using core::http::Response;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::array kRemovedFields = {"Email", "TelemetryClientId", "TelemetryServerURL",
                                       "TelemetrySessionId"};

std::string_view strip(std::string_view text) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

Response plain(bhttp::status status, std::string body) {
    return core::http::text_response(status, std::move(body), "text/plain");
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

BreakpadSubmitterResource::BreakpadSubmitterResource(
    BreakpadOptions options, const Throttler& throttler, CrashIdSource& ids, Clock clock,
    CrashKeeper& keeper, SpoolSpace& spool_space, core::LogSink& log_sink, core::Metrics& metrics)
    : options_(std::move(options)),
      throttler_(throttler),
      ids_(ids),
      clock_(std::move(clock)),
      keeper_(keeper),
      spool_space_(spool_space),
      log_(log_sink, "antenna.breakpad_resource"),
      gzipped_crash_(metrics.counter("socorro.collector.breakpad_resource.gzipped_crash")),
      gzipped_crash_decompress_(
          metrics.histogram("socorro.collector.breakpad_resource.gzipped_crash_decompress")),
      crash_size_(metrics.histogram("socorro.collector.breakpad_resource.crash_size")),
      on_post_time_(metrics.timing("socorro.collector.breakpad_resource.on_post.time")),
      malformed_(metrics.counter("socorro.collector.breakpad_resource.malformed")),
      incoming_crash_(metrics.counter("socorro.collector.breakpad_resource.incoming_crash")),
      throttle_rule_(metrics.counter("socorro.collector.breakpad_resource.throttle_rule")),
      throttle_(metrics.counter("socorro.collector.breakpad_resource.throttle")),
      unauthorized_uuid_(metrics.counter("socorro.collector.breakpad_resource.unauthorized_uuid")) {
}

Response BreakpadSubmitterResource::error_response(bhttp::status status, std::string_view reason) {
    return plain(status, "Discarded=" + std::string(reason));
}

Response BreakpadSubmitterResource::malformed(Malformed reason) {
    std::string name(malformed_reason(reason));
    malformed_.incr(1, {"reason:" + name});
    return plain(bhttp::status::bad_request, "Discarded=malformed_" + name);
}

Response BreakpadSubmitterResource::unavailable(std::string_view reason) {
    Response response =
        plain(bhttp::status::service_unavailable, "Discarded=" + std::string(reason));
    response.set(bhttp::field::retry_after, std::to_string(options_.retry_after.count()));
    return response;
}

boost::asio::awaitable<Response> BreakpadSubmitterResource::on_post(core::http::Request& request) {
    auto started = SteadyClock::now();
    Response response = co_await handle(request);
    on_post_time_.observe(SteadyClock::now() - started);
    co_return response;
}

bool BreakpadSubmitterResource::from_stage_submitter(const core::http::Request& request) const {
    const std::string& token = options_.stage_submitter_bearer_token;
    std::string_view authorization = request.header(bhttp::field::authorization);
    if (token.empty() || !authorization.starts_with("Bearer ")) {
        return false;
    }
    std::string_view offered = authorization.substr(authorization.find(' ') + 1);
    return offered.size() == token.size() &&
           CRYPTO_memcmp(offered.data(), token.data(), token.size()) == 0;
}

boost::asio::awaitable<Malformed> BreakpadSubmitterResource::read_payload(
    core::http::Request& request, const std::string& boundary, bool gzipped,
    PayloadExtractor& extractor, Refused& refused) {
    core::http::BodyReader& body = request.body();
    MultipartParser parser(boundary, extractor);
    bool parsing = true;

    if (!gzipped) {
        crash_size_.observe(static_cast<double>(*body.content_length()), {"payload:uncompressed"});
        while (parsing) {
            std::span<const char> got = co_await body.read_some();
            if (got.empty()) {
                break;
            }
            parsing = parser.feed(std::string_view(got.data(), got.size()));
        }
    } else {
        gzipped_crash_.incr();
        GzipDecoder decoder(options_.max_decompressed_bytes);
        SteadyClock::duration inflating{};
        // Antenna inflates the whole body before parsing it, so a bad gzip stream wins over any
        // form error found on the way: keep inflating after the parser has stopped.
        auto to_parser = [&](std::string_view data) {
            if (parsing) {
                parsing = parser.feed(data);
            }
            return true;
        };
        GzipDecoder::Status status = GzipDecoder::Status::more;
        while (status == GzipDecoder::Status::more || status == GzipDecoder::Status::done) {
            std::span<const char> got = co_await body.read_some();
            if (got.empty()) {
                break;
            }
            if (status == GzipDecoder::Status::done) {
                continue;  // bytes after the first gzip member are read and ignored
            }
            auto started = SteadyClock::now();
            status = decoder.feed(std::string_view(got.data(), got.size()), to_parser);
            inflating += SteadyClock::now() - started;
        }
        if (body.failed()) {
            co_return Malformed::none;
        }
        if (status == GzipDecoder::Status::too_large) {
            refused = Refused::decompressed_too_large;
            co_return Malformed::none;
        }
        bool inflated = decoder.finish() == GzipDecoder::Status::done;
        gzipped_crash_decompress_.observe(
            std::chrono::duration<double, std::milli>(inflating).count(),
            {inflated ? "result:success" : "result:fail"});
        if (!inflated) {
            co_return Malformed::bad_gzip;
        }
        crash_size_.observe(static_cast<double>(decoder.output_bytes()), {"payload:compressed"});
    }
    if (body.failed()) {
        co_return Malformed::none;
    }
    if (extractor.refused() != Refused::none) {
        refused = extractor.refused();
        co_return Malformed::none;
    }
    if (extractor.malformed() != Malformed::none) {
        co_return extractor.malformed();
    }
    if (!parser.finish()) {
        log_.error("extract payload exception: " + (parser.error().empty()
                                                        ? std::string("unexpected form structure")
                                                        : parser.error()));
        co_return Malformed::invalid_payload_structure;
    }
    co_return extractor.finish();
}

boost::asio::awaitable<Response> BreakpadSubmitterResource::handle(core::http::Request& request) {
    if (spool_space_.problem()) {
        co_return unavailable(refused_reason(Refused::disk_full));
    }
    if (std::optional<std::string> reason = keeper_.refusal()) {
        co_return unavailable(*reason);
    }
    // Header checks, in Antenna's order (§1.2.1).
    std::string_view content_type = request.header(bhttp::field::content_type);
    if (content_type.empty()) {
        co_return malformed(Malformed::no_content_type);
    }
    auto semicolon = content_type.find(';');
    std::string_view media_type = strip(content_type.substr(0, semicolon));
    bool allowed = media_type == "multipart/form-data" || media_type == "multipart/mixed";
    if (semicolon == std::string_view::npos || !allowed ||
        !strip(content_type.substr(semicolon + 1)).starts_with("boundary=")) {
        co_return malformed(allowed ? Malformed::no_boundary : Malformed::wrong_content_type);
    }
    Boundary boundary = multipart_boundary(content_type);
    if (boundary.error != Boundary::Error::none) {
        // Falcon's own answer, not a malformed crash (no metric), as in Antenna.
        Response invalid = core::http::json_response(
            bhttp::status::bad_request,
            R"({"title": "Invalid header value", "description": "The value provided for the \"Content-Type\" header is invalid. The boundary parameter must consist of 1 to 70 characters"})");
        invalid.set(bhttp::field::vary, "Accept");
        co_return invalid;
    }
    std::optional<std::uint64_t> content_length = request.body().content_length();
    if (!content_length || *content_length == 0) {
        co_return malformed(Malformed::no_content_length);
    }
    bool gzipped = request.header(bhttp::field::content_encoding) == "gzip";

    PayloadExtractor extractor(options_.extractor, log_);
    Refused refused = Refused::none;
    Malformed problem = co_await read_payload(request, boundary.value, gzipped, extractor, refused);
    if (request.body().failed()) {
        // The core answers a failed body itself (413, 408, 400, or nothing to a client that
        // left), formatting it with error_response().
        co_return error_response(bhttp::status::payload_too_large, "body_too_large");
    }
    if (refused == Refused::disk_full) {
        co_return unavailable(refused_reason(refused));
    }
    if (refused != Refused::none) {
        co_return error_response(bhttp::status::payload_too_large, refused_reason(refused));
    }
    if (problem != Malformed::none) {
        co_return malformed(problem);
    }
    incoming_crash_.incr();

    // The raw crash: annotations plus what the collector adds (§1.2.5).
    auto now = clock_();
    boost::json::object raw_crash = std::move(extractor.annotations());
    boost::json::object checksums;
    for (const auto& dump : extractor.dumps()) {
        checksums[dump.name] = dump.sha256;
    }
    boost::json::array notes;
    for (auto& note : extractor.notes()) {
        notes.emplace_back(note);
    }
    std::string_view user_agent = request.header(bhttp::field::user_agent);
    raw_crash["submitted_timestamp"] = isoformat_utc(now);
    raw_crash["metadata"] = boost::json::object{
        {"payload", extractor.has_json() ? "json" : "multipart"},
        {"payload_compressed", gzipped ? "1" : "0"},
        {"payload_size", *content_length},
        {"collector_notes", std::move(notes)},
        {"dump_checksums", std::move(checksums)},
        {"user_agent", user_agent.empty() ? std::string_view("None") : user_agent},
    };
    raw_crash["version"] = 2;

    ThrottleDecision decision = throttler_.throttle(raw_crash);
    std::string crash_id;
    if (const boost::json::value* uuid = raw_crash.if_contains("uuid")) {
        if (!from_stage_submitter(request)) {
            unauthorized_uuid_.incr();
            co_return plain(bhttp::status::unauthorized, "Discarded=unauthorized_uuid");
        }
        // A non-string uuid crashes Antenna (500); it is an invalid uuid here.
        if (!uuid->is_string() || !validate_crash_id(uuid->get_string(), true)) {
            co_return malformed(Malformed::invalid_uuid);
        }
        crash_id = std::string(uuid->get_string());
        log_.info(crash_id + " has existing crash_id");
    } else {
        crash_id = create_crash_id(ids_.random_bytes(), now, static_cast<int>(decision.result));
        raw_crash["uuid"] = crash_id;
    }
    std::string result(result_name(decision.result));
    log_.info(crash_id + ": matched by " + decision.rule_name + "; returned " + result);
    throttle_rule_.incr(1, {"rule:" + decision.rule_name});
    throttle_.incr(1, {"result:" + lower(result)});
    raw_crash["metadata"].as_object()["throttle_rule"] = decision.rule_name;

    if (decision.result == ThrottleResult::reject) {
        co_return plain(bhttp::status::ok, "Discarded=rule_" + decision.rule_name);
    }
    if (decision.result == ThrottleResult::fakeaccept) {
        co_return plain(bhttp::status::ok, "CrashID=bp-" + crash_id + "\n");
    }

    // cleanup_crash_report: fields that must not be stored.
    for (const char* field : kRemovedFields) {
        if (raw_crash.erase(field) > 0) {
            raw_crash["metadata"].as_object()["collector_notes"].as_array().emplace_back(
                std::string("Removed ") + field + " from raw crash.");
        }
    }
    CrashReport report{crash_id, std::move(raw_crash), extractor.take_dumps()};
    Kept kept = co_await keeper_.keep(report);
    switch (kept.status) {
        case Kept::Status::kept:
            break;
        case Kept::Status::failed:
            co_return plain(bhttp::status::internal_server_error, "");
        case Kept::Status::unavailable:
            co_return unavailable(kept.reason);
    }
    co_return plain(bhttp::status::ok, "CrashID=bp-" + crash_id + "\n");
}

}  // namespace antenna

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "antenna/crash_id.h"
#include "antenna/crash_keeper.h"
#include "antenna/payload_extractor.h"
#include "antenna/spool/spool_space.h"
#include "antenna/throttler/throttler.h"
#include "core/http/request.h"
#include "core/http/router.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"

namespace antenna {

struct BreakpadOptions {
    std::string stage_submitter_bearer_token;  // empty: clients may not choose their crash id
    std::uint64_t max_decompressed_bytes = 100 * 1024 * 1024;
    std::chrono::seconds retry_after = std::chrono::seconds(60);  // with 503 answers
    ExtractorOptions extractor;
};

// POST /submit: Antenna's BreakpadSubmitterResource (spec Part 2 §1.2). Checks the headers,
// streams the body through gunzip and the multipart parser into annotations and dump files,
// throttles, assigns the crash id, and hands accepted crashes to the crash keeper.
class BreakpadSubmitterResource {
public:
    BreakpadSubmitterResource(BreakpadOptions options, const Throttler& throttler,
                              CrashIdSource& ids, Clock clock, CrashKeeper& keeper,
                              SpoolSpace& spool_space, core::LogSink& log_sink,
                              core::Metrics& metrics);

    boost::asio::awaitable<core::http::Response> on_post(core::http::Request& request);

    // Answers the core gives on this route (413, 408...) in Antenna's text/plain form.
    static core::http::Response error_response(boost::beast::http::status status,
                                               std::string_view reason);

private:
    struct Extraction;
    boost::asio::awaitable<core::http::Response> handle(core::http::Request& request);
    boost::asio::awaitable<Malformed> read_payload(core::http::Request& request,
                                                   const std::string& boundary, bool gzipped,
                                                   PayloadExtractor& extractor, Refused& refused);
    core::http::Response malformed(Malformed reason);
    core::http::Response unavailable(std::string_view reason);
    bool from_stage_submitter(const core::http::Request& request) const;

    BreakpadOptions options_;
    const Throttler& throttler_;
    CrashIdSource& ids_;
    Clock clock_;
    CrashKeeper& keeper_;
    SpoolSpace& spool_space_;
    core::Logger log_;
    core::Counter gzipped_crash_;
    core::Timing gzipped_crash_decompress_;
    core::Timing crash_size_;
    core::Timing on_post_time_;
    core::Counter malformed_;
    core::Counter incoming_crash_;
    core::Counter throttle_rule_;
    core::Counter throttle_;
    core::Counter unauthorized_uuid_;
};

}  // namespace antenna

#pragma once

#include <memory>

#include "core/http/error_reporter.h"
#include "core/http/router.h"
#include "core/http/server_options.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"

namespace core::http {

// What every worker and connection of one server shares, read-only after startup.
struct ServerContext {
    ServerOptions options;
    const Router& router;
    Logger app_log;     // unhandled handler exceptions, startup and shutdown
    Logger access_log;  // one request.summary line per request
    Timing request_duration;
    Counter accept_paused;  // a worker reached worker_connections and stopped accepting
    std::shared_ptr<ErrorReporter> error_reporter = {};  // null: unhandled errors are only logged
};

}  // namespace core::http

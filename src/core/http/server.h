#pragma once

#include <memory>
#include <vector>

#include "core/http/server_context.h"
#include "core/http/worker.h"

namespace core::http {

// The HTTP server: N workers listening on one port, run until SIGTERM or SIGINT, then drained:
// stop accepting, let in-flight requests finish within GRACEFUL_TIMEOUT, close the rest.
// A second signal stops at once.
class Server {
public:
    // Binds every worker's socket; throws std::system_error when the address is unusable.
    Server(ServerOptions options, const Router& router, Logger app_log, Logger access_log,
           Metrics& metrics, std::string metric_prefix,
           std::shared_ptr<ErrorReporter> error_reporter = nullptr);

    std::uint16_t port() const { return port_; }

    // Blocks until shut down by a signal; returns the process exit code (0 after a drain).
    int run();

private:
    ServerContext context_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::uint16_t port_ = 0;
};

}  // namespace core::http

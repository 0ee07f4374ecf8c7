#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/http/router.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"

namespace core {

// Health checks that components register for /__heartbeat__. A check returns nothing when
// healthy, or the message to report.
class HealthChecks {
public:
    using Check = std::function<boost::asio::awaitable<std::optional<std::string>>()>;

    void add(std::string name, Check check);

    struct Failure {
        std::string name;
        std::string msg;
    };
    boost::asio::awaitable<std::vector<Failure>> run() const;

private:
    std::vector<std::pair<std::string, Check>> checks_;
};

struct DockerflowOptions {
    std::string basedir;        // where version.json is read from
    std::string metric_prefix;  // e.g. "socorro.collector.health"
};

// Adds /__lbheartbeat__, /__heartbeat__, /__version__ and /__broken__ (Antenna's bodies and
// content types, spec Part 2 §1.3). `checks` must outlive the router.
void add_dockerflow_routes(http::Router& router, const HealthChecks& checks,
                           const DockerflowOptions& options, Metrics& metrics);

// The body of /__version__: version.json re-serialized, "{}" when missing or invalid.
std::string version_body(const std::string& basedir);

}  // namespace core

#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config/options.h"
#include "core/http/error_reporter.h"
#include "core/http/router.h"
#include "core/http/server_options.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"
#include "core/observability/prometheus.h"
#include "core/runtime/dockerflow.h"

namespace core {

// What distinguishes one program built on the core from another.
struct ProgramInfo {
    std::string name;           // "antenna": mozlog Logger, log Type prefix
    std::string metric_prefix;  // "socorro.collector"
    http::ServerOptions::Defaults server_defaults;
};

// The shared services of a running program, built from its configuration: logging, metrics,
// health checks and the router that the program adds its routes to.
class Runtime {
public:
    static void declare(OptionTable& table, const ProgramInfo& info);

    // Throws ConfigError or std::runtime_error for settings that cannot be used.
    Runtime(const Config& config, ProgramInfo info);

    Logger logger(std::string_view component) const;  // Type "<name>.<component>"
    LogSink& log_sink() { return *log_sink_; }
    Metrics& metrics() { return *metrics_; }
    HealthChecks& health_checks() { return health_checks_; }
    http::Router& router() { return router_; }
    const ProgramInfo& info() const { return info_; }

    // Sent every exception a handler lets escape (Sentry); set before serve().
    void set_error_reporter(std::shared_ptr<http::ErrorReporter> reporter) {
        error_reporter_ = std::move(reporter);
    }

    // Called after the server has drained, latest first: background work winds down here.
    void on_shutdown(std::function<void()> hook) { shutdown_hooks_.push_back(std::move(hook)); }

    // Serves until SIGTERM/SIGINT, then runs the shutdown hooks; returns the exit code.
    int serve();

private:
    ProgramInfo info_;
    http::ServerOptions server_options_;
    std::unique_ptr<LogSink> log_sink_;
    std::unique_ptr<Metrics> metrics_;
    std::shared_ptr<PrometheusRegistry> prometheus_;  // null unless PROMETHEUS_PORT is set
    std::string prometheus_address_;
    std::uint16_t prometheus_port_ = 0;
    HealthChecks health_checks_;
    http::Router router_;
    std::shared_ptr<http::ErrorReporter> error_reporter_;
    std::vector<std::function<void()>> shutdown_hooks_;
};

// A subcommand run instead of the server: `<program> <name> <args...>`, with the same
// configuration. Returns the exit code.
struct Command {
    std::string name;
    std::string usage;  // "spool list|retry"
    std::string help;
    std::function<int(const std::vector<std::string>& args, Runtime&, const Config&)> run;
};

// The common main(): declares options, answers --help, loads the configuration (one line and
// exit code 2 when invalid), then either runs a command or logs the configuration, lets
// `setup` add the program's routes, and serves.
int run_program(int argc, char** argv, char** envp, const ProgramInfo& info,
                const std::function<void(OptionTable&)>& declare,
                const std::function<void(Runtime&, const Config&)>& setup,
                const std::vector<Command>& commands = {});

}  // namespace core

#include "core/runtime/program.h"

#include <csignal>
#include <cstring>
#include <iostream>
#include <unistd.h>

#include "core/http/server.h"

namespace core {
namespace {

std::string local_hostname() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) {
        return "localhost";
    }
    return name;
}

}  // namespace

void Runtime::declare(OptionTable& table, const ProgramInfo& info) {
    http::ServerOptions::declare(table, info.server_defaults);
    table.add({.name = "LOGGING_LEVEL",
               .type = OptionType::choice,
               .default_value = "INFO",
               .help = "Lowest severity logged.",
               .choices = {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"}});
    table.add({.name = "LOCAL_DEV_ENV",
               .type = OptionType::boolean,
               .default_value = "false",
               .help = "Human-readable log lines instead of mozlog JSON."});
    table.add({.name = "HOSTNAME",
               .default_value = local_hostname(),
               .help = "Host id: the host_id log field and the host:<HOSTNAME> metric tag.",
               .default_help = "the machine's host name"});
    table.add({.name = "STATSD_HOST",
               .default_value = "localhost",
               .help = "StatsD (DogStatsD) host metrics are sent to over UDP."});
    table.add({.name = "STATSD_PORT",
               .type = OptionType::integer,
               .default_value = "8125",
               .help = "StatsD port.",
               .min = 1,
               .max = 65535});
    table.add({.name = "BASEDIR",
               .default_value = ".",
               .help = "Directory holding version.json, served at /__version__."});
    table.add({.name = "PROMETHEUS_PORT",
               .type = OptionType::integer,
               .default_value = "0",
               .help = "Serve the metrics (the same as StatsD's) in Prometheus' text format at "
                       "GET /metrics on this port, on a thread of its own; 0: off.",
               .min = 0,
               .max = 65535});
    table.add({.name = "PROMETHEUS_LISTEN_ADDRESS",
               .default_value = "127.0.0.1",
               .help = "Address of the Prometheus port."});
}

Runtime::Runtime(const Config& config, ProgramInfo info)
    : info_(std::move(info)), server_options_(http::ServerOptions::from(config)) {
    const std::string& hostname = config.string("HOSTNAME");
    log_sink_ = std::make_unique<LogSink>(LogOptions{
        .logger = info_.name,
        .hostname = hostname,
        .level = *parse_severity(config.choice("LOGGING_LEVEL")),
        .human = config.boolean("LOCAL_DEV_ENV"),
    });
    auto statsd = std::make_shared<StatsdSink>(
        config.string("STATSD_HOST"), static_cast<std::uint16_t>(config.integer("STATSD_PORT")));
    metrics_ = std::make_unique<Metrics>(statsd, std::vector<std::string>{"host:" + hostname});
    prometheus_port_ = static_cast<std::uint16_t>(config.integer("PROMETHEUS_PORT"));
    prometheus_address_ = config.string("PROMETHEUS_LISTEN_ADDRESS");
    if (prometheus_port_ != 0) {
        boost::system::error_code ec;
        boost::asio::ip::make_address(prometheus_address_, ec);
        if (ec) {
            throw ConfigError("PROMETHEUS_LISTEN_ADDRESS='" + prometheus_address_ +
                              "': expected an IPv4 or IPv6 address");
        }
        prometheus_ = std::make_shared<PrometheusRegistry>();
        metrics_->set_recorder(prometheus_);
    }
    add_dockerflow_routes(
        router_, health_checks_,
        {.basedir = config.string("BASEDIR"), .metric_prefix = info_.metric_prefix + ".health"},
        *metrics_);
}

Logger Runtime::logger(std::string_view component) const {
    return Logger(*log_sink_, info_.name + "." + std::string(component));
}

int Runtime::serve() {
    std::unique_ptr<PrometheusExporter> exporter;
    if (prometheus_) {
        exporter = std::make_unique<PrometheusExporter>(prometheus_address_, prometheus_port_,
                                                        prometheus_, logger("prometheus"));
        logger("app").info("metrics for Prometheus at http://" + prometheus_address_ + ":" +
                           std::to_string(exporter->port()) + "/metrics");
    }
    http::Server server(server_options_, router_, logger("app"),
                        Logger(*log_sink_, "request.summary"), *metrics_, info_.metric_prefix,
                        error_reporter_);
    int exit_code = server.run();
    for (auto hook = shutdown_hooks_.rbegin(); hook != shutdown_hooks_.rend(); ++hook) {
        (*hook)();
    }
    return exit_code;
}

int run_program(int argc, char** argv, char** envp, const ProgramInfo& info,
                const std::function<void(OptionTable&)>& declare,
                const std::function<void(Runtime&, const Config&)>& setup,
                const std::vector<Command>& commands) {
    std::signal(SIGPIPE, SIG_IGN);
    OptionTable table;
    Runtime::declare(table, info);
    declare(table);

    const Command* command = nullptr;
    std::vector<std::string> command_args;
    for (int i = 1; i < argc; ++i) {
        if (command) {
            command_args.emplace_back(argv[i]);
            continue;
        }
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::cout << table.help_text(info.name);
            if (!commands.empty()) {
                std::cout << "\nCommands (instead of serving):\n";
                for (const auto& c : commands) {
                    std::cout << "  " << info.name << " " << c.usage << "\n      " << c.help
                              << "\n";
                }
            }
            return 0;
        }
        if (std::strcmp(argv[i], "--config-markdown") == 0) {
            std::cout << table.markdown(info.name);
            return 0;
        }
        for (const auto& c : commands) {
            if (c.name == argv[i]) {
                command = &c;
            }
        }
        if (!command) {
            std::cerr << info.name << ": unknown argument '" << argv[i] << "' (see --help)\n";
            return 2;
        }
    }

    try {
        Config config = Config::load(table, environment_from(envp));
        Runtime runtime(config, info);
        if (command) {
            return command->run(command_args, runtime, config);
        }
        runtime.logger("liblogging")
            .info("set up logging logging_level=" + config.choice("LOGGING_LEVEL") +
                  " debug=" + (config.boolean("LOCAL_DEV_ENV") ? "True" : "False") +
                  " host_id=" + config.string("HOSTNAME") + " processname=" + info.name);
        Logger app = runtime.logger("app");
        for (const auto& line : config.describe()) {
            app.info(line);
        }
        setup(runtime, config);
        return runtime.serve();
    } catch (const ConfigError& e) {
        std::cerr << info.name << ": configuration error: " << e.what() << "\n";
        return 2;
    } catch (const boost::system::system_error& e) {
        std::cerr << info.name << ": cannot start: " << e.what() << "\n";
        return 1;
    } catch (const std::runtime_error& e) {
        std::cerr << info.name << ": cannot start: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace core

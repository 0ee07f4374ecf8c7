#include "core/http/server.h"

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <sys/resource.h>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

namespace core::http {
namespace {

// A connection holds a socket and, while it is served, a file or two (an upload being spooled):
// take the hard limit on open files as the soft one, as nginx's worker_rlimit_nofile would, and
// say so when even that is below what WORKERS x WORKER_CONNECTIONS may need.
void raise_open_file_limit(const ServerOptions& options, Logger& log) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
            ::getrlimit(RLIMIT_NOFILE, &limit);
        }
    }
    const rlim_t wanted = 2 * options.workers * options.worker_connections + 64;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        log.warning("the open file limit (" + std::to_string(limit.rlim_cur) + ") is below the " +
                        std::to_string(wanted) +
                        " that WORKERS x WORKER_CONNECTIONS connections may need; raise it "
                        "(LimitNOFILE= in systemd, ulimit -n)",
                    {{"open_file_limit", static_cast<std::uint64_t>(limit.rlim_cur)}});
    }
}

}  // namespace

Server::Server(ServerOptions options, const Router& router, Logger app_log, Logger access_log,
               Metrics& metrics, std::string metric_prefix,
               std::shared_ptr<ErrorReporter> error_reporter)
    : context_{.options = std::move(options),
               .router = router,
               .app_log = std::move(app_log),
               .access_log = std::move(access_log),
               .request_duration = metrics.timing(metric_prefix + ".http.request.duration"),
               .accept_paused = metrics.counter(metric_prefix + ".http.accept_paused"),
               .error_reporter = std::move(error_reporter)} {
    raise_open_file_limit(context_.options, context_.app_log);
    auto address = asio::ip::make_address(context_.options.listen_address);
    for (unsigned i = 0; i < context_.options.workers; ++i) {
        auto worker = std::make_unique<Worker>(context_);
        try {
            // Port 0 asks the kernel for a free port once; the other workers join it.
            port_ = worker->listen(address, i == 0 ? context_.options.port : port_);
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error("cannot listen on " + context_.options.listen_address + ":" +
                                     std::to_string(context_.options.port) + ": " +
                                     e.code().message());
        }
        workers_.push_back(std::move(worker));
    }
}

int Server::run() {
    asio::io_context control;
    asio::signal_set signals(control, SIGINT, SIGTERM);
    asio::steady_timer grace(control);
    std::atomic<unsigned> finished{0};
    int exit_code = 0;

    std::vector<std::thread> threads;
    for (auto& worker : workers_) {
        threads.emplace_back([&, w = worker.get()] {
            w->run();
            asio::post(control, [&] {
                if (++finished == workers_.size()) {
                    control.stop();
                }
            });
        });
    }
    context_.app_log.info("listening on http://" + context_.options.listen_address + ":" +
                              std::to_string(port_) + "/",
                          {{"port", port_}, {"workers", workers_.size()}});

    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) {
            return;
        }
        context_.app_log.info(
            "shutting down: draining connections",
            {{"signal", signal},
             {"graceful_timeout_s", context_.options.graceful_timeout.count() / 1000.0}});
        for (auto& worker : workers_) {
            worker->drain();
        }
        grace.expires_after(context_.options.graceful_timeout);
        grace.async_wait([&](const boost::system::error_code& timer_ec) {
            if (!timer_ec) {
                context_.app_log.warning("graceful timeout reached: closing open connections");
                for (auto& worker : workers_) {
                    worker->abort();
                }
            }
        });
        signals.async_wait([&](const boost::system::error_code& again, int) {
            if (!again) {
                context_.app_log.warning("second signal: stopping now");
                exit_code = 1;
                for (auto& worker : workers_) {
                    worker->abort();
                }
            }
        });
    });

    control.run();
    for (auto& thread : threads) {
        thread.join();
    }
    context_.app_log.info("shutdown complete");
    return exit_code;
}

}  // namespace core::http

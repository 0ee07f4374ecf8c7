#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include "clients/http/client.h"
#include "core/http/error_reporter.h"
#include "core/observability/log.h"

// Unhandled errors to Sentry, through its envelope endpoint
// (https://develop.sentry.dev/sdk/data-model/envelopes/).
namespace clients::sentry {

// PROTOCOL://PUBLIC_KEY[:SECRET_KEY]@HOST[:PORT][/PATH]/PROJECT_ID
struct Dsn {
    http::Origin origin = {};
    std::string path = {};  // before /PROJECT_ID, "" or "/sentry"
    std::string public_key = {};
    std::string project_id = {};

    std::string envelope_target() const { return path + "/api/" + project_id + "/envelope/"; }
    std::string without_secret() const;  // for the envelope header
};

// nullopt with `error` set (one line, without the keys) when `dsn` is not a Sentry DSN.
std::optional<Dsn> parse_dsn(std::string_view dsn, std::string& error);

struct SentryOptions {
    Dsn dsn = {};
    std::string server_name = {};
    std::string release = {};  // "<version>:<commit[:8]>", as Antenna
    std::string logger = {};   // the logger name on events, e.g. "antenna.app"
    // Events still being sent; beyond it new ones are dropped (a failing Sentry must not pile
    // up memory).
    std::size_t max_pending = 100;
    http::ClientOptions http = {};
};

// Request headers whose values never leave the process: the client's addresses (as Antenna's
// Sentry scrubber) and credentials.
bool is_scrubbed_header(std::string_view name);

// The event for `error` raised while handling `request`: exception type and message, the
// request's method, URL and headers (scrubbed), never its body.
boost::json::object make_event(const core::http::Request& request, const std::exception& error,
                               const SentryOptions& options, std::string_view event_id,
                               std::chrono::system_clock::time_point now);

// Sends events from a thread of its own, so that reporting never delays a request.
class SentryReporter final : public core::http::ErrorReporter {
public:
    // Throws std::runtime_error when the CA file cannot be loaded.
    SentryReporter(SentryOptions options, core::Logger log);
    ~SentryReporter() override;  // waits for the events being sent, up to their timeouts
    SentryReporter(const SentryReporter&) = delete;
    SentryReporter& operator=(const SentryReporter&) = delete;

    void report(const core::http::Request& request, const std::exception& error) override;

private:
    void send(std::string event_id, std::string envelope);

    SentryOptions options_;
    core::Logger log_;
    http::Client client_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::atomic<std::size_t> pending_ = 0;
    std::thread thread_;
};

}  // namespace clients::sentry

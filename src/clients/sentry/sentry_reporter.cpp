#include "clients/sentry/sentry_reporter.h"

#include <cxxabi.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/json/serialize.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid.hpp>

namespace clients::sentry {

namespace {

namespace json = boost::json;

std::string demangled(const char* name) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> readable(
        abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
    return status == 0 && readable ? std::string(readable.get()) : std::string(name);
}

std::string hex_uuid() {
    boost::uuids::uuid id = boost::uuids::random_generator()();
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (auto byte : id) {
        out += kDigits[byte >> 4];
        out += kDigits[byte & 15];
    }
    return out;
}

std::string rfc3339(std::chrono::system_clock::time_point time) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buffer;
}

}  // namespace

std::string Dsn::without_secret() const {
    return (origin.tls ? "https://" : "http://") + public_key + "@" + origin.authority() + path +
           "/" + project_id;
}

std::optional<Dsn> parse_dsn(std::string_view text, std::string& error) {
    auto scheme_end = text.find("://");
    auto at = text.find('@');
    if (scheme_end == std::string_view::npos || at == std::string_view::npos || at < scheme_end) {
        error = "not a Sentry DSN (PROTOCOL://PUBLIC_KEY@HOST/PROJECT_ID)";
        return std::nullopt;
    }
    std::string_view keys = text.substr(scheme_end + 3, at - scheme_end - 3);
    Dsn dsn;
    dsn.public_key = std::string(keys.substr(0, keys.find(':')));
    std::string url =
        std::string(text.substr(0, scheme_end + 3)) + std::string(text.substr(at + 1));
    auto parsed = http::parse_url(url, error);
    if (!parsed) {
        error = "the DSN's address is invalid: " + error;
        return std::nullopt;
    }
    auto slash = parsed->path.rfind('/');
    if (dsn.public_key.empty() || slash == std::string::npos || slash + 1 == parsed->path.size()) {
        error = "the DSN has no public key or no project id";
        return std::nullopt;
    }
    dsn.origin = parsed->origin;
    dsn.path = parsed->path.substr(0, slash);
    dsn.project_id = parsed->path.substr(slash + 1);
    return dsn;
}

bool is_scrubbed_header(std::string_view name) {
    for (std::string_view scrubbed :
         {"authorization", "proxy-authorization", "cookie", "x-forwarded-for", "x-real-ip"}) {
        if (boost::beast::iequals(name, scrubbed)) {
            return true;
        }
    }
    return false;
}

json::object make_event(const core::http::Request& request, const std::exception& error,
                        const SentryOptions& options, std::string_view event_id,
                        std::chrono::system_clock::time_point now) {
    json::object headers;
    for (const auto& field : request.head()) {
        std::string name(field.name_string());
        headers[name] = is_scrubbed_header(name) ? "[Scrubbed]" : std::string(field.value());
    }
    std::string host(request.header(boost::beast::http::field::host));
    json::object http_request{
        {"method", std::string(request.head().method_string())},
        {"url", "http://" + (host.empty() ? std::string("localhost") : host) +
                    std::string(request.path())},
        {"query_string", std::string(request.query())},
        {"headers", std::move(headers)},
    };
    auto timestamp = std::chrono::duration<double>(now.time_since_epoch()).count();
    return json::object{
        {"event_id", event_id},
        {"timestamp", timestamp},
        {"platform", "native"},
        {"level", "error"},
        {"logger", options.logger},
        {"server_name", options.server_name},
        {"release", options.release},
        {"transaction", std::string(request.path())},
        {"exception",
         json::object{{"values", json::array{json::object{
                                     {"type", demangled(typeid(error).name())},
                                     {"value", error.what()},
                                     {"mechanism",
                                      json::object{{"type", "generic"}, {"handled", false}}}}}}}},
        {"request", std::move(http_request)},
        {"sdk", json::object{{"name", "antenna.native"}, {"version", "1"}}},
    };
}

SentryReporter::SentryReporter(SentryOptions options, core::Logger log)
    : options_(std::move(options)),
      log_(std::move(log)),
      client_(options_.http),
      work_(io_.get_executor()),
      thread_([this] { io_.run(); }) {}

SentryReporter::~SentryReporter() {
    work_.reset();
    thread_.join();
}

void SentryReporter::report(const core::http::Request& request, const std::exception& error) {
    if (pending_.load() >= options_.max_pending) {
        log_.warning("Sentry: too many events being sent; dropped one");
        return;
    }
    ++pending_;
    std::string event_id = hex_uuid();
    auto now = std::chrono::system_clock::now();
    std::string event = json::serialize(make_event(request, error, options_, event_id, now));
    std::string envelope =
        json::serialize(json::object{{"event_id", event_id},
                                     {"dsn", options_.dsn.without_secret()},
                                     {"sent_at", rfc3339(now)}}) +
        "\n" +
        json::serialize(json::object{
            {"type", "event"}, {"length", event.size()}, {"content_type", "application/json"}}) +
        "\n" + event + "\n";
    send(std::move(event_id), std::move(envelope));
}

void SentryReporter::send(std::string event_id, std::string envelope) {
    boost::asio::co_spawn(
        io_,
        [this, event_id = std::move(event_id),
         envelope = std::move(envelope)]() -> boost::asio::awaitable<void> {
            http::Request request{
                .method = boost::beast::http::verb::post,
                .target = options_.dsn.envelope_target(),
                .headers = {{"Content-Type", "application/x-sentry-envelope"},
                            {"X-Sentry-Auth",
                             "Sentry sentry_version=7, sentry_client=antenna/1, "
                             "sentry_key=" +
                                 options_.dsn.public_key}},
                .body = http::Body::text(envelope),
            };
            http::Result sent = co_await client_.send(options_.dsn.origin, request);
            if (!sent.ok()) {
                log_.warning("Sentry: event " + event_id + " not sent: " + sent.error);
            } else if (sent.response->status / 100 != 2) {
                log_.warning("Sentry: event " + event_id +
                             " refused: " + std::to_string(sent.response->status));
            }
            --pending_;
        },
        boost::asio::detached);
}

}  // namespace clients::sentry

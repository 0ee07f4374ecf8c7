#include "core/runtime/dockerflow.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/json/parse.hpp>

#include "core/http/responses.h"
#include "core/json/python_json.h"

namespace core {

namespace bhttp = boost::beast::http;

void HealthChecks::add(std::string name, Check check) {
    checks_.emplace_back(std::move(name), std::move(check));
}

boost::asio::awaitable<std::vector<HealthChecks::Failure>> HealthChecks::run() const {
    std::vector<Failure> failures;
    for (const auto& [name, check] : checks_) {
        std::optional<std::string> problem;
        try {
            problem = co_await check();
        } catch (const std::exception& e) {
            problem = e.what();
        }
        if (problem) {
            failures.push_back({name, *problem});
        }
    }
    co_return failures;
}

std::string version_body(const std::string& basedir) {
    std::ifstream file(basedir + "/version.json", std::ios::binary);
    if (!file) {
        return "{}";
    }
    std::ostringstream text;
    text << file.rdbuf();
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(text.str(), ec);
    if (ec) {
        return "{}";
    }
    return json::python_dumps(parsed);
}

void add_dockerflow_routes(http::Router& router, const HealthChecks& checks,
                           const DockerflowOptions& options, Metrics& metrics) {
    auto counter = [&](const char* name) {
        return metrics.counter(options.metric_prefix + "." + name + ".count");
    };
    constexpr auto kJsonUtf8 = "application/json; charset=utf-8";

    router.add(
        bhttp::verb::get, "/__lbheartbeat__",
        [count = counter("lbheartbeat")](http::Request&) -> boost::asio::awaitable<http::Response> {
            count.incr();
            co_return http::json_response(bhttp::status::ok, "", kJsonUtf8);
        });

    router.add(bhttp::verb::get, "/__heartbeat__",
               [count = counter("heartbeat"),
                &checks](http::Request&) -> boost::asio::awaitable<http::Response> {
                   count.incr();
                   auto failures = co_await checks.run();
                   std::string body = "{\"errors\": [";
                   for (std::size_t i = 0; i < failures.size(); ++i) {
                       body += i ? ", {\"name\": " : "{\"name\": ";
                       json::append_python_string(body, failures[i].name);
                       body += ", \"msg\": ";
                       json::append_python_string(body, failures[i].msg);
                       body += '}';
                   }
                   body += "]}";
                   co_return http::json_response(
                       failures.empty() ? bhttp::status::ok : bhttp::status::service_unavailable,
                       std::move(body));
               });

    router.add(
        bhttp::verb::get, "/__version__",
        [count = counter("version"),
         basedir = options.basedir](http::Request&) -> boost::asio::awaitable<http::Response> {
            count.incr();
            co_return http::json_response(bhttp::status::ok, version_body(basedir), kJsonUtf8);
        });

    router.add(
        bhttp::verb::get, "/__broken__",
        [count = counter("broken")](http::Request&) -> boost::asio::awaitable<http::Response> {
            count.incr();
            // The core turns this into a logged "Unhandled exception" and a 500, which
            // is what the endpoint exists to exercise.
            throw std::runtime_error("intentional exception");
            co_return http::Response{};
        });
}

}  // namespace core

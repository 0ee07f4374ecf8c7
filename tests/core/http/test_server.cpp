// A program on the core with routes that exercise it: body streaming, per-route limits,
// handlers that ignore their body, slow handlers, a WebSocket echo and a switchable health
// check. The black-box tests of the core drive this binary.
#include <chrono>
#include <cstdio>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "core/http/responses.h"
#include "core/runtime/program.h"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using core::http::Request;
using core::http::Response;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// FNV-1a, so a test can check that every byte arrived in order without a crypto library.
std::uint64_t fnv1a(std::uint64_t hash, std::string_view data) {
    for (unsigned char c : data) {
        hash = (hash ^ c) * 1099511628211ULL;
    }
    return hash;
}

asio::awaitable<Response> upload(Request& request) {
    std::uint64_t hash = 14695981039346656037ULL;
    std::uint64_t total = 0;
    for (auto got = co_await request.body().read_some(); !got.empty();
         got = co_await request.body().read_some()) {
        hash = fnv1a(hash, std::string_view(got.data(), got.size()));
        total += got.size();
    }
    char text[96];
    std::snprintf(text, sizeof text, "bytes=%llu fnv=%016llx",
                  static_cast<unsigned long long>(total), static_cast<unsigned long long>(hash));
    co_return core::http::text_response(bhttp::status::ok, text);
}

asio::awaitable<Response> ignore_body(Request&) {
    co_return core::http::text_response(bhttp::status::ok, "ignored");
}

asio::awaitable<Response> slow(Request& request) {
    int ms = 0;
    std::string_view query = request.query();
    if (query.starts_with("ms=")) {
        ms = std::atoi(std::string(query.substr(3)).c_str());
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
    co_await timer.async_wait(use_tuple);
    co_return core::http::text_response(bhttp::status::ok, "slept");
}

asio::awaitable<Response> param(Request& request) {
    co_return core::http::text_response(bhttp::status::ok, std::string(request.param("name")));
}

asio::awaitable<void> echo(core::http::WebSocketStream& ws, Request&) {
    boost::beast::flat_buffer buffer;
    while (true) {
        auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
        if (ec) {
            co_return;
        }
        ws.text(ws.got_text());
        auto [write_ec, written] = co_await ws.async_write(buffer.data(), use_tuple);
        if (write_ec) {
            co_return;
        }
        buffer.consume(buffer.size());
    }
}

}  // namespace

int main(int argc, char** argv, char** envp) {
    core::ProgramInfo info{
        .name = "testserver",
        .metric_prefix = "test",
        .server_defaults = {.port = 8000, .max_body_bytes = 1024 * 1024},
    };
    return core::run_program(
        argc, argv, envp, info,
        [](core::OptionTable& table) {
            table.add({.name = "TEST_HEALTH_FAIL",
                       .type = core::OptionType::boolean,
                       .default_value = "false",
                       .help = "Make the test health check fail."});
        },
        [](core::Runtime& runtime, const core::Config& config) {
            auto& router = runtime.router();
            router.add(bhttp::verb::post, "/upload", upload);
            router.add(bhttp::verb::put, "/upload", upload);
            router.add(bhttp::verb::post, "/ignore", ignore_body);
            router.add(bhttp::verb::get, "/slow", slow);
            router.add(bhttp::verb::get, "/items/{name}", param);
            router.add(bhttp::verb::post, "/small", upload,
                       {.max_body_bytes = 10,
                        .error_response = [](bhttp::status status, std::string_view reason) {
                            return core::http::text_response(status,
                                                             "Discarded=" + std::string(reason));
                        }});
            router.add_websocket("/ws", echo);
            bool fail = config.boolean("TEST_HEALTH_FAIL");
            runtime.health_checks().add("TestCheck",
                                        [fail]() -> asio::awaitable<std::optional<std::string>> {
                                            if (fail) {
                                                co_return "TestError('storage unreachable')";
                                            }
                                            co_return std::nullopt;
                                        });
        });
}

#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/config/options.h"

namespace core::http {

using Seconds = std::chrono::milliseconds;

// Everything the HTTP server enforces, read once at startup.
struct ServerOptions {
    std::string listen_address = "127.0.0.1";
    std::uint16_t port = 8000;  // 0 picks a free port (logged at startup)
    unsigned workers = 1;
    std::size_t worker_connections = 1000;
    std::size_t max_header_bytes = 32 * 1024;
    std::uint64_t max_body_bytes = 25 * 1024 * 1024;
    Seconds header_timeout = std::chrono::seconds(60);
    Seconds body_timeout = std::chrono::seconds(70);
    Seconds keepalive_timeout = std::chrono::seconds(75);
    Seconds send_timeout = std::chrono::seconds(60);
    Seconds graceful_timeout = std::chrono::seconds(30);
    Seconds linger_timeout = std::chrono::seconds(5);
    bool access_log = true;
    // Reverse proxies in front whose X-Forwarded-For entries are believed (client_address.h).
    std::size_t trusted_proxy_count = 0;

    // Program-specific defaults for the options a program declares.
    struct Defaults {
        std::uint16_t port = 8000;
        std::uint64_t max_body_bytes = 25 * 1024 * 1024;
    };
    static void declare(OptionTable& table, const Defaults& defaults);
    static ServerOptions from(const Config& config);
};

}  // namespace core::http

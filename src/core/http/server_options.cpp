#include "core/http/server_options.h"

#include <thread>

#include <boost/asio/ip/address.hpp>

namespace core::http {

void ServerOptions::declare(OptionTable& table, const Defaults& defaults) {
    table.add({.name = "LISTEN_ADDRESS",
               .default_value = "127.0.0.1",
               .help = "IP address to listen on (0.0.0.0 or :: for every interface)."});
    table.add({.name = "PORT",
               .type = OptionType::integer,
               .default_value = std::to_string(defaults.port),
               .help = "TCP port to listen on; 0 picks a free one and logs it.",
               .min = 0,
               .max = 65535});
    table.add({.name = "WORKERS",
               .type = OptionType::integer,
               .default_value = "0",
               .help = "Worker threads, each with its own event loop and listening socket "
                       "(SO_REUSEPORT); 0 means one per CPU core.",
               .min = 0,
               .max = 1024});
    table.add({.name = "WORKER_CONNECTIONS",
               .type = OptionType::integer,
               .default_value = "1000",
               .help = "Open connections per worker; beyond it the worker stops accepting and "
                       "new connections wait in the kernel's backlog.",
               .min = 1});
    table.add({.name = "MAX_HEADER_BYTES",
               .type = OptionType::integer,
               .default_value = "32768",
               .help = "Largest request line plus headers; larger heads get 431.",
               .min = 1024});
    table.add({.name = "MAX_BODY_BYTES",
               .type = OptionType::integer,
               .default_value = std::to_string(defaults.max_body_bytes),
               .help = "Largest request body (after chunked decoding); larger bodies get 413.",
               .min = 0});
    table.add({.name = "CLIENT_HEADER_TIMEOUT",
               .type = OptionType::seconds,
               .default_value = "60",
               .help = "Time allowed to receive a request's head once it has started; the "
                       "connection is closed when it runs out.",
               .min = 0.001});
    table.add({.name = "CLIENT_BODY_TIMEOUT",
               .type = OptionType::seconds,
               .default_value = "70",
               .help = "Longest pause between two reads of a request body; the request is "
                       "answered 408 and the connection closed when it runs out.",
               .min = 0.001});
    table.add({.name = "KEEPALIVE_TIMEOUT",
               .type = OptionType::seconds,
               .default_value = "75",
               .help = "How long an idle keep-alive connection is kept open. Behind a load "
                       "balancer, set it above the balancer's own idle timeout.",
               .min = 0.001});
    table.add({.name = "SEND_TIMEOUT",
               .type = OptionType::seconds,
               .default_value = "60",
               .help = "Longest time a response write may stall before the connection is "
                       "closed.",
               .min = 0.001});
    table.add({.name = "GRACEFUL_TIMEOUT",
               .type = OptionType::seconds,
               .default_value = "30",
               .help = "On SIGTERM/SIGINT, how long in-flight requests may take to finish "
                       "before their connections are closed.",
               .min = 0});
    table.add({.name = "LINGER_TIMEOUT",
               .type = OptionType::seconds,
               .default_value = "5",
               .help = "After an early answer (413, 400...) the rest of the request is read "
                       "and discarded for up to this long, so the client sees the answer "
                       "instead of a connection reset.",
               .min = 0});
    table.add({.name = "ACCESS_LOG",
               .type = OptionType::boolean,
               .default_value = "true",
               .help = "Log one request.summary line per request."});
    table.add({.name = "TRUSTED_PROXY_COUNT",
               .type = OptionType::integer,
               .default_value = "0",
               .help = "How many reverse proxies (nginx, a load balancer) stand in front and "
                       "append to X-Forwarded-For; the client's address (logged as remote) is "
                       "the entry that many places from the right. 0: the connection's peer.",
               .min = 0,
               .max = 16});
}

ServerOptions ServerOptions::from(const Config& config) {
    ServerOptions options;
    options.listen_address = config.string("LISTEN_ADDRESS");
    boost::system::error_code ec;
    boost::asio::ip::make_address(options.listen_address, ec);
    if (ec) {
        throw ConfigError("LISTEN_ADDRESS='" + options.listen_address +
                          "': expected an IPv4 or IPv6 address");
    }
    options.port = static_cast<std::uint16_t>(config.integer("PORT"));
    auto workers = static_cast<unsigned>(config.integer("WORKERS"));
    options.workers = workers ? workers : std::max(1u, std::thread::hardware_concurrency());
    options.worker_connections = static_cast<std::size_t>(config.integer("WORKER_CONNECTIONS"));
    options.max_header_bytes = static_cast<std::size_t>(config.integer("MAX_HEADER_BYTES"));
    options.max_body_bytes = static_cast<std::uint64_t>(config.integer("MAX_BODY_BYTES"));
    options.header_timeout = config.seconds("CLIENT_HEADER_TIMEOUT");
    options.body_timeout = config.seconds("CLIENT_BODY_TIMEOUT");
    options.keepalive_timeout = config.seconds("KEEPALIVE_TIMEOUT");
    options.send_timeout = config.seconds("SEND_TIMEOUT");
    options.graceful_timeout = config.seconds("GRACEFUL_TIMEOUT");
    options.linger_timeout = config.seconds("LINGER_TIMEOUT");
    options.access_log = config.boolean("ACCESS_LOG");
    options.trusted_proxy_count = static_cast<std::size_t>(config.integer("TRUSTED_PROXY_COUNT"));
    return options;
}

}  // namespace core::http

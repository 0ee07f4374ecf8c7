#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "core/http/request.h"
#include "core/http/router.h"

namespace core::http {

class Worker;
class ConnectionBody;

// One client connection, served by one coroutine: reads a head, routes it, lets the handler
// pull the body, writes the answer, and repeats while keep-alive allows. A second coroutine
// (the watchdog) enforces whichever timeout the connection is currently under.
class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(Worker& worker, asio::ip::tcp::socket socket);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start();
    // Graceful shutdown: a connection waiting for its next request is closed now; one inside a
    // request finishes it and then closes.
    void drain();
    // End of the grace period: close whatever is still open.
    void abort();

private:
    friend class ConnectionBody;
    using Clock = std::chrono::steady_clock;

    asio::awaitable<void> run();
    asio::awaitable<void> watchdog();
    asio::awaitable<bool> serve_request();
    asio::awaitable<bool> write_response(Response& response, bool keep_alive, bool to_head = false);
    asio::awaitable<void> serve_websocket(const Endpoint& endpoint, Request& request,
                                          const RequestHead& head);
    asio::awaitable<void> lingering_close();
    Response error_response(const Endpoint* endpoint, bhttp::status status,
                            std::string_view reason) const;

    // Reads what the socket has into `into`, waiting (under `timeout`) only when it has
    // nothing yet; no buffer is tied up while waiting.
    asio::awaitable<std::size_t> read_available(std::span<char> into, Clock::duration timeout,
                                                boost::system::error_code& ec);
    void set_deadline(Clock::duration timeout);
    void clear_deadline() { deadline_ = Clock::time_point::max(); }

    Worker& worker_;
    asio::ip::tcp::socket socket_;
    asio::ip::tcp::endpoint remote_;
    beast::flat_buffer buffer_;
    asio::steady_timer timer_;
    Clock::time_point deadline_ = Clock::time_point::max();
    bool timed_out_ = false;
    bool idle_ = false;  // waiting for the first byte of a new request
    bool closed_ = false;
    unsigned requests_ = 0;
};

}  // namespace core::http

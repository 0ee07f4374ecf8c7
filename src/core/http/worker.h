#pragma once

#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/http/server_context.h"

namespace core::http {

class Connection;

// One event loop on one thread with its own listening socket (SO_REUSEPORT): it accepts up to
// worker_connections connections and serves them; nothing is shared with other workers.
class Worker {
public:
    explicit Worker(const ServerContext& context);
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Opens the listening socket; `port` 0 binds a free port. Returns the bound port.
    std::uint16_t listen(const asio::ip::address& address, std::uint16_t port);
    // Runs the event loop on the calling thread until drained.
    void run();
    // Thread-safe: stop accepting and close idle connections (graceful shutdown).
    void drain();
    // Thread-safe: close every connection now.
    void abort();

    const ServerContext& context() const { return context_; }
    bool draining() const { return draining_; }
    void attach(Connection* connection);
    void detach(Connection* connection);
    // The current time as an HTTP Date header value, formatted once per second.
    std::string_view http_date();

    // Read buffers shared by this worker's connections, which all run on its one thread. A
    // connection reads the socket into them only once bytes have arrived, and its bytes are
    // handed on before it next suspends, so a thousand slow uploads hold no buffer each.
    static constexpr std::size_t kScratchBytes = 64 * 1024;
    std::span<char> body_scratch() { return {scratch_.get(), kScratchBytes}; }
    std::span<char> input_scratch() { return {scratch_.get() + kScratchBytes, kScratchBytes}; }

private:
    asio::awaitable<void> accept_loop();

    asio::io_context io_{1};
    const ServerContext& context_;
    asio::ip::tcp::acceptor acceptor_{io_};
    asio::steady_timer capacity_{io_};  // wakes the paused accept loop when a slot frees up
    std::unordered_set<Connection*> connections_;
    bool draining_ = false;
    std::time_t date_second_ = 0;
    std::string date_;
    std::unique_ptr<char[]> scratch_ = std::make_unique<char[]>(2 * kScratchBytes);
};

}  // namespace core::http

#include "core/http/worker.h"

#include <chrono>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/http/connection.h"

namespace core::http {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

}  // namespace

Worker::Worker(const ServerContext& context) : context_(context) {}

std::uint16_t Worker::listen(const asio::ip::address& address, std::uint16_t port) {
    asio::ip::tcp::endpoint endpoint(address, port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.set_option(ReusePort(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    return acceptor_.local_endpoint().port();
}

void Worker::run() {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    io_.run();
}

void Worker::drain() {
    asio::post(io_, [this] {
        draining_ = true;
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        capacity_.cancel();
        // Connections detach themselves as they close, so iterate over a copy.
        auto open = connections_;
        for (Connection* connection : open) {
            connection->drain();
        }
    });
}

void Worker::abort() {
    asio::post(io_, [this] {
        auto open = connections_;
        for (Connection* connection : open) {
            connection->abort();
        }
    });
}

void Worker::attach(Connection* connection) {
    connections_.insert(connection);
}

void Worker::detach(Connection* connection) {
    connections_.erase(connection);
    if (connections_.size() < context_.options.worker_connections) {
        capacity_.cancel();
    }
}

std::string_view Worker::http_date() {
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    if (now != date_second_) {
        date_second_ = now;
        std::tm utc{};
        gmtime_r(&now, &utc);
        char text[64];
        std::size_t n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
        date_.assign(text, n);
    }
    return date_;
}

asio::awaitable<void> Worker::accept_loop() {
    while (!draining_) {
        if (connections_.size() >= context_.options.worker_connections) {
            // Full: leave new connections in the kernel's backlog until one closes.
            context_.accept_paused.incr();
            capacity_.expires_at(asio::steady_timer::time_point::max());
            co_await capacity_.async_wait(use_tuple);
            continue;
        }
        auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
        if (ec) {
            if (draining_ || ec == asio::error::operation_aborted) {
                break;
            }
            // Out of file descriptors or similar: back off instead of spinning.
            context_.app_log.error("accept failed", {{"error", ec.message()}});
            asio::steady_timer pause(io_, std::chrono::milliseconds(100));
            co_await pause.async_wait(use_tuple);
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        std::make_shared<Connection>(*this, std::move(socket))->start();
    }
}

}  // namespace core::http

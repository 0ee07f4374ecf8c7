#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace clients::amqp {

// An AMQP URI (https://www.rabbitmq.com/docs/uri-spec): amqp://user:password@host:port/vhost.
struct Url {
    std::string host = "localhost";
    std::uint16_t port = 5672;
    std::string user = "guest";
    std::string password = "guest";
    std::string vhost = "/";
};
// nullopt with `error` set (one line, never containing the password) when `url` is not an
// amqp:// URI. User, password, host and vhost are percent-decoded ("%2f" -> "/"). Absent parts
// keep their defaults; so does an empty vhost ("amqp://host/"), which the spec reads as "" but
// RabbitMQ cannot have. amqps:// and query parameters are refused.
std::optional<Url> parse_url(std::string_view url, std::string& error);

struct PublisherOptions {
    Url url = {};
    // Declared durable (not exclusive, not auto-delete) on every connection; messages go through
    // the default exchange with routing key = queue.
    std::string queue = {};
    // For connecting (each step of the handshake), and for the confirms of a batch.
    std::chrono::milliseconds timeout = std::chrono::seconds(5);
};

// Publishes persistent messages (delivery_mode 2) with publisher confirms (confirm.select) on a
// connection of its own thread (librabbitmq is blocking). Connects lazily; after any connection or
// channel error the connection is dropped and the next call reconnects (so a broker restart costs
// the calls made while it is down, which fail, and nothing else).
class Publisher {
public:
    explicit Publisher(PublisherOptions options);
    ~Publisher();  // runs what is queued, closes the connection, joins the thread
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    // One entry per message, in order: "" when the broker confirmed it (basic.ack, including
    // multiple=true acks), else why not (nack, basic.return because unroutable, timeout,
    // connection lost, ...). All messages are published first, then the confirms are awaited
    // (pipelined), so a batch costs one round trip. Can be co_awaited from any event loop; pass
    // named objects (GCC 12 copies class temporaries of a co_await expression bitwise).
    boost::asio::awaitable<std::vector<std::string>> publish(
        const std::vector<std::string>& messages);
    // Blocking; not from the publisher's thread.
    std::vector<std::string> publish_and_wait(const std::vector<std::string>& messages);
    // nullopt when the broker answers a passive declare of the queue (it exists), else why not.
    boost::asio::awaitable<std::optional<std::string>> check();
    std::optional<std::string> check_and_wait();

private:
    class Connection;  // librabbitmq's connection, on the publisher's thread only

    // Runs `work` on the publisher's thread; the first completes on the awaiting coroutine's
    // executor, the second blocks its caller.
    template <typename Result>
    boost::asio::awaitable<Result> on_thread(std::function<Result()>&& work);
    template <typename Result>
    Result on_thread_and_wait(std::function<Result()>&& work);
    void enqueue(std::function<void()> job);
    void run();

    // On the publisher's thread.
    std::vector<std::string> publish_now(const std::vector<std::string>& messages);
    std::optional<std::string> check_now();
    std::optional<std::string> connect();  // nullopt once connected, else why not

    PublisherOptions options_;
    std::unique_ptr<Connection> connection_;  // null until needed, and after a failure

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace clients::amqp

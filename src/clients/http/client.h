#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>

// An HTTP/1.1 client for the services behind the collector (object storage, queues): a pool of
// keep-alive connections per origin, TLS with certificate and host-name verification, timeouts
// on every step, bounded answers, and errors as values.
namespace clients::http {

// Where requests go: scheme, host and port of a URL.
struct Origin {
    bool tls = false;
    std::string host = {};  // a name, or an IP address (IPv6 without brackets)
    std::uint16_t port = 80;

    // The Host header: host, bracketed if IPv6, with ":port" unless it is the scheme's default.
    std::string authority() const;
    std::string url() const;  // "https://host:port", for logs
    auto operator<=>(const Origin&) const = default;
};

struct ParsedUrl {
    Origin origin = {};
    std::string path = {};  // as written, "" when the URL has none
};

// Parses an absolute http:// or https:// URL; nullopt with `error` set when it is not one.
std::optional<ParsedUrl> parse_url(std::string_view url, std::string& error);

using Header = std::pair<std::string, std::string>;

// A request body: bytes in memory, or a region of a file read while it is sent (dumps of many
// MiB never sit in memory whole).
struct Body {
    std::string bytes = {};
    std::filesystem::path file = {};
    std::uint64_t offset = 0;
    std::uint64_t length = 0;

    static Body text(std::string bytes) { return Body{.bytes = std::move(bytes)}; }
    static Body file_region(std::filesystem::path file, std::uint64_t offset,
                            std::uint64_t length) {
        return Body{.file = std::move(file), .offset = offset, .length = length};
    }
    bool from_file() const { return !file.empty(); }
    std::uint64_t size() const { return from_file() ? length : bytes.size(); }
};

struct Request {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string target = "/";  // path and query, already encoded
    // Sent as given after Host and Content-Length, which the client sets.
    std::vector<Header> headers = {};
    Body body = {};
};

struct Response {
    unsigned status = 0;
    std::vector<Header> headers = {};
    std::string body = {};

    // The first value of header `name` (any case), "" when absent.
    std::string header(std::string_view name) const;
};

// A response, or why there is none (cannot connect, timeout, TLS failure, answer too large...).
struct Result {
    std::optional<Response> response = {};
    std::string error = {};

    bool ok() const { return response.has_value(); }
};

struct ClientOptions {
    std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);  // TCP and TLS setup
    // Longest wait for progress while sending or for the whole answer once the request is sent.
    std::chrono::milliseconds io_timeout = std::chrono::seconds(30);
    // Idle connections are closed after this; servers drop theirs too (S3 after ~20 s).
    std::chrono::milliseconds idle_timeout = std::chrono::seconds(15);
    std::size_t max_idle_per_origin = 32;
    std::size_t max_response_bytes = 1 << 20;
    std::size_t max_header_bytes = 64 << 10;
    // How long resolved addresses are reused before the name is looked up again.
    std::chrono::milliseconds dns_ttl = std::chrono::seconds(60);
    // PEM file of the certificate authorities to trust; empty: the system's store.
    std::filesystem::path ca_file = {};
};

// Runs its connections on a thread of its own, so coroutines on any event loop can co_await
// send(), and blocking callers (startup checks) can use send_and_wait(). A request that fails
// on a reused keep-alive connection before any byte of the answer arrived (the server closed
// it meanwhile) is sent once more on a new connection; callers send only requests for which
// that is harmless (S3 PUTs, queue publishes with at-least-once delivery).
class Client {
public:
    // Throws std::runtime_error when the CA file cannot be loaded.
    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // The arguments are copied before the first suspension. Pass named objects: GCC 12 copies a
    // braced temporary such as `Request{}` bitwise into the caller's coroutine frame, which
    // breaks the strings inside it.
    boost::asio::awaitable<Result> send(const Origin& origin, const Request& request);
    // Not from a coroutine of this client's thread.
    Result send_and_wait(Origin origin, Request request);

    // Connections opened so far (for tests of keep-alive and the pool).
    std::size_t connections_opened() const { return connections_opened_; }

private:
    class Connection;
    struct Resolved {
        boost::asio::ip::tcp::resolver::results_type addresses;
        std::chrono::steady_clock::time_point expires;
    };

    boost::asio::awaitable<Result> run(Origin origin, Request request);
    boost::asio::awaitable<std::unique_ptr<Connection>> connect(const Origin& origin,
                                                                std::string& error);
    boost::asio::awaitable<boost::asio::ip::tcp::resolver::results_type> resolve(
        const Origin& origin, std::string& error);
    std::unique_ptr<Connection> take_idle(const Origin& origin);
    void give_back(const Origin& origin, std::unique_ptr<Connection> connection);
    boost::asio::awaitable<void> close_expired_idle_connections();

    ClientOptions options_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    boost::asio::ssl::context tls_;
    boost::asio::ip::tcp::resolver resolver_;
    // Touched only on the client's thread.
    std::map<Origin, std::vector<std::unique_ptr<Connection>>> idle_;
    std::map<std::pair<std::string, std::uint16_t>, Resolved> resolved_;
    std::atomic<std::size_t> connections_opened_ = 0;
    std::thread thread_;
};

}  // namespace clients::http

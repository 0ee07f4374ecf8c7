#include "clients/http/client.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace clients::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bool is_ip_address(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

std::string seconds_text(std::chrono::milliseconds duration) {
    double seconds = static_cast<double>(duration.count()) / 1000.0;
    std::string text = std::to_string(seconds);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') {
        text.pop_back();
    }
    return text + " s";
}

}  // namespace

std::string Origin::authority() const {
    std::string text = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (tls ? 443 : 80)) {
        text += ":" + std::to_string(port);
    }
    return text;
}

std::string Origin::url() const {
    return (tls ? "https://" : "http://") + authority();
}

std::optional<ParsedUrl> parse_url(std::string_view url, std::string& error) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        error = "not an absolute URL";
        return std::nullopt;
    }
    ParsedUrl result;
    std::string scheme = parsed->scheme();
    if (scheme == "https") {
        result.origin.tls = true;
        result.origin.port = 443;
    } else if (scheme != "http") {
        error = "the scheme must be http or https";
        return std::nullopt;
    }
    if (!parsed->has_authority() || parsed->encoded_host().empty()) {
        error = "no host";
        return std::nullopt;
    }
    if (parsed->has_userinfo()) {
        error = "user and password do not belong in the URL";
        return std::nullopt;
    }
    if (parsed->host_type() == boost::urls::host_type::ipv6) {
        result.origin.host = parsed->host_ipv6_address().to_string();
    } else {
        result.origin.host = parsed->host();
    }
    if (parsed->has_port()) {
        std::string_view text = parsed->port();
        unsigned long port = 0;
        auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), port);
        if (text.empty() || failure != std::errc{} || end != text.data() + text.size() ||
            port == 0 || port > 65535) {
            error = "invalid port";
            return std::nullopt;
        }
        result.origin.port = static_cast<std::uint16_t>(port);
    }
    if (parsed->has_query() || parsed->has_fragment()) {
        error = "a query or fragment does not belong in the URL";
        return std::nullopt;
    }
    result.path = parsed->encoded_path();
    return result;
}

std::string Response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), key.size()) == 0) {
            return value;
        }
    }
    return {};
}

// One TCP connection, with TLS on top for https origins.
class Client::Connection {
public:
    explicit Connection(beast::tcp_stream stream) : plain_(std::move(stream)) {}
    Connection(beast::tcp_stream stream, asio::ssl::context& tls)
        : secure_(std::in_place, std::move(stream), tls) {}

    beast::tcp_stream& lowest() { return secure_ ? beast::get_lowest_layer(*secure_) : *plain_; }
    SSL* ssl() { return secure_->native_handle(); }
    auto& secure() { return *secure_; }

    template <class Operation>
    auto with_stream(Operation&& operation) {
        return secure_ ? operation(*secure_) : operation(*plain_);
    }

    // An idle connection the server closed, or one with unexpected bytes waiting, is not
    // reused: it would fail the next request.
    bool still_usable() {
        if (buffer.size() > 0) {
            return false;
        }
        char byte;
        ssize_t got = ::recv(lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }

    beast::flat_buffer buffer;
    SteadyClock::time_point idle_since{};

private:
    std::optional<beast::tcp_stream> plain_;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
};

namespace {

struct Exchange {
    Result result;
    bool answer_started = false;  // some byte of an answer arrived
    bool keep_alive = false;
};

template <class Stream>
asio::awaitable<boost::system::error_code> write_body(Stream& stream, beast::tcp_stream& lowest,
                                                      const Body& body,
                                                      std::chrono::milliseconds timeout,
                                                      std::string& error) {
    if (!body.from_file()) {
        if (body.bytes.empty()) {
            co_return boost::system::error_code{};
        }
        lowest.expires_after(timeout);
        auto [ec, written] = co_await asio::async_write(stream, asio::buffer(body.bytes), kTuple);
        co_return ec;
    }
    int fd = ::open(body.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = "cannot open " + body.file.string() + ": " + std::strerror(errno);
        co_return boost::system::error_code{};
    }
    std::vector<char> chunk(256 << 10);
    std::uint64_t offset = body.offset;
    std::uint64_t left = body.length;
    boost::system::error_code ec;
    while (left > 0 && !ec) {
        ssize_t got = ::pread(fd, chunk.data(), std::min<std::uint64_t>(left, chunk.size()),
                              static_cast<off_t>(offset));
        if (got <= 0) {
            error = "cannot read " + body.file.string() + ": " +
                    (got == 0 ? std::string("the file is shorter than expected")
                              : std::string(std::strerror(errno)));
            break;
        }
        lowest.expires_after(timeout);
        std::size_t written = 0;
        std::tie(ec, written) = co_await asio::async_write(
            stream, asio::buffer(chunk.data(), static_cast<std::size_t>(got)), kTuple);
        offset += static_cast<std::uint64_t>(got);
        left -= static_cast<std::uint64_t>(got);
    }
    ::close(fd);
    co_return ec;
}

template <class Stream>
asio::awaitable<Exchange> exchange(Stream& stream, beast::tcp_stream& lowest,
                                   beast::flat_buffer& buffer, const Origin& origin,
                                   const Request& request, const ClientOptions& options) {
    Exchange exchange;
    bhttp::request<bhttp::empty_body> head{request.method, request.target, 11};
    head.set(bhttp::field::host, origin.authority());
    std::uint64_t body_size = request.body.size();
    if (body_size > 0 || request.method == bhttp::verb::put ||
        request.method == bhttp::verb::post) {
        head.set(bhttp::field::content_length, std::to_string(body_size));
    }
    for (const auto& [name, value] : request.headers) {
        head.insert(name, value);
    }

    // The head goes out through an empty_body message with our Content-Length, and the body
    // after it straight from memory or the file.
    std::string body_error;
    lowest.expires_after(options.io_timeout);
    auto [write_error, head_bytes] = co_await bhttp::async_write(stream, head, kTuple);
    if (!write_error) {
        write_error =
            co_await write_body(stream, lowest, request.body, options.io_timeout, body_error);
    }
    if (!body_error.empty()) {
        exchange.result.error = body_error;
        co_return exchange;
    }

    // After a failed write the server may still have answered (an early 4xx before closing).
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options.max_response_bytes);
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    if (request.method == bhttp::verb::head) {
        parser.skip(true);
    }
    lowest.expires_after(write_error ? std::min(options.io_timeout,
                                                std::chrono::milliseconds(std::chrono::seconds(2)))
                                     : options.io_timeout);
    auto [read_error, read_bytes] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    exchange.answer_started = parser.got_some();
    if (read_error) {
        if (write_error) {
            exchange.result.error = "sending the request failed: " + write_error.message();
        } else if (read_error == beast::error::timeout) {
            exchange.result.error = "no answer within " + seconds_text(options.io_timeout);
        } else if (read_error == bhttp::error::body_limit) {
            exchange.result.error = "the answer is larger than " +
                                    std::to_string(options.max_response_bytes) + " bytes";
        } else if (read_error == bhttp::error::header_limit) {
            exchange.result.error = "the answer's head is larger than " +
                                    std::to_string(options.max_header_bytes) + " bytes";
        } else {
            exchange.result.error = "reading the answer failed: " + read_error.message();
        }
        co_return exchange;
    }
    auto message = parser.release();
    Response response;
    response.status = message.result_int();
    for (const auto& field : message) {
        response.headers.emplace_back(field.name_string(), field.value());
    }
    response.body = std::move(message.body());
    exchange.keep_alive = !write_error && message.keep_alive();
    exchange.result.response = std::move(response);
    co_return exchange;
}

}  // namespace

Client::Client(ClientOptions options)
    : options_(std::move(options)),
      work_(io_.get_executor()),
      tls_(asio::ssl::context::tls_client),
      resolver_(io_) {
    tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    tls_.set_verify_mode(asio::ssl::verify_peer);
    boost::system::error_code ec;
    if (options_.ca_file.empty()) {
        tls_.set_default_verify_paths(ec);
    } else {
        tls_.load_verify_file(options_.ca_file.string(), ec);
    }
    if (ec) {
        throw std::runtime_error(
            "cannot load the certificate authorities" +
            (options_.ca_file.empty() ? std::string() : " from " + options_.ca_file.string()) +
            ": " + ec.message());
    }
    asio::co_spawn(io_, close_expired_idle_connections(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
}

Client::~Client() {
    work_.reset();
    io_.stop();
    thread_.join();
}

// The operation's coroutine is created here, with its own copies of the arguments, and runs on
// the client's thread; asio's frame allocator lets a frame be freed on another thread.
asio::awaitable<Result> Client::send(const Origin& origin, const Request& request) {
    co_return co_await asio::co_spawn(io_, run(origin, request), asio::use_awaitable);
}

Result Client::send_and_wait(Origin origin, Request request) {
    auto operation = run(std::move(origin), std::move(request));
    return asio::co_spawn(io_, std::move(operation), asio::use_future).get();
}

asio::awaitable<Result> Client::run(Origin origin, Request request) {
    for (bool first_try = true;; first_try = false) {
        std::unique_ptr<Connection> connection = first_try ? take_idle(origin) : nullptr;
        bool reused = connection != nullptr;
        if (!connection) {
            std::string error;
            connection = co_await connect(origin, error);
            if (!connection) {
                co_return Result{.error = error};
            }
        }
        Exchange done = co_await connection->with_stream([&](auto& stream) {
            return exchange(stream, connection->lowest(), connection->buffer, origin, request,
                            options_);
        });
        if (done.result.ok()) {
            if (done.keep_alive) {
                give_back(origin, std::move(connection));
            }
            co_return std::move(done.result);
        }
        if (!(reused && !done.answer_started)) {
            done.result.error = origin.url() + ": " + done.result.error;
            co_return std::move(done.result);
        }
        // The server closed the kept-alive connection meanwhile: once more on a new one.
    }
}

asio::awaitable<tcp::resolver::results_type> Client::resolve(const Origin& origin,
                                                             std::string& error) {
    auto key = std::make_pair(origin.host, origin.port);
    auto now = SteadyClock::now();
    if (auto it = resolved_.find(key); it != resolved_.end() && it->second.expires > now) {
        co_return it->second.addresses;
    }
    auto [ec, addresses] = co_await resolver_.async_resolve(
        origin.host, std::to_string(origin.port), tcp::resolver::numeric_service, kTuple);
    if (ec) {
        error = "cannot resolve " + origin.host + ": " + ec.message();
        co_return tcp::resolver::results_type{};
    }
    resolved_[key] = Resolved{addresses, now + options_.dns_ttl};
    co_return addresses;
}

asio::awaitable<std::unique_ptr<Client::Connection>> Client::connect(const Origin& origin,
                                                                     std::string& error) {
    auto addresses = co_await resolve(origin, error);
    if (!error.empty()) {
        error = origin.url() + ": " + error;
        co_return nullptr;
    }
    beast::tcp_stream stream(io_);
    stream.expires_after(options_.connect_timeout);
    auto [ec, endpoint] = co_await stream.async_connect(addresses, kTuple);
    if (ec) {
        // The cached addresses may be stale: look the name up again next time.
        resolved_.erase(std::make_pair(origin.host, origin.port));
        error = origin.url() + ": cannot connect: " +
                (ec == beast::error::timeout
                     ? "no connection within " + seconds_text(options_.connect_timeout)
                     : ec.message());
        co_return nullptr;
    }
    stream.socket().set_option(tcp::no_delay(true));
    ++connections_opened_;
    if (!origin.tls) {
        co_return std::make_unique<Connection>(std::move(stream));
    }

    auto connection = std::make_unique<Connection>(std::move(stream), tls_);
    SSL* ssl = connection->ssl();
    if (is_ip_address(origin.host)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), origin.host.c_str());
    } else {
        SSL_set_tlsext_host_name(ssl, origin.host.c_str());
        SSL_set1_host(ssl, origin.host.c_str());
    }
    connection->lowest().expires_after(options_.connect_timeout);
    auto [handshake_error] =
        co_await connection->secure().async_handshake(asio::ssl::stream_base::client, kTuple);
    if (handshake_error) {
        long verified = SSL_get_verify_result(ssl);
        error = origin.url() + ": TLS handshake failed: " +
                (verified != X509_V_OK ? std::string("certificate verify failed (") +
                                             X509_verify_cert_error_string(verified) + ")"
                 : handshake_error == beast::error::timeout
                     ? "no handshake within " + seconds_text(options_.connect_timeout)
                     : handshake_error.message());
        co_return nullptr;
    }
    co_return connection;
}

std::unique_ptr<Client::Connection> Client::take_idle(const Origin& origin) {
    auto it = idle_.find(origin);
    if (it == idle_.end()) {
        return nullptr;
    }
    auto& connections = it->second;
    auto now = SteadyClock::now();
    while (!connections.empty()) {
        // Most recently used first: the least likely to have been closed by the server.
        std::unique_ptr<Connection> connection = std::move(connections.back());
        connections.pop_back();
        if (now - connection->idle_since < options_.idle_timeout && connection->still_usable()) {
            return connection;
        }
    }
    return nullptr;
}

void Client::give_back(const Origin& origin, std::unique_ptr<Connection> connection) {
    auto& connections = idle_[origin];
    if (connections.size() >= options_.max_idle_per_origin) {
        return;
    }
    connection->idle_since = SteadyClock::now();
    connection->lowest().expires_never();
    connections.push_back(std::move(connection));
}

asio::awaitable<void> Client::close_expired_idle_connections() {
    asio::steady_timer timer(io_);
    auto period = std::max(options_.idle_timeout / 2, std::chrono::milliseconds(100));
    for (;;) {
        timer.expires_after(period);
        auto [ec] = co_await timer.async_wait(kTuple);
        if (ec) {
            co_return;
        }
        auto now = SteadyClock::now();
        for (auto& [origin, connections] : idle_) {
            std::erase_if(connections, [&](const auto& connection) {
                return now - connection->idle_since >= options_.idle_timeout;
            });
        }
    }
}

}  // namespace clients::http

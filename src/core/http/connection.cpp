#include "core/http/connection.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "core/http/client_address.h"
#include "core/http/responses.h"
#include "core/http/worker.h"

namespace core::http {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kFirstReadSize = 16 * 1024;
constexpr int kLingerRounds = 6;  // total linger time = rounds x LINGER_TIMEOUT, like nginx's 30 s

using RequestParser = bhttp::request_parser<bhttp::buffer_body>;

bool is_disconnect(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::error::operation_aborted ||
           ec == asio::error::bad_descriptor || ec == bhttp::error::end_of_stream ||
           ec == bhttp::error::partial_message;
}

}  // namespace

// The body of the request being served. Bodies with a Content-Length bypass the HTTP parser
// (no copy through it); chunked bodies are decoded by Beast's parser. Both are read into the
// worker's scratch buffers once the socket has bytes; the connection keeps only what was left
// over (bytes that came with the head, or a chunk header split between two reads).
class ConnectionBody final : public BodyReader {
public:
    ConnectionBody(Connection& connection, RequestParser& parser, std::uint64_t limit)
        : connection_(connection), parser_(parser) {
        const auto& head = parser.get();
        chunked_ = parser.chunked();
        if (!chunked_) {
            remaining_ = parser.content_length().value_or(0);
            length_ = remaining_;
        } else {
            parser_.body_limit(limit);
        }
        complete_ = !chunked_ && remaining_ == 0;
        expects_continue_ = !complete_ && head.version() == 11 &&
                            beast::iequals(head[bhttp::field::expect], "100-continue");
    }

    asio::awaitable<std::span<const char>> read_some() override {
        if (complete_ || error_ != BodyError::none) {
            co_return std::span<const char>{};
        }
        if (expects_continue_) {
            expects_continue_ = false;
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            connection_.set_deadline(connection_.worker_.context().options.send_timeout);
            auto [ec, n] =
                co_await asio::async_write(connection_.socket_, asio::buffer(kContinue), use_tuple);
            connection_.clear_deadline();
            if (ec) {
                error_ = BodyError::closed;
                co_return std::span<const char>{};
            }
        }
        std::span<const char> got = chunked_ ? co_await read_chunked() : co_await read_sized();
        bytes_read_ += got.size();
        co_return got;
    }

    BodyError error() const override { return error_; }
    bool complete() const override { return complete_; }
    std::optional<std::uint64_t> content_length() const override { return length_; }
    std::uint64_t bytes_read() const override { return bytes_read_; }

private:
    asio::awaitable<std::span<const char>> read_sized() {
        std::span<char> out = connection_.worker_.body_scratch();
        out = out.first(static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), remaining_)));
        auto& buffered = connection_.buffer_;
        std::size_t got = 0;
        if (buffered.size() > 0) {
            // Bytes that arrived with the head; then the buffer they took is given back, as the
            // rest of a long upload does not need it.
            got = asio::buffer_copy(asio::buffer(out), buffered.data());
            buffered.consume(got);
            if (buffered.size() == 0) {
                buffered.shrink_to_fit();
            }
        } else {
            boost::system::error_code ec;
            got = co_await connection_.read_available(out, body_timeout(), ec);
            if (ec) {
                fail(ec);
                co_return std::span<const char>{};
            }
        }
        remaining_ -= got;
        complete_ = remaining_ == 0;
        co_return out.first(got);
    }

    asio::awaitable<std::span<const char>> read_chunked() {
        std::span<char> out = connection_.worker_.body_scratch();
        auto& body = parser_.get().body();
        body.data = out.data();
        body.size = out.size();
        body.more = true;
        auto& buffered = connection_.buffer_;
        if (buffered.size() > 0) {
            auto leftover = buffered.data();
            buffered.consume(decode({static_cast<const char*>(leftover.data()), leftover.size()}));
        }
        for (;;) {
            std::size_t decoded = out.size() - body.size;
            if (error_ != BodyError::none) {
                co_return std::span<const char>{};
            }
            complete_ = parser_.is_done();
            if (complete_ || decoded > 0) {
                co_return out.first(decoded);
            }
            // What is buffered now is a chunk header cut short: it goes in front of the next
            // bytes, so that the parser sees it whole. It is copied into the shared scratch only
            // once those have been read, as other connections use the scratch while this one
            // waits. At most what the connection's buffer holds is read, for what follows the
            // body.
            std::span<char> in = connection_.worker_.input_scratch();
            in = in.first(std::min(in.size(), buffered.max_size()));
            std::size_t carried = buffered.size();
            if (carried >= in.size() / 2) {
                error_ = BodyError::malformed;
                co_return std::span<const char>{};
            }
            boost::system::error_code ec;
            std::size_t n =
                co_await connection_.read_available(in.subspan(carried), body_timeout(), ec);
            if (ec) {
                fail(ec);
                co_return std::span<const char>{};
            }
            asio::buffer_copy(asio::buffer(in.data(), carried), buffered.data());
            buffered.consume(carried);
            std::span<const char> input = in.first(carried + n);
            std::size_t used = decode(input);
            std::span<const char> rest = input.subspan(used);
            if (rest.empty()) {
                buffered.shrink_to_fit();
            }
            buffered.commit(asio::buffer_copy(buffered.prepare(rest.size()),
                                              asio::buffer(rest.data(), rest.size())));
        }
    }

    // Feeds `input` to the parser until it needs more input or more room; returns the bytes
    // it took.
    std::size_t decode(std::span<const char> input) {
        std::size_t used = 0;
        while (used < input.size() && !parser_.is_done()) {
            boost::system::error_code ec;
            std::size_t n = parser_.put(asio::buffer(input.data() + used, input.size() - used), ec);
            used += n;
            if (ec == bhttp::error::need_more || ec == bhttp::error::need_buffer) {
                break;
            }
            if (ec) {
                fail(ec);
                break;
            }
            if (n == 0) {
                break;
            }
        }
        return used;
    }

    std::chrono::steady_clock::duration body_timeout() const {
        return connection_.worker_.context().options.body_timeout;
    }

    void fail(const boost::system::error_code& ec) {
        if (connection_.timed_out_) {
            error_ = BodyError::timeout;
        } else if (ec == bhttp::error::body_limit) {
            error_ = BodyError::too_large;
        } else if (is_disconnect(ec)) {
            error_ = BodyError::closed;
        } else {
            error_ = BodyError::malformed;
        }
    }

    Connection& connection_;
    RequestParser& parser_;
    bool chunked_ = false;
    bool complete_ = false;
    bool expects_continue_ = false;
    std::uint64_t remaining_ = 0;
    std::optional<std::uint64_t> length_;
    std::uint64_t bytes_read_ = 0;
    BodyError error_ = BodyError::none;
};

Connection::Connection(Worker& worker, asio::ip::tcp::socket socket)
    : worker_(worker),
      socket_(std::move(socket)),
      buffer_(worker.context().options.max_header_bytes + kFirstReadSize),
      timer_(socket_.get_executor()) {
    boost::system::error_code ignored;
    remote_ = socket_.remote_endpoint(ignored);
    // read_available() tries the socket before waiting on it.
    socket_.non_blocking(true, ignored);
}

asio::awaitable<std::size_t> Connection::read_available(std::span<char> into,
                                                        Clock::duration timeout,
                                                        boost::system::error_code& ec) {
    for (;;) {
        std::size_t n = socket_.read_some(asio::buffer(into.data(), into.size()), ec);
        if (ec != asio::error::would_block) {
            co_return n;
        }
        set_deadline(timeout);
        auto [wait_ec] = co_await socket_.async_wait(asio::socket_base::wait_read, use_tuple);
        clear_deadline();
        if (wait_ec) {
            ec = wait_ec;
            co_return 0;
        }
    }
}

void Connection::start() {
    worker_.attach(this);
    asio::co_spawn(socket_.get_executor(), run(), asio::detached);
    asio::co_spawn(socket_.get_executor(), watchdog(), asio::detached);
}

void Connection::drain() {
    if (idle_) {
        boost::system::error_code ignored;
        socket_.cancel(ignored);
    }
}

void Connection::abort() {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

void Connection::set_deadline(Clock::duration timeout) {
    timed_out_ = false;
    deadline_ = Clock::now() + timeout;
    if (deadline_ < timer_.expiry()) {
        timer_.expires_at(deadline_);  // wakes the watchdog to re-arm for the earlier deadline
    }
}

asio::awaitable<void> Connection::watchdog() {
    auto self = shared_from_this();
    while (!closed_) {
        if (deadline_ <= Clock::now()) {
            timed_out_ = true;
            deadline_ = Clock::time_point::max();
            boost::system::error_code ignored;
            socket_.cancel(ignored);
        }
        timer_.expires_at(deadline_);
        co_await timer_.async_wait(use_tuple);
    }
}

asio::awaitable<void> Connection::run() {
    auto self = shared_from_this();
    try {
        while (co_await serve_request()) {
        }
    } catch (const std::exception& e) {
        worker_.context().app_log.error("connection failed", {{"error", e.what()}});
    }
    closed_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    worker_.detach(this);
}

Response Connection::error_response(const Endpoint* endpoint, bhttp::status status,
                                    std::string_view reason) const {
    if (endpoint && endpoint->options.error_response) {
        return endpoint->options.error_response(status, reason);
    }
    if (worker_.context().router.error_response()) {
        return worker_.context().router.error_response()(status, reason);
    }
    return falcon_error(status);
}

asio::awaitable<bool> Connection::serve_request() {
    const ServerContext& context = worker_.context();
    const ServerOptions& options = context.options;

    if (buffer_.size() == 0) {
        if (worker_.draining()) {
            co_return false;
        }
        // An idle connection holds no buffer: the head is read into the worker's scratch and
        // only what arrived is kept.
        buffer_.shrink_to_fit();
        idle_ = true;
        std::span<char> in = worker_.input_scratch().first(kFirstReadSize);
        boost::system::error_code ec;
        std::size_t n = co_await read_available(
            in, requests_ == 0 ? options.header_timeout : options.keepalive_timeout, ec);
        idle_ = false;
        if (ec || worker_.draining()) {
            co_return false;
        }
        buffer_.commit(asio::buffer_copy(buffer_.prepare(n), asio::buffer(in.data(), n)));
    }

    RequestParser parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // per route, checked below
    set_deadline(options.header_timeout);
    auto [head_ec, head_bytes] =
        co_await bhttp::async_read_header(socket_, buffer_, parser, use_tuple);
    clear_deadline();
    auto started = Clock::now();
    if (head_ec) {
        if (timed_out_ || is_disconnect(head_ec)) {
            co_return false;
        }
        bool too_big =
            head_ec == bhttp::error::header_limit || head_ec == bhttp::error::buffer_overflow;
        Response response = falcon_error(too_big ? bhttp::status::request_header_fields_too_large
                                                 : bhttp::status::bad_request);
        if (co_await write_response(response, false)) {
            co_await lingering_close();
        }
        co_return false;
    }
    ++requests_;

    const RequestHead& head = parser.get();
    std::string_view target = head.target();
    std::string_view path = target.substr(0, target.find('?'));
    Router::Match match = context.router.match(head.method(), path);
    const Endpoint* endpoint = match.endpoint;
    std::uint64_t body_limit = options.max_body_bytes;
    if (endpoint && endpoint->options.max_body_bytes) {
        body_limit = *endpoint->options.max_body_bytes;
    }

    ConnectionBody body(*this, parser, body_limit);
    Request request(head, body, remote_, std::move(match.params),
                    client_address(head, remote_.address(), options.trusted_proxy_count));
    Response response;
    bool keep_alive = parser.keep_alive();
    bool linger = false;

    using Kind = Router::Match::Kind;
    if (match.kind == Kind::not_found) {
        response = error_response(nullptr, bhttp::status::not_found, "not_found");
    } else if (match.kind == Kind::method_not_allowed) {
        response = error_response(nullptr, bhttp::status::method_not_allowed, "method_not_allowed");
        response.set(bhttp::field::allow, match.allow);
    } else if (match.kind == Kind::options) {
        response = Response{bhttp::status::ok, head.version()};
        response.set(bhttp::field::allow, match.allow);
        response.prepare_payload();
    } else if (endpoint->websocket) {
        if (beast::websocket::is_upgrade(head)) {
            co_await serve_websocket(*endpoint, request, head);
            co_return false;
        }
        response = falcon_error(bhttp::status::upgrade_required);
        response.set(bhttp::field::upgrade, "websocket");
    } else if (body.content_length() && *body.content_length() > body_limit) {
        // Refused on the head alone: no 100 Continue, so a waiting client never sends it.
        response = error_response(endpoint, bhttp::status::payload_too_large, "body_too_large");
        keep_alive = false;
        linger = true;
    } else {
        try {
            response = co_await endpoint->handler(request);
        } catch (const std::exception& e) {
            context.app_log.error("Unhandled exception",
                                  {{"error", e.what()}, {"path", std::string(path)}});
            if (context.error_reporter) {
                context.error_reporter->report(request, e);
            }
            response =
                error_response(endpoint, bhttp::status::internal_server_error, "internal_error");
        }
        switch (body.error()) {
            case BodyError::none:
                break;
            case BodyError::too_large:
                if (response.result() != bhttp::status::payload_too_large) {
                    response = error_response(endpoint, bhttp::status::payload_too_large,
                                              "body_too_large");
                }
                break;
            case BodyError::timeout:
                response = error_response(endpoint, bhttp::status::request_timeout, "body_timeout");
                break;
            case BodyError::malformed:
                response = error_response(endpoint, bhttp::status::bad_request, "malformed_body");
                break;
            case BodyError::closed:
                co_return false;
        }
    }

    if (!body.complete()) {
        // The rest of the body is still on the wire: answer, then discard it while closing.
        keep_alive = false;
        linger = body.error() != BodyError::timeout;
    }
    std::size_t body_bytes = response.body().size();
    bool written = co_await write_response(response, keep_alive && !worker_.draining(),
                                           head.method() == bhttp::verb::head);

    if (options.access_log) {
        auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        context.access_log.info(
            "", {{"method", std::string(head.method_string())},
                 {"path", std::string(path)},
                 {"code", static_cast<unsigned>(response.result())},
                 {"bytes", body_bytes},
                 {"t", static_cast<double>(static_cast<std::int64_t>(elapsed * 1000)) / 1000},
                 {"remote", request.client_address()}});
    }
    char status_tag[16];
    std::snprintf(status_tag, sizeof status_tag, "status:%u",
                  static_cast<unsigned>(response.result()));
    context.request_duration.observe(Clock::now() - started, {status_tag});

    if (!written) {
        co_return false;
    }
    if (linger) {
        co_await lingering_close();
        co_return false;
    }
    co_return keep_alive && !worker_.draining();
}

asio::awaitable<bool> Connection::write_response(Response& response, bool keep_alive,
                                                 bool to_head) {
    response.keep_alive(keep_alive);
    response.prepare_payload();
    if (to_head) {
        // Content-Length stays that of the body a GET would have had; the body is not sent.
        response.body().clear();
    }
    response.set(bhttp::field::date, worker_.http_date());
    set_deadline(worker_.context().options.send_timeout);
    auto [ec, n] = co_await bhttp::async_write(socket_, response, use_tuple);
    clear_deadline();
    co_return !ec;
}

asio::awaitable<void> Connection::lingering_close() {
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    const auto idle = worker_.context().options.linger_timeout;
    const auto stop = Clock::now() + idle * kLingerRounds;
    std::array<char, 16 * 1024> discard;
    for (auto now = Clock::now(); now < stop; now = Clock::now()) {
        set_deadline(std::min<Clock::duration>(idle, stop - now));
        auto [ec, n] = co_await socket_.async_read_some(asio::buffer(discard), use_tuple);
        clear_deadline();
        if (ec) {
            break;
        }
    }
}

asio::awaitable<void> Connection::serve_websocket(const Endpoint& endpoint, Request& request,
                                                  const RequestHead& head) {
    WebSocketStream ws(socket_);
    beast::websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = worker_.context().options.header_timeout;
    timeouts.idle_timeout = worker_.context().options.keepalive_timeout;
    timeouts.keep_alive_pings = true;
    ws.set_option(timeouts);
    // The upgrade request has no body, so the head is all Beast needs for the handshake.
    bhttp::request<bhttp::empty_body> upgrade{head};
    auto [ec] = co_await ws.async_accept(upgrade, use_tuple);
    if (ec) {
        co_return;
    }
    try {
        co_await endpoint.websocket(ws, request);
    } catch (const std::exception& e) {
        worker_.context().app_log.error("Unhandled exception in WebSocket handler",
                                        {{"error", e.what()}});
    }
}

}  // namespace core::http

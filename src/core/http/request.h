#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace core::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using RequestHead = bhttp::request_header<>;
using Response = bhttp::response<bhttp::string_body>;

// Why reading a request body stopped early.
enum class BodyError {
    none,
    too_large,  // more bytes than the route's body limit (answer 413)
    timeout,    // the client sent nothing for the body idle timeout (answer 408)
    closed,     // the client went away (no answer possible)
    malformed,  // invalid chunked encoding (answer 400)
};

// The request body as a stream the handler pulls from; the core never buffers it whole.
class BodyReader {
public:
    virtual ~BodyReader() = default;

    // Waits for the next bytes of the body and returns them; empty once the body is complete or
    // after an error, which error() tells. The bytes are in a buffer the worker's connections
    // share: they stay valid only until the handler next suspends (co_await), so it consumes
    // them first. The first read answers `Expect: 100-continue`.
    virtual asio::awaitable<std::span<const char>> read_some() = 0;

    virtual BodyError error() const = 0;
    virtual bool complete() const = 0;
    virtual std::optional<std::uint64_t> content_length() const = 0;
    virtual std::uint64_t bytes_read() const = 0;

    bool failed() const { return error() != BodyError::none; }
};

using PathParams = std::vector<std::pair<std::string, std::string>>;

// What a handler sees of a request: the parsed head, path parameters, the peer and the body.
class Request {
public:
    Request(const RequestHead& head, BodyReader& body, asio::ip::tcp::endpoint remote,
            PathParams params = {}, std::string client_address = {})
        : head_(head),
          body_(body),
          remote_(std::move(remote)),
          params_(std::move(params)),
          client_address_(client_address.empty() ? remote_.address().to_string()
                                                 : std::move(client_address)) {}

    const RequestHead& head() const { return head_; }
    bhttp::verb method() const { return head_.method(); }
    std::string_view target() const { return head_.target(); }
    std::string_view path() const {
        auto t = target();
        return t.substr(0, t.find('?'));
    }
    std::string_view query() const {
        auto t = target();
        auto q = t.find('?');
        return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
    }
    std::string_view header(bhttp::field name) const { return head_[name]; }
    std::string_view header(std::string_view name) const { return head_[name]; }
    std::string_view param(std::string_view name) const {
        for (const auto& [key, value] : params_) {
            if (key == name) {
                return value;
            }
        }
        return {};
    }
    const asio::ip::tcp::endpoint& remote() const { return remote_; }
    // The client's address, through TRUSTED_PROXY_COUNT proxies (core/http/client_address.h).
    const std::string& client_address() const { return client_address_; }
    BodyReader& body() { return body_; }

private:
    const RequestHead& head_;
    BodyReader& body_;
    asio::ip::tcp::endpoint remote_;
    PathParams params_;
    std::string client_address_;
};

}  // namespace core::http

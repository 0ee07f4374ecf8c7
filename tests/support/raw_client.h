#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace testing_support {

using namespace std::chrono_literals;

struct HttpResponse {
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // Value of the first header with this name (case-insensitive), "" if absent.
    std::string header(std::string_view name) const;
    bool has_header(std::string_view name) const;
};

// A blocking TCP client that sends exactly the bytes a test gives it, for driving a server
// with malformed, partial, slow or pipelined requests.
class RawClient {
public:
    explicit RawClient(std::uint16_t port, const char* host = "127.0.0.1");
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    // False when the server has closed or reset the connection.
    bool send(std::string_view data);
    void shutdown_write();

    // Reads one response (a 1xx interim response counts as one). nullopt when the connection
    // closed or nothing complete arrived in time.
    // `to_head` marks the answer to a HEAD request: no body follows its Content-Length.
    std::optional<HttpResponse> read_response(std::chrono::milliseconds timeout = 5s,
                                              bool to_head = false);
    // True when the server closes the connection (EOF or reset) within `timeout`, with any
    // bytes received before that discarded.
    bool closed_within(std::chrono::milliseconds timeout);
    // Bytes received but not yet consumed by read_response.
    const std::string& pending() const { return buffer_; }

private:
    // Appends what arrives within `timeout`; false on EOF, reset or timeout.
    bool receive(std::chrono::milliseconds timeout);

    int fd_ = -1;
    std::string buffer_;
};

// One request on a fresh connection; the response, or nullopt.
std::optional<HttpResponse> http_request(std::uint16_t port, std::string_view method,
                                         std::string_view path, std::string_view body = {},
                                         std::vector<std::string> extra_headers = {});

}  // namespace testing_support

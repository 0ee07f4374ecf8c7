#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "clients/aws/sigv4.h"
#include "clients/http/client.h"

namespace clients::aws {

struct SqsOptions {
    // "https://sqs.<region>.amazonaws.com" when empty; any SQS-compatible server otherwise.
    std::string endpoint_url = {};
    std::string region = "us-west-2";
    Credentials credentials = {};
    http::ClientOptions http = {};
    // Batch requests sent at once by send_messages.
    std::size_t max_in_flight = 8;
};

// A queue URL, or why SQS did not give one.
struct SqsQueueUrl {
    std::string url = {};
    std::string error = {};

    bool ok() const { return error.empty(); }
};

// The SQS calls a publisher needs, in the JSON protocol (x-amz-json-1.0, X-Amz-Target:
// AmazonSQS.<Action>) signed with Signature Version 4. Every call can be co_awaited from any
// event loop. Coroutines here take references: pass named objects.
class SqsClient {
public:
    // Throws std::invalid_argument for an endpoint that is not an http(s) URL, and
    // std::runtime_error when the CA file cannot be loaded.
    explicit SqsClient(SqsOptions options);

    std::string endpoint() const { return origin_.url(); }

    boost::asio::awaitable<SqsQueueUrl> get_queue_url(const std::string& queue_name);
    // Sends each body as one message, in SendMessageBatch requests of up to 10 entries,
    // several at once; one entry per body, in order: "" when SQS took it (and the MD5 of the
    // body it returned matches), else why not.
    boost::asio::awaitable<std::vector<std::string>> send_messages(
        const std::string& queue_url, const std::vector<std::string>& bodies);

    // For tests: the clock used for signing.
    void set_clock(std::function<std::chrono::system_clock::time_point()> clock) {
        clock_ = std::move(clock);
    }

private:
    struct Answer {
        std::optional<boost::json::value> json;  // the parsed 200 answer
        std::string error;
    };
    boost::asio::awaitable<Answer> call(const std::string& action, const std::string& payload);
    boost::asio::awaitable<std::vector<std::string>> send_batch(
        const std::string& queue_url, const std::vector<std::string>& bodies, std::size_t first,
        std::size_t count);

    SqsOptions options_;
    http::Origin origin_;
    std::function<std::chrono::system_clock::time_point()> clock_;
    std::unique_ptr<http::Client> client_;
};

// The one line an SQS JSON-protocol error answer comes down to, e.g.
// "400 QueueDoesNotExist: The specified queue does not exist." (the "__type" without its
// "com.amazonaws.sqs#" prefix, and the "message").
std::string sqs_error(unsigned status, const std::string& body);

// Lowercase hex MD5, as SQS's MD5OfMessageBody.
std::string hex_md5(std::string_view data);

}  // namespace clients::aws

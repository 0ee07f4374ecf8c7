#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "clients/gcp/access_tokens.h"
#include "clients/http/client.h"

namespace clients::gcp {

struct PubSubOptions {
    std::string project = {};
    std::string topic = {};
    // "https://pubsub.googleapis.com", or "http://<PUBSUB_EMULATOR_HOST>" for the emulator.
    std::string endpoint_url = "https://pubsub.googleapis.com";
    GoogleCredentials credentials = {};
    http::ClientOptions http = {};
    // Publish requests sent at once by publish() (each carries up to 1,000 messages).
    std::size_t max_in_flight = 4;
    Clock clock = [] { return std::chrono::system_clock::now(); };
};

// Google Cloud Pub/Sub's REST API (v1) for one topic: publish and get. Every call can be
// co_awaited from any event loop. Coroutines here take references: pass named objects.
class PubSubClient {
public:
    // Throws std::invalid_argument for an endpoint or token URI that is not an http(s) URL,
    // and std::runtime_error when the CA file cannot be loaded.
    explicit PubSubClient(PubSubOptions options);

    // "projects/<project>/topics/<topic>"
    std::string topic_path() const {
        return "projects/" + options_.project + "/topics/" + options_.topic;
    }

    // Publishes each message's bytes as the data of one message, without attributes; one entry
    // per message, in order: "" when Pub/Sub took it, else why not.
    boost::asio::awaitable<std::vector<std::string>> publish(
        const std::vector<std::string>& messages);
    // nullopt when the topic exists and may be read, else why not.
    boost::asio::awaitable<std::optional<std::string>> get_topic();

private:
    struct Answer {
        unsigned status = 0;
        std::string body;
        std::string error;  // set unless the status is 200
    };
    boost::asio::awaitable<Answer> call(boost::beast::http::verb method, const std::string& suffix,
                                        const std::string& body);
    boost::asio::awaitable<std::vector<std::string>> publish_chunk(
        const std::vector<std::string>& messages, std::size_t first, std::size_t count);

    PubSubOptions options_;
    http::Origin origin_;
    std::string path_;  // "/v1/projects/<project>/topics/<topic>", encoded
    std::unique_ptr<http::Client> client_;
    std::unique_ptr<CachedAccessToken> token_;  // null without credentials
};

// "404 NOT_FOUND: Resource not found (resource=crashes)." from Google's JSON error
// {"error": {"code": ..., "message": ..., "status": ...}}; the status alone otherwise.
std::string google_api_error(unsigned status, const std::string& body);

}  // namespace clients::gcp

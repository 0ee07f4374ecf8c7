#include "clients/gcp/pubsub_client.h"

#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "clients/aws/sigv4.h"
#include "core/async/for_each_concurrently.h"
#include "core/text/base64.h"

namespace clients::gcp {

namespace {

namespace json = boost::json;
namespace bhttp = boost::beast::http;

constexpr std::size_t kMaxMessagesPerRequest = 1000;  // Pub/Sub's limit
constexpr auto kScope = "https://www.googleapis.com/auth/pubsub";

}  // namespace

std::string google_api_error(unsigned status, const std::string& body) {
    std::string line = std::to_string(status);
    boost::system::error_code parse_error;
    json::value parsed = json::parse(body, parse_error);
    const json::object* object = parse_error ? nullptr : parsed.if_object();
    const json::value* error = object != nullptr ? object->if_contains("error") : nullptr;
    if (error == nullptr || !error->is_object()) {
        return line;
    }
    const json::object& fields = error->as_object();
    if (const json::value* name = fields.if_contains("status");
        name != nullptr && name->is_string()) {
        line += " " + std::string(name->as_string());
    }
    if (const json::value* message = fields.if_contains("message");
        message != nullptr && message->is_string()) {
        line += ": " + std::string(message->as_string());
    }
    return line;
}

PubSubClient::PubSubClient(PubSubOptions options) : options_(std::move(options)) {
    std::string error;
    auto url = http::parse_url(options_.endpoint_url, error);
    if (!url) {
        throw std::invalid_argument("the endpoint URL " + options_.endpoint_url +
                                    " is invalid: " + error);
    }
    origin_ = url->origin;
    path_ = "/v1/projects/" + aws::uri_encode(options_.project, true) + "/topics/" +
            aws::uri_encode(options_.topic, true);
    client_ = std::make_unique<http::Client>(options_.http);
    if (options_.credentials.kind != GoogleCredentials::Kind::none) {
        token_ = std::make_unique<CachedAccessToken>(
            make_token_source(options_.credentials, kScope, *client_, options_.clock),
            options_.clock);
    }
}

boost::asio::awaitable<PubSubClient::Answer> PubSubClient::call(bhttp::verb method,
                                                                const std::string& suffix,
                                                                const std::string& body) {
    Answer answer;
    std::string what = std::string(bhttp::to_string(method)) + " " + origin_.url() + path_ + suffix;
    http::Request request{.method = method, .target = path_ + suffix, .headers = {}, .body = {}};
    if (method == bhttp::verb::post) {
        request.headers.emplace_back("Content-Type", "application/json");
        request.body = http::Body::text(body);
    }
    if (token_) {
        AccessToken token = co_await token_->get();
        if (!token.ok()) {
            answer.error = what + ": " + token.error;
            co_return answer;
        }
        request.headers.emplace_back("Authorization", "Bearer " + token.token);
    }
    http::Result sent = co_await client_->send(origin_, request);
    if (!sent.ok()) {
        answer.error = what + ": " + sent.error;
        co_return answer;
    }
    answer.status = sent.response->status;
    answer.body = std::move(sent.response->body);
    if (answer.status != 200) {
        if (answer.status == 401 && token_) {
            token_->forget();
        }
        answer.error = what + ": " + google_api_error(answer.status, answer.body);
    }
    co_return answer;
}

boost::asio::awaitable<std::vector<std::string>> PubSubClient::publish(
    const std::vector<std::string>& messages) {
    std::vector<std::string> results(messages.size());
    std::size_t chunks = (messages.size() + kMaxMessagesPerRequest - 1) / kMaxMessagesPerRequest;
    co_await core::for_each_concurrently(
        chunks, options_.max_in_flight, [&](std::size_t chunk) -> boost::asio::awaitable<void> {
            std::size_t first = chunk * kMaxMessagesPerRequest;
            std::size_t count = std::min(kMaxMessagesPerRequest, messages.size() - first);
            std::vector<std::string> sent = co_await publish_chunk(messages, first, count);
            std::move(sent.begin(), sent.end(), results.begin() + static_cast<long>(first));
        });
    co_return results;
}

boost::asio::awaitable<std::vector<std::string>> PubSubClient::publish_chunk(
    const std::vector<std::string>& messages, std::size_t first, std::size_t count) {
    json::array entries;
    for (std::size_t i = first; i < first + count; ++i) {
        entries.push_back(json::object{{"data", core::base64_encode(messages[i])}});
    }
    std::string suffix = ":publish";
    std::string body = json::serialize(json::object{{"messages", std::move(entries)}});
    Answer answer = co_await call(bhttp::verb::post, suffix, body);
    if (answer.error.empty()) {
        // One message id per message, in order.
        boost::system::error_code parse_error;
        json::value parsed = json::parse(answer.body, parse_error);
        const json::object* object = parse_error ? nullptr : parsed.if_object();
        const json::value* ids = object != nullptr ? object->if_contains("messageIds") : nullptr;
        if (ids == nullptr || !ids->is_array() || ids->as_array().size() != count) {
            answer.error = "POST " + origin_.url() + path_ + suffix +
                           ": the answer does not hold one message id per message";
        }
    }
    co_return std::vector<std::string>(count, answer.error);
}

boost::asio::awaitable<std::optional<std::string>> PubSubClient::get_topic() {
    std::string suffix;
    std::string body;
    Answer answer = co_await call(bhttp::verb::get, suffix, body);
    if (!answer.error.empty()) {
        co_return answer.error;
    }
    co_return std::nullopt;
}

}  // namespace clients::gcp

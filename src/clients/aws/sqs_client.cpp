#include "clients/aws/sqs_client.h"

#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>

#include "core/async/for_each_concurrently.h"

namespace clients::aws {

namespace {

namespace json = boost::json;

constexpr std::size_t kMaxBatchEntries = 10;  // SendMessageBatch's limit

std::string string_field(const json::value& value, std::string_view key) {
    const json::object* object = value.if_object();
    if (object == nullptr) {
        return "";
    }
    const json::value* field = object->if_contains(key);
    return field != nullptr && field->is_string() ? std::string(field->as_string()) : "";
}

}  // namespace

std::string hex_md5(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
    return to_hex(digest, size);
}

std::string sqs_error(unsigned status, const std::string& body) {
    std::string line = std::to_string(status);
    boost::system::error_code parse_error;
    json::value parsed = json::parse(body, parse_error);
    if (parse_error) {
        return line;
    }
    std::string type = string_field(parsed, "__type");
    if (auto hash = type.rfind('#'); hash != std::string::npos) {
        type.erase(0, hash + 1);
    }
    // AWS writes "message"; some servers "Message".
    std::string message = string_field(parsed, "message");
    if (message.empty()) {
        message = string_field(parsed, "Message");
    }
    if (!type.empty()) {
        line += " " + type;
    }
    if (!message.empty()) {
        line += ": " + message;
    }
    return line;
}

SqsClient::SqsClient(SqsOptions options)
    : options_(std::move(options)), clock_([] { return std::chrono::system_clock::now(); }) {
    std::string endpoint = options_.endpoint_url.empty()
                               ? "https://sqs." + options_.region + ".amazonaws.com"
                               : options_.endpoint_url;
    std::string error;
    auto url = http::parse_url(endpoint, error);
    if (!url) {
        throw std::invalid_argument("the endpoint URL " + endpoint + " is invalid: " + error);
    }
    origin_ = url->origin;
    client_ = std::make_unique<http::Client>(options_.http);
}

boost::asio::awaitable<SqsClient::Answer> SqsClient::call(const std::string& action,
                                                          const std::string& payload) {
    std::vector<Header> headers{{"Host", origin_.authority()},
                                {"Content-Type", "application/x-amz-json-1.0"},
                                {"X-Amz-Target", "AmazonSQS." + action}};
    SigningRequest signing{.method = "POST",
                           .path = "/",
                           .query = {},
                           .headers = headers,
                           .payload_sha256 = hex_sha256(payload)};
    SigningScope scope{.region = options_.region, .service = "sqs", .time = clock_()};
    http::Request request{.method = boost::beast::http::verb::post,
                          .target = "/",
                          .headers = {headers.begin() + 1, headers.end()},
                          .body = http::Body::text(payload)};
    for (auto& header : sign(signing, options_.credentials, scope, SigningOptions{})) {
        request.headers.push_back(std::move(header));
    }
    http::Result sent = co_await client_->send(origin_, request);
    Answer answer;
    std::string what = action + " at " + origin_.url();
    if (!sent.ok()) {
        answer.error = what + ": " + sent.error;
        co_return answer;
    }
    const http::Response& response = *sent.response;
    if (response.status != 200) {
        answer.error = what + ": " + sqs_error(response.status, response.body);
        co_return answer;
    }
    boost::system::error_code parse_error;
    json::value parsed = json::parse(response.body, parse_error);
    if (parse_error || !parsed.is_object()) {
        answer.error = what + ": the answer is not a JSON object";
        co_return answer;
    }
    answer.json = std::move(parsed);
    co_return answer;
}

boost::asio::awaitable<SqsQueueUrl> SqsClient::get_queue_url(const std::string& queue_name) {
    std::string action = "GetQueueUrl";
    std::string payload = json::serialize(json::object{{"QueueName", queue_name}});
    Answer answer = co_await call(action, payload);
    SqsQueueUrl result;
    if (!answer.json) {
        result.error = answer.error;
        co_return result;
    }
    result.url = string_field(*answer.json, "QueueUrl");
    if (result.url.empty()) {
        result.error = "GetQueueUrl at " + origin_.url() + ": no QueueUrl in the answer";
    }
    co_return result;
}

boost::asio::awaitable<std::vector<std::string>> SqsClient::send_messages(
    const std::string& queue_url, const std::vector<std::string>& bodies) {
    std::vector<std::string> results(bodies.size());
    std::size_t batches = (bodies.size() + kMaxBatchEntries - 1) / kMaxBatchEntries;
    co_await core::for_each_concurrently(
        batches, options_.max_in_flight, [&](std::size_t batch) -> boost::asio::awaitable<void> {
            std::size_t first = batch * kMaxBatchEntries;
            std::size_t count = std::min(kMaxBatchEntries, bodies.size() - first);
            std::vector<std::string> sent = co_await send_batch(queue_url, bodies, first, count);
            std::move(sent.begin(), sent.end(), results.begin() + static_cast<long>(first));
        });
    co_return results;
}

boost::asio::awaitable<std::vector<std::string>> SqsClient::send_batch(
    const std::string& queue_url, const std::vector<std::string>& bodies, std::size_t first,
    std::size_t count) {
    json::array entries;
    for (std::size_t i = 0; i < count; ++i) {
        entries.push_back(
            json::object{{"Id", std::to_string(i)}, {"MessageBody", bodies[first + i]}});
    }
    std::string action = "SendMessageBatch";
    std::string payload =
        json::serialize(json::object{{"QueueUrl", queue_url}, {"Entries", std::move(entries)}});
    Answer answer = co_await call(action, payload);
    std::vector<std::string> results(count);
    if (!answer.json) {
        std::fill(results.begin(), results.end(), answer.error);
        co_return results;
    }
    // An entry SQS names neither as successful nor as failed was not taken.
    std::vector<bool> answered(count, false);
    auto entry_index = [&](const json::value& entry) -> std::optional<std::size_t> {
        std::string id = string_field(entry, "Id");
        if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos ||
            id.size() > 2 || std::stoul(id) >= count) {
            return std::nullopt;
        }
        return std::stoul(id);
    };
    const json::object& object = answer.json->as_object();
    if (const json::value* successful = object.if_contains("Successful");
        successful != nullptr && successful->is_array()) {
        for (const json::value& entry : successful->as_array()) {
            if (auto i = entry_index(entry)) {
                answered[*i] = true;
                std::string md5 = string_field(entry, "MD5OfMessageBody");
                if (!md5.empty() && md5 != hex_md5(bodies[first + *i])) {
                    results[*i] = "SendMessageBatch at " + origin_.url() +
                                  ": the MD5 of the message SQS received differs from ours";
                }
            }
        }
    }
    if (const json::value* failed = object.if_contains("Failed");
        failed != nullptr && failed->is_array()) {
        for (const json::value& entry : failed->as_array()) {
            if (auto i = entry_index(entry)) {
                answered[*i] = true;
                results[*i] = "SendMessageBatch at " + origin_.url() + ": " +
                              string_field(entry, "Code") + ": " + string_field(entry, "Message");
            }
        }
    }
    for (std::size_t i = 0; i < count; ++i) {
        if (!answered[i]) {
            results[i] = "SendMessageBatch at " + origin_.url() + ": no answer for this entry";
        }
    }
    co_return results;
}

}  // namespace clients::aws

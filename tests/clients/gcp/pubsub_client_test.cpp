#include "clients/gcp/pubsub_client.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/async/wait_for.h"
#include "core/text/base64.h"
#include "test_http_server.h"

namespace {

namespace json = boost::json;
using clients::gcp::GoogleCredentials;
using clients::gcp::PubSubClient;
using clients::gcp::PubSubOptions;
using http_tests::ReceivedRequest;
using http_tests::TestHttpServer;

// Pub/Sub's publish answer: one message id per message received.
std::pair<unsigned, std::string> publish_answer(const ReceivedRequest& request) {
    json::value parsed = json::parse(request.body);
    std::string ids;
    for (std::size_t i = 0; i < parsed.at("messages").as_array().size(); ++i) {
        ids += (i == 0 ? "\"" : ", \"") + std::to_string(i) + "\"";
    }
    return {200, R"({"messageIds": [)" + ids + "]}"};
}

PubSubOptions options_for(const TestHttpServer& server) {
    return {.project = "antenna-test",
            .topic = "crash ids",
            .endpoint_url = "http://127.0.0.1:" + std::to_string(server.port())};
}

TEST(PubSubClient, PublishesTheBytesAsBase64DataInRequestsOfAThousand) {
    TestHttpServer server({.answer = publish_answer});
    PubSubClient client(options_for(server));
    std::vector<std::string> messages;
    for (int i = 0; i < 2500; ++i) {
        messages.push_back("crash-" + std::to_string(i));
    }
    std::vector<std::string> errors = core::wait_for(client.publish(messages));
    EXPECT_EQ(errors, std::vector<std::string>(2500, ""));

    std::vector<std::string> received;
    for (const auto& request : server.requests()) {
        EXPECT_EQ(request.method, "POST");
        EXPECT_EQ(request.target, "/v1/projects/antenna-test/topics/crash%20ids:publish");
        EXPECT_EQ(request.headers.at("content-type"), "application/json");
        EXPECT_FALSE(request.headers.contains("authorization"));  // the emulator's way
        json::value parsed_body = json::parse(request.body);
        for (const auto& message : parsed_body.at("messages").as_array()) {
            EXPECT_EQ(message.as_object().size(), 1u);  // data only, no attributes
            received.push_back(core::base64_decode(message.at("data").as_string()).value());
        }
    }
    EXPECT_EQ(server.requests().size(), 3u);
    std::sort(received.begin(), received.end());
    std::sort(messages.begin(), messages.end());
    EXPECT_EQ(received, messages);
}

TEST(PubSubClient, SendsTheAccessTokenAndFetchesAnotherAfterA401) {
    auto refused = std::make_shared<bool>(false);
    auto tokens = std::make_shared<int>(0);
    TestHttpServer server({.answer = [=](const ReceivedRequest& request)
                               -> std::pair<unsigned, std::string> {
        if (request.target == "/computeMetadata/v1/instance/service-accounts/default/token") {
            return {200, R"({"access_token": "token-)" + std::to_string(++*tokens) +
                             R"(", "expires_in": 3599})"};
        }
        if (!*refused) {
            *refused = true;
            return {
                401,
                R"({"error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}})"};
        }
        return publish_answer(request);
    }});
    PubSubOptions options = options_for(server);
    options.credentials = {.kind = GoogleCredentials::Kind::metadata_server,
                           .metadata_host = "127.0.0.1:" + std::to_string(server.port())};
    PubSubClient client(options);
    std::vector<std::string> messages{"a", "b"};
    std::vector<std::string> first = core::wait_for(client.publish(messages));
    EXPECT_NE(first[0].find("401 UNAUTHENTICATED: Request had invalid authentication"),
              std::string::npos)
        << first[0];
    EXPECT_EQ(first[0], first[1]);
    std::vector<std::string> second = core::wait_for(client.publish(messages));
    EXPECT_EQ(second, std::vector<std::string>(2, ""));

    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 4u);
    EXPECT_EQ(requests[1].headers["authorization"], "Bearer token-1");
    EXPECT_EQ(requests[3].headers["authorization"], "Bearer token-2");
}

TEST(PubSubClient, AnAnswerWithoutOneIdPerMessageIsAFailure) {
    TestHttpServer server(
        {.answer = [](const ReceivedRequest&) -> std::pair<unsigned, std::string> {
            return {200, R"({"messageIds": ["1"]})"};
        }});
    PubSubClient client(options_for(server));
    std::vector<std::string> messages{"a", "b"};
    std::vector<std::string> errors = core::wait_for(client.publish(messages));
    EXPECT_NE(errors[0].find("one message id per message"), std::string::npos);
    EXPECT_EQ(errors[0], errors[1]);
}

TEST(PubSubClient, GetTopicReportsGooglesErrorStatus) {
    TestHttpServer server({.answer =
                               [](const ReceivedRequest&) -> std::pair<unsigned, std::string> {
        return {
            404,
            R"({"error": {"code": 404, "message": "Resource not found (resource=crash ids).", "status": "NOT_FOUND"}})"};
    }});
    PubSubClient client(options_for(server));
    std::optional<std::string> error = core::wait_for(client.get_topic());
    ASSERT_TRUE(error);
    EXPECT_EQ(*error, "GET http://127.0.0.1:" + std::to_string(server.port()) +
                          "/v1/projects/antenna-test/topics/crash%20ids: 404 NOT_FOUND: Resource "
                          "not found (resource=crash ids).");
}

TEST(GoogleApiError, FallsBackToTheStatus) {
    EXPECT_EQ(clients::gcp::google_api_error(502, "<html>Bad Gateway</html>"), "502");
    EXPECT_EQ(clients::gcp::google_api_error(403, R"({"error": {"status": "PERMISSION_DENIED"}})"),
              "403 PERMISSION_DENIED");
}

}  // namespace

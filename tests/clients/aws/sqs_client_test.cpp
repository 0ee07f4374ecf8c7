#include "clients/aws/sqs_client.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "core/async/wait_for.h"
#include "test_http_server.h"

namespace {

namespace json = boost::json;
using clients::aws::SqsClient;
using http_tests::ReceivedRequest;
using http_tests::TestHttpServer;

// SendMessageBatch's answer: every entry successful with its true MD5, except those whose body
// is "fail" (failed) or "bad-md5" (a wrong MD5).
std::pair<unsigned, std::string> batch_answer(const ReceivedRequest& request) {
    json::value parsed = json::parse(request.body);
    json::array successful;
    json::array failed;
    for (const auto& entry : parsed.at("Entries").as_array()) {
        std::string body(entry.at("MessageBody").as_string());
        if (body == "fail") {
            failed.push_back(json::object{{"Id", entry.at("Id")},
                                          {"SenderFault", false},
                                          {"Code", "InternalError"},
                                          {"Message", "try again"}});
            continue;
        }
        successful.push_back(json::object{
            {"Id", entry.at("Id")},
            {"MessageId", "m"},
            {"MD5OfMessageBody", clients::aws::hex_md5(body == "bad-md5" ? "other" : body)}});
    }
    return {200, json::serialize(json::object{{"Successful", successful}, {"Failed", failed}})};
}

clients::aws::SqsOptions options_for(const TestHttpServer& server) {
    return {.endpoint_url = "http://127.0.0.1:" + std::to_string(server.port()),
            .region = "eu-west-1",
            .credentials = {.access_key_id = "AKIDEXAMPLE",
                            .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                            .session_token = {}}};
}

TEST(SqsClient, SendsSignedBatchesOfTen) {
    TestHttpServer server({.answer = batch_answer});
    SqsClient client(options_for(server));
    std::vector<std::string> bodies;
    for (int i = 0; i < 25; ++i) {
        bodies.push_back("crash-" + std::to_string(i));
    }
    std::string queue_url = "http://127.0.0.1/123456789012/crashes";
    EXPECT_EQ(core::wait_for(client.send_messages(queue_url, bodies)),
              std::vector<std::string>(25, ""));

    std::vector<std::size_t> sizes;
    for (const auto& request : server.requests()) {
        EXPECT_EQ(request.method, "POST");
        EXPECT_EQ(request.target, "/");
        EXPECT_EQ(request.headers.at("x-amz-target"), "AmazonSQS.SendMessageBatch");
        EXPECT_EQ(request.headers.at("content-type"), "application/x-amz-json-1.0");
        EXPECT_TRUE(request.headers.at("authorization")
                        .starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
        EXPECT_NE(request.headers.at("authorization").find("/eu-west-1/sqs/aws4_request"),
                  std::string::npos);
        EXPECT_NE(request.headers.at("authorization").find("x-amz-target"), std::string::npos);
        json::value parsed = json::parse(request.body);
        EXPECT_EQ(parsed.at("QueueUrl").as_string(), queue_url);
        sizes.push_back(parsed.at("Entries").as_array().size());
    }
    std::sort(sizes.begin(), sizes.end());
    EXPECT_EQ(sizes, (std::vector<std::size_t>{5, 10, 10}));
}

TEST(SqsClient, OnlyTheEntriesSqsRefusedOrGarbledFail) {
    TestHttpServer server({.answer = batch_answer});
    SqsClient client(options_for(server));
    std::vector<std::string> bodies{"a", "fail", "b", "bad-md5"};
    std::string queue_url = "http://127.0.0.1/123456789012/crashes";
    std::vector<std::string> errors = core::wait_for(client.send_messages(queue_url, bodies));
    EXPECT_EQ(errors[0], "");
    EXPECT_NE(errors[1].find("InternalError: try again"), std::string::npos) << errors[1];
    EXPECT_EQ(errors[2], "");
    EXPECT_NE(errors[3].find("MD5"), std::string::npos) << errors[3];
}

TEST(SqsClient, AnErrorAnswerFailsTheWholeBatchWithItsType) {
    TestHttpServer server({.answer =
                               [](const ReceivedRequest&) -> std::pair<unsigned, std::string> {
        return {
            400,
            R"({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."})"};
    }});
    SqsClient client(options_for(server));
    std::string name = "crashes";
    clients::aws::SqsQueueUrl found = core::wait_for(client.get_queue_url(name));
    EXPECT_EQ(found.error, "GetQueueUrl at " + client.endpoint() +
                               ": 400 QueueDoesNotExist: The specified queue does not exist.");
    EXPECT_EQ(server.requests().front().body, R"({"QueueName":"crashes"})");
    EXPECT_EQ(server.requests().front().headers.at("x-amz-target"), "AmazonSQS.GetQueueUrl");
}

TEST(SqsError, ReadsAwsAndOtherServersForms) {
    EXPECT_EQ(
        clients::aws::sqs_error(
            403,
            R"({"__type": "com.amazon.coral.service#AccessDeniedException", "Message": "denied"})"),
        "403 AccessDeniedException: denied");
    EXPECT_EQ(clients::aws::sqs_error(500, "oops"), "500");
}

TEST(HexMd5, MatchesRfc1321) {
    EXPECT_EQ(clients::aws::hex_md5(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(clients::aws::hex_md5("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

}  // namespace

// Crash publishers against real brokers started by scripts/services/: Google's Pub/Sub emulator
// (where the machine has it) and an SQS server. Each fixture starts its broker once; each has a
// ctest entry of its own (see CMakeLists.txt). RabbitMQ has rabbitmq_publish_test.cpp.
#include <algorithm>
#include <map>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "antenna_blackbox.h"
#include "core/text/base64.h"
#include "service_scripts.h"

namespace antenna_tests {
namespace {

namespace json = boost::json;
using testing_support::CommandResult;
using testing_support::run_command;

const std::string kScripts = std::string(SOURCE_DIR) + "/scripts/services/";

std::string quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

// An HTTP call with curl (an implementation independent of ours); the answer's body.
std::string curl(const std::string& method, const std::string& url, const std::string& body = "",
                 const std::vector<std::string>& headers = {}) {
    std::string command = "curl -s -X " + method;
    for (const auto& header : headers) {
        command += " -H " + quoted(header);
    }
    if (!body.empty()) {
        command += " --data-binary " + quoted(body);
    }
    return run_command(command + " " + quoted(url)).out;
}

// Posts `count` crashes and returns their ids.
std::vector<std::string> post_crashes(Collector& collector, int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
        HttpResponse response = collector.post(antenna::multipart_encode(test_crash(), kBoundary));
        EXPECT_EQ(response.status, 200) << response.body;
        ids.push_back(crash_id_from(response.body));
    }
    return ids;
}

std::multiset<std::string> without_tests(const std::vector<std::string>& messages) {
    std::multiset<std::string> kept;
    for (const auto& message : messages) {
        if (message != "test") {
            kept.insert(message);
        }
    }
    return kept;
}

HttpResponse get_heartbeat(Collector& collector) {
    RawClient client(collector.port());
    client.send("GET /__heartbeat__ HTTP/1.1\r\nHost: antenna\r\n\r\n");
    auto response = client.read_response(20s);
    return response ? *response : HttpResponse{};
}

// A broker started once for the tests of one fixture.
struct Broker {
    TempDir dir{"broker"};
    std::uint16_t port = 0;
    std::string skip_reason;

    void start(const std::string& script) {
        port = testing_support::free_ports(1);
        CommandResult started =
            run_command(kScripts + script + " " + dir.path().string() + " " + std::to_string(port));
        if (started.status != 0) {
            skip_reason = script + " did not start: " + started.out;
        }
    }
    void stop() const { run_command(kScripts + "stop-service.sh " + dir.path().string() + " 10"); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// Tests sharing one broker, started by `kScript` before the first of them.
template <const char* kScript>
class WithBroker : public testing::Test {
protected:
    static void SetUpTestSuite() {
        broker = new Broker;
        broker->start(kScript);
    }
    static void TearDownTestSuite() {
        broker->stop();
        delete broker;
    }
    void SetUp() override {
        if (!broker->skip_reason.empty()) {
            GTEST_SKIP() << broker->skip_reason;
        }
    }

    static inline Broker* broker = nullptr;
};

constexpr char kPubSubEmulator[] = "start-pubsub-emulator.sh";
constexpr char kSqsServer[] = "start-local-aws-sqs.sh";

// --- Google Cloud Pub/Sub -------------------------------------------------------------------

const std::string kProject = "antenna-test";

class PubSubPublish : public WithBroker<kPubSubEmulator> {
protected:
    using WithBroker::broker;

    static std::string api(const std::string& path) {
        return broker->url() + "/v1/projects/" + kProject + "/" + path;
    }
    // A topic with a subscription, both named after the test.
    static std::string create_topic() {
        std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
        curl("PUT", api("topics/" + name));
        curl("PUT", api("subscriptions/" + name),
             R"({"topic": "projects/)" + kProject + "/topics/" + name + R"("})",
             {"Content-Type: application/json"});
        return name;
    }
    // Pulls and acknowledges until the subscription is empty: the messages' data, decoded.
    static std::vector<std::string> pull_all(const std::string& subscription) {
        std::vector<std::string> messages;
        for (;;) {
            json::value answer =
                json::parse(curl("POST", api("subscriptions/" + subscription + ":pull"),
                                 R"({"maxMessages": 1000, "returnImmediately": true})",
                                 {"Content-Type: application/json"}));
            const json::value* received = answer.as_object().if_contains("receivedMessages");
            if (received == nullptr || received->as_array().empty()) {
                return messages;
            }
            json::array ack_ids;
            for (const auto& message : received->as_array()) {
                const json::object& fields = message.as_object();
                auto data = core::base64_decode(fields.at("message").at("data").as_string());
                messages.push_back(data.value_or("<not base64>"));
                EXPECT_FALSE(fields.at("message").as_object().contains("attributes"));
                ack_ids.push_back(fields.at("ackId"));
            }
            curl("POST", api("subscriptions/" + subscription + ":acknowledge"),
                 json::serialize(json::object{{"ackIds", ack_ids}}),
                 {"Content-Type: application/json"});
        }
    }
    static Env env(const std::string& topic) {
        return {{"CRASHMOVER_CRASHPUBLISH_CLASS", "pubsub"},
                {"CRASHMOVER_CRASHPUBLISH_PROJECT_ID", kProject},
                {"CRASHMOVER_CRASHPUBLISH_TOPIC_NAME", topic},
                {"PUBSUB_EMULATOR_HOST", "127.0.0.1:" + std::to_string(broker->port)}};
    }
};

TEST_F(PubSubPublish, PublishesEachCrashIdOnceAfterTheTestMessage) {
    std::string topic = create_topic();
    Collector collector(env(topic));
    std::vector<std::string> ids = post_crashes(collector, 30);
    ASSERT_TRUE(collector.wait_until_moved());

    std::vector<std::string> messages = pull_all(topic);
    ASSERT_FALSE(messages.empty());
    EXPECT_EQ(messages.front(), "test");  // Antenna's startup check
    EXPECT_EQ(without_tests(messages), std::multiset<std::string>(ids.begin(), ids.end()));
}

TEST_F(PubSubPublish, AMissingTopicStopsStartupWithOneLine) {
    TempDir spool("spool");
    Env settings = env("no-such-topic");
    settings["CRASHMOVER_SPOOL_DIR"] = spool.path().string();
    auto result = testing_support::run_to_exit(ANTENNA_BINARY, settings);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("PubSubCrashPublish verification failed"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("404 NOT_FOUND"), std::string::npos) << result.err;
}

TEST_F(PubSubPublish, HeartbeatFailsOnceTheTopicIsGoneAndCrashesWaitForIt) {
    std::string topic = create_topic();
    Collector collector(env(topic));
    EXPECT_EQ(get_heartbeat(collector).status, 200);
    curl("DELETE", api("topics/" + topic));

    HttpResponse heartbeat = get_heartbeat(collector);
    EXPECT_EQ(heartbeat.status, 503);
    EXPECT_NE(heartbeat.body.find("PubSubCrashPublish"), std::string::npos) << heartbeat.body;
    // Accepted all the same: the crash waits in the spool until the topic is back.
    std::vector<std::string> ids = post_crashes(collector, 3);
    EXPECT_FALSE(collector.wait_until_moved(1s));
    // A deleted topic's subscriptions stay detached from a new topic of the same name. The
    // collector is frozen meanwhile: a crash published between the new topic and its new
    // subscription would reach no subscription.
    {
        testing_support::FrozenProcess frozen(collector.process().pid());
        curl("DELETE", api("subscriptions/" + topic));
        create_topic();
    }
    EXPECT_TRUE(collector.wait_until_moved(30s));
    EXPECT_EQ(without_tests(pull_all(topic)), std::multiset<std::string>(ids.begin(), ids.end()));
}

// --- AWS SQS --------------------------------------------------------------------------------

class SqsPublish : public WithBroker<kSqsServer> {
protected:
    using WithBroker::broker;

    static json::value sqs(const std::string& action, const json::object& request) {
        std::string answer =
            curl("POST", broker->url() + "/", json::serialize(request),
                 {"Content-Type: application/x-amz-json-1.0", "X-Amz-Target: AmazonSQS." + action});
        return answer.empty() ? json::value() : json::parse(answer);
    }
    static std::string create_queue() {
        std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
        return std::string(sqs("CreateQueue", {{"QueueName", name}}).at("QueueUrl").as_string());
    }
    // Receives and deletes until the queue is empty: the messages' bodies.
    static std::vector<std::string> receive_all(const std::string& queue_url) {
        std::vector<std::string> bodies;
        for (;;) {
            json::value answer =
                sqs("ReceiveMessage",
                    {{"QueueUrl", queue_url}, {"MaxNumberOfMessages", 10}, {"WaitTimeSeconds", 0}});
            // local-aws-sqs answers an empty queue with an empty body.
            const json::value* messages =
                answer.is_object() ? answer.as_object().if_contains("Messages") : nullptr;
            if (messages == nullptr || messages->as_array().empty()) {
                return bodies;
            }
            for (const auto& message : messages->as_array()) {
                bodies.emplace_back(message.at("Body").as_string());
                sqs("DeleteMessage",
                    {{"QueueUrl", queue_url}, {"ReceiptHandle", message.at("ReceiptHandle")}});
            }
        }
    }
    static Env env(const std::string& queue) {
        return {{"CRASHMOVER_CRASHPUBLISH_CLASS", "antenna.ext.sqs.crashpublish.SQSCrashPublish"},
                {"CRASHMOVER_CRASHPUBLISH_QUEUE_NAME", queue},
                {"CRASHMOVER_CRASHPUBLISH_ENDPOINT_URL", broker->url()},
                {"CRASHMOVER_CRASHPUBLISH_ACCESS_KEY", "TESTACCESSKEY"},
                {"CRASHMOVER_CRASHPUBLISH_SECRET_ACCESS_KEY", "TESTSECRETKEY"}};
    }
};

TEST_F(SqsPublish, SendsEachCrashIdOnceAfterTheTestMessage) {
    std::string queue_url = create_queue();
    std::string queue = queue_url.substr(queue_url.rfind('/') + 1);
    Collector collector(env(queue));
    // More than one SendMessageBatch (ten entries each) per mover batch.
    std::vector<std::string> ids = post_crashes(collector, 45);
    ASSERT_TRUE(collector.wait_until_moved());

    std::vector<std::string> bodies = receive_all(queue_url);
    EXPECT_EQ(std::count(bodies.begin(), bodies.end(), "test"), 1);
    EXPECT_EQ(without_tests(bodies), std::multiset<std::string>(ids.begin(), ids.end()));
}

TEST_F(SqsPublish, AMissingQueueStopsStartupWithOneLine) {
    TempDir spool("spool");
    Env settings = env("no-such-queue");
    settings["CRASHMOVER_SPOOL_DIR"] = spool.path().string();
    auto result = testing_support::run_to_exit(ANTENNA_BINARY, settings);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("SQSCrashPublish verification failed"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("QueueDoesNotExist"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("TESTSECRETKEY"), std::string::npos);
}

TEST_F(SqsPublish, MissingCredentialsAreAConfigurationError) {
    Env settings = env("crashes");
    settings["CRASHMOVER_CRASHPUBLISH_SECRET_ACCESS_KEY"] = "";
    settings["AWS_SECRET_ACCESS_KEY"] = "";
    auto result = testing_support::run_to_exit(ANTENNA_BINARY, settings);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("CRASHMOVER_CRASHPUBLISH_SECRET_ACCESS_KEY"), std::string::npos)
        << result.err;
}

TEST_F(SqsPublish, HeartbeatFailsOnceTheQueueIsGoneAndCrashesWaitForIt) {
    std::string queue_url = create_queue();
    std::string queue = queue_url.substr(queue_url.rfind('/') + 1);
    Collector collector(env(queue));
    EXPECT_EQ(get_heartbeat(collector).status, 200);
    sqs("DeleteQueue", {{"QueueUrl", queue_url}});

    HttpResponse heartbeat = get_heartbeat(collector);
    EXPECT_EQ(heartbeat.status, 503);
    EXPECT_NE(heartbeat.body.find("SQSCrashPublish"), std::string::npos) << heartbeat.body;
    std::vector<std::string> ids = post_crashes(collector, 3);
    EXPECT_FALSE(collector.wait_until_moved(1s));
    ASSERT_EQ(create_queue(), queue_url);
    EXPECT_TRUE(collector.wait_until_moved(30s));
    EXPECT_EQ(without_tests(receive_all(queue_url)),
              std::multiset<std::string>(ids.begin(), ids.end()));
}

}  // namespace
}  // namespace antenna_tests

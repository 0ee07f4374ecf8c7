// SECRET_SENTRY_DSN: an unhandled error (/__broken__) reaches a Sentry endpoint (a fake one in
// the test) as one event, with the client's addresses and credentials scrubbed.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "antenna_blackbox.h"
#include "service_scripts.h"
#include "test_http_server.h"

namespace antenna_tests {
namespace {

namespace json = boost::json;
using http_tests::ReceivedRequest;
using http_tests::TestHttpServer;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        lines.push_back(line);
    }
    return lines;
}

TEST(Sentry, BrokenSendsOneEventWithTheClientsAddressesAndCredentialsScrubbed) {
    TestHttpServer sentry;
    TempDir basedir("basedir");
    std::ofstream(basedir.path() / "version.json")
        << R"({"commit": "0123456789abcdef", "version": "2026.11.29", "source": "s", "build": "b"})";
    Collector collector(Env{{"SECRET_SENTRY_DSN",
                             "http://publickey@127.0.0.1:" + std::to_string(sentry.port()) + "/42"},
                            {"BASEDIR", basedir.path().string()},
                            {"HOSTNAME", "collector-7"}});

    RawClient client(collector.port());
    client.send(
        "GET /__broken__?probe=1 HTTP/1.1\r\nHost: crash-reports.example.com\r\n"
        "X-Forwarded-For: 203.0.113.9\r\nX-Real-Ip: 203.0.113.9\r\n"
        "Authorization: Basic ZGV2ZWxvcGVyOnBhc3N3b3Jk\r\nUser-Agent: probe/1\r\n\r\n");
    auto response = client.read_response(5s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 500);

    for (int i = 0; i < 500 && sentry.requests().empty(); ++i) {
        std::this_thread::sleep_for(10ms);
    }
    std::this_thread::sleep_for(200ms);  // nothing else follows
    auto received = sentry.requests();
    ASSERT_EQ(received.size(), 1u);
    const ReceivedRequest& request = received.front();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/api/42/envelope/");
    EXPECT_EQ(request.headers.at("content-type"), "application/x-sentry-envelope");
    EXPECT_NE(request.headers.at("x-sentry-auth").find("sentry_key=publickey"), std::string::npos);

    std::vector<std::string> envelope = lines_of(request.body);
    ASSERT_EQ(envelope.size(), 3u) << request.body;
    json::object header = json::parse(envelope[0]).as_object();
    json::object item = json::parse(envelope[1]).as_object();
    json::object event = json::parse(envelope[2]).as_object();
    EXPECT_EQ(item.at("type").as_string(), "event");
    EXPECT_EQ(item.at("length").to_number<std::size_t>(), envelope[2].size());
    EXPECT_EQ(header.at("event_id"), event.at("event_id"));
    EXPECT_EQ(event.at("event_id").as_string().size(), 32u);

    const json::object& exception = event.at("exception").at("values").as_array().at(0).as_object();
    EXPECT_EQ(exception.at("type").as_string(), "std::runtime_error");
    EXPECT_EQ(exception.at("value").as_string(), "intentional exception");
    EXPECT_EQ(event.at("transaction").as_string(), "/__broken__");
    EXPECT_EQ(event.at("release").as_string(), "2026.11.29:01234567");
    EXPECT_EQ(event.at("server_name").as_string(), "collector-7");
    EXPECT_EQ(event.at("level").as_string(), "error");
    const json::object& http_request = event.at("request").as_object();
    EXPECT_EQ(http_request.at("method").as_string(), "GET");
    EXPECT_EQ(http_request.at("url").as_string(), "http://crash-reports.example.com/__broken__");
    EXPECT_EQ(http_request.at("query_string").as_string(), "probe=1");
    const json::object& headers = http_request.at("headers").as_object();
    EXPECT_EQ(headers.at("X-Forwarded-For").as_string(), "[Scrubbed]");
    EXPECT_EQ(headers.at("X-Real-Ip").as_string(), "[Scrubbed]");
    EXPECT_EQ(headers.at("Authorization").as_string(), "[Scrubbed]");
    EXPECT_EQ(headers.at("User-Agent").as_string(), "probe/1");
    EXPECT_EQ(request.body.find("203.0.113.9"), std::string::npos);
    EXPECT_EQ(request.body.find("ZGV2ZWxvcGVyOnBhc3N3b3Jk"), std::string::npos);
}

TEST(Sentry, AnUnreachableSentryDoesNotDelayTheAnswer) {
    Collector collector(
        Env{{"SECRET_SENTRY_DSN",
             "http://key@127.0.0.1:" + std::to_string(testing_support::free_ports(1)) + "/1"}});
    RawClient client(collector.port());
    auto started = std::chrono::steady_clock::now();
    client.send("GET /__broken__ HTTP/1.1\r\nHost: antenna\r\n\r\n");
    auto response = client.read_response(5s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 500);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST(Sentry, ADsnThatIsNotOneStopsStartupWithOneLine) {
    TempDir spool("spool");
    auto result = testing_support::run_to_exit(
        ANTENNA_BINARY, {{"SECRET_SENTRY_DSN", "https://sentry.example.com/"},
                         {"CRASHMOVER_SPOOL_DIR", spool.path().string()}});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("SECRET_SENTRY_DSN"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace antenna_tests

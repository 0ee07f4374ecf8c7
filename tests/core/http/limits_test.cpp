// Every limit of the server, each over a real socket against the built test server, with the
// limit set low enough that the test would fail if the server did not enforce it.
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "http/blackbox.h"

namespace core_tests {
namespace {

TEST(Limits, HeaderLargerThanLimitGets431AndClose) {
    auto server = start_test_server({{"MAX_HEADER_BYTES", "2048"}});
    RawClient client(server->port());
    client.send("GET /slow HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 431);
    EXPECT_EQ(response->body, R"({"title": "431 Request Header Fields Too Large"})");
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_TRUE(client.closed_within(2s));
}

TEST(Limits, HeaderWithinLimitIsServed) {
    auto server = start_test_server({{"MAX_HEADER_BYTES", "2048"}});
    RawClient client(server->port());
    client.send("GET /slow HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(1500, 'a') + "\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
}

TEST(Limits, BodyOfExactlyTheLimitIsAccepted) {
    auto server = start_test_server({{"MAX_BODY_BYTES", "100000"}});
    std::string body(100000, 'x');
    RawClient client(server->port());
    client.send(post_head("/upload", body.size()) + body);
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, upload_answer(body));
}

TEST(Limits, ContentLengthOverLimitGets413BeforeTheBodyIsSent) {
    auto server = start_test_server({{"MAX_BODY_BYTES", "100000"}});
    RawClient client(server->port());
    client.send(post_head("/upload", 100001));
    auto response = client.read_response(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(response->body, R"({"title": "413 Payload Too Large"})");
    EXPECT_EQ(response->header("Connection"), "close");
}

TEST(Limits, ChunkedBodyOverLimitGets413) {
    auto server = start_test_server({{"MAX_BODY_BYTES", "1000"}});
    RawClient client(server->port());
    client.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    std::string chunk(600, 'c');
    client.send("258\r\n" + chunk + "\r\n");
    client.send("258\r\n" + chunk + "\r\n0\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
}

TEST(Limits, StreamingClientReadsThe413InsteadOfAReset) {
    // The client keeps sending a body far over the limit after the server answered; the server
    // must drain it (lingering close) so that the answer is not destroyed by a TCP reset.
    auto server = start_test_server({{"MAX_BODY_BYTES", "1000"}});
    RawClient client(server->port());
    std::size_t length = 4 * 1024 * 1024;
    client.send(post_head("/upload", length));
    std::string block(64 * 1024, 'z');
    for (std::size_t sent = 0; sent < length; sent += block.size()) {
        ASSERT_TRUE(client.send(block)) << "server reset the connection after " << sent;
    }
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
}

TEST(Limits, RouteLimitAndRouteErrorFormat) {
    auto server = start_test_server();
    auto ok = testing_support::http_request(server->port(), "POST", "/small", "0123456789");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    auto too_big = testing_support::http_request(server->port(), "POST", "/small", "0123456789A");
    ASSERT_TRUE(too_big);
    EXPECT_EQ(too_big->status, 413);
    EXPECT_EQ(too_big->header("Content-Type"), "text/plain");
    EXPECT_EQ(too_big->body, "Discarded=body_too_large");
}

TEST(Limits, HeaderTimeoutClosesASlowHead) {
    auto server = start_test_server({{"CLIENT_HEADER_TIMEOUT", "0.3"}});
    RawClient client(server->port());
    client.send("GET /slow HTTP/1.1\r\nHo");
    auto started = std::chrono::steady_clock::now();
    EXPECT_TRUE(client.closed_within(3s));
    EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
}

TEST(Limits, ConnectionThatSendsNothingIsClosedAfterHeaderTimeout) {
    auto server = start_test_server({{"CLIENT_HEADER_TIMEOUT", "0.3"}});
    RawClient client(server->port());
    EXPECT_TRUE(client.closed_within(3s));
}

TEST(Limits, BodyIdleTimeoutAnswers408) {
    auto server = start_test_server({{"CLIENT_BODY_TIMEOUT", "0.3"}});
    RawClient client(server->port());
    client.send(post_head("/upload", 100) + "only ten b");
    auto response = client.read_response(3s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 408);
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_TRUE(client.closed_within(2s));
}

TEST(Limits, SlowButSteadyBodyIsNotTimedOut) {
    auto server = start_test_server({{"CLIENT_BODY_TIMEOUT", "0.4"}});
    RawClient client(server->port());
    std::string body = "0123456789";
    client.send(post_head("/upload", body.size()));
    for (char c : body) {
        std::this_thread::sleep_for(100ms);
        client.send(std::string(1, c));
    }
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, upload_answer(body));
}

TEST(Limits, IdleKeepAliveConnectionIsClosedAfterKeepAliveTimeout) {
    auto server = start_test_server({{"KEEPALIVE_TIMEOUT", "0.3"}});
    RawClient client(server->port());
    client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_TRUE(client.closed_within(3s));
}

TEST(Limits, WorkerStopsAcceptingAtWorkerConnections) {
    auto server = start_test_server({{"WORKER_CONNECTIONS", "2"}});
    auto request = "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n";
    auto first = std::make_unique<RawClient>(server->port());
    RawClient second(server->port());
    first->send(request);
    second.send(request);
    ASSERT_TRUE(first->read_response());
    ASSERT_TRUE(second.read_response());

    // The third connection completes in the kernel's backlog but is not served...
    RawClient third(server->port());
    third.send(request);
    EXPECT_FALSE(third.read_response(700ms));
    // ...until a slot frees up.
    first.reset();
    auto response = third.read_response(3s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
}

TEST(Limits, ExpectContinueIsAnsweredWhenTheHeadPasses) {
    auto server = start_test_server({{"MAX_BODY_BYTES", "1000"}});
    RawClient client(server->port());
    client.send(post_head("/upload", 5, "Expect: 100-continue\r\n"));
    auto interim = client.read_response(2s);
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    client.send("hello");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, upload_answer("hello"));
}

TEST(Limits, ExpectContinueWithOversizedLengthGets413Instead) {
    auto server = start_test_server({{"MAX_BODY_BYTES", "1000"}});
    RawClient client(server->port());
    client.send(post_head("/upload", 1001, "Expect: 100-continue\r\n"));
    auto response = client.read_response(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
}

TEST(Limits, HandlerThatRejectsWithoutReadingSendsNoContinue) {
    auto server = start_test_server();
    RawClient client(server->port());
    client.send(post_head("/ignore", 5, "Expect: 100-continue\r\n"));
    auto response = client.read_response(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "ignored");
    EXPECT_EQ(response->header("Connection"), "close");
}

// The soft limit on open files (the kernel's default 1024 in many shells) would refuse
// connections long before WORKER_CONNECTIONS: the server raises it to the hard limit.
std::string soft_open_file_limit(pid_t pid) {
    std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
    for (std::string line; std::getline(limits, line);) {
        if (line.starts_with("Max open files")) {
            std::istringstream fields(line.substr(std::string("Max open files").size()));
            std::string soft;
            fields >> soft;
            return soft;
        }
    }
    return "";
}

TEST(Limits, OpenFileLimitIsRaisedToTheHardLimit) {
    ServerProcess server("/usr/bin/prlimit",
                         {{"ACCESS_LOG", "false"}, {"WORKER_CONNECTIONS", "100"}},
                         {"--nofile=256:8192", TEST_SERVER_BINARY});
    EXPECT_EQ(soft_open_file_limit(server.pid()), "8192");
    EXPECT_FALSE(server.wait_for_line("open file limit", 200ms));
}

TEST(Limits, AnOpenFileLimitBelowWhatConnectionsNeedIsWarnedAbout) {
    ServerProcess server("/usr/bin/prlimit",
                         {{"ACCESS_LOG", "false"}, {"WORKER_CONNECTIONS", "1000"}},
                         {"--nofile=256:512", TEST_SERVER_BINARY});
    EXPECT_EQ(soft_open_file_limit(server.pid()), "512");
    auto warning = server.wait_for_line("open file limit");
    ASSERT_TRUE(warning);
    EXPECT_NE(warning->find("(512) is below the 2064"), std::string::npos) << *warning;
}

}  // namespace
}  // namespace core_tests

// HTTP/1.1 behaviour of the core over real sockets: keep-alive, pipelining, chunked bodies,
// malformed requests and routing answers.
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "http/blackbox.h"

namespace core_tests {
namespace {

class Protocol : public ::testing::Test {
protected:
    void SetUp() override { server_ = start_test_server(); }
    std::uint16_t port() const { return server_->port(); }
    std::unique_ptr<ServerProcess> server_;
};

TEST_F(Protocol, KeepAliveServesSeveralRequestsOnOneConnection) {
    RawClient client(port());
    for (int i = 0; i < 3; ++i) {
        client.send(post_head("/upload", 3) + "abc");
        auto response = client.read_response();
        ASSERT_TRUE(response) << "request " << i;
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(response->body, upload_answer("abc"));
        EXPECT_NE(response->header("Connection"), "close");
        EXPECT_FALSE(response->header("Date").empty());
    }
}

TEST_F(Protocol, PipelinedRequestsAreAnsweredInOrder) {
    RawClient client(port());
    client.send(post_head("/upload", 1) + "a" + post_head("/upload", 2) + "bb" +
                "GET /items/x HTTP/1.1\r\nHost: t\r\n\r\n");
    auto first = client.read_response();
    auto second = client.read_response();
    auto third = client.read_response();
    ASSERT_TRUE(first && second && third);
    EXPECT_EQ(first->body, upload_answer("a"));
    EXPECT_EQ(second->body, upload_answer("bb"));
    EXPECT_EQ(third->body, "x");
}

TEST_F(Protocol, Http10WithoutKeepAliveIsClosed) {
    RawClient client(port());
    client.send("GET /slow HTTP/1.0\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_TRUE(client.closed_within(2s));
}

TEST_F(Protocol, ChunkedBodyIsDecoded) {
    RawClient client(port());
    client.send(
        "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, upload_answer("hello world"));
}

// Chunks of every size, from 1 byte to more than the server's 64 KiB read buffers, written in
// pieces that cut chunk headers apart, then a second request pipelined behind the last chunk:
// every byte arrives in order and the next request is still served.
TEST_F(Protocol, ChunkedBodyCutAnywhereArrivesWholeAndThePipelinedRequestToo) {
    std::mt19937 random(17);
    std::string body;
    std::string wire = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (std::size_t size : {1, 2, 15, 16, 4095, 65535, 65536, 65537, 200000, 3, 1}) {
        std::string chunk(size, '\0');
        for (auto& c : chunk) {
            c = static_cast<char>(random());
        }
        char header[32];
        std::snprintf(header, sizeof header, "%zx%s\r\n", size, size == 3 ? ";name=value" : "");
        wire += header + chunk + "\r\n";
        body += chunk;
    }
    wire += "0\r\nTrailer: yes\r\n\r\n";
    wire += post_head("/upload", 3) + "abc";

    RawClient client(port());
    // The first kilobyte a byte or a few at a time, so reads end inside chunk headers.
    std::size_t sent = 0;
    while (sent < 1024) {
        std::size_t piece = 1 + random() % 5;
        client.send(wire.substr(sent, piece));
        sent += piece;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    while (sent < wire.size()) {
        std::size_t piece = 1 + random() % 100000;
        client.send(wire.substr(sent, piece));
        sent += piece;
    }
    auto first = client.read_response();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 200);
    EXPECT_EQ(first->body, upload_answer(body));
    auto second = client.read_response();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->body, upload_answer("abc"));
}

// Two uploads on one worker, their chunk headers cut apart and their pieces interleaved: what
// one connection carries over between reads is its own, whatever the other reads meanwhile.
TEST_F(Protocol, InterleavedChunkedUploadsOnOneWorkerKeepTheirOwnBytes) {
    std::string bodies[2];
    std::string wires[2];
    for (int i = 0; i < 2; ++i) {
        wires[i] = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int chunk = 0; chunk < 40; ++chunk) {
            std::string data(static_cast<std::size_t>(1 + (chunk * 37 + i * 11) % 300),
                             static_cast<char>('a' + (chunk + i) % 26));
            char header[16];
            std::snprintf(header, sizeof header, "%zx\r\n", data.size());
            wires[i] += header + data + "\r\n";
            bodies[i] += data;
        }
        wires[i] += "0\r\n\r\n";
    }
    RawClient first(port());
    RawClient second(port());
    RawClient* clients[2] = {&first, &second};
    std::size_t sent[2] = {0, 0};
    while (sent[0] < wires[0].size() || sent[1] < wires[1].size()) {
        for (int i = 0; i < 2; ++i) {
            if (sent[i] < wires[i].size()) {
                std::size_t piece = std::min<std::size_t>(3, wires[i].size() - sent[i]);
                clients[i]->send(wires[i].substr(sent[i], piece));
                sent[i] += piece;
                std::this_thread::sleep_for(std::chrono::microseconds(300));
            }
        }
    }
    for (int i = 0; i < 2; ++i) {
        auto response = clients[i]->read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->body, upload_answer(bodies[i])) << "client " << i;
    }
}

// A chunk header that never ends is refused instead of being buffered without bound.
TEST_F(Protocol, EndlessChunkHeaderGets400) {
    RawClient client(port());
    client.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;x=" +
                std::string(100000, 'a'));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
}

TEST_F(Protocol, LargeBodyArrivesWhole) {
    std::string body;
    for (int i = 0; i < 3 * 1024 * 1024 / 10 && body.size() < 1000000; ++i) {
        body += std::to_string(i * 7919);
    }
    RawClient client(port());
    client.send(post_head("/upload", body.size()) + body);
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, upload_answer(body));
}

TEST_F(Protocol, MalformedRequestLineGets400AndClose) {
    RawClient client(port());
    client.send("THIS IS NOT HTTP\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_EQ(response->body, R"({"title": "400 Bad Request"})");
    EXPECT_TRUE(client.closed_within(2s));
}

TEST_F(Protocol, MalformedHeaderLineGets400) {
    RawClient client(port());
    client.send("GET / HTTP/1.1\r\nHost t\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
}

TEST_F(Protocol, ContentLengthWithChunkedGets400) {
    RawClient client(port());
    client.send(
        "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_TRUE(client.closed_within(2s));
}

TEST_F(Protocol, ConflictingContentLengthsGet400) {
    RawClient client(port());
    client.send(
        "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
}

TEST_F(Protocol, InvalidChunkEncodingGets400) {
    RawClient client(port());
    client.send(
        "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
}

TEST_F(Protocol, UnreadBodyClosesTheConnectionAfterTheAnswer) {
    RawClient client(port());
    client.send(post_head("/ignore", 10) + "0123456789");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "ignored");
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_TRUE(client.closed_within(7s));
}

TEST_F(Protocol, FalconRoutingAnswers) {
    auto missing = testing_support::http_request(port(), "GET", "/nope");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(missing->header("Content-Type"), "application/json");
    EXPECT_EQ(missing->body, R"({"title": "404 Not Found"})");

    auto wrong_method = testing_support::http_request(port(), "GET", "/upload");
    ASSERT_TRUE(wrong_method);
    EXPECT_EQ(wrong_method->status, 405);
    EXPECT_EQ(wrong_method->header("Allow"), "POST, PUT, OPTIONS");
    EXPECT_EQ(wrong_method->body, R"({"title": "405 Method Not Allowed"})");

    auto options = testing_support::http_request(port(), "OPTIONS", "/upload");
    ASSERT_TRUE(options);
    EXPECT_EQ(options->status, 200);
    EXPECT_EQ(options->header("Allow"), "POST, PUT");
    EXPECT_EQ(options->header("Content-Length"), "0");

    auto trailing = testing_support::http_request(port(), "POST", "/upload/", "x");
    ASSERT_TRUE(trailing);
    EXPECT_EQ(trailing->status, 404);
}

TEST_F(Protocol, HeadIsNotGetAndItsAnswerHasNoBody) {
    RawClient client(port());
    client.send(
        "HEAD /__heartbeat__ HTTP/1.1\r\nHost: t\r\n\r\nGET /items/after HTTP/1.1\r\nHost: "
        "t\r\n\r\n");
    auto head = client.read_response(5s, true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 405);
    EXPECT_EQ(head->header("Allow"), "GET, OPTIONS");
    auto next = client.read_response();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
    EXPECT_EQ(next->body, "after");
}

TEST_F(Protocol, QueryStringIsIgnoredByRoutingAndParamsAreCaptured) {
    auto response = testing_support::http_request(port(), "GET", "/items/abc?x=1");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "abc");
}

TEST_F(Protocol, HandlerExceptionGets500AndIsLogged) {
    auto response = testing_support::http_request(port(), "GET", "/__broken__");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 500);
    EXPECT_EQ(response->body, R"({"title": "500 Internal Server Error"})");
    auto line = server_->wait_for_line("Unhandled exception");
    ASSERT_TRUE(line);
    EXPECT_NE(line->find("\"Severity\": 3"), std::string::npos);
    EXPECT_NE(line->find("intentional exception"), std::string::npos);
}

}  // namespace
}  // namespace core_tests

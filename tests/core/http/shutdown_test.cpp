// Graceful shutdown on SIGTERM/SIGINT: in-flight requests finish, idle connections close, new
// connections are refused, and the process exits 0 within the grace period.
#include <signal.h>
#include <thread>

#include <gtest/gtest.h>

#include "http/blackbox.h"

namespace core_tests {
namespace {

TEST(Shutdown, SlowUploadInFlightCompletesAfterSigterm) {
    auto server = start_test_server();
    RawClient client(server->port());
    std::string body(200000, 'u');
    client.send(post_head("/upload", body.size()) + body.substr(0, 50000));
    std::this_thread::sleep_for(200ms);  // the handler is now reading the body

    server->signal(SIGTERM);
    ASSERT_TRUE(server->wait_for_line("shutting down"));
    for (std::size_t sent = 50000; sent < body.size(); sent += 50000) {
        std::this_thread::sleep_for(100ms);
        ASSERT_TRUE(client.send(body.substr(sent, 50000)));
    }
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, upload_answer(body));
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_EQ(server->wait_exit(5s), 0);
}

TEST(Shutdown, SigintDrainsToo) {
    auto server = start_test_server();
    server->signal(SIGINT);
    EXPECT_EQ(server->wait_exit(5s), 0);
}

TEST(Shutdown, IdleKeepAliveConnectionsDoNotHoldShutdown) {
    auto server = start_test_server({{"GRACEFUL_TIMEOUT", "30"}});
    RawClient client(server->port());
    client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    ASSERT_TRUE(client.read_response());
    auto started = std::chrono::steady_clock::now();
    server->signal(SIGTERM);
    EXPECT_EQ(server->wait_exit(5s), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    EXPECT_TRUE(client.closed_within(1s));
}

TEST(Shutdown, NewConnectionsAreRefusedWhileDraining) {
    auto server = start_test_server();
    RawClient busy(server->port());
    busy.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(200ms);
    server->signal(SIGTERM);
    ASSERT_TRUE(server->wait_for_line("shutting down"));
    std::this_thread::sleep_for(100ms);
    EXPECT_THROW(RawClient late(server->port()), std::runtime_error);
    auto response = busy.read_response(5s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "slept");
    EXPECT_EQ(server->wait_exit(5s), 0);
}

TEST(Shutdown, GraceTimeoutClosesStalledRequests) {
    auto server = start_test_server({{"GRACEFUL_TIMEOUT", "0.5"}});
    RawClient client(server->port());
    client.send(post_head("/upload", 1000) + "stalled");
    std::this_thread::sleep_for(100ms);
    auto started = std::chrono::steady_clock::now();
    server->signal(SIGTERM);
    EXPECT_EQ(server->wait_exit(5s), 0);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 400ms);
    EXPECT_TRUE(server->wait_for_line("graceful timeout reached"));
}

TEST(Shutdown, SecondSignalStopsAtOnce) {
    auto server = start_test_server({{"GRACEFUL_TIMEOUT", "30"}});
    RawClient client(server->port());
    client.send(post_head("/upload", 1000) + "stalled");
    std::this_thread::sleep_for(100ms);
    server->signal(SIGTERM);
    ASSERT_TRUE(server->wait_for_line("shutting down"));
    server->signal(SIGTERM);
    EXPECT_EQ(server->wait_exit(3s), 1);
}

}  // namespace
}  // namespace core_tests

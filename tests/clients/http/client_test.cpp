#include "clients/http/client.h"

#include <cstdlib>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "temp_dir.h"
#include "test_http_server.h"

namespace {

namespace fs = std::filesystem;
using clients::http::Body;
using clients::http::Client;
using clients::http::ClientOptions;
using clients::http::Origin;
using clients::http::Request;
using clients::http::Result;
using http_tests::ServerBehavior;
using http_tests::TestHttpServer;
using testing_support::TempDir;
using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

Origin local(std::uint16_t port, bool tls = false, std::string host = "127.0.0.1") {
    return Origin{.tls = tls, .host = std::move(host), .port = port};
}

Request put(std::string target, Body body) {
    return Request{
        .method = bhttp::verb::put, .target = std::move(target), .body = std::move(body)};
}

TEST(ParseUrl, SplitsOriginAndPath) {
    std::string error;
    auto plain = clients::http::parse_url("http://127.0.0.1:7480", error);
    ASSERT_TRUE(plain) << error;
    EXPECT_EQ(plain->origin, local(7480));
    EXPECT_EQ(plain->path, "");
    EXPECT_EQ(plain->origin.authority(), "127.0.0.1:7480");

    auto secure = clients::http::parse_url("https://storage.googleapis.com/", error);
    ASSERT_TRUE(secure) << error;
    EXPECT_EQ(secure->origin, local(443, true, "storage.googleapis.com"));
    EXPECT_EQ(secure->origin.authority(), "storage.googleapis.com");
    EXPECT_EQ(secure->path, "/");

    auto ipv6 = clients::http::parse_url("http://[::1]:9000/bucket", error);
    ASSERT_TRUE(ipv6) << error;
    EXPECT_EQ(ipv6->origin.host, "::1");
    EXPECT_EQ(ipv6->origin.authority(), "[::1]:9000");
    EXPECT_EQ(ipv6->origin.url(), "http://[::1]:9000");
    EXPECT_EQ(ipv6->path, "/bucket");
}

TEST(ParseUrl, RefusesWhatIsNotAnHttpUrl) {
    for (const char* url : {"", "localhost:9000", "ftp://host/", "http://", "http://host:0/",
                            "http://user:secret@host/", "http://host/?x=1", "http://host:99999/"}) {
        std::string error;
        EXPECT_FALSE(clients::http::parse_url(url, error)) << url;
        EXPECT_FALSE(error.empty()) << url;
    }
}

TEST(HttpClient, SendsTheBodyAndReadsTheAnswer) {
    TestHttpServer server({.answer_bytes = 5});
    Client client({});
    Result result = client.send_and_wait(local(server.port()),
                                         put("/bucket/key%20x?partNumber=1", Body::text("hello")));
    ASSERT_TRUE(result.ok()) << result.error;
    EXPECT_EQ(result.response->status, 200);
    EXPECT_EQ(result.response->body, "xxxxx");
    EXPECT_EQ(result.response->header("x-test"), "yes");
    EXPECT_EQ(result.response->header("missing"), "");
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].method, "PUT");
    EXPECT_EQ(requests[0].target, "/bucket/key%20x?partNumber=1");
    EXPECT_EQ(requests[0].host, "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(requests[0].body, "hello");
}

TEST(HttpClient, SendsAFileRegionExactly) {
    TempDir dir("http-client");
    std::string content(3 << 20, '\0');
    std::mt19937 random(7);
    for (char& byte : content) {
        byte = static_cast<char>(random());
    }
    fs::path file = dir.write("dump", content);
    TestHttpServer server;
    Client client({});
    Result result = client.send_and_wait(local(server.port()),
                                         put("/part", Body::file_region(file, 1000, 2'000'000)));
    ASSERT_TRUE(result.ok()) << result.error;
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_TRUE(server.requests()[0].body == content.substr(1000, 2'000'000));

    Result short_file = client.send_and_wait(local(server.port()),
                                             put("/part", Body::file_region(file, 0, 4 << 20)));
    EXPECT_FALSE(short_file.ok());
    EXPECT_NE(short_file.error.find("shorter than expected"), std::string::npos)
        << short_file.error;
    Result missing = client.send_and_wait(
        local(server.port()), put("/part", Body::file_region(dir.path() / "gone", 0, 10)));
    EXPECT_NE(missing.error.find("cannot open"), std::string::npos) << missing.error;
}

TEST(HttpClient, KeepsConnectionsAlive) {
    TestHttpServer server;
    Client client({});
    for (int i = 0; i < 5; ++i) {
        Result result = client.send_and_wait(local(server.port()), Request{.target = "/"});
        ASSERT_TRUE(result.ok()) << result.error;
    }
    EXPECT_EQ(server.connections(), 1);
    EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(HttpClient, HeadAnswersHaveNoBody) {
    TestHttpServer server({.answer_bytes = 100});
    Client client({});
    for (int i = 0; i < 2; ++i) {
        Result result = client.send_and_wait(local(server.port()),
                                             Request{.method = bhttp::verb::head, .target = "/"});
        ASSERT_TRUE(result.ok()) << result.error;
        EXPECT_EQ(result.response->header("Content-Length"), "100");
        EXPECT_EQ(result.response->body, "");
    }
    EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, SendsAgainOnANewConnectionWhenAKeptOneWasDropped) {
    TestHttpServer server({.drop_second_request = true});
    Client client({});
    ASSERT_TRUE(client.send_and_wait(local(server.port()), put("/a", Body::text("1"))).ok());
    Result second = client.send_and_wait(local(server.port()), put("/b", Body::text("2")));
    ASSERT_TRUE(second.ok()) << second.error;
    EXPECT_EQ(server.connections(), 2);
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].body, "2");
}

TEST(HttpClient, DoesNotReuseIdleConnectionsPastTheIdleTimeout) {
    TestHttpServer server;
    Client client({.idle_timeout = 200ms});
    ASSERT_TRUE(client.send_and_wait(local(server.port()), Request{}).ok());
    std::this_thread::sleep_for(400ms);
    ASSERT_TRUE(client.send_and_wait(local(server.port()), Request{}).ok());
    EXPECT_EQ(client.connections_opened(), 2u);
}

TEST(HttpClient, ConnectionRefusedIsAnError) {
    std::uint16_t port;
    {
        TestHttpServer closed;
        port = closed.port();
    }
    Client client({});
    Result result = client.send_and_wait(local(port), Request{});
    EXPECT_FALSE(result.ok());
    EXPECT_NE(result.error.find("http://127.0.0.1:" + std::to_string(port) + ": cannot connect"),
              std::string::npos)
        << result.error;
}

TEST(HttpClient, UnknownHostIsAnError) {
    Client client({});
    Result result = client.send_and_wait(local(80, false, "no-such-host.invalid"), Request{});
    EXPECT_FALSE(result.ok());
    EXPECT_NE(result.error.find("cannot resolve no-such-host.invalid"), std::string::npos)
        << result.error;
}

TEST(HttpClient, GivesUpWhenTheAnswerTakesTooLong) {
    TestHttpServer server({.delay = 1500ms});
    Client client({.io_timeout = 300ms});
    auto started = std::chrono::steady_clock::now();
    Result result = client.send_and_wait(local(server.port()), Request{});
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1200ms);
    EXPECT_FALSE(result.ok());
    EXPECT_NE(result.error.find("no answer within 0.3 s"), std::string::npos) << result.error;
}

TEST(HttpClient, RefusesAnswersOverTheLimit) {
    TestHttpServer server({.answer_bytes = 5000});
    Client client({.max_response_bytes = 4096});
    Result result = client.send_and_wait(local(server.port()), Request{});
    EXPECT_FALSE(result.ok());
    EXPECT_NE(result.error.find("the answer is larger than 4096 bytes"), std::string::npos)
        << result.error;
}

TEST(HttpClient, CanBeAwaitedFromAnotherEventLoop) {
    TestHttpServer server;
    Client client({});
    boost::asio::io_context elsewhere;
    auto done = boost::asio::co_spawn(
        elsewhere,
        [&]() -> boost::asio::awaitable<std::thread::id> {
            Origin origin = local(server.port());
            Request request;
            Result result = co_await client.send(origin, request);
            EXPECT_TRUE(result.ok()) << result.error;
            co_return std::this_thread::get_id();
        },
        boost::asio::use_future);
    elsewhere.run();
    EXPECT_EQ(done.get(), std::this_thread::get_id());  // resumed on its own loop
}

// Certificates from the project's script: a test CA, a server certificate for 127.0.0.1 and
// localhost, one for another name, and an unrelated CA.
class HttpsClient : public testing::Test {
protected:
    static void SetUpTestSuite() {
        certs_ = new TempDir("http-certs");
        std::string command = std::string(PROJECT_SOURCE_DIR) +
                              "/scripts/services/make-test-certs.sh " + certs_->path().string();
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }
    static void TearDownTestSuite() { delete certs_; }
    static fs::path cert(const std::string& name) { return certs_->path() / name; }
    static ServerBehavior serving(const std::string& name) {
        return {.certificate = cert(name + ".pem"), .key = cert(name + ".key")};
    }

    static inline TempDir* certs_ = nullptr;
};

TEST_F(HttpsClient, TalksToAServerItsCaVouchesFor) {
    TestHttpServer server(serving("server"));
    Client client({.ca_file = cert("ca.pem")});
    for (const char* host : {"127.0.0.1", "localhost"}) {
        Result result = client.send_and_wait(local(server.port(), true, host),
                                             put("/key", Body::text("secret")));
        ASSERT_TRUE(result.ok()) << host << ": " << result.error;
        EXPECT_EQ(result.response->status, 200);
    }
    Result again = client.send_and_wait(local(server.port(), true), put("/key", Body::text("2")));
    ASSERT_TRUE(again.ok()) << again.error;
    EXPECT_EQ(server.connections(), 2);  // one per host name, then kept alive
    EXPECT_EQ(server.requests().back().body, "2");
}

TEST_F(HttpsClient, RefusesACertificateFromAnotherCa) {
    TestHttpServer server(serving("server"));
    Client client({.ca_file = cert("other-ca.pem")});
    Result result = client.send_and_wait(local(server.port(), true), put("/key", Body::text("x")));
    EXPECT_FALSE(result.ok());
    EXPECT_NE(result.error.find("certificate verify failed"), std::string::npos) << result.error;
    EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpsClient, RefusesACertificateForAnotherName) {
    TestHttpServer server(serving("wrong-host"));
    Client client({.ca_file = cert("ca.pem")});
    for (const char* host : {"127.0.0.1", "localhost"}) {
        Result result =
            client.send_and_wait(local(server.port(), true, host), put("/key", Body::text("x")));
        EXPECT_FALSE(result.ok()) << host;
        EXPECT_NE(result.error.find("certificate verify failed"), std::string::npos)
            << result.error;
        EXPECT_NE(result.error.find("mismatch"), std::string::npos) << result.error;
    }
    EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpsClient, TheSystemStoreDoesNotTrustTheTestCa) {
    TestHttpServer server(serving("server"));
    Client client({});
    Result result = client.send_and_wait(local(server.port(), true), Request{});
    EXPECT_FALSE(result.ok());
    EXPECT_NE(result.error.find("certificate verify failed"), std::string::npos) << result.error;
}

TEST(HttpsClientSetup, AMissingCaFileIsAClearError) {
    try {
        Client client({.ca_file = "/nonexistent/ca.pem"});
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "cannot load the certificate authorities from /nonexistent/ca.pem"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace

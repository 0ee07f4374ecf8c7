// Compatibility plan §14 H (the limits nginx enforced for Antenna, enforced here by the
// collector itself), the /submit routing answers of §14 A, §14 G's log lines, and send-crash.
#include <thread>

#include <gtest/gtest.h>

#include "antenna_blackbox.h"

namespace antenna_tests {
namespace {

constexpr std::size_t k25MiB = 26214400;

// A crash report whose whole multipart body is exactly `total` bytes (a dump of "a"s).
antenna::EncodedPayload crash_of_size(std::size_t total) {
    antenna::CrashPayload payload;
    payload.annotations = {{"ProductName", "Firefox"}, {"Version", "1"}};
    payload.dumps.push_back({"upload_file_minidump", "fakecrash.dump", ""});
    std::size_t overhead = antenna::multipart_encode(payload, kBoundary).body.size();
    payload.dumps[0].content.assign(total - overhead, 'a');
    return antenna::multipart_encode(payload, kBoundary);
}

TEST(Transport, BodiesUpTo25MiBAreAcceptedAndOneByteMoreIs413) {
    Collector collector;
    for (std::size_t size : {k25MiB - 1, k25MiB}) {
        auto payload = crash_of_size(size);
        ASSERT_EQ(payload.body.size(), size);
        HttpResponse response = collector.post(payload);
        EXPECT_EQ(response.status, 200) << size;
        EXPECT_TRUE(response.body.starts_with("CrashID=bp-")) << response.body;
    }
    auto too_big = crash_of_size(k25MiB + 1);
    HttpResponse response = collector.post(too_big);
    EXPECT_EQ(response.status, 413);
    EXPECT_EQ(response.header("Content-Type"), "text/plain");
    EXPECT_EQ(response.body, "Discarded=body_too_large");
    EXPECT_EQ(collector.files().size(), 6u);  // the two accepted crashes only
}

TEST(Transport, BodyShorterThanItsContentLengthTimesOutWith408) {
    Collector collector(Env{{"CLIENT_BODY_TIMEOUT", "0.5"}});
    auto payload = antenna::multipart_encode(test_crash(), kBoundary);
    RawClient client(collector.port());
    client.send("POST /submit HTTP/1.1\r\nHost: a\r\nContent-Type: " + payload.content_type +
                "\r\nContent-Length: 1000\r\n\r\n" + payload.body);
    auto response = client.read_response(5s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 408);
    EXPECT_EQ(response->body, "Discarded=body_timeout");
    EXPECT_TRUE(collector.files().empty());
}

TEST(Transport, ShortContentLengthGets400BeforeTheConnectionCloses) {
    Collector collector;
    auto payload = antenna::multipart_encode(test_crash(), kBoundary);
    RawClient client(collector.port());
    client.send("POST /submit HTTP/1.1\r\nHost: a\r\nContent-Type: " + payload.content_type +
                "\r\nContent-Length: 20\r\n\r\n" + payload.body);
    auto response = client.read_response(5s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_EQ(response->body, "Discarded=malformed_invalid_payload_structure");
}

TEST(Transport, SubmitRoutingAnswers) {
    Collector collector;
    auto get = testing_support::http_request(collector.port(), "GET", "/submit");
    ASSERT_TRUE(get);
    EXPECT_EQ(get->status, 405);
    EXPECT_EQ(get->header("Allow"), "POST, OPTIONS");
    EXPECT_EQ(get->body, R"({"title": "405 Method Not Allowed"})");
    auto options = testing_support::http_request(collector.port(), "OPTIONS", "/submit");
    ASSERT_TRUE(options);
    EXPECT_EQ(options->status, 200);
    EXPECT_EQ(options->header("Allow"), "POST");
    auto trailing = testing_support::http_request(collector.port(), "POST", "/submit/", "x");
    ASSERT_TRUE(trailing);
    EXPECT_EQ(trailing->status, 404);
}

TEST(Logs, AcceptedCrashLogLines) {
    Collector collector;
    HttpResponse response = collector.post(antenna::multipart_encode(test_crash()));
    std::string id = crash_id_from(response.body);
    ASSERT_FALSE(id.empty());
    auto matched =
        collector.process().wait_for_line(id + ": matched by accept_everything; returned ACCEPT");
    ASSERT_TRUE(matched);
    EXPECT_NE(matched->find(R"("Type": "antenna.breakpad_resource", "Logger": "antenna")"),
              std::string::npos);
    EXPECT_NE(matched->find(R"("Severity": 6)"), std::string::npos);
    EXPECT_TRUE(collector.process().wait_for_line("\"msg\": \"" + id + " saved\""));
    EXPECT_TRUE(collector.process().wait_for_line("\"msg\": \"" + id + " published\""));
}

TEST(SendCrash, PostsACrashAndPrintsTheAnswer) {
    Collector collector;
    TempDir dir;
    std::ofstream(dir.path() / "fake.dump", std::ios::binary) << "abcd1234";
    std::string url = "http://127.0.0.1:" + std::to_string(collector.port()) + "/submit";
    for (std::vector<std::string> extra :
         {std::vector<std::string>{}, {"--gzip"}, {"--use-json"}, {"--mixed"}}) {
        std::vector<std::string> args = {
            "--url",        url,
            "--annotation", "ProductName=Test",
            "--dump",       "upload_file_minidump=" + (dir.path() / "fake.dump").string()};
        args.insert(args.end(), extra.begin(), extra.end());
        auto result = testing_support::run_to_exit(SEND_CRASH_BINARY, {}, args);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        EXPECT_TRUE(result.out.starts_with("200 OK\nCrashID=bp-")) << result.out;
        std::string id = crash_id_from(result.out.substr(7));
        std::string day = "20" + id.substr(30);
        EXPECT_TRUE(collector.wait_until_moved());
        EXPECT_EQ(read_file(collector.root() / day / "upload_file_minidump" / id), "abcd1234");
    }
    auto refused = testing_support::run_to_exit(SEND_CRASH_BINARY, {},
                                                {"--url", url, "--annotation", "uuid=x"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_EQ(refused.out, "401 Unauthorized\nDiscarded=unauthorized_uuid\n");
}

}  // namespace
}  // namespace antenna_tests

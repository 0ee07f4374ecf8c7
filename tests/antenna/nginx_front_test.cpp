// antenna behind nginx with the shipped site file (deploy/nginx/antenna.conf), as Antenna's
// system tests run with NGINX_TESTS=1: the 25 MiB limit, a slow body, /__broken__ behind basic
// auth, and the client's address reaching antenna's log. Each test starts its own collector and
// nginx (scripts/services/start-nginx-site.sh, about 0.2 s).
#include <fstream>

#include <gtest/gtest.h>

#include "antenna_blackbox.h"
#include "service_scripts.h"

namespace antenna_tests {
namespace {

using testing_support::CommandResult;
using testing_support::run_command;

const std::string kScripts = std::string(SOURCE_DIR) + "/scripts/services/";
constexpr std::uint64_t kMiB = 1024 * 1024;

class BehindNginx : public testing::Test {
protected:
    void SetUp() override {
        if (run_command("command -v nginx || test -x /usr/sbin/nginx").status != 0) {
            GTEST_SKIP() << "nginx is not installed (scripts/install-deps.sh s3)";
        }
        collector =
            std::make_unique<Collector>(Env{{"TRUSTED_PROXY_COUNT", "1"}, {"ACCESS_LOG", "true"}});
        port = testing_support::free_ports(1);
        CommandResult started =
            run_command("CLIENT_BODY_TIMEOUT=2s " + kScripts + "start-nginx-site.sh " +
                        (dir.path() / "nginx").string() + " " + std::to_string(port) +
                        " 127.0.0.1:" + std::to_string(collector->port()));
        ASSERT_EQ(started.status, 0) << started.out;
    }
    void TearDown() override {
        run_command(kScripts + "stop-service.sh " + (dir.path() / "nginx").string() + " 5");
    }

    std::string url(const std::string& path) const {
        return "https://127.0.0.1:" + std::to_string(port) + path;
    }
    // curl through nginx, verifying its test certificate; prints the status last.
    CommandResult curl(const std::string& arguments) const {
        return run_command("curl -s -o /dev/null -w '%{http_code}' --cacert " +
                           (dir.path() / "nginx" / "certs" / "ca.pem").string() + " " + arguments);
    }
    // POSTs a crash whose whole multipart body is exactly `size` bytes (the dump fills it up,
    // as Antenna's test_crash_size); the HTTP status.
    std::string post_crash_of_size(std::uint64_t size) {
        antenna::CrashPayload payload = test_crash();
        payload.dumps[0].content.clear();
        std::size_t overhead = antenna::multipart_encode(payload, kBoundary).body.size();
        payload.dumps[0].content.assign(size - overhead, 'a');
        antenna::EncodedPayload encoded = antenna::multipart_encode(payload, kBoundary);
        EXPECT_EQ(encoded.body.size(), size);
        fs::path body = dir.path() / "body";
        std::ofstream(body, std::ios::binary) << encoded.body;
        return curl("-H 'Content-Type: " + encoded.content_type + "' --data-binary @" +
                    body.string() + " " + url("/submit"))
            .out;
    }
    // The "remote" of antenna's access-log lines for `path`.
    std::vector<std::string> logged_remotes(const std::string& path) const {
        std::vector<std::string> remotes;
        for (const auto& line : collector->process().lines()) {
            if (line.find("\"path\": \"" + path + "\"") == std::string::npos) {
                continue;
            }
            auto at = line.find("\"remote\": \"");
            if (at != std::string::npos) {
                at += 11;
                remotes.push_back(line.substr(at, line.find('"', at) - at));
            }
        }
        return remotes;
    }

    TempDir dir{"nginx-front"};
    std::unique_ptr<Collector> collector;
    std::uint16_t port = 0;
};

TEST_F(BehindNginx, BodiesUpTo25MiBAreTakenAndOneByteMoreIs413) {
    EXPECT_EQ(post_crash_of_size(25 * kMiB - 1), "200");
    EXPECT_EQ(post_crash_of_size(25 * kMiB), "200");
    EXPECT_EQ(post_crash_of_size(25 * kMiB + 1), "413");
    EXPECT_TRUE(collector->wait_until_moved());
    EXPECT_EQ(stored_files(collector->root()).size(), 2u * 3);  // raw crash, dump names, dump
}

TEST_F(BehindNginx, ABodySlowerThanTheTimeoutIs408OrClosed) {
    // Content-Length 1000 with 300 bytes sent, then nothing (Antenna's test_content_length_1000).
    std::string script =
        "import socket, ssl, sys\n"
        "context = ssl.create_default_context(cafile=sys.argv[2])\n"
        "sock = context.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))),"
        " server_hostname='localhost')\n"
        "sock.settimeout(30)\n"
        "sock.sendall(b'POST /submit HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Type: "
        "multipart/form-data; boundary=x\\r\\nContent-Length: 1000\\r\\n\\r\\n' + b'a' * 300)\n"
        "answer = sock.recv(100)\n"
        "print(answer.split(b'\\r\\n')[0].decode() if answer else 'closed')\n";
    fs::path file = dir.path() / "slow.py";
    std::ofstream(file) << script;
    auto started = std::chrono::steady_clock::now();
    CommandResult result = run_command("python3 " + file.string() + " " + std::to_string(port) +
                                       " " + (dir.path() / "nginx" / "certs" / "ca.pem").string());
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(result.out.find("408") != std::string::npos ||
                result.out.find("closed") != std::string::npos)
        << result.out;
    EXPECT_LT(waited, 20s);
    EXPECT_EQ(stored_files(collector->root()).size(), 0u);
}

TEST_F(BehindNginx, BrokenNeedsTheOperatorsPassword) {
    EXPECT_EQ(curl(url("/__broken__")).out, "401");
    EXPECT_EQ(curl("-u developer:wrong " + url("/__broken__")).out, "401");
    EXPECT_EQ(curl("-u developer:password " + url("/__broken__")).out, "500");  // antenna's
    EXPECT_EQ(logged_remotes("/__broken__").size(), 1u);  // only the authorized one got through
}

TEST_F(BehindNginx, AntennaLogsTheClientsAddressNotNginxsNorASpoofedOne) {
    // The client connects from 127.0.0.7 and claims to be 203.0.113.9; nginx appends 127.0.0.7.
    EXPECT_EQ(
        curl("--interface 127.0.0.7 -H 'X-Forwarded-For: 203.0.113.9' " + url("/__lbheartbeat__"))
            .out,
        "200");
    EXPECT_EQ(logged_remotes("/__lbheartbeat__"), std::vector<std::string>{"127.0.0.7"});
}

// Crashpad uploads gzipped and chunked; nginx reads the body and passes it on with a length.
TEST_F(BehindNginx, AGzippedChunkedUploadIsPassedOnWithItsLength) {
    antenna::EncodedPayload encoded = antenna::multipart_encode(test_crash(), kBoundary);
    fs::path body = dir.path() / "body.gz";
    std::ofstream(body, std::ios::binary) << antenna::gzip_compress(encoded.body);
    EXPECT_EQ(curl("-H 'Content-Type: " + encoded.content_type +
                   "' -H 'Content-Encoding: gzip' -H 'Transfer-Encoding: chunked' --data-binary @" +
                   body.string() + " " + url("/submit"))
                  .out,
              "200");
    EXPECT_TRUE(collector->wait_until_moved());
    EXPECT_EQ(stored_files(collector->root()).size(), 3u);
}

}  // namespace
}  // namespace antenna_tests

// S3 crash storage against a real Ceph RGW (which checks every signature), started once for
// the whole binary by scripts/services/start-radosgw.sh, with nginx as a TLS front.
#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <random>
#include <regex>
#include <sys/socket.h>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "antenna_blackbox.h"
#include "service_scripts.h"

namespace antenna_tests {
namespace {

const std::string kAccessKey = "TESTACCESSKEY";
const std::string kSecretKey = "TESTSECRETKEY";
const std::string kBucket = "crashes";
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

using testing_support::CommandResult;

CommandResult run(const std::string& command) {
    return testing_support::run_command(command);
}

// RGW's monitor takes the port after RGW's.
std::uint16_t free_port_pair() {
    return testing_support::free_ports(2);
}

// The object store shared by every test: RGW, and nginx with a test CA in front of it.
class ObjectStore : public testing::Environment {
public:
    void SetUp() override {
        std::string scripts = std::string(SOURCE_DIR) + "/scripts/services/";
        if (run("command -v radosgw").status != 0 ||
            run("command -v nginx || test -x /usr/sbin/nginx").status != 0) {
            skip_reason = "radosgw or nginx is not installed (scripts/install-deps.sh s3)";
            return;
        }
        rgw_port = free_port_pair();
        CommandResult rgw = run(scripts + "start-radosgw.sh " + (dir.path() / "rgw").string() +
                                " " + std::to_string(rgw_port));
        if (rgw.status != 0) {
            skip_reason = "RGW did not start: " + rgw.out;
            return;
        }
        endpoint = "http://127.0.0.1:" + std::to_string(rgw_port);
        tls_port = free_port_pair();
        CommandResult tls =
            run(scripts + "start-tls-proxy.sh " + (dir.path() / "tls").string() + " " +
                std::to_string(tls_port) + " 127.0.0.1:" + std::to_string(rgw_port));
        if (tls.status != 0) {
            skip_reason = "nginx did not start: " + tls.out;
            return;
        }
        certs = dir.path() / "tls" / "certs";
        if (s3("PUT", "/" + kBucket).out != "200") {
            skip_reason = "cannot create the bucket";
        }
    }
    void TearDown() override {
        std::string stop = std::string(SOURCE_DIR) + "/scripts/services/stop-service.sh ";
        run(stop + (dir.path() / "tls").string() + " 5");
        run(stop + (dir.path() / "rgw").string() + " 10");
    }

    // A signed request with curl (an implementation independent of ours); the body goes to
    // `output` if given, and the answer is the HTTP status (and headers with -D).
    CommandResult s3(const std::string& method, const std::string& path,
                     const std::string& output = "/dev/null", const std::string& extra = "") const {
        return run("curl -s -X " + method + " --aws-sigv4 aws:amz:us-east-1:s3 --user " +
                   kAccessKey + ":" + kSecretKey + " -H 'x-amz-content-sha256: " + kEmptySha256 +
                   "' -o " + output + " -w '%{http_code}' " + extra + " '" + endpoint + path + "'");
    }
    // The object's bytes, or nullopt when it is not there.
    std::optional<std::string> object(const std::string& key) const {
        fs::path file = dir.path() / "object";
        if (s3("GET", "/" + kBucket + "/" + key, file.string()).out != "200") {
            return std::nullopt;
        }
        return read_file(file);
    }
    std::vector<std::string> keys(const std::string& prefix) const {
        fs::path file = dir.path() / "listing";
        std::string encoded =
            std::regex_replace(prefix, std::regex("/"), "%2F");  // curl signs it as is
        s3("GET", "/" + kBucket + "?list-type=2&prefix=" + encoded, file.string());
        std::string listing = read_file(file);
        std::vector<std::string> found;
        std::regex key("<Key>([^<]*)</Key>");
        for (std::sregex_iterator it(listing.begin(), listing.end(), key), end; it != end; ++it) {
            found.push_back((*it)[1]);
        }
        return found;
    }
    // radosgw's pid, from the start script's list.
    pid_t rgw_pid() const {
        std::ifstream pids(dir.path() / "rgw" / "pids");
        std::string line;
        while (std::getline(pids, line)) {
            if (line.find("radosgw") != std::string::npos) {
                return std::stoi(line);
            }
        }
        return 0;
    }

    TempDir dir;
    std::string skip_reason;
    std::uint16_t rgw_port = 0;
    std::uint16_t tls_port = 0;
    std::string endpoint;
    fs::path certs;
};

ObjectStore* store = nullptr;

Env s3_env(Env changes = {}) {
    Env env{{"CRASHMOVER_CRASHSTORAGE_CLASS", "s3"},
            {"CRASHMOVER_CRASHSTORAGE_ENDPOINT_URL", store->endpoint},
            {"CRASHMOVER_CRASHSTORAGE_REGION", "us-east-1"},
            {"CRASHMOVER_CRASHSTORAGE_BUCKET_NAME", kBucket},
            {"CRASHMOVER_CRASHSTORAGE_ACCESS_KEY", kAccessKey},
            {"CRASHMOVER_CRASHSTORAGE_SECRET_ACCESS_KEY", kSecretKey}};
    for (auto& [name, value] : changes) {
        env[name] = value;
    }
    return env;
}

antenna::EncodedPayload crash_with(std::vector<antenna::CrashPayload::Dump> dumps) {
    antenna::CrashPayload payload;
    payload.annotations = {{"ProductName", "Test"}, {"Version", "1.0"}};
    payload.dumps = std::move(dumps);
    return antenna::multipart_encode(payload, "01659896d5dc42cabd7f3d8a3dcdd3bb");
}

std::string random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::string bytes(size, '\0');
    for (char& c : bytes) {
        c = static_cast<char>(random());
    }
    return bytes;
}

std::string posted_id(Collector& collector, const antenna::EncodedPayload& payload) {
    HttpResponse response = collector.post(payload);
    EXPECT_EQ(response.status, 200) << response.body;
    return crash_id_from(response.body);
}

// Starting antenna with `env`: its exit code and what it printed.
testing_support::RunResult start_and_exit(const Env& env) {
    TempDir spool("s3-startup");
    Env with_spool = env;
    with_spool["CRASHMOVER_SPOOL_DIR"] = spool.path().string();
    return testing_support::run_to_exit(ANTENNA_BINARY, with_spool, {});
}

class S3Storage : public testing::Test {
protected:
    void SetUp() override {
        if (!store->skip_reason.empty()) {
            GTEST_SKIP() << store->skip_reason;
        }
    }
};

TEST_F(S3Storage, SavesACrashUnderAntennasKeys) {
    Collector collector(s3_env());
    std::string minidump = random_bytes(300000, 1);
    std::string id = posted_id(collector, crash_with({{"upload_file_minidump", "a.dmp", minidump},
                                                      {"upload_file_minidump_flash1", "b", "f1"}}));
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(collector.wait_until_moved());

    EXPECT_EQ(store->object("v1/dump_names/" + id),
              "[\"upload_file_minidump\", \"upload_file_minidump_flash1\"]");
    EXPECT_TRUE(store->object("v1/dump/" + id) == minidump);
    EXPECT_EQ(store->object("v1/upload_file_minidump_flash1/" + id), "f1");
    auto raw = store->object("v1/raw_crash/20" + id.substr(30) + "/" + id);
    ASSERT_TRUE(raw);
    auto raw_crash = boost::json::parse(*raw).as_object();
    EXPECT_EQ(raw_crash["uuid"].as_string(), id);
    EXPECT_EQ(raw_crash["ProductName"].as_string(), "Test");
    std::vector<std::string> crash_keys;
    for (const auto& key : store->keys("v1/")) {
        if (key.ends_with(id)) {
            crash_keys.push_back(key);
        }
    }
    EXPECT_EQ(crash_keys.size(), 4u);  // nothing else is written for it

    // Antenna's startup check left its test object.
    bool found_test_file = false;
    for (const auto& key : store->keys("test/testfile-")) {
        found_test_file =
            found_test_file || (key.ends_with(".txt") && store->object(key) == "test");
    }
    EXPECT_TRUE(found_test_file);
    auto health = testing_support::http_request(collector.port(), "GET", "/__heartbeat__");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200) << health->body;
}

TEST_F(S3Storage, AWrongSecretStopsStartupWithOneClearLine) {
    auto result =
        start_and_exit(s3_env({{"CRASHMOVER_CRASHSTORAGE_SECRET_ACCESS_KEY", "wrong-secret"}}));
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("antenna: cannot start: S3CrashStorage verification failed: cannot "
                              "write to the bucket: PUT " +
                              store->endpoint + "/crashes/test/testfile-"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find(": 403 SignatureDoesNotMatch"), std::string::npos) << result.err;
    EXPECT_EQ((result.out + result.err).find("wrong-secret"), std::string::npos);
}

TEST_F(S3Storage, AMissingBucketStopsStartup) {
    auto result =
        start_and_exit(s3_env({{"CRASHMOVER_CRASHSTORAGE_BUCKET_NAME", "no-such-bucket"}}));
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("404 NoSuchBucket"), std::string::npos) << result.err;
}

TEST_F(S3Storage, AnUnreachableEndpointStopsStartup) {
    auto result =
        start_and_exit(s3_env({{"CRASHMOVER_CRASHSTORAGE_ENDPOINT_URL",
                                "http://127.0.0.1:" + std::to_string(free_port_pair())},
                               {"CRASHMOVER_CRASHSTORAGE_CONNECT_TIMEOUT_SECONDS", "2"}}));
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("cannot connect: Connection refused"), std::string::npos)
        << result.err;
}

TEST_F(S3Storage, ConfigurationErrorsAreOneLine) {
    auto no_bucket = start_and_exit(s3_env({{"CRASHMOVER_CRASHSTORAGE_BUCKET_NAME", ""}}));
    EXPECT_EQ(no_bucket.exit_code, 2);
    EXPECT_EQ(no_bucket.err,
              "antenna: configuration error: CRASHMOVER_CRASHSTORAGE_BUCKET_NAME is "
              "required for s3 storage\n");
    auto bad_url =
        start_and_exit(s3_env({{"CRASHMOVER_CRASHSTORAGE_ENDPOINT_URL", "localhost:9000"}}));
    EXPECT_EQ(bad_url.exit_code, 2);
    EXPECT_NE(bad_url.err.find("CRASHMOVER_CRASHSTORAGE_ENDPOINT_URL: the endpoint URL "
                               "localhost:9000 is invalid"),
              std::string::npos)
        << bad_url.err;
}

// radosgw frozen (SIGSTOP) while crashes arrive: they are acknowledged from the spool, the
// heartbeat reports the storage, and once it answers again every crash arrives whole.
TEST_F(S3Storage, AnOutageIsRetriedAndNothingAcknowledgedIsLost) {
    Collector collector(s3_env({{"CRASHMOVER_CRASHSTORAGE_TIMEOUT_SECONDS", "1"},
                                {"CRASHMOVER_CRASHSTORAGE_CONNECT_TIMEOUT_SECONDS", "1"},
                                {"CRASHMOVER_RETRY_SLEEP_SECONDS", "0.2"},
                                {"CRASHMOVER_RETRY_MAX_SLEEP_SECONDS", "1"}}));
    testing_support::FrozenProcess frozen_rgw(store->rgw_pid());

    std::map<std::string, std::string> sent;
    for (unsigned i = 0; i < 5; ++i) {
        std::string dump = random_bytes(50000 + i, 100 + i);
        std::string id = posted_id(collector, crash_with({{"upload_file_minidump", "d", dump}}));
        ASSERT_FALSE(id.empty());
        sent[id] = dump;
    }
    EXPECT_TRUE(collector.process().wait_for_line("save failed", 10s));
    auto health = testing_support::http_request(collector.port(), "GET", "/__heartbeat__");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 503);
    EXPECT_NE(health->body.find("S3CrashStorage"), std::string::npos) << health->body;
    EXPECT_FALSE(fs::is_empty(collector.spool() / "ready"));

    frozen_rgw.thaw();
    ASSERT_TRUE(collector.wait_until_moved(60s));
    for (const auto& [id, dump] : sent) {
        EXPECT_TRUE(store->object("v1/dump/" + id) == dump) << id;
        EXPECT_TRUE(store->object("v1/raw_crash/20" + id.substr(30) + "/" + id)) << id;
    }
}

TEST_F(S3Storage, LargeDumpsGoUpInParts) {
    Collector collector(s3_env({{"MAX_BODY_BYTES", std::to_string(40 << 20)}}));
    std::string dump = random_bytes(30 << 20, 7);
    std::string id = posted_id(collector, crash_with({{"upload_file_minidump", "big.dmp", dump}}));
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(collector.wait_until_moved(60s));
    EXPECT_TRUE(store->object("v1/dump/" + id) == dump);
    // A multipart object's ETag ends in "-<number of parts>": 30 MiB in 8 MiB parts.
    CommandResult head =
        store->s3("HEAD", "/" + kBucket + "/v1/dump/" + id, "/dev/null", "-I -D -");
    EXPECT_NE(head.out.find("-4\""), std::string::npos) << head.out;
}

TEST_F(S3Storage, TlsEndpointsAreVerifiedAgainstTheConfiguredCa) {
    std::string https = "https://127.0.0.1:" + std::to_string(store->tls_port);
    Collector collector(
        s3_env({{"CRASHMOVER_CRASHSTORAGE_ENDPOINT_URL", https},
                {"CRASHMOVER_CRASHSTORAGE_CA_BUNDLE", (store->certs / "ca.pem").string()}}));
    std::string id = posted_id(collector, crash_with({{"upload_file_minidump", "d", "over tls"}}));
    ASSERT_TRUE(collector.wait_until_moved());
    EXPECT_EQ(store->object("v1/dump/" + id), "over tls");

    auto refused = start_and_exit(
        s3_env({{"CRASHMOVER_CRASHSTORAGE_ENDPOINT_URL", https},
                {"CRASHMOVER_CRASHSTORAGE_CA_BUNDLE", (store->certs / "other-ca.pem").string()}}));
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("TLS handshake failed: certificate verify failed"),
              std::string::npos)
        << refused.err;
}

}  // namespace
}  // namespace antenna_tests

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    antenna_tests::store = new antenna_tests::ObjectStore;
    testing::AddGlobalTestEnvironment(antenna_tests::store);
    return RUN_ALL_TESTS();
}

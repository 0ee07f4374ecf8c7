#include "antenna/storage/s3_crash_storage.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "clients/aws/sigv4.h"
#include "core/io/files.h"
#include "temp_dir.h"
#include "test_http_server.h"

namespace {

using antenna::CrashReport;
using antenna::DumpFile;
using antenna::Outcome;
using antenna::S3CrashStorage;
using clients::aws::hex_sha256;

const std::string kId = "de1bb258-cbbf-4589-a673-34f800160918";

TEST(S3Keys, AreAntennas) {
    EXPECT_EQ(antenna::dump_names_key(kId), "v1/dump_names/" + kId);
    EXPECT_EQ(antenna::dump_key("upload_file_minidump", kId), "v1/dump/" + kId);
    EXPECT_EQ(antenna::dump_key("", kId), "v1/dump/" + kId);
    EXPECT_EQ(antenna::dump_key("memory_report", kId), "v1/memory_report/" + kId);
    EXPECT_EQ(antenna::raw_crash_key(kId), "v1/raw_crash/20160918/" + kId);
}

class S3CrashStorageTest : public testing::Test {
protected:
    clients::aws::S3Options options(std::uint16_t port) const {
        return {.endpoint_url = "http://127.0.0.1:" + std::to_string(port),
                .region = "us-east-1",
                .bucket = "crashes",
                .credentials = {
                    .access_key_id = "AKID", .secret_access_key = "SECRET", .session_token = ""}};
    }
    Outcome save(S3CrashStorage& storage, CrashReport& report) {
        boost::asio::io_context context;
        auto saved = boost::asio::co_spawn(context, storage.save(report), boost::asio::use_future);
        context.run();
        return saved.get();
    }

    testing_support::TempDir dir_{"s3-storage"};
    core::LogSink sink_{{.fd = -1}};
};

TEST_F(S3CrashStorageTest, PutsDumpNamesThenDumpsThenTheRawCrashLast) {
    http_tests::TestHttpServer server;
    S3CrashStorage storage("S3CrashStorage", options(server.port()),
                           core::Logger(sink_, "ext.s3.crashstorage"));
    std::string minidump = "MDMP" + std::string(100000, 'm');
    core::write_file(dir_.path() / "a", minidump);
    core::write_file(dir_.path() / "b", "{}");
    CrashReport report{.crash_id = kId,
                       .raw_crash = {{"uuid", kId}, {"ProductName", "Firefox"}},
                       .dumps = {DumpFile{.name = "upload_file_minidump",
                                          .path = dir_.path() / "a",
                                          .size = minidump.size(),
                                          .sha256 = hex_sha256(minidump)},
                                 DumpFile{.name = "memory_report",
                                          .path = dir_.path() / "b",
                                          .size = 2,
                                          .sha256 = hex_sha256("{}")}}};
    Outcome saved = save(storage, report);
    ASSERT_TRUE(saved.ok) << saved.error;

    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 4u);
    std::vector<std::pair<std::string, std::string>> puts;
    for (const auto& request : requests) {
        EXPECT_EQ(request.method, "PUT");
        EXPECT_EQ(request.headers.at("x-amz-content-sha256"), hex_sha256(request.body));
        EXPECT_TRUE(
            request.headers.at("authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKID/"))
            << request.headers.at("authorization");
        puts.emplace_back(request.target, request.body);
    }
    EXPECT_EQ(
        puts,
        (std::vector<std::pair<std::string, std::string>>{
            {"/crashes/v1/dump_names/" + kId, "[\"memory_report\", \"upload_file_minidump\"]"},
            {"/crashes/v1/dump/" + kId, minidump},
            {"/crashes/v1/memory_report/" + kId, "{}"},
            {"/crashes/v1/raw_crash/20160918/" + kId,
             "{\"ProductName\": \"Firefox\", \"uuid\": \"" + kId + "\"}"}}));
}

TEST_F(S3CrashStorageTest, AFailedPutStopsBeforeTheRawCrash) {
    http_tests::TestHttpServer server;
    S3CrashStorage storage("S3CrashStorage", options(server.port()),
                           core::Logger(sink_, "ext.s3.crashstorage"));
    CrashReport report{.crash_id = kId,
                       .raw_crash = {{"uuid", kId}},
                       .dumps = {DumpFile{.name = "upload_file_minidump",
                                          .path = dir_.path() / "gone",
                                          .size = 10,
                                          .sha256 = hex_sha256("0123456789")}}};
    Outcome saved = save(storage, report);
    EXPECT_FALSE(saved.ok);
    EXPECT_NE(saved.error.find("cannot open"), std::string::npos) << saved.error;
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);  // dump_names only; no raw crash without its dumps
    EXPECT_EQ(requests[0].target, "/crashes/v1/dump_names/" + kId);
}

TEST_F(S3CrashStorageTest, VirtualHostedAddressingPutsTheBucketInTheHostName) {
    auto virtual_hosted = options(9000);
    virtual_hosted.endpoint_url = "https://s3.example.com";
    virtual_hosted.virtual_hosted = true;
    clients::aws::S3Client client(virtual_hosted);
    EXPECT_EQ(client.bucket_url(), "https://crashes.s3.example.com");
    auto path_style = options(9000);
    path_style.endpoint_url = "";
    path_style.region = "eu-central-1";
    EXPECT_EQ(clients::aws::S3Client(path_style).bucket_url(),
              "https://s3.eu-central-1.amazonaws.com/crashes");
}

}  // namespace

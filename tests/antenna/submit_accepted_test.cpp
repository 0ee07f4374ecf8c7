// Compatibility plan §14 C: accepted crashes, the answer and the exact bytes stored on disk.
#include <chrono>
#include <ctime>
#include <regex>
#include <thread>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "antenna_blackbox.h"
#include "udp_listener.h"

namespace antenna_tests {
namespace {

constexpr const char* kDumpSha256 =
    "e9cee71ab932fde863338d08be4de9dfe39ea049bdafb342ce659ec5450b69ae";

std::string today_yymmdd() {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[16];
    std::strftime(text, sizeof text, "%y%m%d", &utc);
    return text;
}

struct Stored {
    std::string id;
    std::string day;  // YYYYMMDD
    boost::json::object raw_crash;
    std::string raw_crash_text;
};

Stored accepted(Collector& collector, const HttpResponse& response) {
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "text/plain");
    Stored stored;
    stored.id = crash_id_from(response.body);
    EXPECT_EQ(response.body, "CrashID=bp-" + stored.id + "\n");
    stored.day = "20" + stored.id.substr(stored.id.size() - 6);
    EXPECT_TRUE(collector.wait_until_moved());
    stored.raw_crash_text =
        read_file(collector.root() / stored.day / "raw_crash" / (stored.id + ".json"));
    if (!stored.raw_crash_text.empty()) {
        stored.raw_crash = boost::json::parse(stored.raw_crash_text).as_object();
    }
    return stored;
}

boost::json::object& metadata(Stored& stored) {
    return stored.raw_crash["metadata"].as_object();
}

TEST(Accepted, MiniPosterCrashIsStoredByteForByte) {
    Collector collector;
    auto payload = antenna::multipart_encode(test_crash(), kBoundary);
    ASSERT_EQ(payload.body.size(), 483u);
    HttpResponse response = collector.post(payload, {"User-Agent: wow"});
    std::regex id_format(
        "^CrashID=bp-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{5}0"
        "[0-9]{6}\n$");
    EXPECT_TRUE(std::regex_match(response.body, id_format)) << response.body;
    Stored stored = accepted(collector, response);
    EXPECT_EQ(stored.id.substr(30), today_yymmdd());

    auto files = collector.files();
    std::string prefix = stored.day + "/";
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[prefix + "dump_names/" + stored.id + ".json"], "[\"upload_file_minidump\"]");
    EXPECT_EQ(files[prefix + "upload_file_minidump/" + stored.id], "abcd1234");

    std::string timestamp(stored.raw_crash["submitted_timestamp"].as_string());
    std::string expected =
        std::string(
            "{\"ProductName\": \"Test\", \"Version\": \"1.0\", \"metadata\": "
            "{\"collector_notes\": [], \"dump_checksums\": {\"upload_file_minidump\": \"") +
        kDumpSha256 +
        "\"}, \"payload\": \"multipart\", \"payload_compressed\": \"0\", \"payload_size\": 483, "
        "\"throttle_rule\": \"accept_everything\", \"user_agent\": \"wow\"}, "
        "\"submitted_timestamp\": \"" +
        timestamp + "\", \"uuid\": \"" + stored.id + "\", \"version\": 2}";
    EXPECT_EQ(stored.raw_crash_text, expected);
    // submitted_timestamp: isoformat of the same UTC moment as the id's date.
    std::regex iso("^(\\d{4})-(\\d{2})-(\\d{2})T\\d{2}:\\d{2}:\\d{2}(\\.\\d{6})?\\+00:00$");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(timestamp, m, iso)) << timestamp;
    EXPECT_EQ(m[1].str() + m[2].str() + m[3].str(), stored.day);
    EXPECT_TRUE(fs::is_empty(collector.spool() / "incoming"));
}

TEST(Accepted, MissingUserAgentIsTheStringNone) {
    Collector collector;
    Stored stored = accepted(collector, collector.post(antenna::multipart_encode(test_crash())));
    EXPECT_EQ(metadata(stored)["user_agent"], "None");
}

TEST(Accepted, GzippedCrash) {
    Collector collector;
    auto payload = antenna::multipart_encode(test_crash(), kBoundary);
    std::string compressed = antenna::gzip_compress(payload.body);
    Stored stored =
        accepted(collector, collector.post(compressed, {"Content-Type: " + payload.content_type,
                                                        "Content-Encoding: gzip"}));
    EXPECT_EQ(metadata(stored)["payload_compressed"], "1");
    EXPECT_EQ(metadata(stored)["payload_size"], compressed.size());
    EXPECT_EQ(stored.raw_crash["ProductName"], "Test");
}

TEST(Accepted, MultipartMixed) {
    Collector collector;
    Stored stored = accepted(collector, collector.post(antenna::multipart_encode(
                                            test_crash(), kBoundary, "multipart/mixed")));
    EXPECT_EQ(stored.raw_crash["ProductName"], "Test");
}

TEST(Accepted, JsonPayloadKeepsValueTypes) {
    Collector collector;
    antenna::CrashPayload payload;
    payload.extra_json =
        R"({"ProductName":"Firefox","Version":"1.0","n":1,"f":1.5,"b":true,"z":null,"o":{"k":[1,"é"]}})";
    payload.dumps.push_back({"upload_file_minidump", "fakecrash.dump", "abcd1234"});
    Stored stored = accepted(collector, collector.post(antenna::multipart_encode(payload)));
    EXPECT_EQ(metadata(stored)["payload"], "json");
    EXPECT_NE(stored.raw_crash_text.find(R"("b": true, "f": 1.5, "metadata": )"),
              std::string::npos);
    EXPECT_NE(stored.raw_crash_text.find(R"("n": 1, "o": {"k": [1, "\u00e9"]})"),
              std::string::npos);
    EXPECT_NE(stored.raw_crash_text.find(R"("z": null)"), std::string::npos);
}

TEST(Accepted, JsonAndTextPartsMerge) {
    Collector collector;
    antenna::CrashPayload payload;
    payload.extra_json = R"({"ProductName":"Firefox","Version":"1.0"})";
    payload.annotations = {{"AAA_before", "dropped"}, {"zzz_after", "kept"}};
    Stored stored = accepted(collector, collector.post(antenna::multipart_encode(payload)));
    EXPECT_FALSE(stored.raw_crash.contains("AAA_before"));
    EXPECT_EQ(stored.raw_crash["zzz_after"], "kept");
    EXPECT_EQ(metadata(stored)["collector_notes"],
              boost::json::array{"includes annotations in both json-encoded extra and formdata "
                                 "parts"});
}

TEST(Accepted, TwoDumps) {
    Collector collector;
    antenna::CrashPayload payload = test_crash();
    payload.dumps.push_back({"upload_file_minidump_flash1", "flash.dump", "flash"});
    Stored stored = accepted(collector, collector.post(antenna::multipart_encode(payload)));
    auto files = collector.files();
    EXPECT_EQ(files.size(), 4u);
    EXPECT_EQ(files[stored.day + "/dump_names/" + stored.id + ".json"],
              R"(["upload_file_minidump", "upload_file_minidump_flash1"])");
    EXPECT_EQ(files[stored.day + "/upload_file_minidump_flash1/" + stored.id], "flash");
    EXPECT_EQ(metadata(stored)["dump_checksums"].as_object().size(), 2u);
}

TEST(Accepted, NoDumpAtAll) {
    Collector collector;
    antenna::CrashPayload payload;
    payload.annotations = {{"ProductName", "Test"}};
    Stored stored = accepted(collector, collector.post(antenna::multipart_encode(payload)));
    EXPECT_EQ(collector.files()[stored.day + "/dump_names/" + stored.id + ".json"], "[]");
    EXPECT_EQ(metadata(stored)["dump_checksums"], boost::json::object{});
}

std::string part(const std::string& headers, const std::string& data) {
    return "--" + kBoundary + "\r\n" + headers + "\r\n\r\n" + data + "\r\n";
}

HttpResponse post_parts(Collector& collector, const std::string& parts) {
    return collector.post(parts + "--" + kBoundary + "--\r\n",
                          {"Content-Type: multipart/form-data; boundary=" + kBoundary});
}

TEST(Accepted, UnusualDumpPartsAreNoted) {
    Collector collector;
    Stored stored = accepted(
        collector,
        post_parts(
            collector,
            part("Content-Disposition: form-data; name=\"ProductName\"", "Test") +
                part("Content-Disposition: form-data; name=\"upload_file_minidump\"; "
                     "filename=\"a.dump\"",
                     "dump1") +
                part(
                    "Content-Disposition: form-data; name=\"upload-file.minidump\xe2\x82\xacx\"\r\n"
                    "Content-Type: image/png",
                    "png")));
    EXPECT_EQ(
        metadata(stored)["collector_notes"],
        (boost::json::array{"unknown content type: upload_file_minidump text/plain",
                            "unknown content type: upload-file.minidump\xe2\x82\xacx image/png"}));
    auto files = collector.files();
    EXPECT_EQ(files[stored.day + "/uploadfileminidumpx/" + stored.id], "png");
    EXPECT_EQ(files[stored.day + "/upload_file_minidump/" + stored.id], "dump1");
}

TEST(Accepted, TextPartCharsets) {
    Collector collector;
    Stored stored = accepted(
        collector,
        post_parts(collector,
                   part("Content-Disposition: form-data; name=\"ProductName\"", "Test") +
                       part("Content-Disposition: form-data; name=\"Bad\"", "\xde\xde\xde") +
                       part("Content-Disposition: form-data; name=\"Latin\"\r\n"
                            "Content-Type: text/plain; charset=latin-1",
                            "\xe9") +
                       part("Content-Disposition: form-data; name=\"Dup\"", "first") +
                       part("Content-Disposition: form-data; name=\"Dup\"", "second") +
                       part("Content-Disposition: form-data", "unnamed")));
    EXPECT_FALSE(stored.raw_crash.contains("Bad"));
    EXPECT_EQ(stored.raw_crash["Latin"], "\xc3\xa9");
    EXPECT_NE(stored.raw_crash_text.find(R"("Latin": "\u00e9")"), std::string::npos);
    EXPECT_EQ(stored.raw_crash["Dup"], "second");
    EXPECT_EQ(
        metadata(stored)["collector_notes"],
        boost::json::array{"extract payload text part exception: invalid text or charset: utf-8"});
}

TEST(Accepted, PrivateFieldsAreRemovedWithNotes) {
    Collector collector;
    antenna::CrashPayload payload = test_crash();
    payload.annotations["Email"] = "a@b.c";
    payload.annotations["TelemetryClientId"] = "x";
    payload.annotations["TelemetryServerURL"] = "y";
    payload.annotations["TelemetrySessionId"] = "z";
    Stored stored = accepted(collector, collector.post(antenna::multipart_encode(payload)));
    for (const char* key :
         {"Email", "TelemetryClientId", "TelemetryServerURL", "TelemetrySessionId"}) {
        EXPECT_FALSE(stored.raw_crash.contains(key)) << key;
    }
    EXPECT_EQ(metadata(stored)["collector_notes"],
              (boost::json::array{"Removed Email from raw crash.",
                                  "Removed TelemetryClientId from raw crash.",
                                  "Removed TelemetryServerURL from raw crash.",
                                  "Removed TelemetrySessionId from raw crash."}));
}

TEST(Accepted, CollectorFieldsOverwriteClientFields) {
    Collector collector;
    antenna::CrashPayload payload = test_crash();
    payload.annotations["metadata"] = "client";
    payload.annotations["submitted_timestamp"] = "client";
    payload.annotations["version"] = "client";
    Stored stored = accepted(collector, collector.post(antenna::multipart_encode(payload)));
    EXPECT_TRUE(stored.raw_crash["metadata"].is_object());
    EXPECT_NE(stored.raw_crash["submitted_timestamp"], "client");
    EXPECT_EQ(stored.raw_crash["version"], 2);
}

TEST(Accepted, PartialUploadsLeftByAnEarlierProcessAreRemovedAtStartup) {
    Collector collector;
    std::ofstream(collector.spool() / "incoming" / "dump-left") << "half a dump";
    collector.restart();
    EXPECT_TRUE(fs::is_empty(collector.spool() / "incoming"));
    accepted(collector, collector.post(antenna::multipart_encode(test_crash())));
}

TEST(Accepted, ClientThatDisconnectsMidUploadLeavesNothingBehind) {
    Collector collector;
    auto payload = antenna::multipart_encode(test_crash(), kBoundary);
    {
        RawClient client(collector.port());
        client.send("POST /submit HTTP/1.1\r\nHost: a\r\nContent-Type: " + payload.content_type +
                    "\r\nContent-Length: 100000\r\n\r\n" + payload.body.substr(0, 400));
        std::this_thread::sleep_for(200ms);
    }
    // The next request is served after the server noticed the disconnect.
    accepted(collector, collector.post(payload));
    std::this_thread::sleep_for(200ms);
    EXPECT_TRUE(fs::is_empty(collector.spool() / "incoming"));
    EXPECT_EQ(collector.files().size(), 3u);
}

TEST(AcceptedMetrics, AcceptedCrashEmitsAntennasMetricsInOrder) {
    testing_support::UdpListener statsd;
    Collector collector(Env{{"STATSD_HOST", "127.0.0.1"},
                            {"STATSD_PORT", std::to_string(statsd.port())},
                            {"HOSTNAME", "collector-1"},
                            {"CRASHMOVER_ACK", "sync"}});
    accepted(collector, collector.post(antenna::multipart_encode(test_crash(), kBoundary)));
    auto lines = statsd.receive_until("on_post.time");
    std::vector<std::string> names;
    for (const auto& line : lines) {
        EXPECT_NE(line.find("#host:collector-1"), std::string::npos) << line;
        if (line.starts_with("socorro.collector.breakpad_resource.") ||
            line.starts_with("socorro.collector.crashmover.")) {
            names.push_back(line);
        }
    }
    std::vector<std::string> expected_prefixes = {
        "socorro.collector.breakpad_resource.crash_size:483|h|#host:collector-1,payload:"
        "uncompressed",
        "socorro.collector.breakpad_resource.incoming_crash:1|c|#host:collector-1",
        "socorro.collector.breakpad_resource.throttle_rule:1|c|#host:collector-1,rule:accept_"
        "everything",
        "socorro.collector.breakpad_resource.throttle:1|c|#host:collector-1,result:accept",
        "socorro.collector.crashmover.crash_save.time:",
        "socorro.collector.crashmover.crash_publish.time:",
        "socorro.collector.crashmover.save_crash.count:1|c|#host:collector-1",
        "socorro.collector.crashmover.crash_handling.time:",
        "socorro.collector.breakpad_resource.on_post.time:",
    };
    ASSERT_EQ(names.size(), expected_prefixes.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        EXPECT_TRUE(names[i].starts_with(expected_prefixes[i])) << names[i];
    }
}

TEST(AcceptedMetrics, SpooledCrashIsMovedAfterTheAnswerWithTheSameMetrics) {
    testing_support::UdpListener statsd;
    Collector collector(Env{{"STATSD_HOST", "127.0.0.1"},
                            {"STATSD_PORT", std::to_string(statsd.port())},
                            {"HOSTNAME", "collector-1"}});
    accepted(collector, collector.post(antenna::multipart_encode(test_crash(), kBoundary)));
    auto lines = statsd.receive_until("crash_handling.time");
    // The mover runs beside the request, so only its own metrics have an order.
    std::vector<std::string> mover;
    bool answered = false;
    bool drained = false;
    for (const auto& line : lines) {
        std::string name = line.substr(0, line.find(':'));
        answered = answered || name == "socorro.collector.breakpad_resource.on_post.time";
        drained = drained || line.starts_with("socorro.collector.crashmover.save_queue_size:0|g");
        if (name.starts_with("socorro.collector.crashmover.") &&
            name != "socorro.collector.crashmover.save_queue_size") {
            mover.push_back(name);
        }
    }
    EXPECT_EQ(mover, (std::vector<std::string>{
                         "socorro.collector.crashmover.crash_save.time",
                         "socorro.collector.crashmover.crash_publish.time",
                         "socorro.collector.crashmover.save_crash.count",
                         "socorro.collector.crashmover.crash_handling.time",
                     }));
    EXPECT_TRUE(answered);
    EXPECT_TRUE(drained);  // the spool's depth is back to 0 once the crash is moved
}

TEST(AcceptedMetrics, MalformedAndGzipMetrics) {
    testing_support::UdpListener statsd;
    Collector collector(Env{{"STATSD_HOST", "127.0.0.1"},
                            {"STATSD_PORT", std::to_string(statsd.port())},
                            {"HOSTNAME", "h"}});
    auto payload = antenna::multipart_encode(test_crash(), kBoundary);
    collector.post(payload.body,
                   {"Content-Type: " + payload.content_type, "Content-Encoding: gzip"});
    auto lines = statsd.receive_until("on_post.time");
    auto has = [&](const std::string& text) {
        for (const auto& line : lines) {
            if (line.find(text) != std::string::npos) {
                return true;
            }
        }
        return false;
    };
    EXPECT_TRUE(has("socorro.collector.breakpad_resource.gzipped_crash:1|c|#host:h"));
    EXPECT_TRUE(has("|h|#host:h,result:fail"));
    EXPECT_TRUE(has("socorro.collector.breakpad_resource.malformed:1|c|#host:h,reason:bad_gzip"));
}

}  // namespace
}  // namespace antenna_tests

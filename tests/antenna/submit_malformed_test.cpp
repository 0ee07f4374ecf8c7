// Compatibility plan §14 B: malformed requests get 400 with Antenna's exact body, and nothing is
// stored.
#include <gtest/gtest.h>

#include "antenna_blackbox.h"

namespace antenna_tests {
namespace {

class Malformed : public ::testing::Test {
protected:
    void expect_discarded(const HttpResponse& response, const std::string& body) {
        EXPECT_EQ(response.status, 400);
        EXPECT_EQ(response.header("Content-Type"), "text/plain");
        EXPECT_EQ(response.body, body);
        EXPECT_TRUE(collector_.files().empty());
    }
    std::string form() { return antenna::multipart_encode(test_crash(), kBoundary).body; }
    std::string form_type() { return "Content-Type: multipart/form-data; boundary=" + kBoundary; }

    Collector collector_;
};

TEST_F(Malformed, NoContentType) {
    expect_discarded(collector_.post(form(), {}), "Discarded=malformed_no_content_type");
}

TEST_F(Malformed, WrongContentType) {
    expect_discarded(collector_.post(form(), {"Content-Type: application/json"}),
                     "Discarded=malformed_wrong_content_type");
}

TEST_F(Malformed, NoBoundary) {
    expect_discarded(collector_.post(form(), {"Content-Type: multipart/form-data"}),
                     "Discarded=malformed_no_boundary");
    expect_discarded(
        collector_.post(
            form(), {"Content-Type: multipart/form-data; charset=utf-8; boundary=" + kBoundary}),
        "Discarded=malformed_no_boundary");
}

TEST_F(Malformed, NoContentLength) {
    expect_discarded(collector_.post("", {form_type(), "Content-Length: 0"}, false),
                     "Discarded=malformed_no_content_length");
    std::string chunked = "1f4\r\n" + form().substr(0, 500) + "\r\n0\r\n\r\n";
    expect_discarded(collector_.post(chunked, {form_type(), "Transfer-Encoding: chunked"}, false),
                     "Discarded=malformed_no_content_length");
}

TEST_F(Malformed, WrongBoundary) {
    expect_discarded(collector_.post(form(), {"Content-Type: multipart/form-data; boundary=foo"}),
                     "Discarded=malformed_invalid_payload_structure");
}

TEST_F(Malformed, JunkAndBrokenStructure) {
    expect_discarded(collector_.post("foobarbaz", {form_type()}),
                     "Discarded=malformed_invalid_payload_structure");
    std::string whole = form();
    expect_discarded(collector_.post(whole.substr(0, whole.size() - 30), {form_type()}),
                     "Discarded=malformed_invalid_payload_structure");
    std::string padded = whole;
    padded.insert(2 + kBoundary.size(), " ");
    expect_discarded(collector_.post(padded, {form_type()}),
                     "Discarded=malformed_invalid_payload_structure");
    std::string base64 = "--" + kBoundary +
                         "\r\nContent-Disposition: form-data; name=\"ProductName\"\r\n"
                         "Content-Transfer-Encoding: base64\r\n\r\nVGVzdA==\r\n--" +
                         kBoundary + "--\r\n";
    expect_discarded(collector_.post(base64, {form_type()}),
                     "Discarded=malformed_invalid_payload_structure");
    std::string big_headers = "--" + kBoundary + "\r\nX-Pad: " + std::string(9000, 'x') +
                              "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--" +
                              kBoundary + "--\r\n";
    expect_discarded(collector_.post(big_headers, {form_type()}),
                     "Discarded=malformed_invalid_payload_structure");
}

TEST_F(Malformed, GzipWithoutContentEncoding) {
    expect_discarded(collector_.post(antenna::gzip_compress(form()), {form_type()}),
                     "Discarded=malformed_invalid_payload_structure");
}

TEST_F(Malformed, ContentEncodingGzipOnAPlainBody) {
    expect_discarded(collector_.post(form(), {form_type(), "Content-Encoding: gzip"}),
                     "Discarded=malformed_bad_gzip");
}

TEST_F(Malformed, InvalidJsonAndJsonValues) {
    auto with_extra = [](std::string extra) {
        antenna::CrashPayload payload;
        payload.extra_json = std::move(extra);
        return antenna::multipart_encode(payload, kBoundary);
    };
    expect_discarded(collector_.post(with_extra("{\"ProductName\":\"Firefox\n\"}")),
                     "Discarded=malformed_invalid_json");
    expect_discarded(collector_.post(with_extra("\"badvalue\"")),
                     "Discarded=malformed_invalid_json_value");
    expect_discarded(collector_.post(with_extra("{}")), "Discarded=malformed_no_annotations");
}

TEST_F(Malformed, OnlyADump) {
    antenna::CrashPayload payload;
    payload.dumps.push_back({"upload_file_minidump", "fakecrash.dump", "abcd1234"});
    expect_discarded(collector_.post(antenna::multipart_encode(payload, kBoundary)),
                     "Discarded=malformed_no_annotations");
}

TEST_F(Malformed, ReservedDumpNames) {
    for (std::string name : {"processed_crash", "raw_crash", "dump_names", "raw_crash!"}) {
        antenna::CrashPayload payload = test_crash();
        payload.dumps.push_back({name, "x.dump", "data"});
        expect_discarded(collector_.post(antenna::multipart_encode(payload, kBoundary)),
                         "Discarded=malformed_invalid_dump_name");
    }
}

TEST_F(Malformed, NonNumericContentLength) {
    HttpResponse response = collector_.post(form(), {form_type(), "Content-Length: foo"}, false);
    EXPECT_EQ(response.status, 400);
    EXPECT_TRUE(collector_.files().empty());
}

TEST_F(Malformed, InvalidStructureIsLoggedWithFalconsDescription) {
    expect_discarded(collector_.post("foobarbaz", {form_type()}),
                     "Discarded=malformed_invalid_payload_structure");
    EXPECT_TRUE(collector_.process().wait_for_line("extract payload exception: "));
}

}  // namespace
}  // namespace antenna_tests

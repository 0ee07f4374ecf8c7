// The streaming multipart parser against Falcon's rules (spec Part 2 §1.2.3), fed whole, byte
// by byte and split at every position: the parts seen must not depend on how data arrives.
#include "antenna/multipart/multipart_parser.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace antenna {
namespace {

struct Part {
    PartHeaders headers;
    std::string data;
};

class Recorder : public MultipartReceiver {
public:
    bool on_part_begin(const PartHeaders& headers) override {
        parts.push_back({headers, {}});
        return stop_at_part != parts.size();
    }
    bool on_part_data(std::string_view data) override {
        parts.back().data += data;
        return true;
    }
    bool on_part_end() override {
        ++ended;
        return true;
    }
    std::vector<Part> parts;
    std::size_t ended = 0;
    std::size_t stop_at_part = 0;
};

struct Result {
    bool ok;
    std::string error;
    std::vector<Part> parts;
    std::size_t ended;
};

Result parse(std::string_view body, std::string_view boundary,
             const std::vector<std::size_t>& chunks = {}) {
    Recorder recorder;
    MultipartParser parser(boundary, recorder);
    std::size_t position = 0;
    for (std::size_t size : chunks) {
        parser.feed(body.substr(position, size));
        position += size;
    }
    parser.feed(body.substr(std::min(position, body.size())));
    bool ok = parser.finish();
    return {ok, parser.error(), recorder.parts, recorder.ended};
}

void expect_same(const Result& a, const Result& b, const std::string& how) {
    ASSERT_EQ(a.ok, b.ok) << how;
    EXPECT_EQ(a.error, b.error) << how;
    ASSERT_EQ(a.parts.size(), b.parts.size()) << how;
    for (std::size_t i = 0; i < a.parts.size(); ++i) {
        EXPECT_EQ(a.parts[i].data, b.parts[i].data) << how << " part " << i;
        EXPECT_EQ(a.parts[i].headers.content_disposition, b.parts[i].headers.content_disposition)
            << how;
    }
}

// Checks that every way of cutting `body` into two or into single bytes gives `whole`'s result.
void expect_split_invariant(const std::string& body, std::string_view boundary) {
    Result whole = parse(body, boundary);
    std::vector<std::size_t> bytes(body.size(), 1);
    expect_same(whole, parse(body, boundary, bytes), "byte by byte");
    for (std::size_t cut = 1; cut < body.size(); ++cut) {
        expect_same(whole, parse(body, boundary, {cut}), "cut at " + std::to_string(cut));
    }
}

const std::string kForm =
    "preamble to skip\r\n"
    "--BOUND\r\n"
    "Content-Disposition: form-data; name=\"ProductName\"\r\n"
    "\r\n"
    "Firefox\r\n"
    "--BOUND\r\n"
    "Content-Disposition: form-data; name=\"upload_file_minidump\"; filename=\"x.dump\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "MDMP\r\n--BOUN\r\n-- not a delimiter\r\n\r\n"
    "--BOUND--\r\n"
    "epilogue";

TEST(MultipartParser, ParsesPartsAndHeaders) {
    Result result = parse(kForm, "BOUND");
    ASSERT_TRUE(result.ok) << result.error;
    ASSERT_EQ(result.parts.size(), 2u);
    EXPECT_EQ(result.ended, 2u);
    EXPECT_EQ(result.parts[0].headers.content_disposition, "form-data; name=\"ProductName\"");
    EXPECT_FALSE(result.parts[0].headers.content_type);
    EXPECT_EQ(result.parts[0].data, "Firefox");
    EXPECT_EQ(result.parts[1].headers.content_type, "application/octet-stream");
    EXPECT_EQ(result.parts[1].data, "MDMP\r\n--BOUN\r\n-- not a delimiter\r\n");
}

TEST(MultipartParser, ResultDoesNotDependOnHowDataArrives) {
    expect_split_invariant(kForm, "BOUND");
}

TEST(MultipartParser, HeaderNamesAreCaseInsensitiveAndNeedColonSpace) {
    std::string body =
        "--b\r\nCONTENT-TYPE: text/plain; charset=latin-1\r\ncontent-disposition:form-data\r\n"
        "Content-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; "
        "name=\"b\"\r\nX-Other: y\r\n\r\nv\r\n--b--";
    Result result = parse(body, "b");
    ASSERT_TRUE(result.ok);
    ASSERT_EQ(result.parts.size(), 1u);
    EXPECT_EQ(result.parts[0].headers.content_type, "text/plain; charset=latin-1");
    EXPECT_EQ(result.parts[0].headers.content_disposition, "form-data; name=\"b\"");  // last wins
}

TEST(MultipartParser, PartWithoutHeadersNeedsCrlfCrlfRightAfterTheDelimiter) {
    // Falcon looks for the end of the headers right after the delimiter's CRLF, so a part
    // without headers is "--b" CRLF CRLF CRLF data; with one CRLF less its data is read as headers.
    Result headerless = parse("--b\r\n\r\n\r\nx\r\n--b--", "b");
    ASSERT_TRUE(headerless.ok);
    EXPECT_EQ(headerless.parts[0].data, "x");
    EXPECT_FALSE(parse("--b\r\n\r\nx\r\n--b--", "b").ok);
}

TEST(MultipartParser, ClosingDelimiterWithoutCrlfEndsTheForm) {
    Result result = parse("--b\r\n\r\n\r\nx\r\n--b--", "b");
    EXPECT_TRUE(result.ok);
}

TEST(MultipartParser, MissingBoundaryIsAStructureError) {
    Result result = parse("foobarbaz", "b");
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.error, "unexpected form structure");
}

TEST(MultipartParser, WrongBoundaryIsAStructureError) {
    Result result = parse(kForm, "foo");
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.error, "unexpected form structure");
}

TEST(MultipartParser, TruncatedFormIsAnError) {
    std::string truncated = kForm.substr(0, kForm.find("--BOUND--"));
    Result result = parse(truncated, "BOUND");
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.error, "unexpected form structure");
}

TEST(MultipartParser, PaddingAfterDelimiterIsAnError) {
    Result result =
        parse("--b \r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--", "b");
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.error, "unexpected form structure");
}

TEST(MultipartParser, TransferEncodingOtherThanBinaryIsAnError) {
    Result binary = parse("--b\r\nContent-Transfer-Encoding: binary\r\n\r\nv\r\n--b--", "b");
    EXPECT_TRUE(binary.ok);
    Result base64 = parse("--b\r\nContent-Transfer-Encoding: base64\r\n\r\ndg==\r\n--b--", "b");
    EXPECT_FALSE(base64.ok);
    EXPECT_EQ(base64.error, "the deprecated Content-Transfer-Encoding header field is unsupported");
}

TEST(MultipartParser, PartHeadersOver8192BytesAreAnError) {
    std::string header = "X-Pad: " + std::string(8192, 'p');
    Result result = parse("--b\r\n" + header + "\r\n\r\nv\r\n--b--", "b");
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.error, "incomplete body part headers");

    std::string fits = "X-Pad: " + std::string(8192 - 7, 'p');
    EXPECT_TRUE(parse("--b\r\n" + fits + "\r\n\r\nv\r\n--b--", "b").ok);
}

TEST(MultipartParser, ReceiverCanStopTheParse) {
    Recorder recorder;
    recorder.stop_at_part = 1;
    MultipartParser parser("BOUND", recorder);
    EXPECT_FALSE(parser.feed(kForm));
    EXPECT_TRUE(parser.stopped_by_receiver());
    EXPECT_EQ(recorder.parts.size(), 1u);
    EXPECT_FALSE(parser.finish());
    EXPECT_EQ(parser.error(), "");
}

TEST(MultipartParser, LargePartDataIsStreamedWhole) {
    std::string data;
    for (int i = 0; i < 200000; ++i) {
        data += static_cast<char>(i * 7 % 251);
    }
    std::string body = "--zz\r\nX-Part: 1\r\n\r\n" + data + "\r\n--zz--\r\n";
    Result result = parse(body, "zz", {1000, 65536, 3, 70000});
    ASSERT_TRUE(result.ok);
    EXPECT_EQ(result.parts[0].data, data);
}

TEST(MultipartParser, DelimiterPrefixesInsideDataAreData) {
    std::string body =
        "--abc\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n"
        "\r\n--ab\r\n-\r\n--abd\r\r\n--abc\r\nX-Part: 2\r\n\r\nsecond\r\n--abc--";
    Result result = parse(body, "abc");
    ASSERT_TRUE(result.ok);
    ASSERT_EQ(result.parts.size(), 2u);
    EXPECT_EQ(result.parts[0].data, "\r\n--ab\r\n-\r\n--abd\r");
    EXPECT_EQ(result.parts[1].data, "second");
    expect_split_invariant(body, "abc");
}

}  // namespace
}  // namespace antenna

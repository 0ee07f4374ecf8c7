#include "clients/aws/sigv4.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace clients::aws {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos) {
            return parts;
        }
        start = end + 1;
    }
}

std::string percent_decode(std::string_view text) {
    std::string decoded;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            decoded +=
                static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            decoded += text[i];
        }
    }
    return decoded;
}

bool same_name(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::string header_value(const std::vector<Header>& headers, std::string_view name) {
    auto found = std::find_if(headers.begin(), headers.end(),
                              [&](const Header& h) { return same_name(h.first, name); });
    return found == headers.end() ? std::string() : found->second;
}

// Removes the headers called `name` and returns the value of the first one.
std::string take_header(std::vector<Header>& headers, std::string_view name) {
    std::string value = header_value(headers, name);
    std::erase_if(headers, [&](const Header& h) { return same_name(h.first, name); });
    return value;
}

// The suite's .req files are raw HTTP/1.1 requests with bare LF line ends.
SigningRequest parse_raw_request(std::string_view raw) {
    std::size_t head_end = raw.find("\n\n");
    std::string_view body = head_end == std::string_view::npos ? "" : raw.substr(head_end + 2);
    std::vector<std::string_view> lines = split(raw.substr(0, head_end), '\n');

    // The target sits between the first and the last space: get-space has one inside it.
    std::string_view request_line = lines.front();
    std::size_t first_space = request_line.find(' ');
    std::size_t last_space = request_line.rfind(' ');
    std::string_view target = request_line.substr(first_space + 1, last_space - first_space - 1);
    std::size_t query_start = target.find('?');

    SigningRequest request;
    request.method = request_line.substr(0, first_space);
    request.path = target.substr(0, query_start);
    if (query_start != std::string_view::npos) {
        for (std::string_view parameter : split(target.substr(query_start + 1), '&')) {
            std::size_t equals = parameter.find('=');
            request.query.emplace_back(percent_decode(parameter.substr(0, equals)),
                                       equals == std::string_view::npos
                                           ? ""
                                           : percent_decode(parameter.substr(equals + 1)));
        }
    }
    for (std::size_t i = 1; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        if (line.empty()) {
            continue;
        }
        if (line.front() == ' ' || line.front() == '\t') {
            // An obsolete line folding continues the previous value (RFC 9112 section 5.2).
            request.headers.back().second += ' ' + std::string(line);
            continue;
        }
        std::size_t colon = line.find(':');
        request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    request.payload_sha256 = hex_sha256(body);
    return request;
}

// The suite keeps the session token only in the canonical request of the cases that sign it.
std::string session_token_signed_in(std::string_view canonical) {
    constexpr std::string_view prefix = "\nx-amz-security-token:";
    std::size_t start = canonical.find(prefix);
    if (start == std::string_view::npos) {
        return {};
    }
    start += prefix.size();
    return std::string(canonical.substr(start, canonical.find('\n', start) - start));
}

std::vector<std::string> suite_cases() {
    std::vector<std::string> cases;
    for (const auto& entry : fs::recursive_directory_iterator(SIGV4_TESTSUITE_DIR)) {
        if (entry.path().extension() == ".req") {
            cases.push_back(
                fs::relative(entry.path().parent_path(), SIGV4_TESTSUITE_DIR).generic_string());
        }
    }
    std::sort(cases.begin(), cases.end());
    return cases;
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
    std::string name = info.param;
    std::replace_if(
        name.begin(), name.end(),
        [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    return name;
}

class AwsTestSuite : public testing::TestWithParam<std::string> {};

TEST_P(AwsTestSuite, SignsLikeTheReference) {
    fs::path base = fs::path(SIGV4_TESTSUITE_DIR) / GetParam() / fs::path(GetParam()).filename();
    auto expected = [&](const char* extension) { return read_file(base.string() + extension); };
    std::string expected_canonical = expected(".creq");
    SigningRequest request = parse_raw_request(expected(".req"));
    // sign() adds these two itself.
    std::string sent_date = take_header(request.headers, "X-Amz-Date");
    take_header(request.headers, "X-Amz-Security-Token");

    Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                            session_token_signed_in(expected_canonical)};
    SigningScope scope{"us-east-1", "service", sys_days{2015y / August / 30} + 12h + 36min};
    std::vector<Header> added = sign(request, credentials, scope, SigningOptions{});

    EXPECT_EQ(header_value(added, "X-Amz-Date"), sent_date);
    for (const Header& header : added) {
        if (header.first != "Authorization") {
            request.headers.push_back(header);
        }
    }
    std::string canonical = canonical_request(request, PathRules::normalized_double_encoded);
    EXPECT_EQ(canonical, expected_canonical);
    EXPECT_EQ(string_to_sign(canonical, scope), expected(".sts"));
    EXPECT_EQ(header_value(added, "Authorization"), expected(".authz"));
}

INSTANTIATE_TEST_SUITE_P(Vectors, AwsTestSuite, testing::ValuesIn(suite_cases()), test_name);

TEST(AwsTestSuiteFixtures, AllVendoredCasesAreFound) {
    EXPECT_EQ(suite_cases().size(), 34u);
}

// The examples of "Signature Calculations for the Authorization Header: Transferring Payload in a
// Single Chunk" in the Amazon S3 API Reference,
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
class S3DocumentationExample : public testing::Test {
protected:
    static constexpr std::string_view empty_sha256 =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    // The documentation writes the Authorization header without spaces after the commas.
    static std::string without_spaces_after_commas(std::string text) {
        for (std::size_t at; (at = text.find(", ")) != std::string::npos;) {
            text.erase(at + 1, 1);
        }
        return text;
    }

    void expect_signed(SigningRequest request, std::string_view expected_canonical,
                       std::string_view expected_string_to_sign,
                       std::string_view expected_authorization) {
        std::vector<Header> added = sign(request, credentials_, scope_, SigningOptions::for_s3());
        EXPECT_EQ(header_value(added, "X-Amz-Date"), "20130524T000000Z");
        EXPECT_EQ(header_value(added, "x-amz-content-sha256"), request.payload_sha256);
        EXPECT_EQ(without_spaces_after_commas(header_value(added, "Authorization")),
                  expected_authorization);

        request.headers.push_back({"x-amz-content-sha256", request.payload_sha256});
        request.headers.push_back({"x-amz-date", "20130524T000000Z"});
        std::string canonical = canonical_request(request, PathRules::s3);
        EXPECT_EQ(canonical, expected_canonical);
        EXPECT_EQ(string_to_sign(canonical, scope_), expected_string_to_sign);
    }

    Credentials credentials_{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                             ""};
    SigningScope scope_{"us-east-1", "s3", sys_days{2013y / May / 24}};
};

TEST_F(S3DocumentationExample, GetObject) {
    expect_signed({"GET",
                   "/test.txt",
                   {},
                   {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}},
                   std::string(empty_sha256)},
                  "GET\n"
                  "/test.txt\n"
                  "\n"
                  "host:examplebucket.s3.amazonaws.com\n"
                  "range:bytes=0-9\n"
                  "x-amz-content-sha256:"
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                  "x-amz-date:20130524T000000Z\n"
                  "\n"
                  "host;range;x-amz-content-sha256;x-amz-date\n"
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                  "AWS4-HMAC-SHA256\n"
                  "20130524T000000Z\n"
                  "20130524/us-east-1/s3/aws4_request\n"
                  "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
                  "AWS4-HMAC-SHA256 "
                  "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                  "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                  "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_F(S3DocumentationExample, PutObject) {
    std::string payload_sha256 = hex_sha256("Welcome to Amazon S3.");
    ASSERT_EQ(payload_sha256, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    // The documented request line sends the '$' of the key unescaped.
    expect_signed({"PUT",
                   "/test$file.text",
                   {},
                   {{"Host", "examplebucket.s3.amazonaws.com"},
                    {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                    {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                   payload_sha256},
                  "PUT\n"
                  "/test%24file.text\n"
                  "\n"
                  "date:Fri, 24 May 2013 00:00:00 GMT\n"
                  "host:examplebucket.s3.amazonaws.com\n"
                  "x-amz-content-sha256:"
                  "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
                  "x-amz-date:20130524T000000Z\n"
                  "x-amz-storage-class:REDUCED_REDUNDANCY\n"
                  "\n"
                  "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
                  "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
                  "AWS4-HMAC-SHA256\n"
                  "20130524T000000Z\n"
                  "20130524/us-east-1/s3/aws4_request\n"
                  "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
                  "AWS4-HMAC-SHA256 "
                  "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                  "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                  "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST_F(S3DocumentationExample, GetBucketLifecycle) {
    expect_signed({"GET",
                   "/",
                   {{"lifecycle", ""}},
                   {{"Host", "examplebucket.s3.amazonaws.com"}},
                   std::string(empty_sha256)},
                  "GET\n"
                  "/\n"
                  "lifecycle=\n"
                  "host:examplebucket.s3.amazonaws.com\n"
                  "x-amz-content-sha256:"
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                  "x-amz-date:20130524T000000Z\n"
                  "\n"
                  "host;x-amz-content-sha256;x-amz-date\n"
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                  "AWS4-HMAC-SHA256\n"
                  "20130524T000000Z\n"
                  "20130524/us-east-1/s3/aws4_request\n"
                  "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
                  "AWS4-HMAC-SHA256 "
                  "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                  "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                  "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST_F(S3DocumentationExample, ListObjects) {
    // Given out of order: the canonical query sorts them.
    expect_signed({"GET",
                   "/",
                   {{"prefix", "J"}, {"max-keys", "2"}},
                   {{"Host", "examplebucket.s3.amazonaws.com"}},
                   std::string(empty_sha256)},
                  "GET\n"
                  "/\n"
                  "max-keys=2&prefix=J\n"
                  "host:examplebucket.s3.amazonaws.com\n"
                  "x-amz-content-sha256:"
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                  "x-amz-date:20130524T000000Z\n"
                  "\n"
                  "host;x-amz-content-sha256;x-amz-date\n"
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                  "AWS4-HMAC-SHA256\n"
                  "20130524T000000Z\n"
                  "20130524/us-east-1/s3/aws4_request\n"
                  "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
                  "AWS4-HMAC-SHA256 "
                  "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                  "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                  "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

std::string canonical_uri(std::string path, PathRules rules) {
    SigningRequest request{"GET", std::move(path), {}, {{"Host", "h"}}, "UNSIGNED-PAYLOAD"};
    std::string canonical = canonical_request(request, rules);
    return std::string(split(canonical, '\n')[1]);
}

TEST(SigV4Path, S3KeepsEmptyAndDotSegmentsAndEncodesEachSegmentOnce) {
    EXPECT_EQ(canonical_uri("/bucket/a//b/../c", PathRules::s3), "/bucket/a//b/../c");
    EXPECT_EQ(canonical_uri("/bucket/my%20file", PathRules::s3), "/bucket/my%20file");
    EXPECT_EQ(canonical_uri("/bucket/my file", PathRules::s3), "/bucket/my%20file");
    EXPECT_EQ(canonical_uri("/bucket/a%2Fb", PathRules::s3), "/bucket/a%2Fb");
    EXPECT_EQ(canonical_uri("//key-starting-with-a-slash", PathRules::s3),
              "//key-starting-with-a-slash");
    EXPECT_EQ(canonical_uri("", PathRules::s3), "/");
}

TEST(SigV4Path, OtherServicesNormalizeAndEncodeTheWirePathAgain) {
    auto generic = PathRules::normalized_double_encoded;
    EXPECT_EQ(canonical_uri("/a/b/../c/./d", generic), "/a/c/d");
    EXPECT_EQ(canonical_uri("/a/b/..", generic), "/a/");
    EXPECT_EQ(canonical_uri("/../..", generic), "/");
    EXPECT_EQ(canonical_uri("/my%20file", generic), "/my%2520file");
    EXPECT_EQ(canonical_uri("", generic), "/");
}

TEST(SigV4Encoding, KeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(uri_encode("AZaz09-_.~", true), "AZaz09-_.~");
    EXPECT_EQ(uri_encode("a b+c*d/e=\xc3\xa9", true), "a%20b%2Bc%2Ad%2Fe%3D%C3%A9");
    EXPECT_EQ(uri_encode("a/b c", false), "a/b%20c");
}

TEST(SigV4Crypto, MatchesPublishedDigests) {
    EXPECT_EQ(hex_sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // RFC 4231, test case 2.
    std::string mac = hmac_sha256("Jefe", "what do ya want for nothing?");
    std::string hex;
    for (unsigned char byte : mac) {
        static constexpr char digits[] = "0123456789abcdef";
        hex += digits[byte >> 4];
        hex += digits[byte & 0x0F];
    }
    EXPECT_EQ(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SigV4Date, FormatsUtcBasicIso8601) {
    EXPECT_EQ(amz_date(sys_days{2015y / August / 30} + 12h + 36min + 999ms), "20150830T123600Z");
    EXPECT_EQ(amz_date(sys_days{2000y / February / 29} + 23h + 59min + 59s), "20000229T235959Z");
}

}  // namespace
}  // namespace clients::aws

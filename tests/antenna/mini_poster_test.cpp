// The encoder matches Antenna's mini_poster byte counts (spec Part 2 §11.3).
#include "antenna/mini_poster.h"

#include <gtest/gtest.h>

namespace antenna {
namespace {

const std::string kBoundary(32, 'b');

CrashPayload with_dump(std::map<std::string, std::string> annotations) {
    CrashPayload payload;
    payload.annotations = std::move(annotations);
    payload.dumps.push_back({"upload_file_minidump", "fakecrash.dump", "abcd1234"});
    return payload;
}

TEST(MiniPoster, ReferenceSizes) {
    EXPECT_EQ(
        multipart_encode(with_dump({{"ProductName", "Firefox"}, {"Version", "1.0"}}), kBoundary)
            .body.size(),
        486u);
    EXPECT_EQ(multipart_encode(with_dump({{"ProductName", "Test"}, {"Version", "1.0"}}), kBoundary)
                  .body.size(),
              483u);
    EXPECT_EQ(multipart_encode(with_dump({{"ProductName", "Firefox"},
                                          {"ReleaseChannel", "nightly"},
                                          {"Version", "60.0a1"}}),
                               kBoundary)
                  .body.size(),
              632u);
    CrashPayload json = with_dump({});
    json.extra_json = R"({"ProductName":"Firefox","Version":"1.0"})";
    EXPECT_EQ(multipart_encode(json, kBoundary).body.size(), 396u);
    CrashPayload plain;
    plain.annotations = {{"ProductName", "Firefox"}, {"Version", "1"}};
    EXPECT_EQ(multipart_encode(plain, kBoundary).body.size(), 308u);
}

TEST(MiniPoster, ExactEncoding) {
    CrashPayload payload;
    payload.annotations = {{"b", "2"}, {"a", "1"}};
    auto encoded = multipart_encode(payload, "B", "multipart/mixed");
    EXPECT_EQ(encoded.content_type, "multipart/mixed; boundary=B");
    EXPECT_EQ(encoded.body,
              "--B\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain; "
              "charset=utf-8\r\n\r\n1\r\n--B\r\nContent-Disposition: form-data; "
              "name=\"b\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n2\r\n--B--\r\n");
}

TEST(MiniPoster, RandomBoundaryIs32HexCharacters) {
    auto encoded = multipart_encode(with_dump({{"ProductName", "x"}}));
    std::string boundary = encoded.content_type.substr(encoded.content_type.find('=') + 1);
    EXPECT_EQ(boundary.size(), 32u);
    EXPECT_EQ(boundary.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace antenna

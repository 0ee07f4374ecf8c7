#include "antenna/gzip_decoder.h"

#include <gtest/gtest.h>

#include "antenna/mini_poster.h"

namespace antenna {
namespace {

struct Decoded {
    GzipDecoder::Status status;
    std::string output;
};

Decoded decode(const std::string& input, std::uint64_t cap = 1 << 30, std::size_t chunk = 7) {
    GzipDecoder decoder(cap);
    Decoded result{GzipDecoder::Status::more, {}};
    for (std::size_t i = 0; i < input.size(); i += chunk) {
        result.status = decoder.feed(std::string_view(input).substr(i, chunk), [&](auto data) {
            result.output += data;
            return true;
        });
    }
    if (result.status == GzipDecoder::Status::more || result.status == GzipDecoder::Status::done) {
        result.status = decoder.finish();
    }
    return result;
}

TEST(GzipDecoder, InflatesInPieces) {
    std::string data;
    for (int i = 0; i < 300000; ++i) {
        data += std::to_string(i % 977);
    }
    Decoded result = decode(gzip_compress(data));
    EXPECT_EQ(result.status, GzipDecoder::Status::done);
    EXPECT_EQ(result.output, data);
}

TEST(GzipDecoder, BytesAfterTheFirstMemberAreIgnored) {
    Decoded result = decode(gzip_compress("first") + gzip_compress("second") + "junk");
    EXPECT_EQ(result.status, GzipDecoder::Status::done);
    EXPECT_EQ(result.output, "first");
}

TEST(GzipDecoder, PlainDataIsCorrupt) {
    EXPECT_EQ(decode("--boundary\r\nnot gzip at all").status, GzipDecoder::Status::corrupt);
}

TEST(GzipDecoder, TruncatedStreamIsCorrupt) {
    std::string compressed = gzip_compress(std::string(10000, 'x') + "tail");
    compressed.resize(compressed.size() - 6);
    EXPECT_EQ(decode(compressed).status, GzipDecoder::Status::corrupt);
}

TEST(GzipDecoder, OutputBeyondTheCapIsRefused) {
    std::string bomb = gzip_compress(std::string(5 * 1024 * 1024, '\0'));
    EXPECT_LT(bomb.size(), 10000u);
    Decoded result = decode(bomb, 1024 * 1024, 4096);
    EXPECT_EQ(result.status, GzipDecoder::Status::too_large);
    EXPECT_LE(result.output.size(), 1024u * 1024u);
}

}  // namespace
}  // namespace antenna

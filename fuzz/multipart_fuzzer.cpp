// libFuzzer target for the untrusted path of POST /submit: optional gunzip, the multipart
// parser, and the extractor that classifies parts, decodes charsets, parses JSON and streams
// dumps to files. The first input byte chooses gzip and the feed size, so that the parser sees
// the same bytes split in many ways.
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <unistd.h>

#include "antenna/gzip_decoder.h"
#include "antenna/multipart/multipart_parser.h"
#include "antenna/payload_extractor.h"
#include "core/observability/log.h"

namespace {

std::filesystem::path incoming_dir() {
    static const std::filesystem::path dir = [] {
        auto path = std::filesystem::temp_directory_path() /
                    ("multipart-fuzzer-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path);
        return path;
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    static core::LogSink sink({.logger = "fuzz",
                               .hostname = "fuzz",
                               .level = core::Severity::critical,
                               .human = false,
                               .fd = 2});
    bool gzipped = data[0] & 1;
    std::size_t feed_size = 1 + (data[0] >> 1);
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

    antenna::PayloadExtractor extractor({.incoming_dir = incoming_dir(),
                                         .max_parts = 50,
                                         .max_text_part_bytes = 4096,
                                         .max_json_part_bytes = 4096},
                                        core::Logger(sink, "fuzz"));
    antenna::MultipartParser parser("BOUNDARY", extractor);
    antenna::GzipDecoder decoder(1 << 20);
    bool parsing = true;
    for (std::size_t i = 0; i < input.size() && parsing; i += feed_size) {
        std::string_view piece = input.substr(i, feed_size);
        if (gzipped) {
            auto status = decoder.feed(piece, [&](std::string_view out) {
                parsing = parser.feed(out);
                return parsing;
            });
            parsing = parsing && (status == antenna::GzipDecoder::Status::more);
        } else {
            parsing = parser.feed(piece);
        }
    }
    if (parser.finish() && extractor.malformed() == antenna::Malformed::none) {
        extractor.finish();
    }
    return 0;
}

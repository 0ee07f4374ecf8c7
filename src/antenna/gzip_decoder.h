#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include <zlib.h>

namespace antenna {

// Streaming gunzip of a request body, like Antenna's zlib.decompress(body, 16 + MAX_WBITS):
// only the first gzip member is decoded and bytes after it are ignored; a truncated or corrupt
// stream is an error. Unlike Antenna, the decompressed size is capped (zip bombs).
class GzipDecoder {
public:
    enum class Status { more, done, corrupt, too_large, stopped };
    using Sink = std::function<bool(std::string_view)>;  // false stops decoding

    explicit GzipDecoder(std::uint64_t max_output);
    ~GzipDecoder();
    GzipDecoder(const GzipDecoder&) = delete;
    GzipDecoder& operator=(const GzipDecoder&) = delete;

    // Inflates the next input bytes, handing the output to `sink` in pieces.
    Status feed(std::string_view input, const Sink& sink);
    // The input has ended: done if the member was complete, else corrupt.
    Status finish() const { return status_ == Status::more ? Status::corrupt : status_; }
    std::uint64_t output_bytes() const { return output_; }

private:
    z_stream stream_{};
    std::uint64_t max_output_;
    std::uint64_t output_ = 0;
    Status status_ = Status::more;
};

}  // namespace antenna

#include "antenna/gzip_decoder.h"

#include <array>
#include <stdexcept>

namespace antenna {

GzipDecoder::GzipDecoder(std::uint64_t max_output) : max_output_(max_output) {
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) {
        throw std::runtime_error("zlib inflateInit2 failed");
    }
}

GzipDecoder::~GzipDecoder() {
    inflateEnd(&stream_);
}

GzipDecoder::Status GzipDecoder::feed(std::string_view input, const Sink& sink) {
    std::array<unsigned char, 64 * 1024> out;
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream_.avail_in = static_cast<uInt>(input.size());
    while (status_ == Status::more) {
        stream_.next_out = out.data();
        stream_.avail_out = static_cast<uInt>(out.size());
        int rc = inflate(&stream_, Z_NO_FLUSH);
        if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
            status_ = Status::corrupt;
            break;
        }
        std::size_t produced = out.size() - stream_.avail_out;
        output_ += produced;
        if (output_ > max_output_) {
            status_ = Status::too_large;
            break;
        }
        if (produced > 0 &&
            !sink(std::string_view(reinterpret_cast<const char*>(out.data()), produced))) {
            status_ = Status::stopped;
            break;
        }
        if (rc == Z_STREAM_END) {
            status_ = Status::done;  // a second member or trailing bytes are ignored
            break;
        }
        // All input consumed and the output buffer not filled: zlib holds nothing more.
        if ((stream_.avail_in == 0 && stream_.avail_out != 0) || rc == Z_BUF_ERROR) {
            break;
        }
    }
    return status_;
}

}  // namespace antenna

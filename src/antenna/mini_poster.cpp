#include "antenna/mini_poster.h"

#include <stdexcept>

#include <openssl/rand.h>
#include <zlib.h>

namespace antenna {
namespace {

std::string random_boundary() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
    }
    return out;
}

}  // namespace

EncodedPayload multipart_encode(const CrashPayload& payload, std::string boundary,
                                const std::string& mimetype) {
    if (boundary.empty()) {
        boundary = random_boundary();
    }
    struct Field {
        std::string headers;
        const std::string* value;
    };
    std::map<std::string, Field> fields;
    for (const auto& [name, value] : payload.annotations) {
        fields[name] = {"Content-Disposition: form-data; name=\"" + name +
                            "\"\r\nContent-Type: text/plain; charset=utf-8",
                        &value};
    }
    if (!payload.extra_json.empty()) {
        fields["extra"] = {
            "Content-Disposition: form-data; name=\"extra\"; filename=\"extra.json\"\r\n"
            "Content-Type: application/json",
            &payload.extra_json};
    }
    for (const auto& dump : payload.dumps) {
        fields[dump.name] = {"Content-Disposition: form-data; name=\"" + dump.name +
                                 "\"; filename=\"" + dump.filename +
                                 "\"\r\nContent-Type: application/octet-stream",
                             &dump.content};
    }
    EncodedPayload encoded;
    for (const auto& [name, field] : fields) {
        encoded.body +=
            "--" + boundary + "\r\n" + field.headers + "\r\n\r\n" + *field.value + "\r\n";
    }
    encoded.body += "--" + boundary + "--\r\n";
    encoded.content_type = mimetype + "; boundary=" + boundary;
    return encoded;
}

std::string gzip_compress(const std::string& data) {
    z_stream stream{};
    if (deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::string out(deflateBound(&stream, data.size()), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (rc != Z_STREAM_END) {
        throw std::runtime_error("deflate failed");
    }
    return out;
}

}  // namespace antenna

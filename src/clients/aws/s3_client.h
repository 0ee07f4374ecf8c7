#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "clients/aws/sigv4.h"
#include "clients/http/client.h"

namespace clients::aws {

struct S3Options {
    // "https://s3.<region>.amazonaws.com" when empty; any S3-compatible server otherwise.
    std::string endpoint_url = {};
    std::string region = "us-west-2";
    std::string bucket = {};
    // Path style (https://endpoint/bucket/key, Antenna's choice: bucket names may hold dots)
    // or virtual-hosted style (https://bucket.endpoint/key).
    bool virtual_hosted = false;
    Credentials credentials = {};
    // Objects larger than this go up in parts of multipart_part_bytes (S3's least is 5 MiB).
    std::uint64_t multipart_threshold_bytes = 8 << 20;
    std::uint64_t multipart_part_bytes = 8 << 20;
    http::ClientOptions http = {};
};

// What S3 answered, or why it did not.
struct S3Result {
    unsigned status = 0;     // 0 when no answer came (connection, timeout, TLS)
    std::string code = {};   // S3's error code ("NoSuchBucket", "SignatureDoesNotMatch", ...)
    std::string error = {};  // for logs: what was asked, and the code and message
    std::string etag = {};

    bool ok() const { return error.empty(); }
};

// The few S3 calls crash storage needs, signed with Signature Version 4 and sent through our
// HTTP client. Every call can be co_awaited from any event loop.
class S3Client {
public:
    // Throws std::invalid_argument for an endpoint that is not an http(s) URL, and
    // std::runtime_error when the CA file cannot be loaded.
    explicit S3Client(S3Options options);

    const S3Options& options() const { return options_; }
    // "https://endpoint/bucket" or "https://bucket.endpoint", for logs.
    std::string bucket_url() const;

    // Coroutines here take references: pass named objects, which outlive the co_await (GCC 12
    // copies class temporaries of a co_await expression bitwise, breaking short strings).
    boost::asio::awaitable<S3Result> put_object(const std::string& key, const std::string& bytes);
    // Uploads `size` bytes of `file` whose SHA-256 is `sha256` (lowercase hex), in parts when
    // larger than the threshold; the file is read while it is sent.
    boost::asio::awaitable<S3Result> put_file(const std::string& key,
                                              const std::filesystem::path& file, std::uint64_t size,
                                              const std::string& sha256);
    boost::asio::awaitable<S3Result> head_bucket();

    // For tests: the clock used for signing.
    void set_clock(std::function<std::chrono::system_clock::time_point()> clock) {
        clock_ = std::move(clock);
    }

private:
    struct Call {
        boost::beast::http::verb method;
        std::string key;  // "" for the bucket itself
        std::vector<std::pair<std::string, std::string>> query;
        http::Body body;
        std::string sha256;
    };
    struct Answer {
        S3Result result;
        std::string body;
    };
    boost::asio::awaitable<Answer> call(const Call& call);
    boost::asio::awaitable<S3Result> put_in_parts(const std::string& key,
                                                  const std::filesystem::path& file,
                                                  std::uint64_t size);

    S3Options options_;
    http::Origin origin_;
    std::function<std::chrono::system_clock::time_point()> clock_;
    std::unique_ptr<http::Client> client_;
};

// Lowercase hex SHA-256 of `length` bytes of `file` from `offset`; throws on read errors.
std::string file_region_sha256(const std::filesystem::path& file, std::uint64_t offset,
                               std::uint64_t length);

}  // namespace clients::aws

#include "clients/aws/s3_client.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

#include <openssl/evp.h>

#include "clients/aws/s3_xml.h"

namespace clients::aws {

namespace bhttp = boost::beast::http;

namespace {

const std::string kEmptySha256 = hex_sha256("");

std::string query_string(const std::vector<std::pair<std::string, std::string>>& query) {
    std::string text;
    for (const auto& [name, value] : query) {
        text += text.empty() ? "?" : "&";
        text += uri_encode(name, true);
        if (!value.empty()) {
            text += "=" + uri_encode(value, true);
        }
    }
    return text;
}

}  // namespace

std::string file_region_sha256(const std::filesystem::path& file, std::uint64_t offset,
                               std::uint64_t length) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    EVP_MD_CTX_free);
    EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
    std::vector<char> chunk(256 << 10);
    while (length > 0) {
        ssize_t got = ::pread(fd, chunk.data(), std::min<std::uint64_t>(length, chunk.size()),
                              static_cast<off_t>(offset));
        if (got <= 0) {
            int error = errno;
            ::close(fd);
            throw std::runtime_error(
                "cannot read " + file.string() + ": " +
                (got == 0 ? "the file is shorter than expected" : std::strerror(error)));
        }
        EVP_DigestUpdate(context.get(), chunk.data(), static_cast<std::size_t>(got));
        offset += static_cast<std::uint64_t>(got);
        length -= static_cast<std::uint64_t>(got);
    }
    ::close(fd);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    EVP_DigestFinal_ex(context.get(), digest, &digest_size);
    return to_hex(digest, digest_size);
}

S3Client::S3Client(S3Options options)
    : options_(std::move(options)), clock_([] { return std::chrono::system_clock::now(); }) {
    std::string endpoint = options_.endpoint_url.empty()
                               ? "https://s3." + options_.region + ".amazonaws.com"
                               : options_.endpoint_url;
    std::string error;
    auto url = http::parse_url(endpoint, error);
    if (!url) {
        throw std::invalid_argument("the endpoint URL " + endpoint + " is invalid: " + error);
    }
    if (!url->path.empty() && url->path != "/") {
        throw std::invalid_argument("the endpoint URL " + endpoint +
                                    " must not have a path (the bucket has its own setting)");
    }
    origin_ = url->origin;
    if (options_.virtual_hosted) {
        origin_.host = options_.bucket + "." + origin_.host;
    }
    client_ = std::make_unique<http::Client>(options_.http);
}

std::string S3Client::bucket_url() const {
    return options_.virtual_hosted ? origin_.url() : origin_.url() + "/" + options_.bucket;
}

boost::asio::awaitable<S3Client::Answer> S3Client::call(const Call& call) {
    std::string path = options_.virtual_hosted ? "" : "/" + options_.bucket;
    if (!call.key.empty() || path.empty()) {
        path += "/" + uri_encode(call.key, false);
    }
    SigningRequest signing{
        .method = std::string(bhttp::to_string(call.method)),
        .path = path,
        .query = call.query,
        .headers = {{"Host", origin_.authority()}},
        .payload_sha256 = call.sha256,
    };
    http::Request request{.method = call.method,
                          .target = path + query_string(call.query),
                          .headers = {},
                          .body = call.body};
    SigningScope scope{.region = options_.region, .service = "s3", .time = clock_()};
    for (auto& header : sign(signing, options_.credentials, scope, SigningOptions::for_s3())) {
        request.headers.push_back(std::move(header));
    }

    std::string what = std::string(bhttp::to_string(call.method)) + " " + bucket_url() +
                       (call.key.empty() ? "" : "/" + call.key);
    http::Result sent = co_await client_->send(origin_, request);
    Answer answer;
    if (!sent.ok()) {
        answer.result.error = what + ": " + sent.error;
        co_return answer;
    }
    http::Response& response = *sent.response;
    answer.result.status = response.status;
    answer.result.etag = response.header("ETag");
    // CompleteMultipartUpload can fail after its 200 has been sent: the error is in the body.
    std::optional<S3Error> failure = parse_s3_error(response.body);
    if (response.status / 100 != 2 || failure) {
        answer.result.code = failure ? failure->code : "";
        answer.result.error = what + ": " + std::to_string(response.status);
        if (failure) {
            answer.result.error += " " + failure->code;
            if (!failure->message.empty()) {
                answer.result.error += " (" + failure->message + ")";
            }
        } else if (response.status == 404 && call.key.empty()) {
            answer.result.code = "NoSuchBucket";
            answer.result.error += " NoSuchBucket";
        } else if (response.status / 100 == 2) {
            answer.result.error += " with an error document";
        }
    }
    answer.body = std::move(response.body);
    co_return answer;
}

boost::asio::awaitable<S3Result> S3Client::put_object(const std::string& key,
                                                      const std::string& bytes) {
    Call put{.method = bhttp::verb::put,
             .key = key,
             .query = {},
             .body = http::Body::text(bytes),
             .sha256 = hex_sha256(bytes)};
    Answer answer = co_await call(put);
    co_return answer.result;
}

boost::asio::awaitable<S3Result> S3Client::put_file(const std::string& key,
                                                    const std::filesystem::path& file,
                                                    std::uint64_t size, const std::string& sha256) {
    if (size > options_.multipart_threshold_bytes) {
        S3Result result = co_await put_in_parts(key, file, size);
        co_return result;
    }
    Call put{.method = bhttp::verb::put,
             .key = key,
             .query = {},
             .body = http::Body::file_region(file, 0, size),
             .sha256 = sha256};
    Answer answer = co_await call(put);
    co_return answer.result;
}

boost::asio::awaitable<S3Result> S3Client::head_bucket() {
    Call head{
        .method = bhttp::verb::head, .key = "", .query = {}, .body = {}, .sha256 = kEmptySha256};
    Answer answer = co_await call(head);
    co_return answer.result;
}

boost::asio::awaitable<S3Result> S3Client::put_in_parts(const std::string& key,
                                                        const std::filesystem::path& file,
                                                        std::uint64_t size) {
    Call create{.method = bhttp::verb::post,
                .key = key,
                .query = {{"uploads", ""}},
                .body = {},
                .sha256 = kEmptySha256};
    Answer created = co_await call(create);
    if (!created.result.ok()) {
        co_return created.result;
    }
    std::optional<std::string> upload_id = parse_upload_id(created.body);
    if (!upload_id) {
        created.result.error = "POST " + bucket_url() + "/" + key + "?uploads: no UploadId";
        co_return created.result;
    }

    S3Result failure;
    std::vector<CompletedPart> parts;
    std::uint64_t part_bytes = std::max<std::uint64_t>(options_.multipart_part_bytes, 5 << 20);
    for (std::uint64_t offset = 0; offset < size && failure.ok(); offset += part_bytes) {
        std::uint64_t length = std::min(part_bytes, size - offset);
        int number = static_cast<int>(parts.size()) + 1;
        Call upload{.method = bhttp::verb::put,
                    .key = key,
                    .query = {{"partNumber", std::to_string(number)}, {"uploadId", *upload_id}},
                    .body = http::Body::file_region(file, offset, length),
                    .sha256 = ""};
        try {
            upload.sha256 = file_region_sha256(file, offset, length);
        } catch (const std::exception& e) {
            failure.error = e.what();
            break;
        }
        Answer uploaded = co_await call(upload);
        if (!uploaded.result.ok()) {
            failure = uploaded.result;
        } else {
            parts.push_back({number, uploaded.result.etag});
        }
    }
    if (failure.ok()) {
        Call complete{.method = bhttp::verb::post,
                      .key = key,
                      .query = {{"uploadId", *upload_id}},
                      .body = http::Body::text(complete_multipart_upload_body(parts)),
                      .sha256 = ""};
        complete.sha256 = hex_sha256(complete.body.bytes);
        Answer completed = co_await call(complete);
        if (completed.result.ok()) {
            co_return completed.result;
        }
        failure = completed.result;
    }
    // Parts of an abandoned upload are billed until aborted; a failed abort is left to the
    // bucket's lifecycle rules (AbortIncompleteMultipartUpload).
    Call abort{.method = bhttp::verb::delete_,
               .key = key,
               .query = {{"uploadId", *upload_id}},
               .body = {},
               .sha256 = kEmptySha256};
    Answer aborted = co_await call(abort);
    if (!aborted.result.ok()) {
        failure.error += "; aborting the upload failed too: " + aborted.result.error;
    }
    co_return failure;
}

}  // namespace clients::aws

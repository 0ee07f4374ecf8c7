#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// AWS Signature Version 4 for requests authenticated with the Authorization header.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
namespace clients::aws {

using Header = std::pair<std::string, std::string>;

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // empty for long-term credentials
};

struct SigningRequest {
    std::string method;
    // The path as sent on the wire, without the query.
    std::string path;
    // Decoded name/value pairs; a bare `?lifecycle` is {"lifecycle", ""}.
    std::vector<std::pair<std::string, std::string>> query;
    // Every header here is signed, so leave out the ones a proxy may rewrite; Host is required.
    std::vector<Header> headers;
    // Lowercase hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" (S3 only).
    std::string payload_sha256;
};

struct SigningScope {
    std::string region;
    std::string service;
    std::chrono::system_clock::time_point time;
};

// The two ways AWS turns a path into the canonical URI.
enum class PathRules {
    // Every service but S3: dot segments and empty segments removed (RFC 3986 section 5.2.4),
    // then the wire path is URI-encoded a second time.
    normalized_double_encoded,
    // S3: object keys may hold "//" or "..", so the path is kept as is and each segment is
    // encoded once, whether or not the client had already escaped it on the wire.
    s3,
};

struct SigningOptions {
    PathRules path_rules = PathRules::normalized_double_encoded;
    // S3 wants the payload hash repeated in the signed x-amz-content-sha256 header.
    bool add_content_sha256_header = false;

    static SigningOptions for_s3() { return {PathRules::s3, true}; }
};

// Percent-encodes every byte but A-Z a-z 0-9 - _ . ~ (and '/' unless encode_slash), as %XX
// with uppercase hex; unlike most URL encoders, a space is never '+'.
std::string uri_encode(std::string_view text, bool encode_slash);

// Lowercase hex of `size` bytes.
std::string to_hex(const unsigned char* bytes, std::size_t size);

// Lowercase hex of SHA-256(data).
std::string hex_sha256(std::string_view data);

// Raw 32-byte HMAC-SHA256(key, data).
std::string hmac_sha256(std::string_view key, std::string_view data);

// "20130524T000000Z": the X-Amz-Date form of `time`, in UTC.
std::string amz_date(std::chrono::system_clock::time_point time);

std::string canonical_request(const SigningRequest& request, PathRules path_rules);

std::string string_to_sign(std::string_view canonical_request, const SigningScope& scope);

// Lowercase hex signature of `string_to_sign` with the key derived for `scope`.
std::string signature(std::string_view string_to_sign, std::string_view secret_access_key,
                      const SigningScope& scope);

// The headers to add to `request` before sending it: X-Amz-Date, X-Amz-Security-Token when the
// credentials carry a session token, x-amz-content-sha256 when the options ask for it, and the
// Authorization header that signs all of them along with the request's own headers.
// `request.headers` must not already hold any of these.
std::vector<Header> sign(SigningRequest request, const Credentials& credentials,
                         const SigningScope& scope, const SigningOptions& options);

}  // namespace clients::aws

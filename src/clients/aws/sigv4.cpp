#include "clients/aws/sigv4.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace clients::aws {
namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

// A '%' not followed by two hex digits stays as it is: S3 then encodes it as %25.
std::string percent_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            decoded += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            decoded += text[i];
        }
    }
    return decoded;
}

std::vector<std::string_view> split_segments(std::string_view path) {
    std::vector<std::string_view> segments;
    std::size_t start = 0;
    while (true) {
        std::size_t end = path.find('/', start);
        segments.push_back(path.substr(start, end - start));
        if (end == std::string_view::npos) {
            return segments;
        }
        start = end + 1;
    }
}

// RFC 3986 remove_dot_segments, plus the collapsing of empty segments that AWS also expects
// ("//example//" signs as "/example/"). The result always starts with '/'.
std::string normalize_path(std::string_view path) {
    std::vector<std::string_view> kept;
    std::string_view last;
    for (std::string_view segment : split_segments(path)) {
        last = segment;
        if (segment == "..") {
            if (!kept.empty()) {
                kept.pop_back();
            }
        } else if (!segment.empty() && segment != ".") {
            kept.push_back(segment);
        }
    }
    std::string normalized;
    for (std::string_view segment : kept) {
        normalized += '/';
        normalized += segment;
    }
    // A path ending in "/", "/." or "/.." names a directory: keep its trailing slash.
    bool names_directory = last.empty() || last == "." || last == "..";
    if (normalized.empty() || names_directory) {
        normalized += '/';
    }
    return normalized;
}

std::string s3_canonical_uri(std::string_view path) {
    std::string uri;
    bool first = true;
    for (std::string_view segment : split_segments(path)) {
        if (!first) {
            uri += '/';
        }
        first = false;
        uri += uri_encode(percent_decode(segment), true);
    }
    if (uri.empty() || uri.front() != '/') {
        uri.insert(uri.begin(), '/');
    }
    return uri;
}

std::string canonical_uri(std::string_view path, PathRules rules) {
    if (rules == PathRules::s3) {
        return s3_canonical_uri(path);
    }
    return uri_encode(normalize_path(path), false);
}

std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query) {
    std::vector<std::pair<std::string, std::string>> encoded;
    encoded.reserve(query.size());
    for (const auto& [name, value] : query) {
        encoded.emplace_back(uri_encode(name, true), uri_encode(value, true));
    }
    std::sort(encoded.begin(), encoded.end());
    std::string canonical;
    for (const auto& [name, value] : encoded) {
        if (!canonical.empty()) {
            canonical += '&';
        }
        canonical += name + '=' + value;
    }
    return canonical;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

// Leading and trailing blanks dropped, every inner run of blanks turned into one space.
std::string trim_and_collapse(std::string_view value) {
    std::string result;
    bool pending_space = false;
    for (char c : value) {
        if (is_blank(c)) {
            pending_space = !result.empty();
        } else {
            if (pending_space) {
                result += ' ';
                pending_space = false;
            }
            result += c;
        }
    }
    return result;
}

std::string lowercase(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

// One entry per lowercase name, sorted, the values of a repeated header joined by ',' in the
// order they appear in the request.
std::vector<Header> canonical_headers(const std::vector<Header>& headers) {
    std::vector<Header> lowered;
    lowered.reserve(headers.size());
    for (const auto& [name, value] : headers) {
        lowered.emplace_back(lowercase(name), trim_and_collapse(value));
    }
    std::stable_sort(lowered.begin(), lowered.end(),
                     [](const Header& a, const Header& b) { return a.first < b.first; });
    std::vector<Header> merged;
    for (auto& [name, value] : lowered) {
        if (!merged.empty() && merged.back().first == name) {
            merged.back().second += ',' + value;
        } else {
            merged.emplace_back(std::move(name), std::move(value));
        }
    }
    return merged;
}

std::string signed_header_names(const std::vector<Header>& canonical) {
    std::string names;
    for (const auto& [name, value] : canonical) {
        if (!names.empty()) {
            names += ';';
        }
        names += name;
    }
    return names;
}

std::string credential_scope(const SigningScope& scope) {
    return amz_date(scope.time).substr(0, 8) + '/' + scope.region + '/' + scope.service +
           "/aws4_request";
}

}  // namespace

std::string to_hex(const unsigned char* bytes, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        hex += digits[bytes[i] >> 4];
        hex += digits[bytes[i] & 0x0F];
    }
    return hex;
}

std::string uri_encode(std::string_view text, bool encode_slash) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string encoded;
    encoded.reserve(text.size());
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                          (byte >= '0' && byte <= '9') || c == '-' || c == '_' || c == '.' ||
                          c == '~';
        if (unreserved || (c == '/' && !encode_slash)) {
            encoded += c;
        } else {
            encoded += '%';
            encoded += digits[byte >> 4];
            encoded += digits[byte & 0x0F];
        }
    }
    return encoded;
}

std::string hex_sha256(std::string_view data) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest;
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
    return to_hex(digest.data(), digest.size());
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
    unsigned int size = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(),
             &size) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return std::string(reinterpret_cast<const char*>(digest.data()), size);
}

std::string amz_date(std::chrono::system_clock::time_point time) {
    using namespace std::chrono;
    auto seconds = floor<std::chrono::seconds>(time);
    auto day = floor<days>(seconds);
    year_month_day date{day};
    hh_mm_ss clock{seconds - day};
    char text[64];
    std::snprintf(text, sizeof text, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(clock.hours().count()),
                  static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()));
    return text;
}

std::string canonical_request(const SigningRequest& request, PathRules path_rules) {
    std::vector<Header> headers = canonical_headers(request.headers);
    std::string canonical = request.method + '\n' + canonical_uri(request.path, path_rules) + '\n' +
                            canonical_query(request.query) + '\n';
    for (const auto& [name, value] : headers) {
        canonical += name + ':' + value + '\n';
    }
    canonical += '\n' + signed_header_names(headers) + '\n' + request.payload_sha256;
    return canonical;
}

std::string string_to_sign(std::string_view canonical_request, const SigningScope& scope) {
    return std::string(algorithm) + '\n' + amz_date(scope.time) + '\n' + credential_scope(scope) +
           '\n' + hex_sha256(canonical_request);
}

std::string signature(std::string_view string_to_sign, std::string_view secret_access_key,
                      const SigningScope& scope) {
    std::string key =
        hmac_sha256("AWS4" + std::string(secret_access_key), amz_date(scope.time).substr(0, 8));
    key = hmac_sha256(key, scope.region);
    key = hmac_sha256(key, scope.service);
    key = hmac_sha256(key, "aws4_request");
    std::string mac = hmac_sha256(key, string_to_sign);
    return to_hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

std::vector<Header> sign(SigningRequest request, const Credentials& credentials,
                         const SigningScope& scope, const SigningOptions& options) {
    std::vector<Header> added{{"X-Amz-Date", amz_date(scope.time)}};
    if (!credentials.session_token.empty()) {
        added.emplace_back("X-Amz-Security-Token", credentials.session_token);
    }
    if (options.add_content_sha256_header) {
        added.emplace_back("x-amz-content-sha256", request.payload_sha256);
    }
    request.headers.insert(request.headers.end(), added.begin(), added.end());

    std::string to_sign = string_to_sign(canonical_request(request, options.path_rules), scope);
    added.emplace_back(
        "Authorization",
        std::string(algorithm) + " Credential=" + credentials.access_key_id + '/' +
            credential_scope(scope) +
            ", SignedHeaders=" + signed_header_names(canonical_headers(request.headers)) +
            ", Signature=" + signature(to_sign, credentials.secret_access_key, scope));
    return added;
}

}  // namespace clients::aws

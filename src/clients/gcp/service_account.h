#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// Google service-account keys and the signed JWT they are exchanged for an access token with
// (https://developers.google.com/identity/protocols/oauth2/service-account, RFC 7523).
namespace clients::gcp {

struct ServiceAccountKey {
    std::string client_email = {};
    std::string private_key = {};  // PEM
    std::string private_key_id = {};
    std::string token_uri = "https://oauth2.googleapis.com/token";
};

// Reads the JSON key file Google issues (type "service_account"); nullopt with `error` set
// (one line, without key material) when it is not one.
std::optional<ServiceAccountKey> parse_service_account_key(std::string_view json,
                                                           std::string& error);

// The assertion: header {"typ":"JWT","alg":"RS256","kid":<key id>}, claims iss (the account),
// scope, aud (the token URI), iat and exp = iat + 1 hour, signed with RSASSA-PKCS1-v1_5 and
// SHA-256 (deterministic: the same key, scope and time give the same token). Throws
// std::runtime_error when the private key cannot be read.
std::string make_jwt_assertion(const ServiceAccountKey& key, std::string_view scope,
                               std::chrono::system_clock::time_point now);

}  // namespace clients::gcp

#include "clients/gcp/service_account.h"

#include <memory>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/text/base64.h"

namespace clients::gcp {

namespace json = boost::json;

std::optional<ServiceAccountKey> parse_service_account_key(std::string_view text,
                                                           std::string& error) {
    boost::system::error_code parse_error;
    json::value parsed = json::parse(text, parse_error);
    if (parse_error || !parsed.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    const json::object& object = parsed.as_object();
    auto field = [&](std::string_view name) -> std::string {
        const json::value* value = object.if_contains(name);
        return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
    };
    if (std::string type = field("type"); type != "service_account") {
        error = "the credentials' type is \"" + type + "\", not \"service_account\"";
        return std::nullopt;
    }
    ServiceAccountKey key{.client_email = field("client_email"),
                          .private_key = field("private_key"),
                          .private_key_id = field("private_key_id")};
    if (std::string token_uri = field("token_uri"); !token_uri.empty()) {
        key.token_uri = token_uri;
    }
    if (key.client_email.empty() || key.private_key.empty()) {
        error = "client_email or private_key is missing";
        return std::nullopt;
    }
    return key;
}

std::string make_jwt_assertion(const ServiceAccountKey& key, std::string_view scope,
                               std::chrono::system_clock::time_point now) {
    using core::Base64Alphabet;
    json::object header{{"typ", "JWT"}, {"alg", "RS256"}};
    if (!key.private_key_id.empty()) {
        header["kid"] = key.private_key_id;
    }
    auto issued = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    json::object claims{{"iat", issued},
                        {"exp", issued + 3600},
                        {"iss", key.client_email},
                        {"aud", key.token_uri},
                        {"scope", scope}};
    std::string signing_input =
        core::base64_encode(json::serialize(header), Base64Alphabet::url_unpadded) + "." +
        core::base64_encode(json::serialize(claims), Base64Alphabet::url_unpadded);

    std::unique_ptr<BIO, decltype(&BIO_free)> pem(
        BIO_new_mem_buf(key.private_key.data(), static_cast<int>(key.private_key.size())),
        BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> private_key(
        PEM_read_bio_PrivateKey(pem.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
    if (!private_key || EVP_PKEY_get_base_id(private_key.get()) != EVP_PKEY_RSA) {
        throw std::runtime_error("the service account's private_key is not an RSA key in PEM");
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    EVP_MD_CTX_free);
    std::size_t size = 0;
    if (EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, private_key.get()) != 1 ||
        EVP_DigestSign(context.get(), nullptr, &size,
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) != 1) {
        throw std::runtime_error("cannot sign with the service account's private_key");
    }
    std::string signature(size, '\0');
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) != 1) {
        throw std::runtime_error("cannot sign with the service account's private_key");
    }
    signature.resize(size);
    return signing_input + "." + core::base64_encode(signature, Base64Alphabet::url_unpadded);
}

}  // namespace clients::gcp

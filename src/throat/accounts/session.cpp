#include "throat/accounts/session.h"

#include <charconv>
#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/text/base64.h"

namespace throat::accounts {
namespace {

using core::Base64Alphabet;

constexpr std::string_view kVersion = "v1";
constexpr char kField = '|';

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::int64_t> to_int(std::string_view text) {
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        std::size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos) {
            return parts;
        }
        start = end + 1;
    }
}

}  // namespace

SessionCodec::SessionCodec(std::string secret) : secret_(std::move(secret)) {
    if (secret_.size() < 32) {
        throw std::invalid_argument("the secret key must be at least 32 bytes long");
    }
}

Session SessionCodec::anonymous(std::int64_t now) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        throw std::runtime_error("no random bytes for a session");
    }
    return Session{
        .nonce = core::base64_encode({reinterpret_cast<const char*>(bytes), sizeof bytes},
                                     Base64Alphabet::url_unpadded),
        .issued_at = now,
    };
}

Session SessionCodec::logged_in(std::string uid, std::int64_t resets, bool remember,
                                std::int64_t now) {
    Session session = anonymous(now);
    session.uid = std::move(uid);
    session.resets = resets;
    session.remember = remember;
    return session;
}

std::string SessionCodec::sign(std::string_view purpose, std::string_view data) const {
    std::string message = std::string(purpose) + '\0' + std::string(data);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
             &length) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return core::base64_encode({reinterpret_cast<const char*>(mac), length},
                               Base64Alphabet::url_unpadded);
}

std::string SessionCodec::encode(const Session& session) const {
    // The nonce is base64url and the uid a UUID or an identity provider's id: neither holds
    // the separator, which encode refuses rather than sign something decode would misread.
    if (session.nonce.find(kField) != std::string::npos ||
        session.uid.find(kField) != std::string::npos) {
        throw std::invalid_argument("a session field holds '|'");
    }
    std::string payload =
        session.nonce + kField + session.uid + kField + std::to_string(session.resets) + kField +
        std::to_string(session.issued_at) + kField + (session.remember ? "1" : "0");
    std::string data =
        std::string(kVersion) + "." + core::base64_encode(payload, Base64Alphabet::url_unpadded);
    return data + "." + sign("session", data);
}

std::optional<Session> SessionCodec::decode(std::string_view cookie, std::int64_t now,
                                            std::int64_t max_age_seconds) const {
    std::size_t last_dot = cookie.rfind('.');
    if (last_dot == std::string_view::npos || !cookie.starts_with(std::string(kVersion) + ".")) {
        return std::nullopt;
    }
    std::string_view data = cookie.substr(0, last_dot);
    if (!constant_time_equal(sign("session", data), cookie.substr(last_dot + 1))) {
        return std::nullopt;
    }
    auto payload =
        core::base64_decode(data.substr(kVersion.size() + 1), Base64Alphabet::url_unpadded);
    if (!payload) {
        return std::nullopt;
    }
    auto fields = split(*payload, kField);
    if (fields.size() != 5 || fields[0].empty() || (fields[4] != "0" && fields[4] != "1")) {
        return std::nullopt;
    }
    auto resets = to_int(fields[2]);
    auto issued_at = to_int(fields[3]);
    // A minute of leeway for the clocks of several forum machines.
    if (!resets || !issued_at || *issued_at > now + 60 || now - *issued_at > max_age_seconds) {
        return std::nullopt;
    }
    return Session{
        .nonce = std::string(fields[0]),
        .uid = std::string(fields[1]),
        .resets = *resets,
        .issued_at = *issued_at,
        .remember = fields[4] == "1",
    };
}

std::string SessionCodec::csrf_token(const Session& session) const {
    return sign("csrf", session.nonce);
}

bool SessionCodec::csrf_valid(const Session& session, std::string_view token) const {
    return !session.nonce.empty() && constant_time_equal(csrf_token(session), token);
}

}  // namespace throat::accounts

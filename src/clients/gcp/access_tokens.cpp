#include "clients/gcp/access_tokens.h"

#include <stdexcept>

#include <boost/json/parse.hpp>

#include "clients/aws/sigv4.h"

namespace clients::gcp {

namespace {

namespace json = boost::json;

// The token answer of both the OAuth endpoint and the metadata server:
// {"access_token": "...", "expires_in": 3599, "token_type": "Bearer"}.
AccessToken parse_token_answer(const http::Result& sent, const std::string& what,
                               std::chrono::system_clock::time_point now) {
    AccessToken token;
    if (!sent.ok()) {
        token.error = what + ": " + sent.error;
        return token;
    }
    const http::Response& response = *sent.response;
    boost::system::error_code parse_error;
    json::value parsed = json::parse(response.body, parse_error);
    const json::object* object = parse_error ? nullptr : parsed.if_object();
    auto field = [&](std::string_view name) -> const json::value* {
        return object != nullptr ? object->if_contains(name) : nullptr;
    };
    if (response.status != 200) {
        token.error = what + ": " + std::to_string(response.status);
        // OAuth errors: {"error": "invalid_grant", "error_description": "..."}.
        if (const json::value* error = field("error"); error != nullptr && error->is_string()) {
            token.error += " " + std::string(error->as_string());
        }
        if (const json::value* description = field("error_description");
            description != nullptr && description->is_string()) {
            token.error += ": " + std::string(description->as_string());
        }
        return token;
    }
    const json::value* access_token = field("access_token");
    const json::value* expires_in = field("expires_in");
    if (access_token == nullptr || !access_token->is_string() ||
        access_token->as_string().empty() || expires_in == nullptr || !expires_in->is_number()) {
        token.error = what + ": the answer has no access_token and expires_in";
        return token;
    }
    token.token = access_token->as_string();
    auto lifetime = static_cast<long long>(expires_in->to_number<double>());
    token.expires = now + std::chrono::seconds(lifetime);
    return token;
}

class ServiceAccountTokens final : public AccessTokenSource {
public:
    ServiceAccountTokens(ServiceAccountKey key, std::string scope, http::Client& client,
                         Clock clock)
        : key_(std::move(key)),
          scope_(std::move(scope)),
          client_(client),
          clock_(std::move(clock)) {
        std::string error;
        auto url = http::parse_url(key_.token_uri, error);
        if (!url) {
            throw std::invalid_argument("the service account's token_uri " + key_.token_uri +
                                        " is invalid: " + error);
        }
        origin_ = url->origin;
        target_ = url->path.empty() ? "/" : url->path;
    }

    boost::asio::awaitable<AccessToken> fetch() override {
        auto now = clock_();
        std::string form =
            "grant_type=" + aws::uri_encode("urn:ietf:params:oauth:grant-type:jwt-bearer", true) +
            "&assertion=" + make_jwt_assertion(key_, scope_, now);
        http::Request request{
            .method = boost::beast::http::verb::post,
            .target = target_,
            .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
            .body = http::Body::text(std::move(form)),
        };
        http::Result sent = co_await client_.send(origin_, request);
        co_return parse_token_answer(sent, "access token from " + key_.token_uri, now);
    }

private:
    ServiceAccountKey key_;
    std::string scope_;
    http::Client& client_;
    Clock clock_;
    http::Origin origin_;
    std::string target_;
};

class MetadataServerTokens final : public AccessTokenSource {
public:
    MetadataServerTokens(const std::string& host, http::Client& client, Clock clock)
        : client_(client), clock_(std::move(clock)) {
        std::string error;
        auto url = http::parse_url("http://" + host, error);
        if (!url) {
            throw std::invalid_argument("the metadata server " + host + " is invalid: " + error);
        }
        origin_ = url->origin;
    }

    boost::asio::awaitable<AccessToken> fetch() override {
        auto now = clock_();
        http::Request request{
            .method = boost::beast::http::verb::get,
            .target = "/computeMetadata/v1/instance/service-accounts/default/token",
            .headers = {{"Metadata-Flavor", "Google"}},
            .body = {},
        };
        http::Result sent = co_await client_.send(origin_, request);
        co_return parse_token_answer(sent, "access token from the metadata server " + origin_.url(),
                                     now);
    }

private:
    http::Client& client_;
    Clock clock_;
    http::Origin origin_;
};

}  // namespace

std::unique_ptr<AccessTokenSource> make_token_source(const GoogleCredentials& credentials,
                                                     std::string scope, http::Client& client,
                                                     Clock clock) {
    switch (credentials.kind) {
        case GoogleCredentials::Kind::service_account:
            return std::make_unique<ServiceAccountTokens>(credentials.key, std::move(scope), client,
                                                          std::move(clock));
        case GoogleCredentials::Kind::metadata_server:
            return std::make_unique<MetadataServerTokens>(credentials.metadata_host, client,
                                                          std::move(clock));
        case GoogleCredentials::Kind::none:
            break;
    }
    throw std::invalid_argument("no token source for credentials of kind none");
}

CachedAccessToken::CachedAccessToken(std::unique_ptr<AccessTokenSource> source, Clock clock,
                                     std::chrono::seconds refresh_before)
    : source_(std::move(source)), clock_(std::move(clock)), refresh_before_(refresh_before) {}

boost::asio::awaitable<AccessToken> CachedAccessToken::get() {
    {
        std::lock_guard lock(mutex_);
        if (!cached_.token.empty() && clock_() + refresh_before_ < cached_.expires) {
            co_return cached_;
        }
    }
    // Two callers may fetch at once; both tokens are good, the later one is kept.
    AccessToken fresh = co_await source_->fetch();
    if (fresh.ok()) {
        std::lock_guard lock(mutex_);
        cached_ = fresh;
    }
    co_return fresh;
}

void CachedAccessToken::forget() {
    std::lock_guard lock(mutex_);
    cached_ = {};
}

}  // namespace clients::gcp

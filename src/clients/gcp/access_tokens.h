#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "clients/gcp/service_account.h"
#include "clients/http/client.h"

// OAuth 2 access tokens for Google APIs, from a service-account key or the metadata server of
// the machine (GCE, GKE, Cloud Run).
namespace clients::gcp {

using Clock = std::function<std::chrono::system_clock::time_point()>;

struct AccessToken {
    std::string token = {};
    std::chrono::system_clock::time_point expires = {};
    std::string error = {};  // why there is no token

    bool ok() const { return error.empty(); }
};

// Where tokens come from.
struct GoogleCredentials {
    enum class Kind {
        none,             // no Authorization header (the Pub/Sub emulator)
        service_account,  // a key file (GOOGLE_APPLICATION_CREDENTIALS)
        metadata_server,  // the machine's service account
    };
    Kind kind = Kind::none;
    ServiceAccountKey key = {};
    // host[:port] of the metadata server (GCE_METADATA_HOST), plain HTTP.
    std::string metadata_host = "metadata.google.internal";
};

// Fetches fresh tokens; each call is one HTTP exchange.
class AccessTokenSource {
public:
    virtual ~AccessTokenSource() = default;
    virtual boost::asio::awaitable<AccessToken> fetch() = 0;
};

// Makes the source for `credentials` (not for Kind::none), sending through `client`, which
// must outlive it. Throws std::invalid_argument for a token URI or host that is not usable.
std::unique_ptr<AccessTokenSource> make_token_source(const GoogleCredentials& credentials,
                                                     std::string scope, http::Client& client,
                                                     Clock clock);

// Keeps the last token and fetches a new one when less than `refresh_before` of its life is
// left, so requests do not wait for a token while it is still good. Safe to use from several
// threads at once (health checks run on the workers, publishes on the mover).
class CachedAccessToken {
public:
    CachedAccessToken(std::unique_ptr<AccessTokenSource> source, Clock clock,
                      std::chrono::seconds refresh_before = std::chrono::minutes(5));

    boost::asio::awaitable<AccessToken> get();
    // After the API refused the token (401): the next get() fetches another.
    void forget();

private:
    std::unique_ptr<AccessTokenSource> source_;
    Clock clock_;
    std::chrono::seconds refresh_before_;
    std::mutex mutex_;
    AccessToken cached_;
};

}  // namespace clients::gcp

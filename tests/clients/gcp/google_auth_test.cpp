#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "clients/gcp/access_tokens.h"
#include "clients/gcp/service_account.h"
#include "core/async/wait_for.h"
#include "test_http_server.h"

namespace {

using clients::gcp::AccessToken;
using clients::gcp::CachedAccessToken;
using clients::gcp::GoogleCredentials;
using clients::gcp::ServiceAccountKey;
using http_tests::ReceivedRequest;
using http_tests::TestHttpServer;
using Time = std::chrono::system_clock::time_point;

const std::string kScope = "https://www.googleapis.com/auth/pubsub";
const Time kIssued{std::chrono::seconds(1700000000)};

std::string testdata(const std::string& name) {
    std::ifstream file(std::string(GCP_TESTDATA_DIR) + "/" + name);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

ServiceAccountKey test_key() {
    std::string error;
    auto key = clients::gcp::parse_service_account_key(testdata("service_account.json"), error);
    EXPECT_TRUE(key) << error;
    return *key;
}

// The form fields of an application/x-www-form-urlencoded body (values left encoded).
std::map<std::string, std::string> form_fields(const std::string& body) {
    std::map<std::string, std::string> fields;
    std::stringstream pairs(body);
    for (std::string pair; std::getline(pairs, pair, '&');) {
        auto equals = pair.find('=');
        fields[pair.substr(0, equals)] = pair.substr(equals + 1);
    }
    return fields;
}

TEST(ServiceAccountKey, ReadsGooglesKeyFile) {
    ServiceAccountKey key = test_key();
    EXPECT_EQ(key.client_email, "collector@antenna-test.iam.gserviceaccount.com");
    EXPECT_EQ(key.private_key_id, "0123456789abcdef0123456789abcdef01234567");
    EXPECT_EQ(key.token_uri, "https://oauth2.googleapis.com/token");
    EXPECT_TRUE(key.private_key.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
}

TEST(ServiceAccountKey, RefusesOtherCredentialsWithoutShowingThem) {
    std::string error;
    EXPECT_FALSE(clients::gcp::parse_service_account_key(
        R"({"type": "authorized_user", "refresh_token": "secret-token"})", error));
    EXPECT_EQ(error, "the credentials' type is \"authorized_user\", not \"service_account\"");
    EXPECT_FALSE(clients::gcp::parse_service_account_key(
        R"({"type": "service_account", "client_email": "a@b"})", error));
    EXPECT_EQ(error, "client_email or private_key is missing");
    EXPECT_FALSE(clients::gcp::parse_service_account_key("not json", error));
}

// The reference was computed with Python's json and openssl's CLI (testdata/README.md).
TEST(JwtAssertion, MatchesTheReferenceSignedWithOpenSslsCommandLine) {
    std::string expected = testdata("expected_jwt.txt");
    expected.erase(expected.find_last_not_of('\n') + 1);
    EXPECT_EQ(clients::gcp::make_jwt_assertion(test_key(), kScope, kIssued), expected);
}

TEST(JwtAssertion, RefusesAKeyThatIsNotRsa) {
    ServiceAccountKey key = test_key();
    key.private_key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    EXPECT_THROW(clients::gcp::make_jwt_assertion(key, kScope, kIssued), std::runtime_error);
}

// A token endpoint answering with tokens named after their order: "token-1", "token-2", ...
TestHttpServer token_server(unsigned status = 200, std::string error_body = "") {
    auto served = std::make_shared<int>(0);
    return TestHttpServer(
        {.answer = [=](const ReceivedRequest&) -> std::pair<unsigned, std::string> {
            if (status != 200) {
                return {status, error_body};
            }
            return {200, R"({"access_token": "token-)" + std::to_string(++*served) +
                             R"(", "expires_in": 3599, "token_type": "Bearer"})"};
        }});
}

class Tokens : public testing::Test {
protected:
    Time now = kIssued;
    clients::gcp::Clock clock = [this] { return now; };
    clients::http::Client client{{}};

    GoogleCredentials service_account(const TestHttpServer& server) {
        ServiceAccountKey key = test_key();
        key.token_uri = "http://127.0.0.1:" + std::to_string(server.port()) + "/token";
        return {.kind = GoogleCredentials::Kind::service_account, .key = key};
    }
    AccessToken get(CachedAccessToken& cache) { return core::wait_for(cache.get()); }
};

TEST_F(Tokens, AServiceAccountExchangesItsSignedAssertion) {
    TestHttpServer server = token_server();
    GoogleCredentials credentials = service_account(server);
    CachedAccessToken cache(clients::gcp::make_token_source(credentials, kScope, client, clock),
                            clock);
    AccessToken token = get(cache);
    ASSERT_TRUE(token.ok()) << token.error;
    EXPECT_EQ(token.token, "token-1");
    EXPECT_EQ(token.expires, kIssued + std::chrono::seconds(3599));

    ASSERT_EQ(server.requests().size(), 1u);
    ReceivedRequest request = server.requests().front();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/token");
    EXPECT_EQ(request.headers["content-type"], "application/x-www-form-urlencoded");
    auto fields = form_fields(request.body);
    EXPECT_EQ(fields["grant_type"], "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer");
    EXPECT_EQ(fields["assertion"],
              clients::gcp::make_jwt_assertion(credentials.key, kScope, kIssued));
}

TEST_F(Tokens, ATokenIsReusedUntilFiveMinutesBeforeItExpires) {
    TestHttpServer server = token_server();
    GoogleCredentials credentials = service_account(server);
    CachedAccessToken cache(clients::gcp::make_token_source(credentials, kScope, client, clock),
                            clock);
    EXPECT_EQ(get(cache).token, "token-1");
    now += std::chrono::minutes(54);
    EXPECT_EQ(get(cache).token, "token-1");
    now += std::chrono::minutes(1);  // 4 min 59 s left
    EXPECT_EQ(get(cache).token, "token-2");
    cache.forget();  // the API refused it
    EXPECT_EQ(get(cache).token, "token-3");
    EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(Tokens, TheTokenEndpointsRefusalIsTheError) {
    TestHttpServer server = token_server(
        400, R"({"error": "invalid_grant", "error_description": "Invalid JWT Signature."})");
    GoogleCredentials credentials = service_account(server);
    CachedAccessToken cache(clients::gcp::make_token_source(credentials, kScope, client, clock),
                            clock);
    AccessToken token = get(cache);
    EXPECT_FALSE(token.ok());
    EXPECT_NE(token.error.find("400 invalid_grant: Invalid JWT Signature."), std::string::npos)
        << token.error;
    get(cache);
    EXPECT_EQ(server.requests().size(), 2u);  // a failure is not cached
}

TEST_F(Tokens, TheMetadataServerIsAskedWithItsFlavorHeader) {
    TestHttpServer server = token_server();
    GoogleCredentials credentials{.kind = GoogleCredentials::Kind::metadata_server,
                                  .metadata_host = "127.0.0.1:" + std::to_string(server.port())};
    CachedAccessToken cache(clients::gcp::make_token_source(credentials, kScope, client, clock),
                            clock);
    EXPECT_EQ(get(cache).token, "token-1");
    ReceivedRequest request = server.requests().front();
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.target, "/computeMetadata/v1/instance/service-accounts/default/token");
    EXPECT_EQ(request.headers["metadata-flavor"], "Google");
}

TEST_F(Tokens, AnAnswerWithoutATokenIsAnError) {
    TestHttpServer server(
        {.answer = [](const ReceivedRequest&) -> std::pair<unsigned, std::string> {
            return {200, R"({"token_type": "Bearer"})"};
        }});
    GoogleCredentials credentials = service_account(server);
    CachedAccessToken cache(clients::gcp::make_token_source(credentials, kScope, client, clock),
                            clock);
    EXPECT_NE(get(cache).error.find("no access_token"), std::string::npos);
}

}  // namespace

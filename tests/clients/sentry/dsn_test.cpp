#include <gtest/gtest.h>

#include "clients/sentry/sentry_reporter.h"

namespace {

using clients::sentry::parse_dsn;

TEST(SentryDsn, ReadsKeyHostPathAndProject) {
    std::string error;
    auto dsn = parse_dsn("https://abc123:oldsecret@o1.ingest.sentry.io:8443/prefix/42", error);
    ASSERT_TRUE(dsn) << error;
    EXPECT_TRUE(dsn->origin.tls);
    EXPECT_EQ(dsn->origin.host, "o1.ingest.sentry.io");
    EXPECT_EQ(dsn->origin.port, 8443);
    EXPECT_EQ(dsn->public_key, "abc123");
    EXPECT_EQ(dsn->path, "/prefix");
    EXPECT_EQ(dsn->project_id, "42");
    EXPECT_EQ(dsn->envelope_target(), "/prefix/api/42/envelope/");
    EXPECT_EQ(dsn->without_secret(), "https://abc123@o1.ingest.sentry.io:8443/prefix/42");
}

TEST(SentryDsn, RefusesWhatIsNotOneWithoutQuotingIt) {
    std::string error;
    for (const char* bad : {"https://sentry.example.com/1", "https://key@sentry.example.com/",
                            "sentry.example.com", "ftp://key@host/1", "https://:s3cret@host/1"}) {
        EXPECT_FALSE(parse_dsn(bad, error)) << bad;
        EXPECT_EQ(error.find("s3cret"), std::string::npos);
    }
}

TEST(SentryScrubbing, CoversAddressesAndCredentialsInAnyCase) {
    for (const char* name :
         {"X-Forwarded-For", "x-real-ip", "AUTHORIZATION", "Cookie", "Proxy-Authorization"}) {
        EXPECT_TRUE(clients::sentry::is_scrubbed_header(name)) << name;
    }
    EXPECT_FALSE(clients::sentry::is_scrubbed_header("User-Agent"));
}

}  // namespace

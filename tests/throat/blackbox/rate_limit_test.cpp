// Throat's rate limits (§4.6 of the spec): a fixed window per client and route, the client seen
// through site.trusted_proxy_count proxies, 429 pages and the /do/ endpoints' 200 with an error.
#include "throat_blackbox.h"

namespace throat_blackbox {
namespace {

class RateLimits : public ThroatTest {};

constexpr std::string_view kWhoa = "Whoa, calm down and wait a bit, then try again.";

int status_of(std::uint16_t port, const std::string& target, const std::string& forwarded_for) {
    std::vector<std::string> headers;
    if (!forwarded_for.empty()) {
        headers.push_back("X-Forwarded-For: " + forwarded_for);
    }
    return http(port, "GET", target, headers).status;
}

TEST_F(RateLimits, TheDefaultLimitCountsEachClientBehindTheTrustedProxy) {
    Site site(SiteOptions{.database = new_database("limits"),
                          .env = {{"RATELIMIT_ENABLED", "true"},
                                  {"RATELIMIT_DEFAULT", "3/minute"},
                                  {"SITE_TRUSTED_PROXY_COUNT", "1"}}});
    // The proxy appends the address it got the request from; what the client wrote before it
    // is not believed.
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(status_of(site.port(), "/all", "198.51.100.1, 203.0.113.5"), 200) << i;
    }
    EXPECT_EQ(status_of(site.port(), "/all", "198.51.100.2, 203.0.113.5"), 429);
    // Another client behind the same proxy, and another route, have windows of their own.
    EXPECT_EQ(status_of(site.port(), "/all", "203.0.113.6"), 200);
    EXPECT_EQ(status_of(site.port(), "/subs", "203.0.113.5"), 200);
    // An IPv6 client is counted by its /64.
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(status_of(site.port(), "/all", "2001:db8:0:1::" + std::to_string(i + 1)), 200);
    }
    EXPECT_EQ(status_of(site.port(), "/all", "2001:db8:0:1:ffff::9"), 429);
    EXPECT_EQ(status_of(site.port(), "/all", "2001:db8:0:2::1"), 200);
    // Static files are not counted.
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(status_of(site.port(), "/static/throat.css", "203.0.113.7"), 200);
    }
}

TEST_F(RateLimits, WithoutTrustedProxiesForwardedForIsIgnored) {
    Site site(
        SiteOptions{.database = new_database("direct"),
                    .env = {{"RATELIMIT_ENABLED", "true"}, {"RATELIMIT_DEFAULT", "2/minute"}}});
    EXPECT_EQ(status_of(site.port(), "/all", "203.0.113.1"), 200);
    EXPECT_EQ(status_of(site.port(), "/all", "203.0.113.2"), 200);
    HttpResponse limited = http(site.port(), "GET", "/all", {"X-Forwarded-For: 203.0.113.3"});
    EXPECT_EQ(limited.status, 429);
    EXPECT_NE(limited.body.find("429 Too Many Requests"), std::string::npos);
}

TEST_F(RateLimits, CommentingIsLimitedToSixAMinuteAndAnsweredAsThroatDoes) {
    const std::string database = new_database("posting");
    Db db(database);
    std::string uid = db.create_user("talker", "password1");
    std::string sid = db.create_sub("chatter", uid);
    std::int64_t pid = db.create_post(sid, uid, "Talk here");
    Site site(
        SiteOptions{.database = database,
                    .env = {{"RATELIMIT_ENABLED", "true"}, {"RATELIMIT_DEFAULT", "1000/minute"}}});
    Browser browser(site.port());
    ASSERT_EQ(browser.login("talker", "password1").status, 303);
    const std::string target = "/do/sendcomment/" + std::to_string(pid);
    for (int i = 0; i < 6; ++i) {
        HttpResponse sent =
            browser.post_script(target, {{"post", std::to_string(pid)},
                                         {"parent", "0"},
                                         {"comment", "number " + std::to_string(i)}});
        EXPECT_EQ(json_string(sent.body, "status"), "ok") << i << ": " << sent.body;
    }
    HttpResponse seventh = browser.post_script(
        target, {{"post", std::to_string(pid)}, {"parent", "0"}, {"comment", "one too many"}});
    EXPECT_EQ(seventh.status, 200);
    EXPECT_EQ(json_error(seventh.body), std::string(kWhoa));
    EXPECT_EQ(
        db.number("SELECT count(*) FROM sub_post_comments WHERE pid = $1", {std::to_string(pid)}),
        6);
}

}  // namespace
}  // namespace throat_blackbox

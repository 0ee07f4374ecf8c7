// CSRF: a state-changing POST without this session's token (none, a wrong one, another
// session's, the one from before login) is refused with 400 and changes nothing in the database.
#include "throat_blackbox.h"

namespace throat_blackbox {
namespace {

class Csrf : public SharedSiteTest {
protected:
    // The tokens a forged request might carry, each with the field or without it.
    struct Forgery {
        std::string label;
        std::optional<std::string> token;
    };

    void SetUp() override {
        SharedSiteTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        member_ = make_member("csrf");
        // The token of this browser's anonymous session, learnt before it logs in.
        browser_.emplace(port());
        const std::string before_login = browser_->csrf();
        ASSERT_EQ(browser_->login(member_.name, member_.password).status, 303);
        Browser stranger(port());
        forgeries_ = {{"no token", std::nullopt},
                      {"an empty token", std::string()},
                      {"a made-up token", std::string("bogus-token")},
                      {"another session's token", stranger.csrf()},
                      {"the token from before login", before_login}};
        ASSERT_NE(before_login, browser_->csrf());
    }

    Fields with(const Forgery& forgery, Fields fields) {
        if (forgery.token) {
            fields.insert(fields.begin(), {"csrf_token", *forgery.token});
        }
        return fields;
    }

    Member member_;
    std::optional<Browser> browser_;
    std::vector<Forgery> forgeries_;
};

TEST_F(Csrf, CreatingASubIsRefused) {
    const std::string name = unique_name("forged");
    for (const Forgery& forgery : forgeries_) {
        SCOPED_TRACE(forgery.label);
        HttpResponse answer = browser_->post_raw(
            "/createsub", with(forgery, {{"subname", name}, {"title", "Forged"}}));
        EXPECT_EQ(answer.status, 400);
        EXPECT_EQ(db().number("SELECT count(*) FROM subs WHERE lower(name) = $1", {name}), 0);
    }
    // The same form with the session's token goes through.
    HttpResponse answer = browser_->post("/createsub", {{"subname", name}, {"title", "Real"}});
    EXPECT_EQ(answer.status, 303);
    EXPECT_EQ(db().number("SELECT count(*) FROM subs WHERE lower(name) = $1", {name}), 1);
}

TEST_F(Csrf, VotingIsRefused) {
    Member author = make_member("csrfauthor");
    std::string sid = db().create_sub(unique_name("csrfvotes"), author.uid);
    std::int64_t pid = db().create_post(sid, author.uid, "A post to vote on");
    const std::string target = "/do/vote/" + std::to_string(pid) + "/up";
    for (const Forgery& forgery : forgeries_) {
        SCOPED_TRACE(forgery.label);
        HttpResponse answer =
            browser_->post_raw(target, with(forgery, {}), {"X-Requested-With: XMLHttpRequest"});
        EXPECT_EQ(answer.status, 400);
        EXPECT_EQ(json_string(answer.body, "status"), "error");
        EXPECT_EQ(db().number("SELECT count(*) FROM sub_post_votes WHERE pid = $1",
                              {std::to_string(pid)}),
                  0);
        EXPECT_EQ(db().number("SELECT score FROM sub_posts WHERE pid = $1", {std::to_string(pid)}),
                  0);
        EXPECT_EQ(db().number("SELECT given FROM users WHERE uid = $1", {member_.uid}), 0);
    }
    // Scripts may send the token in the X-CSRFToken header instead of the form.
    HttpResponse answer = browser_->post_raw(
        target, {}, {"X-Requested-With: XMLHttpRequest", "X-CSRFToken: " + browser_->csrf()});
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(db().number("SELECT score FROM sub_posts WHERE pid = $1", {std::to_string(pid)}), 1);
}

TEST_F(Csrf, CommentingIsRefused) {
    std::string sid = db().create_sub(unique_name("csrfcomm"), member_.uid);
    std::int64_t pid = db().create_post(sid, member_.uid, "A post to comment on");
    const std::string target = "/do/sendcomment/" + std::to_string(pid);
    for (const Forgery& forgery : forgeries_) {
        SCOPED_TRACE(forgery.label);
        HttpResponse answer = browser_->post_raw(
            target,
            with(forgery, {{"post", std::to_string(pid)}, {"parent", "0"}, {"comment", "forged"}}),
            {"X-Requested-With: XMLHttpRequest"});
        EXPECT_EQ(answer.status, 400);
        EXPECT_EQ(db().number("SELECT count(*) FROM sub_post_comments WHERE pid = $1",
                              {std::to_string(pid)}),
                  0);
        EXPECT_EQ(
            db().number("SELECT comments FROM sub_posts WHERE pid = $1", {std::to_string(pid)}), 0);
    }
}

TEST_F(Csrf, SubscribingAndLoggingOutAreRefused) {
    Member owner = make_member("csrfowner");
    std::string sid = db().create_sub(unique_name("csrfsubs"), owner.uid);
    for (const Forgery& forgery : forgeries_) {
        SCOPED_TRACE(forgery.label);
        HttpResponse subscribe = browser_->post_raw("/do/subscribe/" + sid, with(forgery, {}));
        EXPECT_EQ(subscribe.status, 400);
        EXPECT_EQ(db().number("SELECT subscribers FROM subs WHERE sid = $1", {sid}), 1);
        EXPECT_EQ(db().number("SELECT count(*) FROM sub_subscribers WHERE sid = $1 AND uid = $2",
                              {sid, member_.uid}),
                  0);

        HttpResponse logout = browser_->post_raw("/do/logout", with(forgery, {}));
        EXPECT_EQ(logout.status, 400);
        EXPECT_EQ(browser_->logged_in_as(), member_.name);
    }
}

TEST_F(Csrf, LoggingInIsRefused) {
    for (const Forgery& forgery : forgeries_) {
        SCOPED_TRACE(forgery.label);
        Browser visitor(port());
        visitor.csrf();
        HttpResponse answer = visitor.post_raw(
            "/login", with(forgery, {{"username", member_.name}, {"password", member_.password}}));
        EXPECT_EQ(answer.status, 400);
        EXPECT_EQ(visitor.logged_in_as(), "");
    }
}

}  // namespace
}  // namespace throat_blackbox

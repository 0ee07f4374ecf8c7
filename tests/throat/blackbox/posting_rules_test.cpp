// What Throat checks before it takes a post (subs.py create_post), in its order: the sub's
// allowed post types, its restriction to mods, the daily limits below level 7, and a link
// posted again in the same sub within 30 days.
#include "throat_blackbox.h"

namespace throat_blackbox {
namespace {

class PostingRules : public ThroatTest {
protected:
    void SetUp() override {
        ThroatTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        database_ = new_database("posting_rules");
        db_.emplace(database_);
        poster_uid_ = db_->create_user("poster", "password1");
        owner_uid_ = db_->create_user("owner", "password1");
        sid_ = db_->create_sub("rules", owner_uid_);
        other_sid_ = db_->create_sub("elsewhere", owner_uid_);
        site_.emplace(SiteOptions{.database = database_,
                                  .env = {{"SITE_DAILY_SUB_POSTING_LIMIT", "2"},
                                          {"SITE_DAILY_SITE_POSTING_LIMIT", "3"}}});
        browser_.emplace(site_->port());
        ASSERT_EQ(browser_->login("poster", "password1").status, 303);
    }

    // The form's error, "" when the post was taken (303).
    std::string submit(const std::string& ptype, const std::string& sub, const std::string& title,
                       const std::string& link = {}) {
        Fields fields = {{"sub", sub}, {"title", title}};
        fields.emplace_back(ptype == "link" ? "link" : "content", ptype == "link" ? link : "text");
        HttpResponse answer = browser_->post("/submit/" + ptype, fields);
        if (answer.status == 303) {
            return "";
        }
        EXPECT_EQ(answer.status, 200);
        return form_error_in(answer.body);
    }

    std::int64_t posts_by_poster() {
        return db_->number("SELECT count(*) FROM sub_posts WHERE uid = $1", {poster_uid_});
    }

    std::string database_;
    std::optional<Db> db_;
    std::string poster_uid_;
    std::string owner_uid_;
    std::string sid_;
    std::string other_sid_;
    std::optional<Site> site_;
    std::optional<Browser> browser_;
};

TEST_F(PostingRules, TheSubDecidesWhichTypesAndWhoMayPost) {
    db_->query("DELETE FROM sub_metadata WHERE sid = $1 AND key = 'allow_link_posts'", {sid_});
    EXPECT_EQ(submit("link", "rules", "A link", "https://example.com/a"),
              "That post type is not allowed in this sub.");
    EXPECT_EQ(submit("text", "rules", "Text is fine"), "");

    db_->query("INSERT INTO sub_metadata (sid, key, value) VALUES ($1, 'restricted', '1')", {sid_});
    EXPECT_EQ(submit("text", "rules", "Not a mod"), "Only mods can post on this sub.");
    db_->query("INSERT INTO sub_mods (uid, sid, power_level) VALUES ($1, $2, 1)",
               {poster_uid_, sid_});
    EXPECT_EQ(submit("text", "rules", "Now a mod"), "");
    EXPECT_EQ(posts_by_poster(), 2);
}

TEST_F(PostingRules, DailyLimitsBelowLevelSeven) {
    // At most 2 posts a day in one sub and 3 in all (the limits given above).
    EXPECT_EQ(submit("text", "rules", "First"), "");
    EXPECT_EQ(submit("text", "rules", "Second"), "");
    EXPECT_EQ(submit("text", "rules", "Third"), "You have posted too much today.");
    EXPECT_EQ(submit("text", "elsewhere", "Third, elsewhere"), "");
    EXPECT_EQ(submit("text", "elsewhere", "Fourth"), "You have posted too much today.");
    EXPECT_EQ(posts_by_poster(), 3);
    // Level 7 takes 490 karma: then there is no daily limit.
    db_->query("UPDATE users SET score = 490 WHERE uid = $1", {poster_uid_});
    EXPECT_EQ(submit("text", "rules", "Trusted now"), "");
    EXPECT_EQ(posts_by_poster(), 4);
}

TEST_F(PostingRules, ALinkPostedInTheSubThisMonthIsRefused) {
    EXPECT_EQ(submit("link", "rules", "News", "https://example.com/story"), "");
    HttpResponse again = browser_->post(
        "/submit/link",
        {{"sub", "rules"}, {"title", "Same news"}, {"link", "https://example.com/story"}});
    EXPECT_EQ(again.status, 200);
    EXPECT_NE(again.body.find("This link was recently posted on this sub."), std::string::npos);
    std::string pid =
        db_->value("SELECT pid FROM sub_posts WHERE link = 'https://example.com/story'");
    EXPECT_NE(again.body.find("href=\"/p/" + pid + "\""), std::string::npos);
    // Elsewhere, or once the earlier post is older than 30 days, it may be posted.
    EXPECT_EQ(submit("link", "elsewhere", "News there", "https://example.com/story"), "");
    db_->query("UPDATE sub_posts SET posted = now() - interval '31 days' WHERE pid = $1", {pid});
    EXPECT_EQ(submit("link", "rules", "News again", "https://example.com/story"), "");
}

}  // namespace
}  // namespace throat_blackbox

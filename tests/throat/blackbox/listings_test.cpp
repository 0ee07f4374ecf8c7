// The order of listings (hot, top, new) and their pages of 25, with posts written straight to
// the database with chosen scores and times.
#include "throat_blackbox.h"

namespace throat_blackbox {
namespace {

class Listings : public SharedSiteTest {
protected:
    void SetUp() override {
        SharedSiteTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        owner_ = make_member("lister");
        sub_ = unique_name("ordered");
        sid_ = db().create_sub(sub_, owner_.uid);
        visitor_.emplace(port());
    }

    std::vector<std::int64_t> listed(const std::string& target) {
        HttpResponse page = visitor_->get(target);
        EXPECT_EQ(page.status, 200) << target;
        return listed_posts(page.body);
    }

    Member owner_;
    std::string sub_;
    std::string sid_;
    std::optional<Browser> visitor_;
};

TEST_F(Listings, HotTopAndNewOrderFivePosts) {
    // hot = score * 20 + (epoch(posted) - 1134028003) / 1500; 2024-01-01 00:00 UTC is epoch
    // 1704067200, so a post then with score 0 ranks 380026.13, and a day moves a rank by 57.6:
    //   p1: score  0, 2024-01-01        -> 380026.13
    //   p2: score 10, 2023-12-30 (-2 d) -> 379910.93 + 200 = 380110.93
    //   p3: score  3, 2024-01-02 (+1 d) -> 380083.73 +  60 = 380143.73
    //   p4: score -5, 2024-01-04 (+3 d) -> 380198.93 - 100 = 380098.93
    //   p5: score  0, 2024-01-01        -> 380026.13, tied with p1: the newer pid first
    std::int64_t p1 = db().create_post(sid_, owner_.uid, "Post one", 0, "2024-01-01 00:00:00");
    std::int64_t p2 = db().create_post(sid_, owner_.uid, "Post two", 10, "2023-12-30 00:00:00");
    std::int64_t p3 = db().create_post(sid_, owner_.uid, "Post three", 3, "2024-01-02 00:00:00");
    std::int64_t p4 = db().create_post(sid_, owner_.uid, "Post four", -5, "2024-01-04 00:00:00");
    std::int64_t p5 = db().create_post(sid_, owner_.uid, "Post five", 0, "2024-01-01 00:00:00");
    const std::string base = "/s/" + sub_;

    const std::vector<std::int64_t> hot = {p3, p2, p4, p5, p1};
    EXPECT_EQ(listed(base + "/hot"), hot);
    // Top: score, then the newer pid: 10, 3, 0 (p5), 0 (p1), -5.
    const std::vector<std::int64_t> top = {p2, p3, p5, p1, p4};
    EXPECT_EQ(listed(base + "/top"), top);
    // New: by pid, the newest first.
    const std::vector<std::int64_t> newest = {p5, p4, p3, p2, p1};
    EXPECT_EQ(listed(base + "/new"), newest);
    // The first pages by number.
    EXPECT_EQ(listed(base + "/hot/1"), hot);
    EXPECT_EQ(listed(base + "/top/1"), top);

    // A deleted post is left out.
    db().query("UPDATE sub_posts SET deleted = 1 WHERE pid = $1", {std::to_string(p2)});
    const std::vector<std::int64_t> without_p2 = {p3, p4, p5, p1};
    EXPECT_EQ(listed(base + "/hot"), without_p2);
}

TEST_F(Listings, TheTwentySixthPostIsOnPageTwo) {
    // 26 posts an hour apart (2.4 points of hot rank each), all with score 0 but the first,
    // with 100 (2,000 points): hot and top put it first and leave the second-oldest for page 2,
    // new leaves the first.
    std::vector<std::int64_t> pids;
    for (int i = 0; i < 26; ++i) {
        char posted[32];
        std::snprintf(posted, sizeof posted, "2024-03-%02d %02d:00:00", 1 + i / 24, i % 24);
        pids.push_back(db().create_post(sid_, owner_.uid, "Post number " + std::to_string(i),
                                        i == 0 ? 100 : 0, posted));
    }
    const std::string base = "/s/" + sub_;
    for (const std::string sort : {"hot", "top", "new"}) {
        SCOPED_TRACE(sort);
        HttpResponse first = visitor_->get(base + "/" + sort);
        std::vector<std::int64_t> page_one = listed_posts(first.body);
        ASSERT_EQ(page_one.size(), 25u);
        EXPECT_NE(first.body.find("rel=\"next\" href=\"" + base + "/" + sort + "/2\""),
                  std::string::npos);
        EXPECT_EQ(first.body.find("rel=\"prev\""), std::string::npos);

        HttpResponse second = visitor_->get(base + "/" + sort + "/2");
        EXPECT_EQ(second.status, 200);
        const std::int64_t last = sort == "new" ? pids[0] : pids[1];
        EXPECT_EQ(listed_posts(second.body), std::vector<std::int64_t>{last});
        EXPECT_NE(second.body.find("rel=\"prev\" href=\"" + base + "/" + sort + "/1\""),
                  std::string::npos);
        EXPECT_EQ(second.body.find("rel=\"next\""), std::string::npos);
        if (sort != "new") {
            EXPECT_EQ(page_one.front(), pids[0]);
            EXPECT_EQ(page_one[1], pids[25]);
        } else {
            EXPECT_EQ(page_one.front(), pids[25]);
        }

        HttpResponse third = visitor_->get(base + "/" + sort + "/3");
        EXPECT_EQ(third.status, 200);
        EXPECT_TRUE(listed_posts(third.body).empty());
        EXPECT_NE(third.body.find("There are no posts here yet."), std::string::npos);
    }
    EXPECT_EQ(visitor_->get(base + "/hot/0").status, 404);
    EXPECT_EQ(visitor_->get(base + "/hot/two").status, 404);
}

TEST_F(Listings, AVisitorsFrontPageShowsTheDefaultSubs) {
    std::int64_t pid = db().create_post(sid_, owner_.uid, "On the front page");
    EXPECT_TRUE(listed("/new").empty());
    testing_support::RunResult added =
        testing_support::run_to_exit(THROAT_BINARY, site().env(), {"default", "add", sub_});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    EXPECT_EQ(listed("/new"), std::vector<std::int64_t>{pid});
    EXPECT_EQ(listed("/"), std::vector<std::int64_t>{pid});
    // A member sees their subscriptions instead (the owner is subscribed to the sub).
    Browser owner = logged_in(owner_);
    EXPECT_EQ(listed_posts(owner.get("/").body), std::vector<std::int64_t>{pid});
    // Registering subscribes to the default subs.
    Browser newcomer(port());
    HttpResponse registered = newcomer.register_user(unique_name("newcomer"), "a good password");
    ASSERT_EQ(registered.status, 303) << form_error_in(registered.body);
    EXPECT_EQ(listed_posts(newcomer.get("/").body), std::vector<std::int64_t>{pid});
    EXPECT_EQ(db().number("SELECT subscribers FROM subs WHERE sid = $1", {sid_}), 2);

    testing_support::RunResult removed =
        testing_support::run_to_exit(THROAT_BINARY, site().env(), {"default", "remove", sub_});
    ASSERT_EQ(removed.exit_code, 0) << removed.err;
    EXPECT_TRUE(listed("/new").empty());
}

}  // namespace
}  // namespace throat_blackbox

// Votes on posts and comments, as Throat counts them: a first vote moves the score, the
// author's karma (users.score) and the voter's balance (users.given) by one; the same vote again
// takes it back; the opposite vote turns it around (score and karma by two, balance by one).
#include <latch>
#include <thread>

#include "throat_blackbox.h"

namespace throat_blackbox {
namespace {

class Votes : public SharedSiteTest {
protected:
    void SetUp() override {
        SharedSiteTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        author_ = make_member("author");
        voter_ = make_member("voter");
        sid_ = db().create_sub(unique_name("votes"), author_.uid);
        pid_ = db().create_post(sid_, author_.uid, "Vote on me");
        cid_ = db().create_comment(pid_, author_.uid, "And on me");
    }

    struct Expected {
        int score;                   // of the post or comment
        int karma;                   // the author's users.score
        int given;                   // the voter's users.given
        std::optional<bool> stored;  // the voter's vote row: up, down or none
    };

    // Votes as the page's script does and checks the answer and the database after it.
    void vote(Browser& browser, const std::string& target, const std::string& direction,
              const Expected& expected, bool removed) {
        SCOPED_TRACE(target + "/" + direction);
        HttpResponse answer = browser.post_script(target + "/" + direction);
        ASSERT_EQ(answer.status, 200) << answer.body;
        EXPECT_EQ(json_string(answer.body, "status"), "ok") << answer.body;
        EXPECT_EQ(json_integer(answer.body, "score"), expected.score) << answer.body;
        EXPECT_EQ(json_bool(answer.body, "rm"), removed) << answer.body;
        const bool on_post = target.starts_with("/do/vote/");
        const std::string score_sql = on_post
                                          ? "SELECT score FROM sub_posts WHERE pid = $1::bigint"
                                          : "SELECT score FROM sub_post_comments WHERE cid = $1";
        const std::string id = on_post ? std::to_string(pid_) : cid_;
        EXPECT_EQ(db().number(score_sql, {id}), expected.score);
        EXPECT_EQ(karma(), expected.karma);
        EXPECT_EQ(db().number("SELECT given FROM users WHERE uid = $1", {voter_.uid}),
                  expected.given);
        const std::string stored_sql =
            on_post ? "SELECT positive FROM sub_post_votes WHERE pid = $1::bigint AND uid = $2"
                    : "SELECT positive FROM sub_post_comment_votes WHERE cid = $1 AND uid = $2";
        std::vector<Db::Row> rows = db().query(stored_sql, {id, voter_.uid});
        if (expected.stored) {
            ASSERT_EQ(rows.size(), 1u);
            EXPECT_EQ(rows[0][0], *expected.stored ? "t" : "f");
        } else {
            EXPECT_TRUE(rows.empty());
        }
    }

    std::int64_t karma() {
        return db().number("SELECT score FROM users WHERE uid = $1", {author_.uid});
    }

    std::string post_votes() { return "/do/vote/" + std::to_string(pid_); }
    std::string comment_votes() { return "/do/votecomment/" + cid_; }

    Member author_;
    Member voter_;
    std::string sid_;
    std::int64_t pid_ = 0;
    std::string cid_;
};

TEST_F(Votes, OnAPostUpRepeatDownAndTurnedAround) {
    Browser browser = logged_in(voter_);
    vote(browser, post_votes(), "up", {.score = 1, .karma = 1, .given = 1, .stored = true}, false);
    vote(browser, post_votes(), "up", {.score = 0, .karma = 0, .given = 0, .stored = {}}, true);
    vote(browser, post_votes(), "down", {.score = -1, .karma = -1, .given = -1, .stored = false},
         false);
    // Turned around: the score moves by two, the balance by one (up is allowed with given < 0).
    vote(browser, post_votes(), "up", {.score = 1, .karma = 1, .given = 0, .stored = true}, false);
    vote(browser, post_votes(), "down", {.score = -1, .karma = -1, .given = -1, .stored = false},
         false);
    vote(browser, post_votes(), "up", {.score = 1, .karma = 1, .given = 0, .stored = true}, false);

    std::vector<Db::Row> counts = db().query(
        "SELECT upvotes, downvotes FROM sub_posts WHERE pid = $1", {std::to_string(pid_)});
    EXPECT_EQ(counts[0][0], "1");
    EXPECT_EQ(counts[0][1], "0");
    // The karma shows on the author's profile, and the score in the listing with the voter's
    // vote marked.
    EXPECT_EQ(profile_score_in(browser.get("/u/" + author_.name).body), 1);
    HttpResponse listing = browser.get("/all/new");
    EXPECT_NE(listing.body.find("class=\"vote up on\""), std::string::npos);
    EXPECT_NE(listing.body.find("<output class=\"score\">1</output>"), std::string::npos);
}

TEST_F(Votes, OnACommentUpRepeatDownAndTurnedAround) {
    Browser browser = logged_in(voter_);
    vote(browser, comment_votes(), "up", {.score = 1, .karma = 1, .given = 1, .stored = true},
         false);
    vote(browser, comment_votes(), "up", {.score = 0, .karma = 0, .given = 0, .stored = {}}, true);
    vote(browser, comment_votes(), "down", {.score = -1, .karma = -1, .given = -1, .stored = false},
         false);
    vote(browser, comment_votes(), "up", {.score = 1, .karma = 1, .given = 0, .stored = true},
         false);
    EXPECT_EQ(profile_score_in(browser.get("/u/" + author_.name).body), 1);
    // The post's score is not touched by votes on its comments.
    EXPECT_EQ(db().number("SELECT score FROM sub_posts WHERE pid = $1", {std::to_string(pid_)}), 0);
}

TEST_F(Votes, OnesOwnPostOrCommentIsRefused) {
    Browser browser = logged_in(author_);
    HttpResponse post = browser.post_script(post_votes() + "/up");
    EXPECT_EQ(post.status, 400);
    EXPECT_EQ(json_error(post.body), "You can't vote on your own posts");
    HttpResponse comment = browser.post_script(comment_votes() + "/down");
    EXPECT_EQ(comment.status, 400);
    EXPECT_EQ(json_error(comment.body), "You can't vote on your own comments");
    EXPECT_EQ(db().number("SELECT score FROM sub_posts WHERE pid = $1", {std::to_string(pid_)}), 0);
    EXPECT_EQ(db().number("SELECT score FROM sub_post_comments WHERE cid = $1", {cid_}), 0);
    EXPECT_EQ(db().number("SELECT count(*) FROM sub_post_votes"
                          " WHERE pid = $1",
                          {std::to_string(pid_)}),
              0);
    EXPECT_EQ(karma(), 0);
    EXPECT_EQ(db().number("SELECT given FROM users WHERE uid = $1", {author_.uid}), 0);
}

TEST_F(Votes, ANegativeBalanceRefusesDownvotesOnly) {
    db().query("UPDATE users SET given = -1 WHERE uid = $1", {voter_.uid});
    Browser browser = logged_in(voter_);
    for (const std::string& target : {post_votes(), comment_votes()}) {
        SCOPED_TRACE(target);
        HttpResponse down = browser.post_script(target + "/down");
        EXPECT_EQ(down.status, 403);
        EXPECT_EQ(json_error(down.body), "Score balance is negative");
    }
    EXPECT_EQ(db().number("SELECT score FROM sub_posts WHERE pid = $1", {std::to_string(pid_)}), 0);
    EXPECT_EQ(db().number("SELECT count(*) FROM sub_post_votes WHERE uid = $1", {voter_.uid}), 0);
    EXPECT_EQ(
        db().number("SELECT count(*) FROM sub_post_comment_votes WHERE uid = $1", {voter_.uid}), 0);
    EXPECT_EQ(karma(), 0);
    // An upvote brings the balance back to zero.
    vote(browser, post_votes(), "up", {.score = 1, .karma = 1, .given = 0, .stored = true}, false);
}

TEST_F(Votes, AVisitorAndAMissingTargetAreRefused) {
    Browser visitor(port());
    for (const std::string& target : {post_votes(), comment_votes()}) {
        SCOPED_TRACE(target);
        HttpResponse answer = visitor.post_script(target + "/up");
        EXPECT_EQ(answer.status, 403);
        EXPECT_EQ(json_error(answer.body), "Not authorized");
    }
    Browser browser = logged_in(voter_);
    HttpResponse no_post = browser.post_script("/do/vote/999999999/up");
    EXPECT_EQ(no_post.status, 404);
    EXPECT_EQ(json_error(no_post.body), "Post does not exist");
    HttpResponse no_comment = browser.post_script("/do/votecomment/no-such-comment/up");
    EXPECT_EQ(no_comment.status, 404);
    EXPECT_EQ(json_error(no_comment.body), "Comment does not exist");
    HttpResponse sideways = browser.post_script(post_votes() + "/sideways");
    EXPECT_EQ(sideways.status, 400);
    // A deleted post takes no votes.
    db().query("UPDATE sub_posts SET deleted = 1 WHERE pid = $1", {std::to_string(pid_)});
    HttpResponse deleted = browser.post_script(post_votes() + "/up");
    EXPECT_EQ(deleted.status, 404);
    EXPECT_EQ(json_error(deleted.body), "Post does not exist");

    EXPECT_EQ(db().number("SELECT score FROM sub_posts WHERE pid = $1", {std::to_string(pid_)}), 0);
    EXPECT_EQ(db().number("SELECT score FROM sub_post_comments WHERE cid = $1", {cid_}), 0);
    EXPECT_EQ(karma(), 0);
    EXPECT_EQ(db().number("SELECT given FROM users WHERE uid = $1", {voter_.uid}), 0);
}

TEST_F(Votes, ConcurrentVotesAreAllCounted) {
    constexpr int kVoters = 12;
    std::vector<Browser> voters;
    std::vector<std::string> uids;
    for (int i = 0; i < kVoters; ++i) {
        Member voter = make_member("crowd");
        uids.push_back(voter.uid);
        voters.push_back(logged_in(voter));
        voters.back().csrf();
    }
    // Everyone upvotes the post and the comment at once; one voter also sends a second upvote
    // on the post at the same moment, which takes its first back in whichever order they land.
    std::vector<int> statuses(2 * kVoters + 1);
    {
        std::latch start(2 * kVoters + 1);
        std::vector<std::thread> threads;
        for (int i = 0; i < kVoters; ++i) {
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                statuses[static_cast<std::size_t>(2 * i)] =
                    voters[static_cast<std::size_t>(i)].post_script(post_votes() + "/up").status;
            });
        }
        // A second browser of voter 0's session: Browser objects are not shared across threads.
        Browser twin(port());
        twin.set_session(voters[0].session());
        twin.csrf();
        threads.emplace_back([&] {
            start.arrive_and_wait();
            statuses[static_cast<std::size_t>(2 * kVoters)] =
                twin.post_script(post_votes() + "/up").status;
        });
        for (int i = 0; i < kVoters; ++i) {
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                statuses[static_cast<std::size_t>(2 * i + 1)] =
                    voters[static_cast<std::size_t>(i)].post_script(comment_votes() + "/up").status;
            });
        }
        for (auto& thread : threads) {
            thread.join();
        }
    }
    for (int status : statuses) {
        EXPECT_EQ(status, 200);
    }
    const std::string pid = std::to_string(pid_);
    // Voter 0's two upvotes cancel out.
    EXPECT_EQ(db().number("SELECT score FROM sub_posts WHERE pid = $1", {pid}), kVoters - 1);
    EXPECT_EQ(db().number("SELECT upvotes FROM sub_posts WHERE pid = $1", {pid}), kVoters - 1);
    EXPECT_EQ(db().number("SELECT count(*) FROM sub_post_votes WHERE pid = $1", {pid}),
              kVoters - 1);
    EXPECT_EQ(db().number("SELECT score FROM sub_post_comments WHERE cid = $1", {cid_}), kVoters);
    EXPECT_EQ(db().number("SELECT count(*) FROM sub_post_comment_votes WHERE cid = $1", {cid_}),
              kVoters);
    EXPECT_EQ(karma(), 2 * kVoters - 1);
    EXPECT_EQ(db().number("SELECT given FROM users WHERE uid = $1", {uids[0]}), 1);
    EXPECT_EQ(db().number("SELECT given FROM users WHERE uid = $1", {uids[1]}), 2);
}

TEST_F(Votes, AnArchivedPostTakesNoVotesNorComments) {
    // site.archive_post_after is 60 days by default.
    db().query("UPDATE sub_posts SET posted = now() - interval '61 days' WHERE pid = $1",
               {std::to_string(pid_)});
    Browser browser = logged_in(voter_);
    HttpResponse post = browser.post_script(post_votes() + "/up");
    EXPECT_EQ(post.status, 400);
    EXPECT_EQ(json_error(post.body), "Post is archived");
    HttpResponse comment = browser.post_script(comment_votes() + "/up");
    EXPECT_EQ(comment.status, 400);
    EXPECT_EQ(json_error(comment.body), "Post is archived");
    const std::string pid = std::to_string(pid_);
    HttpResponse reply = browser.post_script(
        "/do/sendcomment/" + pid, {{"post", pid}, {"parent", "0"}, {"comment", "Too late"}});
    EXPECT_EQ(reply.status, 400);
    EXPECT_EQ(json_error(reply.body), "Post is archived");
    EXPECT_EQ(db().number("SELECT score FROM sub_posts WHERE pid = $1", {pid}), 0);
    EXPECT_EQ(db().number("SELECT comments FROM sub_posts WHERE pid = $1", {pid}), 1);
    EXPECT_EQ(karma(), 0);
    HttpResponse page = browser.get("/p/" + pid);
    ASSERT_EQ(page.status, 301);
    EXPECT_NE(browser.get(page.header("Location")).body.find("This post is archived"),
              std::string::npos);
}

TEST_F(Votes, AFormVoteGoesBackOnlyToAPathOfThisSite) {
    Browser browser = logged_in(voter_);
    HttpResponse back = browser.post(post_votes() + "/up", {{"next", "/s/somewhere/hot?x=1"}});
    EXPECT_EQ(back.status, 303);
    EXPECT_EQ(back.header("Location"), "/s/somewhere/hot?x=1");
    for (const std::string next : {"//evil.example/", "https://evil.example/", "/\\evil.example"}) {
        SCOPED_TRACE(next);
        HttpResponse answer = browser.post(post_votes() + "/up", {{"next", next}});
        EXPECT_EQ(answer.status, 303);
        EXPECT_EQ(answer.header("Location"), "/");
    }
}

}  // namespace
}  // namespace throat_blackbox

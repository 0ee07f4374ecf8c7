#include "throat/content/votes.h"

#include <gtest/gtest.h>

namespace throat::content {
namespace {

TEST(VoteEffect, AFirstVoteCountsOnce) {
    auto up = vote_effect(std::nullopt, VoteValue::up);
    EXPECT_EQ(up.stored, VoteValue::up);
    EXPECT_FALSE(up.removed);
    EXPECT_EQ(apply({.score = 3, .upvotes = 4, .downvotes = 1}, up),
              (VoteCounts{.score = 4, .upvotes = 5, .downvotes = 1}));
    EXPECT_EQ(up.given_delta, 1);

    auto down = vote_effect(std::nullopt, VoteValue::down);
    EXPECT_EQ(apply({.score = 3, .upvotes = 4, .downvotes = 1}, down),
              (VoteCounts{.score = 2, .upvotes = 4, .downvotes = 2}));
    EXPECT_EQ(down.given_delta, -1);
}

TEST(VoteEffect, TheSameVoteAgainTakesItBack) {
    auto undo_up = vote_effect(VoteValue::up, VoteValue::up);
    EXPECT_EQ(undo_up.stored, std::nullopt);
    EXPECT_TRUE(undo_up.removed);
    EXPECT_EQ(apply({.score = 4, .upvotes = 5, .downvotes = 1}, undo_up),
              (VoteCounts{.score = 3, .upvotes = 4, .downvotes = 1}));
    EXPECT_EQ(undo_up.given_delta, -1);

    auto undo_down = vote_effect(VoteValue::down, VoteValue::down);
    EXPECT_TRUE(undo_down.removed);
    EXPECT_EQ(apply({.score = 2, .upvotes = 4, .downvotes = 2}, undo_down),
              (VoteCounts{.score = 3, .upvotes = 4, .downvotes = 1}));
    EXPECT_EQ(undo_down.given_delta, 1);
}

TEST(VoteEffect, TheOppositeVoteTurnsItAroundButMovesTheBalanceByOne) {
    auto flip_up = vote_effect(VoteValue::down, VoteValue::up);
    EXPECT_EQ(flip_up.stored, VoteValue::up);
    EXPECT_FALSE(flip_up.removed);
    EXPECT_EQ(apply({.score = 2, .upvotes = 4, .downvotes = 2}, flip_up),
              (VoteCounts{.score = 4, .upvotes = 5, .downvotes = 1}));
    EXPECT_EQ(flip_up.score_delta, 2);  // also the author's karma
    EXPECT_EQ(flip_up.given_delta, 1);

    auto flip_down = vote_effect(VoteValue::up, VoteValue::down);
    EXPECT_EQ(apply({.score = 4, .upvotes = 5, .downvotes = 1}, flip_down),
              (VoteCounts{.score = 2, .upvotes = 4, .downvotes = 2}));
    EXPECT_EQ(flip_down.given_delta, -1);
}

TEST(VoteRefusal, ChecksInThroatsOrderWithItsAnswers) {
    VoteContext everything_wrong{.target = VoteTarget::comment,
                                 .value = VoteValue::down,
                                 .voter_given = -1,
                                 .target_exists = false,
                                 .own_target = true,
                                 .banned_from_sub = true,
                                 .age_days = 100,
                                 .archive_post_after_days = 60};
    auto refusal = vote_refusal(everything_wrong);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->status, 403);
    EXPECT_EQ(refusal->message, "Score balance is negative");

    everything_wrong.value = VoteValue::up;  // a negative balance only stops downvotes
    EXPECT_EQ(vote_refusal(everything_wrong)->message, "Comment does not exist");
    EXPECT_EQ(vote_refusal(everything_wrong)->status, 404);

    everything_wrong.target_exists = true;
    EXPECT_EQ(vote_refusal(everything_wrong)->message, "You can't vote on your own comments");
    everything_wrong.target = VoteTarget::post;
    EXPECT_EQ(vote_refusal(everything_wrong)->message, "You can't vote on your own posts");
    EXPECT_EQ(vote_refusal(everything_wrong)->status, 400);

    everything_wrong.self_voting_allowed = true;
    EXPECT_EQ(vote_refusal(everything_wrong)->message, "You are banned on this sub.");
    EXPECT_EQ(vote_refusal(everything_wrong)->status, 403);

    everything_wrong.banned_from_sub = false;
    EXPECT_EQ(vote_refusal(everything_wrong)->message, "Post is archived");

    everything_wrong.age_days = 59.9;
    EXPECT_EQ(vote_refusal(everything_wrong), std::nullopt);
}

// Expected values from Throat's best_score() run in Python 3.
TEST(BestScore, MatchesThroatsWilsonBound) {
    EXPECT_DOUBLE_EQ(best_score(0, 0, 0), 0.20654329147389294);
    EXPECT_DOUBLE_EQ(best_score(1, 0, 0), 0.20654329147389294);  // capped at the views
    EXPECT_DOUBLE_EQ(best_score(5, 1, 20), 0.11186005278940306);
    EXPECT_DOUBLE_EQ(best_score(0, 3, 10), -0.05668094798069328);
    EXPECT_DOUBLE_EQ(best_score(0, 1, 4), 0.0);
    EXPECT_DOUBLE_EQ(best_score(10, 2, 100), 0.048071995163884884);
    EXPECT_DOUBLE_EQ(best_score(3, 3, 7), 0.02567895594897479);
}

TEST(UserLevel, SquareRootOfATenthOfTheKarma) {
    EXPECT_EQ(user_level(0), 0);
    EXPECT_EQ(user_level(9), 0);
    EXPECT_EQ(user_level(10), 1);
    EXPECT_EQ(user_level(489), 6);
    EXPECT_EQ(user_level(490), 7);
    EXPECT_EQ(user_level(-50), 0);
}

}  // namespace
}  // namespace throat::content

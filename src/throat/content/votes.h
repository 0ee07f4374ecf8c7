#pragma once

#include <optional>
#include <string>

// Votes on posts and comments, as Throat's cast_vote (app/misc.py) counts them: the checks that
// refuse a vote, in Throat's order and with its answers, and what a vote changes.
namespace throat::content {

enum class VoteTarget { post, comment };

// +1 up, -1 down.
enum class VoteValue : int { up = 1, down = -1 };

// What cast_vote looks at before counting a vote.
struct VoteContext {
    VoteTarget target = VoteTarget::post;
    VoteValue value = VoteValue::up;
    int voter_given = 0;               // user.given: the balance of the voter's votes
    bool target_exists = true;         // not deleted (posts) / visible (comments)
    bool own_target = false;           // the voter wrote it
    bool self_voting_allowed = false;  // site.self_voting.posts / .comments
    bool banned_from_sub = false;
    double age_days = 0;  // since the post or comment was made
    double archive_post_after_days = 60;
};

struct VoteRefusal {
    int status = 400;
    std::string message = {};
};

// The first reason to refuse the vote, or nothing.
std::optional<VoteRefusal> vote_refusal(const VoteContext& context);

// Up and down counts of a post or comment.
struct VoteCounts {
    int score = 0;
    int upvotes = 0;
    int downvotes = 0;

    bool operator==(const VoteCounts&) const = default;
};

// What casting `value` changes, given the voter's earlier vote on the same target (if any):
// a first vote counts, the same vote again takes it back, the opposite vote turns it around.
struct VoteEffect {
    std::optional<VoteValue> stored = {};  // the voter's vote afterwards; none once taken back
    bool removed = false;                  // the answer's `rm`
    int score_delta = 0;                   // target score, and the author's user.score
    int upvotes_delta = 0;
    int downvotes_delta = 0;
    int given_delta = 0;  // the voter's user.given
};

VoteEffect vote_effect(std::optional<VoteValue> previous, VoteValue value);

VoteCounts apply(const VoteCounts& counts, const VoteEffect& effect);

// A user's level: the square root of a tenth of the karma (badges add none here). Below 7,
// Throat keeps daily posting limits.
int user_level(int karma);

// The lower bound of the Wilson score interval with the views as trials (Throat's best_score):
// how comments are sorted by "best". Computed on each vote when the comment has views.
double best_score(int upvotes, int downvotes, int views);

}  // namespace throat::content

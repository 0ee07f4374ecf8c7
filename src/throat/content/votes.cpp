#include "throat/content/votes.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace throat::content {

std::optional<VoteRefusal> vote_refusal(const VoteContext& context) {
    const bool post = context.target == VoteTarget::post;
    if (context.value == VoteValue::down && context.voter_given < 0) {
        return VoteRefusal{403, "Score balance is negative"};
    }
    if (!context.target_exists) {
        return VoteRefusal{404, post ? "Post does not exist" : "Comment does not exist"};
    }
    if (context.own_target && !context.self_voting_allowed) {
        return VoteRefusal{
            400, post ? "You can't vote on your own posts" : "You can't vote on your own comments"};
    }
    if (context.banned_from_sub) {
        return VoteRefusal{403, "You are banned on this sub."};
    }
    if (context.age_days > context.archive_post_after_days) {
        return VoteRefusal{400, "Post is archived"};
    }
    return std::nullopt;
}

VoteEffect vote_effect(std::optional<VoteValue> previous, VoteValue value) {
    const int v = static_cast<int>(value);
    const bool up = value == VoteValue::up;
    VoteEffect effect;
    if (!previous) {
        effect.stored = value;
        effect.score_delta = v;
        effect.upvotes_delta = up ? 1 : 0;
        effect.downvotes_delta = up ? 0 : 1;
        effect.given_delta = v;
    } else if (*previous == value) {
        effect.removed = true;
        effect.score_delta = -v;
        effect.upvotes_delta = up ? -1 : 0;
        effect.downvotes_delta = up ? 0 : -1;
        effect.given_delta = -v;
    } else {
        effect.stored = value;
        effect.score_delta = 2 * v;
        effect.upvotes_delta = up ? 1 : -1;
        effect.downvotes_delta = up ? -1 : 1;
        // Throat moves the voter's balance by one vote, not two, when a vote is turned around.
        effect.given_delta = v;
    }
    return effect;
}

VoteCounts apply(const VoteCounts& counts, const VoteEffect& effect) {
    return VoteCounts{
        .score = counts.score + effect.score_delta,
        .upvotes = counts.upvotes + effect.upvotes_delta,
        .downvotes = counts.downvotes + effect.downvotes_delta,
    };
}

double best_score(int upvotes, int downvotes, int views) {
    const double n = std::max(views, 1);
    // The +1 keeps new comments from sorting at the bottom.
    const int score = upvotes - downvotes + 1;
    const double p = std::min<double>(std::abs(score), n) / n;
    constexpr double z = 1.96;  // 95 % confidence
    const double bound =
        (p + z * z / (2 * n) - z * std::sqrt((p * (1 - p) + z * z / (4 * n)) / n)) /
        (1 + z * z / n);
    // Python's math.copysign(bound, 0) is +bound.
    return score < 0 ? -bound : bound;
}

int user_level(int karma) {
    return static_cast<int>(std::sqrt(std::max(karma, 0) / 10.0));
}

}  // namespace throat::content

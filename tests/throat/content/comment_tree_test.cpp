#include "throat/content/comment_tree.h"

#include <gtest/gtest.h>

namespace throat::content {
namespace {

CommentLink top(std::string cid) {
    return {.cid = std::move(cid), .parent_cid = std::nullopt};
}
CommentLink reply(std::string cid, std::string parent) {
    return {.cid = std::move(cid), .parent_cid = std::move(parent)};
}

// Every expected shape below is what Throat's own get_comment_tree (steps 2-3, build and trim,
// run in Python 3) gives for the same input.

// The tree as text: comments by cid, markers as [more N after KEY] or [more N].
std::string shape(const std::vector<CommentNode>& nodes) {
    std::string out;
    for (const auto& node : nodes) {
        if (!out.empty()) {
            out += " ";
        }
        if (node.is_more()) {
            out += "[more " + std::to_string(node.more) +
                   (node.key ? " after " + *node.key : std::string()) + " in " +
                   (node.parent_cid.empty() ? "top" : node.parent_cid) + "]";
            continue;
        }
        out += node.cid;
        if (!node.children.empty()) {
            out += "(" + shape(node.children) + ")";
        }
    }
    return out;
}

TEST(CommentTree, RepliesHangUnderTheirParentsInSortOrder) {
    std::vector<CommentLink> links = {top("a"),         reply("a2", "a"), top("b"),
                                      reply("a1", "a"), reply("b1", "b"), reply("a21", "a2")};
    EXPECT_EQ(shape(comment_tree(links)), "a(a2(a21) a1) b(b1)");
}

TEST(CommentTree, CommentsWhoseParentIsMissingOrACycleAreNotShown) {
    std::vector<CommentLink> links = {top("a"), reply("orphan", "gone"), reply("x", "y"),
                                      reply("y", "x")};
    EXPECT_EQ(shape(comment_tree(links)), "a");
}

TEST(CommentTree, TheTopLevelShowsElevenOfMoreThanTen) {
    std::vector<CommentLink> eleven;
    for (int i = 1; i <= 11; ++i) {
        eleven.push_back(top("c" + std::to_string(i)));
    }
    EXPECT_EQ(shape(comment_tree(eleven)), "c1 c2 c3 c4 c5 c6 c7 c8 c9 c10 c11");

    auto thirteen = eleven;
    thirteen.push_back(top("c12"));
    thirteen.push_back(top("c13"));
    EXPECT_EQ(shape(comment_tree(thirteen)),
              "c1 c2 c3 c4 c5 c6 c7 c8 c9 c10 c11 [more 2 after c11 in top]");
}

TEST(CommentTree, RepliesShowSixOfMoreThanFive) {
    std::vector<CommentLink> links = {top("p")};
    for (int i = 1; i <= 6; ++i) {
        links.push_back(reply("r" + std::to_string(i), "p"));
    }
    EXPECT_EQ(shape(comment_tree(links)), "p(r1 r2 r3 r4 r5 r6)");
    links.push_back(reply("r7", "p"));
    links.push_back(reply("r8", "p"));
    links.push_back(reply("r9", "p"));
    EXPECT_EQ(shape(comment_tree(links)), "p(r1 r2 r3 r4 r5 r6 [more 3 after r6 in p])");
}

TEST(CommentTree, RepliesBelowTheFourthLevelAreOneMarker) {
    std::vector<CommentLink> links = {top("d0"),         reply("d1", "d0"), reply("d2", "d1"),
                                      reply("d3", "d2"), reply("d4", "d3"), reply("d4b", "d3"),
                                      reply("d5", "d4")};
    EXPECT_EQ(shape(comment_tree(links)), "d0(d1(d2(d3([more 2 in d3]))))");
}

TEST(CommentTree, APermalinkShowsItsBranchUnderItsParentOnly) {
    std::vector<CommentLink> links = {top("a"),           reply("a1", "a"),   reply("a2", "a"),
                                      reply("a21", "a2"), reply("a1x", "a1"), top("b")};
    EXPECT_EQ(shape(comment_tree(links, {.root = "a2"})), "a(a2(a21))");
    EXPECT_EQ(shape(comment_tree(links, {.root = "a2", .provide_context = false})), "a2(a21)");
    EXPECT_EQ(shape(comment_tree(links, {.root = "a"})), "a(a1(a1x) a2(a21))");
    EXPECT_TRUE(comment_tree(links, {.root = "nowhere"}).empty());
}

TEST(CommentTree, LoadingMoreShowsOnlyTheSiblingsAfterTheKey) {
    std::vector<CommentLink> links = {top("a"), top("b"), reply("b1", "b"), top("c"), top("d")};
    EXPECT_EQ(shape(comment_tree(links, {.only_after = "b"})), "c d");
    // Among replies: the search goes down until it finds the key.
    std::vector<CommentLink> replies = {top("p"), reply("r1", "p"), reply("r2", "p"),
                                        reply("r3", "p"), reply("r31", "r3")};
    EXPECT_EQ(shape(comment_tree(replies, {.root = "p", .only_after = "r1"})), "p(r2 r3(r31))");
}

TEST(CommentTree, TheStickyCommentGoesFirstExceptWhenLoadingMore) {
    std::vector<CommentLink> links = {top("a"), top("b"), top("s"), reply("s1", "s")};
    EXPECT_EQ(shape(comment_tree(links, {.sticky_cid = "s"})), "s(s1) a b");
    EXPECT_EQ(shape(comment_tree(links, {.only_after = "a", .sticky_cid = "s"})), "b");
    // A sticky reply stays where it is.
    EXPECT_EQ(shape(comment_tree(links, {.sticky_cid = "s1"})), "a b s(s1)");
}

}  // namespace
}  // namespace throat::content

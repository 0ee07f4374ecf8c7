#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

// The shape of a post's comment thread as Throat shows it (get_comment_tree, app/misc.py): the
// tree built from (cid, parent) pairs in the chosen sort order, then trimmed for the page.
namespace throat::content {

struct CommentLink {
    std::string cid = {};
    std::optional<std::string> parent_cid = {};  // none for a top-level comment
};

// A comment to show, or a "load more" marker standing for comments left out.
struct CommentNode {
    std::string cid = {};  // empty for a marker
    std::vector<CommentNode> children = {};
    std::size_t more = 0;                 // markers: how many comments are left out here
    std::optional<std::string> key = {};  // sibling markers: the last comment shown before it
    std::string parent_cid = {};          // markers: whose children they continue ("" at the top)

    bool is_more() const { return cid.empty(); }
    bool operator==(const CommentNode&) const = default;
};

struct CommentTreeOptions {
    // Show only this comment's branch (a permalink), under its parent for context.
    std::optional<std::string> root = {};
    bool provide_context = true;
    // "Load more": only the siblings after this comment (and their replies).
    std::optional<std::string> only_after = {};
    // The post's sticky comment, moved to the top (left out when loading more).
    std::optional<std::string> sticky_cid = {};
};

// Top-level lists keep 11 comments when there are more than 10, deeper lists 6 when there are
// more than 5, each followed by a marker for the rest; replies deeper than the fourth level are
// one marker. Comments whose parent is not in `in_sort_order` are not shown.
std::vector<CommentNode> comment_tree(const std::vector<CommentLink>& in_sort_order,
                                      const CommentTreeOptions& options = {});

}  // namespace throat::content

#include "throat/content/comment_tree.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace throat::content {
namespace {

constexpr std::size_t kTopLevelShown = 11;   // when more than 10
constexpr std::size_t kReplyLevelShown = 6;  // when more than 5
constexpr int kDeepestLevel = 3;             // replies below it become one marker

class Thread {
public:
    explicit Thread(const std::vector<CommentLink>& links) {
        for (const auto& link : links) {
            parent_of_.emplace(link.cid, link.parent_cid.value_or(""));
            children_[link.parent_cid.value_or("")].push_back(link.cid);
        }
    }

    std::vector<std::string> children(const std::string& cid) const {
        auto it = children_.find(cid);
        return it == children_.end() ? std::vector<std::string>{} : it->second;
    }

    // True when the comment hangs, through present comments, from the top level.
    bool reachable(const std::string& cid) const {
        std::unordered_set<std::string> seen;
        for (std::string at = cid; !at.empty();) {
            auto it = parent_of_.find(at);
            if (it == parent_of_.end() || !seen.insert(at).second) {
                return false;
            }
            at = it->second;
        }
        return true;
    }

    const std::string& parent(const std::string& cid) const { return parent_of_.at(cid); }

private:
    std::unordered_map<std::string, std::string> parent_of_;              // "" at the top
    std::unordered_map<std::string, std::vector<std::string>> children_;  // in sort order
};

class Trimmer {
public:
    Trimmer(const Thread& thread, const CommentTreeOptions& options)
        : thread_(thread), options_(options) {}

    // The one child a context parent shows: the branch asked for.
    void show_only(std::string parent, std::string child) {
        only_child_ = {std::move(parent), {std::move(child)}};
    }

    std::vector<CommentNode> level(std::vector<std::string> cids, int depth, bool after_found,
                                   const std::string& parent_cid) const {
        if (options_.only_after && !after_found) {
            auto it = std::find(cids.begin(), cids.end(), *options_.only_after);
            if (it != cids.end()) {
                cids.erase(cids.begin(), it + 1);
                after_found = true;
            }
        }
        std::vector<CommentNode> nodes;
        if (depth > kDeepestLevel) {
            if (!cids.empty()) {
                nodes.push_back({.more = cids.size(), .parent_cid = parent_cid});
            }
            return nodes;
        }
        const std::size_t all = cids.size();
        const std::size_t shown = depth > 0 ? kReplyLevelShown : kTopLevelShown;
        if ((depth > 0 && all > kReplyLevelShown - 1) || all > kTopLevelShown - 1) {
            cids.resize(std::min(all, shown));
        }
        for (const auto& cid : cids) {
            CommentNode node{.cid = cid};
            node.children = level(children_of(cid), depth + 1, after_found, cid);
            nodes.push_back(std::move(node));
        }
        if (all > cids.size()) {
            nodes.push_back(
                {.more = all - cids.size(), .key = cids.back(), .parent_cid = parent_cid});
        }
        return nodes;
    }

private:
    std::vector<std::string> children_of(const std::string& cid) const {
        if (only_child_ && only_child_->first == cid) {
            return only_child_->second;
        }
        return thread_.children(cid);
    }

    const Thread& thread_;
    const CommentTreeOptions& options_;
    std::optional<std::pair<std::string, std::vector<std::string>>> only_child_;
};

}  // namespace

std::vector<CommentNode> comment_tree(const std::vector<CommentLink>& in_sort_order,
                                      const CommentTreeOptions& options) {
    Thread thread(in_sort_order);
    Trimmer trimmer(thread, options);
    std::vector<std::string> top;
    if (options.root) {
        const std::string& root = *options.root;
        if (!thread.reachable(root)) {
            return {};
        }
        const std::string& parent = thread.parent(root);
        if (parent.empty() || !options.provide_context) {
            top = {root};
        } else {
            top = {parent};
            trimmer.show_only(parent, root);
        }
    } else {
        top = thread.children("");
        if (options.sticky_cid) {
            auto sticky = std::find(top.begin(), top.end(), *options.sticky_cid);
            if (sticky != top.end()) {
                std::string cid = *sticky;
                top.erase(sticky);
                if (!options.only_after) {
                    top.insert(top.begin(), std::move(cid));
                }
            }
        }
    }
    return trimmer.level(std::move(top), 0, false, "");
}

}  // namespace throat::content

#pragma once

#include <cstdint>
#include <optional>
#include <string>

// Rows of the forum as pages show them: what the store reads, joined with the names a page
// needs (author, sub) and the viewer's own vote.
namespace throat::store {

struct UserRecord {
    std::string uid = {};
    std::string name = {};
    std::string password_hash = {};
    int status = 0;  // 0 ok, 1 probation, 5 banned, 10 deleted
    std::int64_t resets = 0;
    int score = 0;
    int given = 0;
    std::int64_t joined = 0;  // Unix seconds
    bool admin = false;
};

struct SubRecord {
    std::string sid = {};
    std::string name = {};
    std::string title = {};
    std::string sidebar = {};
    bool nsfw = false;
    int status = 0;
    int subscribers = 0;
    int posts = 0;
    std::int64_t created = 0;
    std::string owner = {};  // the owner's name, "" when none
};

struct PostRecord {
    std::int64_t pid = 0;
    std::string sid = {};
    std::string sub_name = {};
    std::string uid = {};
    std::string author = {};
    std::string title = {};
    std::string content = {};
    std::string link = {};  // "" for a text post
    int ptype = 0;          // 0 text, 1 link
    bool nsfw = false;
    std::int64_t posted = 0;  // Unix seconds
    int deleted = 0;
    int score = 0;
    int upvotes = 0;
    int downvotes = 0;
    int comments = 0;
    int viewer_vote = 0;  // +1, -1, or 0 when the viewer has not voted
};

struct CommentRecord {
    std::string cid = {};
    std::string parent_cid = {};  // "" at the top level
    std::string uid = {};
    std::string author = {};
    std::string content = {};
    std::int64_t time = 0;
    int score = 0;
    int upvotes = 0;
    int downvotes = 0;
    int status = 0;  // 0 visible, 1 deleted by the author, 2 by a mod, 3 by an admin
    int viewer_vote = 0;
};

}  // namespace throat::store

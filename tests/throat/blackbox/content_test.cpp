// Subs, posts and comments over HTTP: what each form writes to the database and how the pages
// show it.
#include "throat_blackbox.h"

namespace throat_blackbox {
namespace {

class Subs : public SharedSiteTest {};

TEST_F(Subs, CreatingASubMakesTheCreatorItsSubscribedOwner) {
    Member owner = make_member("owner");
    Browser browser = logged_in(owner);
    const std::string name = unique_name("Cats");
    HttpResponse answer =
        browser.post("/createsub", {{"subname", name}, {"title", "All about cats"}});
    ASSERT_EQ(answer.status, 303) << form_error_in(answer.body);
    EXPECT_EQ(answer.header("Location"), "/s/" + name);

    std::vector<Db::Row> subs = db().query(
        "SELECT sid, title, subscribers, posts, status FROM subs WHERE name = $1", {name});
    ASSERT_EQ(subs.size(), 1u);
    const std::string sid = subs[0][0].value_or("");
    EXPECT_EQ(subs[0][1], "All about cats");
    EXPECT_EQ(subs[0][2], "1");
    EXPECT_EQ(subs[0][3], "0");
    EXPECT_EQ(subs[0][4], "0");
    EXPECT_EQ(
        db().value("SELECT uid FROM sub_mods WHERE sid = $1 AND power_level = 0 AND NOT invite",
                   {sid}),
        owner.uid);
    EXPECT_EQ(db().value("SELECT status FROM sub_subscribers WHERE sid = $1 AND uid = $2",
                         {sid, owner.uid}),
              "1");

    HttpResponse short_address = browser.get("/s/" + name);
    EXPECT_EQ(short_address.status, 302);
    EXPECT_EQ(short_address.header("Location"), "/s/" + name + "/hot");
    HttpResponse page = browser.get("/s/" + name + "/hot");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<h1 id=\"heading\">All about cats</h1>"), std::string::npos);
    EXPECT_NE(page.body.find("Owner: <a href=\"/u/" + owner.name + "\">"), std::string::npos);
    EXPECT_NE(page.body.find("<span class=\"subscribers\">1</span>"), std::string::npos);
    EXPECT_NE(page.body.find("action=\"/do/unsubscribe/" + sid + "\""), std::string::npos);
}

TEST_F(Subs, ANameTakenInAnyCaseOrReservedIsRefused) {
    Member owner = make_member("dupowner");
    Browser browser = logged_in(owner);
    const std::string name = unique_name("dup");
    ASSERT_EQ(browser.post("/createsub", {{"subname", name}, {"title", "First"}}).status, 303);
    std::string upper = name;
    upper[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[0])));

    HttpResponse again = browser.post("/createsub", {{"subname", upper}, {"title", "Second"}});
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(form_error_in(again.body), "Sub is already registered.");
    EXPECT_EQ(db().number("SELECT count(*) FROM subs WHERE lower(name) = $1", {name}), 1);
    EXPECT_EQ(db().value("SELECT title FROM subs WHERE lower(name) = $1", {name}), "First");

    HttpResponse reserved = browser.post("/createsub", {{"subname", "All"}, {"title", "Reserved"}});
    EXPECT_EQ(reserved.status, 200);
    EXPECT_EQ(form_error_in(reserved.body), "Invalid sub name");
    HttpResponse invalid = browser.post("/createsub", {{"subname", "no spaces"}, {"title", "Bad"}});
    EXPECT_EQ(invalid.status, 200);
    EXPECT_EQ(form_error_in(invalid.body), "Sub name has invalid characters");
    EXPECT_EQ(db().number("SELECT count(*) FROM subs WHERE lower(name) IN ('all', 'no spaces')"),
              0);
}

TEST_F(Subs, SubscribingAndUnsubscribingKeepTheCountRight) {
    Member owner = make_member("subowner");
    Member reader = make_member("reader");
    const std::string name = unique_name("news");
    const std::string sid = db().create_sub(name, owner.uid);
    std::int64_t pid = db().create_post(sid, owner.uid, "Fresh news");
    auto subscribers = [&] {
        return db().number("SELECT subscribers FROM subs WHERE sid = $1", {sid});
    };
    auto rows = [&] {
        return db().number("SELECT count(*) FROM sub_subscribers WHERE sid = $1 AND uid = $2",
                           {sid, reader.uid});
    };
    Browser browser = logged_in(reader);
    // The front page is the reader's subscriptions: nothing yet.
    EXPECT_TRUE(listed_posts(browser.get("/").body).empty());

    HttpResponse subscribe = browser.post_script("/do/subscribe/" + sid);
    EXPECT_EQ(subscribe.status, 200);
    EXPECT_EQ(json_string(subscribe.body, "status"), "ok") << subscribe.body;
    EXPECT_EQ(subscribers(), 2);
    EXPECT_EQ(rows(), 1);
    EXPECT_EQ(listed_posts(browser.get("/").body), std::vector<std::int64_t>{pid});

    HttpResponse twice = browser.post_script("/do/subscribe/" + sid);
    EXPECT_EQ(json_error(twice.body), "Already subscribed") << twice.body;
    EXPECT_EQ(subscribers(), 2);

    HttpResponse unsubscribe = browser.post_script("/do/unsubscribe/" + sid);
    EXPECT_EQ(unsubscribe.status, 200);
    EXPECT_EQ(json_string(unsubscribe.body, "status"), "ok") << unsubscribe.body;
    EXPECT_EQ(subscribers(), 1);
    EXPECT_EQ(rows(), 0);
    EXPECT_TRUE(listed_posts(browser.get("/").body).empty());

    HttpResponse again = browser.post_script("/do/unsubscribe/" + sid);
    EXPECT_EQ(json_error(again.body), "Not subscribed") << again.body;
    EXPECT_EQ(subscribers(), 1);

    // A form without scripts goes back to the sub.
    HttpResponse form = browser.post("/do/subscribe/" + sid, {});
    EXPECT_EQ(form.status, 303);
    EXPECT_EQ(form.header("Location"), "/s/" + name);
    EXPECT_EQ(subscribers(), 2);

    // A visitor may not subscribe.
    Browser visitor(port());
    HttpResponse refused = visitor.post_script("/do/subscribe/" + sid);
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(json_error(refused.body), "Not authorized");
    EXPECT_EQ(subscribers(), 2);
}

class Posts : public SharedSiteTest {
protected:
    void SetUp() override {
        SharedSiteTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        author_ = make_member("poster");
        sub_ = unique_name("posts");
        sid_ = db().create_sub(sub_, author_.uid);
    }

    std::int64_t posts_in_sub() {
        return db().number("SELECT count(*) FROM sub_posts WHERE sid = $1", {sid_});
    }

    Member author_;
    std::string sub_;
    std::string sid_;
};

TEST_F(Posts, ATextPostIsStoredAndItsMarkdownRenderedWithHtmlEscaped) {
    const std::string kContent =
        "Some *x* here, [a script](javascript:alert(2)).\n\n<script>alert(1)</script>\n";
    Browser browser = logged_in(author_);
    HttpResponse answer = browser.post(
        "/submit/text",
        {{"sub", sub_}, {"title", "  Hello <b>there</b> world  "}, {"content", kContent}});
    ASSERT_EQ(answer.status, 303) << form_error_in(answer.body);
    const std::string location = answer.header("Location");
    std::vector<Db::Row> rows = db().query(
        "SELECT pid, uid, title, content, ptype, link IS NULL, score, deleted FROM sub_posts"
        " WHERE sid = $1",
        {sid_});
    ASSERT_EQ(rows.size(), 1u);
    const std::string pid = rows[0][0].value_or("");
    EXPECT_EQ(location, "/s/" + sub_ + "/" + pid + "/hello-b-there-b-world");
    EXPECT_EQ(rows[0][1], author_.uid);
    EXPECT_EQ(rows[0][2], "Hello <b>there</b> world");  // the surrounding blanks are stripped
    EXPECT_EQ(rows[0][3], kContent);
    EXPECT_EQ(rows[0][4], "0");
    EXPECT_EQ(rows[0][5], "t");
    EXPECT_EQ(rows[0][6], "0");  // no self-vote by default
    EXPECT_EQ(rows[0][7], "0");
    EXPECT_EQ(db().number("SELECT posts FROM subs WHERE sid = $1", {sid_}), 1);

    HttpResponse page = browser.get(location);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<h1 class=\"post-title\">Hello &lt;b&gt;there&lt;"),
              std::string::npos);
    EXPECT_EQ(page.body.find("<b>there</b>"), std::string::npos);
    EXPECT_NE(page.body.find("<em>x</em>"), std::string::npos);
    EXPECT_NE(page.body.find("&lt;script&gt;alert(1)"), std::string::npos);
    EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
    EXPECT_EQ(page.body.find("href=\"javascript:"), std::string::npos);

    // Any other slug (or none) leads to the canonical address.
    HttpResponse wrong_slug = browser.get("/s/" + sub_ + "/" + pid + "/something-else");
    EXPECT_EQ(wrong_slug.status, 301);
    EXPECT_EQ(wrong_slug.header("Location"), location);
    // The listing shows it to a visitor too.
    Browser visitor(port());
    EXPECT_EQ(listed_posts(visitor.get("/s/" + sub_ + "/new").body),
              std::vector<std::int64_t>{std::stoll(pid)});
}

TEST_F(Posts, ALinkPostKeepsItsLinkAndAnInvalidLinkIsRefused) {
    Browser browser = logged_in(author_);
    HttpResponse answer =
        browser.post("/submit/link", {{"sub", sub_},
                                      {"title", "A page worth reading"},
                                      {"link", "https://www.example.com/page?q=1"}});
    ASSERT_EQ(answer.status, 303) << form_error_in(answer.body);
    std::vector<Db::Row> rows =
        db().query("SELECT pid, link, ptype FROM sub_posts WHERE sid = $1", {sid_});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][1], "https://www.example.com/page?q=1");
    EXPECT_EQ(rows[0][2], "1");
    EXPECT_EQ(answer.header("Location"),
              "/s/" + sub_ + "/" + rows[0][0].value_or("") + "/a-page-worth-reading");
    HttpResponse listing = browser.get("/s/" + sub_ + "/new");
    EXPECT_NE(listing.body.find("href=\"https://www.example.com/page?q=1\""), std::string::npos);
    EXPECT_NE(listing.body.find("<span class=\"domain\">(example.com)</span>"), std::string::npos);

    const std::vector<std::pair<std::string, std::string>> refused = {
        {"not a link at all", "Invalid URL."},
        {"http://localhost/page", "Invalid URL."},
        // A URL by WTForms' rule, and script in an href: "//..." is a comment up to the newline.
        {"javascript://example.com/%0Aalert(1)", "Invalid URL."},
        {"", "No link provided."},
    };
    for (const auto& [link, message] : refused) {
        SCOPED_TRACE(link);
        HttpResponse form = browser.post(
            "/submit/link", {{"sub", sub_}, {"title", "Another link"}, {"link", link}});
        EXPECT_EQ(form.status, 200);
        EXPECT_EQ(form_error_in(form.body), message);
    }
    HttpResponse no_sub =
        browser.post("/submit/text",
                     {{"sub", unique_name("nosuchsub")}, {"title", "Lost post"}, {"content", "x"}});
    EXPECT_EQ(no_sub.status, 200);
    EXPECT_EQ(form_error_in(no_sub.body), "Sub does not exist.");
    EXPECT_EQ(posts_in_sub(), 1);
    EXPECT_EQ(db().number("SELECT posts FROM subs WHERE sid = $1", {sid_}), 1);
}

TEST_F(Posts, CommentsNestThreeDeep) {
    Member replier = make_member("replier");
    std::int64_t pid = db().create_post(sid_, author_.uid, "Discuss this");
    const std::string pid_text = std::to_string(pid);
    Browser author = logged_in(author_);
    Browser other = logged_in(replier);

    auto comment = [&](Browser& browser, const std::string& parent, const std::string& text) {
        HttpResponse answer = browser.post_script(
            "/do/sendcomment/" + pid_text,
            {{"post", pid_text}, {"parent", parent.empty() ? "0" : parent}, {"comment", text}});
        EXPECT_EQ(answer.status, 200) << answer.body;
        EXPECT_EQ(json_string(answer.body, "status"), "ok") << answer.body;
        std::string cid = json_string(answer.body, "cid").value_or("");
        EXPECT_NE(json_string(answer.body, "comment").value_or("").find("comment-" + cid),
                  std::string::npos);
        EXPECT_EQ(json_string(answer.body, "addr"),
                  "/s/" + sub_ + "/" + pid_text + "/discuss-this/" + cid);
        return cid;
    };
    const std::string top = comment(author, "", "First *level*");
    const std::string middle = comment(other, top, "Second level");
    const std::string bottom = comment(author, middle, "Third <script>alert(3)</script> level");
    ASSERT_FALSE(top.empty() || middle.empty() || bottom.empty());

    EXPECT_EQ(db().number("SELECT comments FROM sub_posts WHERE pid = $1", {pid_text}), 3);
    EXPECT_EQ(db().value("SELECT parentcid FROM sub_post_comments WHERE cid = $1", {top}), "");
    EXPECT_EQ(db().value("SELECT parentcid FROM sub_post_comments WHERE cid = $1", {middle}), top);
    EXPECT_EQ(db().value("SELECT parentcid FROM sub_post_comments WHERE cid = $1", {bottom}),
              middle);
    EXPECT_EQ(db().value("SELECT uid FROM sub_post_comments WHERE cid = $1", {middle}),
              replier.uid);

    Browser visitor(port());
    HttpResponse page = visitor.get("/s/" + sub_ + "/" + pid_text + "/discuss-this");
    ASSERT_EQ(page.status, 200);
    const std::string& html = page.body;
    EXPECT_NE(html.find("<h2 id=\"comments-heading\">3 comments</h2>"), std::string::npos);
    EXPECT_NE(html.find("<em>level</em>"), std::string::npos);
    EXPECT_NE(html.find("Third &lt;script&gt;alert(3)"), std::string::npos);
    EXPECT_EQ(html.find("<script>alert(3)"), std::string::npos);
    auto top_span = element_span(html, "article", "comment-" + top);
    auto middle_span = element_span(html, "article", "comment-" + middle);
    auto bottom_span = element_span(html, "article", "comment-" + bottom);
    ASSERT_TRUE(top_span && middle_span && bottom_span);
    // A reply is the first article of its parent's children block: the parent's own text
    // holds no such block before it.
    auto is_reply_of = [&](std::pair<std::size_t, std::size_t> child,
                           std::pair<std::size_t, std::size_t> parent) {
        std::size_t children = html.find("<div class=\"children\">", parent.first);
        return children < child.first && child.second <= parent.second &&
               html.find("<article", children) == child.first;
    };
    EXPECT_TRUE(is_reply_of(*middle_span, *top_span));
    EXPECT_TRUE(is_reply_of(*bottom_span, *middle_span));
    EXPECT_FALSE(is_reply_of(*bottom_span, *top_span));
    EXPECT_FALSE(is_reply_of(*top_span, *middle_span));
    EXPECT_LT(top_span->first, middle_span->first);
    EXPECT_LT(middle_span->first, bottom_span->first);

    // Without scripts the answer goes back to the post, at the new comment.
    HttpResponse form = other.post("/do/sendcomment/" + pid_text,
                                   {{"post", pid_text}, {"parent", "0"}, {"comment", "Plain"}});
    EXPECT_EQ(form.status, 303);
    EXPECT_TRUE(form.header("Location")
                    .starts_with("/s/" + sub_ + "/" + pid_text + "/discuss-this#comment-"))
        << form.header("Location");
    EXPECT_EQ(db().number("SELECT comments FROM sub_posts WHERE pid = $1", {pid_text}), 4);
}

TEST_F(Posts, AReplyToACommentOfAnotherPostIsRefused) {
    std::int64_t first = db().create_post(sid_, author_.uid, "First post");
    std::int64_t second = db().create_post(sid_, author_.uid, "Second post");
    std::string elsewhere = db().create_comment(first, author_.uid, "On the first post");
    Browser browser = logged_in(author_);
    const std::string second_text = std::to_string(second);

    HttpResponse answer = browser.post_script(
        "/do/sendcomment/" + second_text,
        {{"post", second_text}, {"parent", elsewhere}, {"comment", "Misplaced reply"}});
    EXPECT_EQ(answer.status, 404);
    EXPECT_EQ(json_error(answer.body), "Parent comment does not exist");
    HttpResponse unknown = browser.post_script(
        "/do/sendcomment/" + second_text,
        {{"post", second_text}, {"parent", "no-such-comment"}, {"comment", "Orphan reply"}});
    EXPECT_EQ(unknown.status, 404);
    HttpResponse empty =
        browser.post_script("/do/sendcomment/" + second_text,
                            {{"post", second_text}, {"parent", "0"}, {"comment", " "}});
    EXPECT_EQ(empty.status, 400);
    EXPECT_EQ(json_error(empty.body), "This field is required.");
    // The post field must name the post of the address.
    HttpResponse mismatched = browser.post_script(
        "/do/sendcomment/" + second_text,
        {{"post", std::to_string(first)}, {"parent", "0"}, {"comment", "Which post?"}});
    EXPECT_EQ(mismatched.status, 404);

    EXPECT_EQ(db().number("SELECT count(*) FROM sub_post_comments WHERE pid = $1", {second_text}),
              0);
    EXPECT_EQ(db().number("SELECT comments FROM sub_posts WHERE pid = $1", {second_text}), 0);
    EXPECT_EQ(db().number("SELECT comments FROM sub_posts WHERE pid = $1", {std::to_string(first)}),
              1);
}

}  // namespace
}  // namespace throat_blackbox

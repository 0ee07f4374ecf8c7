#include "throat/web/templates.h"

#include <thread>

#include <gtest/gtest.h>

namespace throat::web {
namespace {

TEST(Templates, EscapesValuesAndKeepsProgramMadeHtml) {
    Templates templates;
    View view;
    view.set("status", "404");
    view.set("reason", "Not Found");
    view.set("message", "<script>alert(1)</script> & \"quotes\"");
    std::string html = templates.render("error", view);
    EXPECT_NE(html.find("404 Not Found"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"),
              std::string::npos);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
}

TEST(Templates, VoteButtonsShowTheViewersVote) {
    Templates templates;
    View view;
    view.set("vote_url", "/do/vote/7");
    view.set("score", "3");
    view.set("upvoted", true);
    view.set("downvoted", false);
    view.set("csrf_token", "token");
    view.set("here", "/all/new");
    std::string html = templates.render("votes", view);
    EXPECT_NE(html.find("formaction=\"/do/vote/7/up\""), std::string::npos);
    EXPECT_NE(html.find("class=\"vote up on\""), std::string::npos);
    EXPECT_NE(html.find("class=\"vote down\""), std::string::npos);
    EXPECT_NE(html.find("<output class=\"score\">3</output>"), std::string::npos);
    EXPECT_NE(html.find("name=\"csrf_token\" value=\"token\""), std::string::npos);
    EXPECT_NE(html.find("name=\"next\" value=\"/all/new\""), std::string::npos);
}

TEST(Templates, RenderOnSeveralThreadsAtOnce) {
    Templates templates;
    std::vector<std::thread> threads;
    std::vector<std::string> pages(4);
    for (std::size_t i = 0; i < pages.size(); ++i) {
        threads.emplace_back([&, i] {
            for (int n = 0; n < 200; ++n) {
                View view;
                view.set("status", std::to_string(i));
                pages[i] = templates.render("error", view);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (std::size_t i = 0; i < pages.size(); ++i) {
        EXPECT_NE(pages[i].find(">" + std::to_string(i) + " "), std::string::npos);
    }
}

TEST(Templates, AnUnknownNameThrows) {
    Templates templates;
    EXPECT_THROW(templates.render("nope", View()), std::out_of_range);
}

}  // namespace
}  // namespace throat::web

// Accounts over HTTP: registering (and the form's refusals), logging in and out, the "remember
// me" cookie, and a session ended by raising users.resets in the database.
#include <algorithm>
#include <future>

#include "throat_blackbox.h"

namespace throat_blackbox {
namespace {

class Accounts : public SharedSiteTest {
protected:
    std::int64_t users_named(const std::string& name) {
        return db().number("SELECT count(*) FROM users WHERE lower(name) = lower($1)", {name});
    }
};

TEST_F(Accounts, RegistrationLogsInAndStoresABcryptHash) {
    Browser visitor(port());
    const std::string name = unique_name("Newbie");
    HttpResponse answer = visitor.register_user(name, "a good password");
    ASSERT_EQ(answer.status, 303) << form_error_in(answer.body);
    EXPECT_EQ(answer.header("Location"), "/");
    const std::string cookie = answer.header("Set-Cookie");
    EXPECT_TRUE(cookie.starts_with("session=")) << cookie;
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos) << cookie;
    EXPECT_EQ(cookie.find("Max-Age"), std::string::npos) << "a browser session: " << cookie;

    EXPECT_EQ(visitor.logged_in_as(), name);
    std::vector<Db::Row> rows = db().query(
        "SELECT password, status, resets, score, given FROM users WHERE name = $1", {name});
    ASSERT_EQ(rows.size(), 1u);
    const std::string hash = rows[0][0].value_or("");
    // Python's bcrypt at its default cost: $2b$12$, 22 characters of salt, 31 of hash.
    EXPECT_TRUE(hash.starts_with("$2b$12$")) << hash;
    EXPECT_EQ(hash.size(), 60u) << hash;
    EXPECT_EQ(rows[0][1], "0");
    EXPECT_EQ(rows[0][2], "0");
    EXPECT_EQ(rows[0][3], "0");
    EXPECT_EQ(rows[0][4], "0");

    // The password registered with logs in.
    Browser again(port());
    HttpResponse login = again.login(name, "a good password");
    EXPECT_EQ(login.status, 303) << form_error_in(login.body);
    EXPECT_EQ(again.logged_in_as(), name);
}

TEST_F(Accounts, ANameTakenInAnotherCaseIsNotAvailable) {
    Member member = make_member("Taken");
    std::string shouted = member.name;
    for (char& c : shouted) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    Browser visitor(port());
    HttpResponse answer = visitor.register_user(shouted, "another password");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(form_error_in(answer.body), "Username is not available.");
    EXPECT_EQ(account_name_in(answer.body), "");
    EXPECT_EQ(users_named(member.name), 1);
}

TEST_F(Accounts, TheRegistrationFormRefusesWhatThroatRefuses) {
    struct Case {
        std::string username;
        std::string password;
        std::string confirm;
        bool accept_tos;
        std::string message;
    };
    const std::string fine = unique_name("fine");
    const std::vector<Case> cases = {
        {"a", "a good password", "a good password", true,
         "Field must be between 2 and 32 characters long."},
        {"bad name!", "a good password", "a good password", true,
         "Username has invalid characters."},
        {std::string(33, 'x'), "a good password", "a good password", true,
         "Field must be between 2 and 32 characters long."},
        {fine, "short", "short", true, "Field must be between 7 and 256 characters long."},
        {fine, "a good password", "another password", true, "Passwords must match"},
        {fine, "a good password", "a good password", false,
         "You must accept the terms of service."},
    };
    for (const Case& refused : cases) {
        SCOPED_TRACE(refused.username + " / " + refused.message);
        Browser visitor(port());
        Fields fields = {{"username", refused.username},
                         {"password", refused.password},
                         {"confirm", refused.confirm}};
        if (refused.accept_tos) {
            fields.emplace_back("accept_tos", "y");
        }
        HttpResponse answer = visitor.post("/register", fields);
        EXPECT_EQ(answer.status, 200);
        EXPECT_EQ(form_error_in(answer.body), refused.message);
        EXPECT_EQ(account_name_in(answer.body), "");
        EXPECT_EQ(users_named(refused.username), 0);
        EXPECT_EQ(visitor.logged_in_as(), "");
    }
}

TEST_F(Accounts, AWrongPasswordOrAnUnknownUserDoesNotLogIn) {
    Member member = make_member("Wrong");
    const std::vector<std::pair<std::string, std::string>> attempts = {
        {member.name, "not the password"},
        {unique_name("nobody"), member.password},
        {member.name, ""},
    };
    for (const auto& [name, password] : attempts) {
        SCOPED_TRACE(name + " / " + password);
        Browser visitor(port());
        HttpResponse answer = visitor.login(name, password);
        EXPECT_EQ(answer.status, 200);
        EXPECT_EQ(form_error_in(answer.body), "Invalid username or password.");
        EXPECT_EQ(visitor.logged_in_as(), "");
    }
}

TEST_F(Accounts, RememberMeGivesALastingCookieAndLogoutEndsTheSession) {
    Member member = make_member("Remember");
    Browser browser(port());
    HttpResponse answer = browser.post("/login", {{"username", member.name},
                                                  {"password", member.password},
                                                  {"remember", "y"},
                                                  {"next", "/all/new"}});
    ASSERT_EQ(answer.status, 303) << form_error_in(answer.body);
    EXPECT_EQ(answer.header("Location"), "/all/new");
    const std::string cookie = answer.header("Set-Cookie");
    EXPECT_NE(cookie.find("; Max-Age=31536000"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
    EXPECT_EQ(browser.logged_in_as(), member.name);

    HttpResponse logout = browser.post("/do/logout", {});
    EXPECT_EQ(logout.status, 303);
    EXPECT_EQ(logout.header("Location"), "/");
    EXPECT_EQ(logout.header("Set-Cookie").find("Max-Age"), std::string::npos);
    EXPECT_EQ(browser.logged_in_as(), "");

    // Without "remember me" the cookie lasts as long as the browser; the name's case does not
    // matter, as in Throat.
    Browser shouting(port());
    std::string upper = member.name;
    upper[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[0])));
    HttpResponse plain = shouting.login(upper, member.password);
    ASSERT_EQ(plain.status, 303) << form_error_in(plain.body);
    EXPECT_EQ(plain.header("Set-Cookie").find("Max-Age"), std::string::npos);
    EXPECT_EQ(shouting.logged_in_as(), member.name);
}

TEST_F(Accounts, RaisingResetsInTheDatabaseEndsTheSession) {
    Member member = make_member("Resets");
    Browser browser = logged_in(member);
    ASSERT_EQ(browser.logged_in_as(), member.name);
    const std::string before = browser.session();

    db().query("UPDATE users SET resets = resets + 1 WHERE uid = $1", {member.uid});
    HttpResponse page = browser.get("/subs");
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(account_name_in(page.body), "");
    // A fresh anonymous session replaces the ended one.
    EXPECT_TRUE(page.header("Set-Cookie").starts_with("session="));
    EXPECT_NE(browser.session(), before);
    EXPECT_EQ(browser.logged_in_as(), "");

    // The old cookie stays worthless, and logging in again works.
    Browser replay(port());
    replay.set_session(before);
    EXPECT_EQ(replay.logged_in_as(), "");
    HttpResponse again = browser.login(member.name, member.password);
    EXPECT_EQ(again.status, 303);
    EXPECT_EQ(browser.logged_in_as(), member.name);
}

TEST_F(Accounts, ABannedAccountIsLoggedOutAndCannotLogIn) {
    Member member = make_member("Banned");
    Browser browser = logged_in(member);
    ASSERT_EQ(browser.logged_in_as(), member.name);
    db().query("UPDATE users SET status = 5 WHERE uid = $1", {member.uid});
    EXPECT_EQ(browser.logged_in_as(), "");
    HttpResponse again = browser.login(member.name, member.password);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(form_error_in(again.body), "Invalid username or password.");
    EXPECT_EQ(browser.logged_in_as(), "");
}

TEST_F(Accounts, LoginGoesBackOnlyToPathsOfThisSite) {
    Member member = make_member("Next");
    const std::vector<std::pair<std::string, std::string>> nexts = {
        {"/s/somewhere/hot", "/s/somewhere/hot"},
        {"//evil.example/phish", "/"},
        {"https://evil.example/", "/"},
        {"/\\evil.example", "/"},
        {"", "/"},
    };
    for (const auto& [next, location] : nexts) {
        SCOPED_TRACE(next);
        Browser browser(port());
        HttpResponse answer = browser.post(
            "/login", {{"username", member.name}, {"password", member.password}, {"next", next}});
        EXPECT_EQ(answer.status, 303);
        EXPECT_EQ(answer.header("Location"), location);
    }
}

TEST_F(Accounts, TwoRegistrationsOfOneNameAtOnceMakeOneUser) {
    const std::string name = unique_name("Racer");
    Browser first(port());
    Browser second(port());
    first.csrf();
    second.csrf();
    // Both pass the name check before either has hashed its password.
    std::future<HttpResponse> one =
        std::async(std::launch::async, [&] { return first.register_user(name, "first password"); });
    HttpResponse two = second.register_user(name, "second password");
    HttpResponse other = one.get();
    std::vector<int> statuses = {other.status, two.status};
    std::sort(statuses.begin(), statuses.end());
    EXPECT_EQ(statuses, (std::vector<int>{200, 303}));
    const HttpResponse& refused = other.status == 200 ? other : two;
    EXPECT_EQ(form_error_in(refused.body), "Username is not available.");
    EXPECT_EQ(users_named(name), 1);
}

}  // namespace
}  // namespace throat_blackbox

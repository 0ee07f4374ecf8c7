#pragma once

// Black-box tests of the throat program: a real PostgreSQL cluster (one per test binary), a
// database per test suite made from a migrated template, the program started as a process, and
// requests over real sockets. What the tests look at is what a user or an operator sees: status
// codes, pages, JSON answers and rows in the database.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "postgres_server.h"
#include "raw_client.h"
#include "server_process.h"
#include "temp_dir.h"

typedef struct pg_conn PGconn;

namespace throat_blackbox {

using namespace std::chrono_literals;
using testing_support::Env;
using testing_support::HttpResponse;

// The cluster of this test binary (set up in main).
testing_support::PostgresEnvironment& postgres();

// ---- The database, seen from the test

// One libpq connection, synchronous: statements with text parameters, text results.
class Db {
public:
    using Row = std::vector<std::optional<std::string>>;

    explicit Db(const std::string& database);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    // Throws std::runtime_error with the server's message when the statement fails.
    std::vector<Row> query(const std::string& sql, const std::vector<std::string>& params = {});
    // The first column of the first row ("" when there is no row or it is NULL).
    std::string value(const std::string& sql, const std::vector<std::string>& params = {});
    std::int64_t number(const std::string& sql, const std::vector<std::string>& params = {});

    // A user written as throat writes one, with a bcrypt hash of cost 4 rather than 12: logging
    // in with it takes milliseconds instead of a quarter of a second. Returns the uid.
    std::string create_user(const std::string& name, const std::string& password);
    // A sub owned by `owner_uid` (the rows /createsub writes). Returns the sid.
    std::string create_sub(const std::string& name, const std::string& owner_uid);
    // A text post with the given score and time (UTC, "2024-01-01 00:00:00"); returns its pid.
    std::int64_t create_post(const std::string& sid, const std::string& uid,
                             const std::string& title, int score = 0,
                             const std::string& posted = "now");
    // A comment (no parent when `parent_cid` is empty); returns its cid.
    std::string create_comment(std::int64_t pid, const std::string& uid, const std::string& content,
                               const std::string& parent_cid = {});

private:
    PGconn* connection_ = nullptr;
};

// A fresh database with throat's schema, copied from a template migrated once by
// `throat migrate`. Returns its name.
std::string new_database(const std::string& prefix);
// A fresh database without any schema.
std::string new_empty_database(const std::string& prefix);

// ---- The program

struct SiteOptions {
    std::string database;
    int max_connections = 4;
    double acquire_timeout = 5;
    int workers = 1;
    Env env = {};  // more environment for the process
};

// A directory holding config.yaml for `options`, as THROAT_ROOT.
class ConfigRoot {
public:
    explicit ConfigRoot(const SiteOptions& options);
    std::string path() const { return dir_.path().string(); }
    // The environment the program runs with (THROAT_ROOT, WORKERS, options.env).
    Env env() const { return env_; }

private:
    testing_support::TempDir dir_{"throat-root"};
    Env env_;
};

// throat serving on a free port.
class Site {
public:
    explicit Site(SiteOptions options);
    std::uint16_t port() const { return process_->port(); }
    testing_support::ServerProcess& process() { return *process_; }
    // The environment it runs with, for its commands (throat default add ...).
    Env env() const { return root_.env(); }
    // The process's last log lines, for a failing test's output.
    std::string log_tail(std::size_t lines = 30) const;

private:
    ConfigRoot root_;
    std::unique_ptr<testing_support::ServerProcess> process_;
};

// ---- HTTP

using Fields = std::vector<std::pair<std::string, std::string>>;

std::string form_encode(const Fields& fields);

// One request on a new connection; throws when no complete answer arrives within `timeout`.
HttpResponse http(std::uint16_t port, const std::string& method, const std::string& target,
                  const std::vector<std::string>& headers = {}, const std::string& body = {},
                  std::chrono::milliseconds timeout = 10s);

// A visitor with a browser's memory: the session cookie is kept from answer to answer, and the
// CSRF token of the current session is read from its pages.
class Browser {
public:
    explicit Browser(std::uint16_t port) : port_(port) {}

    HttpResponse get(const std::string& target, std::vector<std::string> headers = {});
    // The fields as given: nothing is added (for the CSRF tests).
    HttpResponse post_raw(const std::string& target, const Fields& fields,
                          std::vector<std::string> headers = {});
    // A form of this session: its CSRF token is added.
    HttpResponse post(const std::string& target, Fields fields,
                      std::vector<std::string> headers = {});
    // As a page's script sends it: X-Requested-With, answered with JSON.
    HttpResponse post_script(const std::string& target, Fields fields = {});

    // The CSRF token of the current session (a page is fetched when none is known yet).
    std::string csrf();
    // The session cookie's value; empty before the first answer.
    const std::string& session() const { return session_; }
    void set_session(std::string value);

    // Logs in (the answer is 303 on success).
    HttpResponse login(const std::string& name, const std::string& password, bool remember = false);
    HttpResponse register_user(const std::string& name, const std::string& password);
    // Who the page's layout says is logged in ("" for a visitor).
    std::string logged_in_as();

private:
    HttpResponse send(const std::string& method, const std::string& target,
                      std::vector<std::string> headers, const std::string& body);

    std::uint16_t port_;
    std::string session_;
    std::string csrf_;
};

// ---- Reading pages and answers

std::string csrf_in(const std::string& html);
// The user named by the layout's account link, "" when the page is a visitor's.
std::string account_name_in(const std::string& html);
// The message of a form's error paragraph, "" when there is none.
std::string form_error_in(const std::string& html);
// The ids of the posts a listing shows, in order.
std::vector<std::int64_t> listed_posts(const std::string& html);
// The karma a profile page shows.
std::optional<int> profile_score_in(const std::string& html);
// [start, end) of the element with this id attribute, nested tags of the same name counted;
// nullopt when there is none.
std::optional<std::pair<std::size_t, std::size_t>> element_span(const std::string& html,
                                                                const std::string& tag,
                                                                const std::string& id);

// Values of a flat JSON answer ({"status":"ok","score":1,"rm":false}).
std::optional<std::string> json_string(const std::string& json, const std::string& key);
std::optional<std::int64_t> json_integer(const std::string& json, const std::string& key);
std::optional<bool> json_bool(const std::string& json, const std::string& key);
// The first message of an error answer ({"status":"error","error":["..."]}).
std::optional<std::string> json_error(const std::string& json);

// A name no other test of this run uses: `prefix` and a counter.
std::string unique_name(const std::string& prefix);

// ---- Fixtures

// Skips the test when PostgreSQL is not installed, fails it when the cluster did not start.
class ThroatTest : public testing::Test {
protected:
    void SetUp() override;
};

// Tests sharing one server and one database (per test suite, made on first use).
class SharedSiteTest : public ThroatTest {
protected:
    void SetUp() override;
    void TearDown() override;
    static void TearDownTestSuite();

    static Site& site() { return *site_; }
    static Db& db() { return *db_; }
    static std::uint16_t port() { return site_->port(); }
    // A user in the database (cost-4 hash) and a browser logged in as that user.
    struct Member {
        std::string name = {};
        std::string uid = {};
        std::string password = {};
    };
    static Member make_member(const std::string& prefix);
    Browser logged_in(const Member& member);

private:
    static inline std::unique_ptr<Site> site_;
    static inline std::unique_ptr<Db> db_;
};

}  // namespace throat_blackbox

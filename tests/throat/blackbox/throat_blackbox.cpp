#include "throat_blackbox.h"

#include <atomic>
#include <cctype>
#include <crypt.h>
#include <cstring>
#include <fstream>
#include <iostream>
#include <libpq-fe.h>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace throat_blackbox {
namespace {

testing_support::PostgresEnvironment* cluster = nullptr;

std::string conninfo_for(const std::string& database) {
    return postgres().conninfo() + " dbname=" + database + " application_name=blackbox";
}

// bcrypt as Python's bcrypt writes it ($2b$), at the lowest cost: the server verifies any cost.
std::string quick_bcrypt(const std::string& password) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) == nullptr) {
        throw std::runtime_error("crypt_gensalt_rn failed");
    }
    auto data = std::make_unique<crypt_data>();  // 32 KiB: not on the stack
    std::memset(data.get(), 0, sizeof *data);
    const char* hashed = crypt_rn(password.c_str(), salt, data.get(), sizeof *data);
    if (hashed == nullptr || hashed[0] == '*') {
        throw std::runtime_error("crypt_rn failed");
    }
    return hashed;
}

std::string lower(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

// The value of the session cookie a Set-Cookie header sets.
std::optional<std::string> session_cookie(const std::string& set_cookie) {
    const std::string prefix = "session=";
    if (!set_cookie.starts_with(prefix)) {
        return std::nullopt;
    }
    std::size_t end = set_cookie.find(';');
    return set_cookie.substr(prefix.size(),
                             end == std::string::npos ? std::string::npos : end - prefix.size());
}

std::string first_match(const std::string& text, const std::string& pattern) {
    std::smatch match;
    if (std::regex_search(text, match, std::regex(pattern))) {
        return match[1].str();
    }
    return {};
}

}  // namespace

testing_support::PostgresEnvironment& postgres() {
    if (cluster == nullptr) {
        cluster = new testing_support::PostgresEnvironment(SOURCE_DIR);
    }
    return *cluster;
}

// ---- Db

Db::Db(const std::string& database) : connection_(PQconnectdb(conninfo_for(database).c_str())) {
    if (PQstatus(connection_) != CONNECTION_OK) {
        std::string message = PQerrorMessage(connection_);
        PQfinish(connection_);
        throw std::runtime_error("cannot connect to " + database + ": " + message);
    }
}

Db::~Db() {
    PQfinish(connection_);
}

std::vector<Db::Row> Db::query(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const auto& param : params) {
        values.push_back(param.c_str());
    }
    PGresult* result = PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()),
                                    nullptr, values.data(), nullptr, nullptr, 0);
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        std::string message = PQresultErrorMessage(result);
        PQclear(result);
        throw std::runtime_error(sql + ": " + message);
    }
    std::vector<Row> rows;
    for (int row = 0; row < PQntuples(result); ++row) {
        Row values_of_row;
        for (int column = 0; column < PQnfields(result); ++column) {
            if (PQgetisnull(result, row, column)) {
                values_of_row.emplace_back(std::nullopt);
            } else {
                values_of_row.emplace_back(PQgetvalue(result, row, column));
            }
        }
        rows.push_back(std::move(values_of_row));
    }
    PQclear(result);
    return rows;
}

std::string Db::value(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<Row> rows = query(sql, params);
    if (rows.empty() || rows[0].empty() || !rows[0][0]) {
        return {};
    }
    return *rows[0][0];
}

std::int64_t Db::number(const std::string& sql, const std::vector<std::string>& params) {
    std::string text = value(sql, params);
    if (text.empty()) {
        throw std::runtime_error("no number from: " + sql);
    }
    return std::stoll(text);
}

std::string Db::create_user(const std::string& name, const std::string& password) {
    return value(
        "INSERT INTO users (uid, name, password, crypto, status)"
        " VALUES (gen_random_uuid()::text, $1, $2, 1, 0) RETURNING uid",
        {name, quick_bcrypt(password)});
}

std::string Db::create_sub(const std::string& name, const std::string& owner_uid) {
    std::string sid = value(
        "INSERT INTO subs (sid, name, title) VALUES (gen_random_uuid()::text, $1, $1)"
        " RETURNING sid",
        {name});
    query("INSERT INTO sub_mods (uid, sid, power_level) VALUES ($1, $2, 0)", {owner_uid, sid});
    query("INSERT INTO sub_subscribers (uid, sid, status) VALUES ($1, $2, 1)", {owner_uid, sid});
    query(
        "INSERT INTO sub_metadata (sid, key, value) VALUES ($1, 'mod', $2),"
        " ($1, 'allow_text_posts', '1'), ($1, 'allow_link_posts', '1'),"
        " ($1, 'allow_upload_posts', '1')",
        {sid, owner_uid});
    return sid;
}

std::int64_t Db::create_post(const std::string& sid, const std::string& uid,
                             const std::string& title, int score, const std::string& posted) {
    std::int64_t pid = std::stoll(
        value("INSERT INTO sub_posts (sid, uid, title, score, upvotes, posted)"
              " VALUES ($1, $2, $3, $4, greatest($4::integer, 0), $5::timestamptz) RETURNING pid",
              {sid, uid, title, std::to_string(score), posted == "now" ? "now" : posted + "+00"}));
    query("UPDATE subs SET posts = posts + 1 WHERE sid = $1", {sid});
    return pid;
}

std::string Db::create_comment(std::int64_t pid, const std::string& uid, const std::string& content,
                               const std::string& parent_cid) {
    std::string cid = value(
        "INSERT INTO sub_post_comments (cid, pid, uid, parentcid, content)"
        " VALUES (gen_random_uuid()::text, $1, $2, nullif($3, ''), $4) RETURNING cid",
        {std::to_string(pid), uid, parent_cid, content});
    query("UPDATE sub_posts SET comments = comments + 1 WHERE pid = $1", {std::to_string(pid)});
    return cid;
}

std::string new_empty_database(const std::string& prefix) {
    std::string name = unique_name(prefix);
    Db admin("postgres");
    admin.query("CREATE DATABASE " + name);
    return name;
}

std::string new_database(const std::string& prefix) {
    // Migrated once by the program itself; copying the template is much faster than migrating.
    static std::once_flag migrated;
    static std::string failure;
    const std::string template_name = "throat_template";
    std::call_once(migrated, [&] {
        Db admin("postgres");
        admin.query("CREATE DATABASE " + template_name);
        ConfigRoot root(SiteOptions{.database = template_name});
        testing_support::RunResult result =
            testing_support::run_to_exit(THROAT_BINARY, root.env(), {"migrate"}, 60s);
        if (result.exit_code != 0) {
            failure = "throat migrate failed (" + std::to_string(result.exit_code) +
                      "): " + result.err + result.out;
        }
    });
    if (!failure.empty()) {
        throw std::runtime_error(failure);
    }
    std::string name = unique_name(prefix);
    Db admin("postgres");
    admin.query("CREATE DATABASE " + name + " TEMPLATE " + template_name);
    return name;
}

// ---- The program

ConfigRoot::ConfigRoot(const SiteOptions& options) {
    std::ostringstream yaml;
    yaml << "app:\n"
         << "  secret_key: \"0123456789abcdef0123456789abcdef-test\"\n"
         << "database:\n"
         << "  host: 127.0.0.1\n"
         << "  port: " << postgres().port() << "\n"
         << "  name: " << options.database << "\n"
         << "  user: postgres\n"
         << "  max_connections: " << options.max_connections << "\n"
         << "  acquire_timeout: " << options.acquire_timeout << "\n"
         << "ratelimit:\n"
         << "  enabled: false\n";
    dir_.write("config.yaml", yaml.str());
    env_ = options.env;
    env_["THROAT_ROOT"] = dir_.path().string();
    env_.try_emplace("WORKERS", std::to_string(options.workers));
    env_.try_emplace("ACCESS_LOG", "false");
}

Site::Site(SiteOptions options)
    : root_(options),
      process_(std::make_unique<testing_support::ServerProcess>(THROAT_BINARY, root_.env())) {}

std::string Site::log_tail(std::size_t count) const {
    std::vector<std::string> lines = process_->lines();
    std::string text;
    for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
        text += lines[i] + "\n";
    }
    return text;
}

// ---- HTTP

std::string form_encode(const Fields& fields) {
    auto encode = [](const std::string& text) {
        static const char* digits = "0123456789ABCDEF";
        std::string out;
        for (unsigned char c : text) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                out += static_cast<char>(c);
            } else {
                out += '%';
                out += digits[c >> 4];
                out += digits[c & 15];
            }
        }
        return out;
    };
    std::string body;
    for (const auto& [name, value] : fields) {
        body += (body.empty() ? "" : "&") + encode(name) + "=" + encode(value);
    }
    return body;
}

HttpResponse http(std::uint16_t port, const std::string& method, const std::string& target,
                  const std::vector<std::string>& headers, const std::string& body,
                  std::chrono::milliseconds timeout) {
    testing_support::RawClient client(port);
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& header : headers) {
        request += header + "\r\n";
    }
    if (method == "POST" || !body.empty()) {
        request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    request += "Connection: close\r\n\r\n" + body;
    client.send(request);
    std::optional<HttpResponse> response = client.read_response(timeout);
    if (!response) {
        throw std::runtime_error("no answer to " + method + " " + target);
    }
    return *response;
}

HttpResponse Browser::send(const std::string& method, const std::string& target,
                           std::vector<std::string> headers, const std::string& body) {
    if (!session_.empty()) {
        headers.push_back("Cookie: session=" + session_);
    }
    HttpResponse response = http(port_, method, target, headers, body);
    if (auto cookie = session_cookie(response.header("Set-Cookie"))) {
        set_session(*cookie);
    }
    std::string token = csrf_in(response.body);
    if (!token.empty()) {
        csrf_ = token;
    }
    return response;
}

void Browser::set_session(std::string value) {
    session_ = std::move(value);
    csrf_.clear();  // the token belongs to the session
}

HttpResponse Browser::get(const std::string& target, std::vector<std::string> headers) {
    return send("GET", target, std::move(headers), {});
}

HttpResponse Browser::post_raw(const std::string& target, const Fields& fields,
                               std::vector<std::string> headers) {
    headers.push_back("Content-Type: application/x-www-form-urlencoded");
    return send("POST", target, std::move(headers), form_encode(fields));
}

HttpResponse Browser::post(const std::string& target, Fields fields,
                           std::vector<std::string> headers) {
    fields.insert(fields.begin(), {"csrf_token", csrf()});
    return post_raw(target, fields, std::move(headers));
}

HttpResponse Browser::post_script(const std::string& target, Fields fields) {
    return post(target, std::move(fields), {"X-Requested-With: XMLHttpRequest"});
}

std::string Browser::csrf() {
    if (csrf_.empty()) {
        get("/subs");
    }
    if (csrf_.empty()) {
        throw std::runtime_error("no CSRF token on /subs");
    }
    return csrf_;
}

HttpResponse Browser::login(const std::string& name, const std::string& password, bool remember) {
    Fields fields = {{"username", name}, {"password", password}};
    if (remember) {
        fields.emplace_back("remember", "y");
    }
    return post("/login", fields);
}

HttpResponse Browser::register_user(const std::string& name, const std::string& password) {
    return post(
        "/register",
        {{"username", name}, {"password", password}, {"confirm", password}, {"accept_tos", "y"}});
}

std::string Browser::logged_in_as() {
    return account_name_in(get("/subs").body);
}

// ---- Reading pages and answers

std::string csrf_in(const std::string& html) {
    return first_match(
        html, R"re(<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]*)">)re");
}

std::string account_name_in(const std::string& html) {
    return first_match(html, R"re(<a class="me" href="/u/[^"]*">([^<]*)</a>)re");
}

std::string form_error_in(const std::string& html) {
    return first_match(html, R"re(<p class="error" role="alert">([^<]*)</p>)re");
}

std::vector<std::int64_t> listed_posts(const std::string& html) {
    std::vector<std::int64_t> pids;
    std::regex item(R"re(<li class="post" id="post-([0-9]+)">)re");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), item);
         it != std::sregex_iterator(); ++it) {
        pids.push_back(std::stoll((*it)[1].str()));
    }
    return pids;
}

std::optional<int> profile_score_in(const std::string& html) {
    std::string text = first_match(html, R"re(<dd class="user-score">(-?[0-9]+)</dd>)re");
    if (text.empty()) {
        return std::nullopt;
    }
    return std::stoi(text);
}

std::optional<std::pair<std::size_t, std::size_t>> element_span(const std::string& html,
                                                                const std::string& tag,
                                                                const std::string& id) {
    std::size_t attribute = html.find("id=\"" + id + "\"");
    if (attribute == std::string::npos) {
        return std::nullopt;
    }
    std::size_t start = html.rfind("<" + tag, attribute);
    if (start == std::string::npos) {
        return std::nullopt;
    }
    const std::string open = "<" + tag;
    const std::string close = "</" + tag + ">";
    int depth = 0;
    std::size_t at = start;
    while (at < html.size()) {
        std::size_t next_open = html.find(open, at);
        std::size_t next_close = html.find(close, at);
        if (next_close == std::string::npos) {
            return std::nullopt;
        }
        if (next_open != std::string::npos && next_open < next_close) {
            ++depth;
            at = next_open + open.size();
        } else {
            if (--depth == 0) {
                return std::pair{start, next_close + close.size()};
            }
            at = next_close + close.size();
        }
    }
    return std::nullopt;
}

std::optional<std::string> json_string(const std::string& json, const std::string& key) {
    std::smatch match;
    if (std::regex_search(json, match, std::regex("\"" + key + "\":\"((?:[^\"\\\\]|\\\\.)*)\""))) {
        return match[1].str();
    }
    return std::nullopt;
}

std::optional<std::int64_t> json_integer(const std::string& json, const std::string& key) {
    std::smatch match;
    if (std::regex_search(json, match, std::regex("\"" + key + "\":(-?[0-9]+)"))) {
        return std::stoll(match[1].str());
    }
    return std::nullopt;
}

std::optional<bool> json_bool(const std::string& json, const std::string& key) {
    std::smatch match;
    if (std::regex_search(json, match, std::regex("\"" + key + "\":(true|false)"))) {
        return match[1].str() == "true";
    }
    return std::nullopt;
}

std::optional<std::string> json_error(const std::string& json) {
    std::smatch match;
    if (std::regex_search(json, match,
                          std::regex(R"re("status":"error","error":\["((?:[^"\\]|\\.)*)")re"))) {
        return match[1].str();
    }
    return std::nullopt;
}

std::string unique_name(const std::string& prefix) {
    static std::atomic<int> counter{0};
    return lower(prefix) + "_" + std::to_string(::getpid() % 100000) + "_" +
           std::to_string(++counter);
}

// ---- Fixtures

void ThroatTest::SetUp() {
    if (!postgres().skip_reason.empty()) {
        GTEST_SKIP() << postgres().skip_reason;
    }
    ASSERT_TRUE(postgres().ready()) << postgres().error;
}

void SharedSiteTest::SetUp() {
    ThroatTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
        return;
    }
    if (!site_) {
        std::string database = new_database("shared");
        db_ = std::make_unique<Db>(database);
        site_ = std::make_unique<Site>(SiteOptions{.database = database});
    }
}

void SharedSiteTest::TearDown() {
    if (HasFailure() && site_) {
        std::cerr << "throat's last log lines:\n" << site_->log_tail();
    }
}

void SharedSiteTest::TearDownTestSuite() {
    site_.reset();
    db_.reset();
}

SharedSiteTest::Member SharedSiteTest::make_member(const std::string& prefix) {
    Member member{.name = unique_name(prefix), .password = "correct horse battery"};
    member.uid = db_->create_user(member.name, member.password);
    return member;
}

Browser SharedSiteTest::logged_in(const Member& member) {
    Browser browser(port());
    HttpResponse answer = browser.login(member.name, member.password);
    EXPECT_EQ(answer.status, 303) << form_error_in(answer.body);
    return browser;
}

}  // namespace throat_blackbox

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    testing::AddGlobalTestEnvironment(&throat_blackbox::postgres());
    return RUN_ALL_TESTS();
}

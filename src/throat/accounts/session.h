#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The session cookie: who is logged in, signed with the site's secret so that a client cannot
// forge or alter it. Every visitor gets one (anonymous until login), because the CSRF token of
// the forms is bound to it. A logged-in session names the user's `resets` count: raising the
// count in the database (new password, reset, ban) ends every session issued before.
namespace throat::accounts {

struct Session {
    std::string nonce;     // random, per session: what the CSRF token is bound to
    std::string uid = {};  // empty while anonymous
    std::int64_t resets = 0;
    std::int64_t issued_at = 0;  // Unix seconds
    bool remember = false;       // "remember me": a lasting cookie rather than a browser session

    bool logged_in() const { return !uid.empty(); }
    bool operator==(const Session&) const = default;
};

class SessionCodec {
public:
    // `secret`: the site's secret key (at least 32 bytes); throws std::invalid_argument if
    // shorter.
    explicit SessionCodec(std::string secret);

    static Session anonymous(std::int64_t now);
    // A new session with a new nonce: the CSRF token of the anonymous session that logged in
    // is not valid any more, so a token learnt before login (a planted cookie) is worthless.
    static Session logged_in(std::string uid, std::int64_t resets, bool remember, std::int64_t now);

    std::string encode(const Session& session) const;
    // The session, when the signature holds and it is not older than `max_age_seconds`.
    std::optional<Session> decode(std::string_view cookie, std::int64_t now,
                                  std::int64_t max_age_seconds) const;

    // The token forms and state-changing requests carry; it never expires within a session.
    std::string csrf_token(const Session& session) const;
    bool csrf_valid(const Session& session, std::string_view token) const;

private:
    std::string sign(std::string_view purpose, std::string_view data) const;

    std::string secret_;
};

}  // namespace throat::accounts

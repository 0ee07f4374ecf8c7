#pragma once

#include <stdexcept>
#include <string>

namespace clients::postgres {

// What went wrong with a database call. Two kinds, because callers react differently:
// - query: the server answered with an error (constraint violation, syntax error, serialization
//   failure...). The connection is fine and goes back to the pool; `sqlstate()` says which error
//   ("23505" for a unique violation, https://www.postgresql.org/docs/15/errcodes-appendix.html).
// - broken: the connection cannot be used any more (could not connect, the server closed it or
//   was shut down, a timeout in the middle of an exchange). The pool drops it. `sqlstate()` is
//   the server's code when it said why (e.g. "57P01" from pg_terminate_backend), else "".
class Error : public std::runtime_error {
public:
    enum class Kind { query, broken };

    Error(Kind kind, std::string sqlstate, const std::string& message)
        : std::runtime_error(message), kind_(kind), sqlstate_(std::move(sqlstate)) {}

    Kind kind() const { return kind_; }
    bool broken() const { return kind_ == Kind::broken; }
    const std::string& sqlstate() const { return sqlstate_; }

private:
    Kind kind_;
    std::string sqlstate_;
};

// No connection could be had from a pool within the caller's timeout: every connection was busy
// (and the pool at max_connections), or opening a new one took too long. A server answers 503.
class PoolTimeout : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace clients::postgres

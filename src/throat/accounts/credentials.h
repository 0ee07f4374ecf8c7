#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

// What Throat accepts as a user name and a password (RegistrationForm, app/forms/user.py, and
// app/misc.py), and the password hashes: bcrypt $2b$ as Python's bcrypt writes them, so a
// user table brought over from Throat still logs in.
namespace throat::accounts {

// Why the name cannot be registered (Throat's message), or nothing: 2 to `max_length`
// characters (site.username_max_length, 32 by default) of [a-zA-Z0-9_-].
std::optional<std::string> username_problem(std::string_view name, std::size_t max_length = 32);

// Why the password cannot be used, or nothing: 7 to 256 characters (code points).
std::optional<std::string> password_problem(std::string_view password);

// bcrypt at a cost of 2^cost rounds, 12 as Python's bcrypt.gensalt(): about a quarter of a
// second of CPU per hash here, so hashing runs on the hasher's own threads, never on a
// server worker's.
class PasswordHasher {
public:
    explicit PasswordHasher(unsigned threads = 1, int cost = 12);
    ~PasswordHasher();
    PasswordHasher(const PasswordHasher&) = delete;
    PasswordHasher& operator=(const PasswordHasher&) = delete;

    // On the hasher's threads; the caller resumes on its own executor.
    boost::asio::awaitable<std::string> hash(std::string password);
    boost::asio::awaitable<bool> verify(std::string password, std::string stored_hash);

    // On the calling thread (command-line tools).
    std::string hash_now(std::string_view password) const;
    static bool verify_now(std::string_view password, std::string_view stored_hash);

private:
    int cost_;
    boost::asio::thread_pool pool_;
};

}  // namespace throat::accounts

#include "throat/accounts/credentials.h"

#include <crypt.h>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/crypto.h>

#include "core/text/utf8.h"

namespace throat::accounts {
namespace {

std::size_t code_points(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++count) {
        core::text::next_code_point(text, i);
    }
    return count;
}

// crypt_rn with a setting (a salt for a new hash, or a stored hash to check against); empty
// when the setting is not a hash libxcrypt knows.
std::string run_crypt(std::string_view password, const std::string& setting) {
    // A NUL would end the password early in crypt(); Python's bcrypt refuses such passwords.
    if (password.find('\0') != std::string_view::npos) {
        return {};
    }
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof *data);
    const char* hashed =
        crypt_rn(std::string(password).c_str(), setting.c_str(), data.get(), sizeof *data);
    if (hashed == nullptr || hashed[0] == '*') {
        return {};
    }
    return hashed;
}

// Runs `work` on the pool and resumes the awaiting coroutine on its own executor. Not a
// coroutine itself: GCC 12 double-destroys a capturing lambda handed to co_spawn.
template <typename T, typename Work>
boost::asio::awaitable<T> on_pool(boost::asio::thread_pool& pool, Work work) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                       void(std::exception_ptr, T)>(
        [&pool](auto handler, Work work) {
            boost::asio::post(
                pool, [handler = std::move(handler), work = std::move(work)]() mutable {
                    std::exception_ptr error;
                    T result{};
                    try {
                        result = work();
                    } catch (...) {
                        error = std::current_exception();
                    }
                    auto executor = boost::asio::get_associated_executor(handler);
                    boost::asio::post(executor, [handler = std::move(handler), error,
                                                 result = std::move(result)]() mutable {
                        std::move(handler)(error, std::move(result));
                    });
                });
        },
        boost::asio::use_awaitable, std::move(work));
}

}  // namespace

std::optional<std::string> username_problem(std::string_view name, std::size_t max_length) {
    std::size_t length = code_points(name);
    if (length < 2 || length > max_length) {
        return "Field must be between 2 and " + std::to_string(max_length) + " characters long.";
    }
    for (char c : name) {
        bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-';
        if (!allowed) {
            return "Username has invalid characters.";
        }
    }
    return std::nullopt;
}

std::optional<std::string> password_problem(std::string_view password) {
    std::size_t length = code_points(password);
    if (length < 7 || length > 256) {
        return "Field must be between 7 and 256 characters long.";
    }
    if (password.find('\0') != std::string_view::npos) {
        return "Password has invalid characters.";
    }
    return std::nullopt;
}

PasswordHasher::PasswordHasher(unsigned threads, int cost) : cost_(cost), pool_(threads) {}

PasswordHasher::~PasswordHasher() {
    pool_.join();
}

std::string PasswordHasher::hash_now(std::string_view password) const {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost_), nullptr, 0, salt,
                         sizeof salt) == nullptr) {
        throw std::runtime_error("bcrypt salt: " + std::string(std::strerror(errno)));
    }
    std::string hashed = run_crypt(password, salt);
    if (hashed.empty()) {
        throw std::invalid_argument("this password cannot be hashed");
    }
    return hashed;
}

bool PasswordHasher::verify_now(std::string_view password, std::string_view stored_hash) {
    if (!stored_hash.starts_with("$2")) {
        return false;  // remote (Keycloak) accounts store no hash
    }
    std::string again = run_crypt(password, std::string(stored_hash));
    return again.size() == stored_hash.size() &&
           CRYPTO_memcmp(again.data(), stored_hash.data(), again.size()) == 0;
}

boost::asio::awaitable<std::string> PasswordHasher::hash(std::string password) {
    return on_pool<std::string>(
        pool_, [this, password = std::move(password)] { return hash_now(password); });
}

boost::asio::awaitable<bool> PasswordHasher::verify(std::string password, std::string stored_hash) {
    return on_pool<bool>(pool_,
                         [password = std::move(password), stored_hash = std::move(stored_hash)] {
                             return verify_now(password, stored_hash);
                         });
}

}  // namespace throat::accounts

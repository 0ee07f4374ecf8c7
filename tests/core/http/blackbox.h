#pragma once

#include <string>

#include "raw_client.h"
#include "server_process.h"

namespace core_tests {

using testing_support::Env;
using testing_support::RawClient;
using testing_support::ServerProcess;
using namespace std::chrono_literals;

inline std::unique_ptr<ServerProcess> start_test_server(Env env = {}) {
    env.try_emplace("ACCESS_LOG", "false");
    return std::make_unique<ServerProcess>(TEST_SERVER_BINARY, std::move(env));
}

inline std::string post_head(std::string_view path, std::size_t length,
                             std::string_view extra = "") {
    return "POST " + std::string(path) +
           " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(length) + "\r\n" +
           std::string(extra) + "\r\n";
}

// The test server's answer for a body: "bytes=<n> fnv=<FNV-1a 64, hex>".
inline std::string upload_answer(std::string_view body) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : body) {
        hash = (hash ^ c) * 1099511628211ULL;
    }
    char text[96];
    std::snprintf(text, sizeof text, "bytes=%zu fnv=%016llx", body.size(),
                  static_cast<unsigned long long>(hash));
    return text;
}

}  // namespace core_tests

// The benchmark's ceiling: a program on the same HTTP stack as antenna that reads each crash
// report, sha256s the body and answers 200. What antenna does beyond this (parsing, files,
// throttling, storage) is its overhead over the irreducible work.
#include <array>
#include <memory>

#include <openssl/evp.h>

#include "core/http/responses.h"
#include "core/runtime/program.h"

namespace {

namespace bhttp = boost::beast::http;

boost::asio::awaitable<core::http::Response> digest_body(core::http::Request& request) {
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> sha256(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(sha256.get(), EVP_sha256(), nullptr);
    for (auto got = co_await request.body().read_some(); !got.empty();
         got = co_await request.body().read_some()) {
        EVP_DigestUpdate(sha256.get(), got.data(), got.size());
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
    unsigned size = 0;
    EVP_DigestFinal_ex(sha256.get(), digest.data(), &size);
    co_return core::http::text_response(bhttp::status::ok, "CrashID=bp-ceiling\n");
}

}  // namespace

int main(int argc, char** argv, char** envp) {
    core::ProgramInfo info{
        .name = "ceiling",
        .metric_prefix = "ceiling",
        .server_defaults = {.port = 8002, .max_body_bytes = 25 * 1024 * 1024},
    };
    return core::run_program(
        argc, argv, envp, info, [](core::OptionTable&) {},
        [](core::Runtime& runtime, const core::Config&) {
            runtime.router().add(bhttp::verb::post, "/submit", digest_body);
        });
}

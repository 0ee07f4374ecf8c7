// send-crash: posts a crash report the way Breakpad clients do (Antenna's mini_poster), and
// prints the collector's answer.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include "antenna/mini_poster.h"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

constexpr const char* kUsage = R"(Usage: send-crash [options]

Posts a crash report (multipart/form-data, like Breakpad and Antenna's mini_poster) and prints
the answer. Exits 0 when the collector answered 200.

  --url URL               collector submit URL (default http://127.0.0.1:8000/submit)
  --annotation KEY=VALUE  an annotation; repeatable (default ProductName=Firefox, Version=1)
  --raw-crash FILE        annotations from a JSON object file
  --dump NAME=PATH        a dump part from a file; repeatable
  --use-json              send the annotations as one JSON "extra" part
  --gzip                  gzip the body (Content-Encoding: gzip)
  --mixed                 multipart/mixed instead of multipart/form-data
  --bearer TOKEN          Authorization: Bearer TOKEN (lets a uuid annotation through)
  --user-agent TEXT       User-Agent header (default send-crash)
  --help                  this text
)";

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw std::runtime_error("cannot read " + path);
    }
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

std::pair<std::string, std::string> split_pair(const std::string& text, const char* what) {
    auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
        throw std::runtime_error(std::string("expected ") + what + ", got '" + text + "'");
    }
    return {text.substr(0, eq), text.substr(eq + 1)};
}

std::string annotation_text(const boost::json::value& value) {
    return value.is_string() ? std::string(value.get_string()) : boost::json::serialize(value);
}

int run(int argc, char** argv) {
    std::string url = "http://127.0.0.1:8000/submit";
    std::string bearer;
    std::string user_agent = "send-crash";
    std::string mimetype = "multipart/form-data";
    bool use_json = false;
    bool gzip = false;
    boost::json::object annotations;
    antenna::CrashPayload payload;

    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                throw std::runtime_error(arg + " needs a value");
            }
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        } else if (arg == "--url") {
            url = value();
        } else if (arg == "--annotation") {
            auto [key, text] = split_pair(value(), "KEY=VALUE");
            annotations[key] = text;
        } else if (arg == "--raw-crash") {
            std::string path = value();
            boost::json::value parsed = boost::json::parse(read_file(path));
            if (!parsed.is_object()) {
                throw std::runtime_error(path + " does not hold a JSON object");
            }
            for (const auto& member : parsed.as_object()) {
                annotations[member.key()] = member.value();
            }
        } else if (arg == "--dump") {
            auto [name, path] = split_pair(value(), "NAME=PATH");
            std::string filename = path.substr(path.find_last_of('/') + 1);
            payload.dumps.push_back({name, filename, read_file(path)});
        } else if (arg == "--use-json") {
            use_json = true;
        } else if (arg == "--gzip") {
            gzip = true;
        } else if (arg == "--mixed") {
            mimetype = "multipart/mixed";
        } else if (arg == "--bearer") {
            bearer = value();
        } else if (arg == "--user-agent") {
            user_agent = value();
        } else {
            throw std::runtime_error("unknown argument '" + arg + "' (see --help)");
        }
    }
    if (annotations.empty()) {
        annotations = {{"ProductName", "Firefox"}, {"Version", "1"}};
    }
    if (use_json) {
        payload.extra_json = boost::json::serialize(annotations);
    } else {
        for (const auto& member : annotations) {
            payload.annotations[member.key()] = annotation_text(member.value());
        }
    }

    antenna::EncodedPayload encoded = antenna::multipart_encode(payload, {}, mimetype);
    auto parsed_url = boost::urls::parse_uri(url);
    if (!parsed_url || parsed_url->scheme() != "http") {
        throw std::runtime_error("expected an http:// URL, got '" + url + "'");
    }
    std::string host = parsed_url->host();
    std::string port = parsed_url->has_port() ? std::string(parsed_url->port()) : "80";
    std::string target =
        parsed_url->encoded_target().empty() ? "/" : std::string(parsed_url->encoded_target());

    bhttp::request<bhttp::string_body> request{bhttp::verb::post, target, 11};
    request.set(bhttp::field::host, host);
    request.set(bhttp::field::user_agent, user_agent);
    request.set(bhttp::field::content_type, encoded.content_type);
    if (!bearer.empty()) {
        request.set(bhttp::field::authorization, "Bearer " + bearer);
    }
    if (gzip) {
        request.set(bhttp::field::content_encoding, "gzip");
        request.body() = antenna::gzip_compress(encoded.body);
    } else {
        request.body() = std::move(encoded.body);
    }
    request.prepare_payload();

    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    asio::connect(socket, asio::ip::tcp::resolver(io).resolve(host, port));
    bhttp::write(socket, request);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    bhttp::read(socket, buffer, response);

    std::cout << response.result_int() << " " << response.reason() << "\n" << response.body();
    if (!response.body().empty() && response.body().back() != '\n') {
        std::cout << "\n";
    }
    return response.result() == bhttp::status::ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "send-crash: " << e.what() << "\n";
        return 2;
    }
}

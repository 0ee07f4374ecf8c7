#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace http_tests {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

struct ReceivedRequest {
    std::string method;
    std::string target;
    std::string host = {};
    std::string body = {};
    std::map<std::string, std::string> headers = {};  // lowercase names
};

struct ServerBehavior {
    // TLS with this certificate and key (PEM files); plain HTTP when empty.
    std::filesystem::path certificate = {};
    std::filesystem::path key = {};
    // Waits this long before answering.
    std::chrono::milliseconds delay{0};
    // The size of each answer's body.
    std::size_t answer_bytes = 2;
    // Keeps the connection after an answer but drops it, unanswered, at the next request
    // (what a server that closed an idle connection looks like to a client writing into it).
    bool drop_second_request = false;
    // When set, gives each answer's status and body instead (called under the server's lock).
    std::function<std::pair<unsigned, std::string>(const ReceivedRequest&)> answer = {};
};

// A blocking HTTP/1.1 server on 127.0.0.1 with a thread per connection, recording what it
// received. Answers 200 with `answer_bytes` of 'x' and keeps connections alive.
class TestHttpServer {
public:
    explicit TestHttpServer(ServerBehavior behavior = {})
        : behavior_(std::move(behavior)),
          acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          tls_(asio::ssl::context::tls_server) {
        if (!behavior_.certificate.empty()) {
            tls_.use_certificate_chain_file(behavior_.certificate.string());
            tls_.use_private_key_file(behavior_.key.string(), asio::ssl::context::pem);
        }
        accepting_ = std::thread([this] { accept_loop(); });
    }
    ~TestHttpServer() {
        stopping_ = true;
        boost::system::error_code ignored;
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocked accept()
        acceptor_.close(ignored);
        {
            std::lock_guard lock(mutex_);
            for (auto& socket : sockets_) {
                socket->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            }
        }
        accepting_.join();
        for (auto& thread : connection_threads_) {
            thread.join();
        }
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    int connections() const { return connections_; }
    std::vector<ReceivedRequest> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void accept_loop() {
        for (;;) {
            auto socket = std::make_shared<asio::ip::tcp::socket>(io_);
            boost::system::error_code ec;
            acceptor_.accept(*socket, ec);
            if (ec || stopping_) {
                return;
            }
            ++connections_;
            std::lock_guard lock(mutex_);
            sockets_.push_back(socket);
            connection_threads_.emplace_back([this, socket] { serve(*socket); });
        }
    }

    void serve(asio::ip::tcp::socket& socket) {
        try {
            if (behavior_.certificate.empty()) {
                serve_stream(socket);
            } else {
                asio::ssl::stream<asio::ip::tcp::socket&> secure(socket, tls_);
                secure.handshake(asio::ssl::stream_base::server);
                serve_stream(secure);
            }
        } catch (const std::exception&) {
            // The client went away or failed the handshake.
        }
        boost::system::error_code ignored;
        socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    }

    template <class Stream>
    void serve_stream(Stream& stream) {
        boost::beast::flat_buffer buffer;
        for (int served = 0;; ++served) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.body_limit(boost::none);
            bhttp::read(stream, buffer, parser);
            bhttp::request<bhttp::string_body> request = parser.release();
            if (behavior_.drop_second_request && served == 1) {
                return;
            }
            bhttp::response<bhttp::string_body> response{bhttp::status::ok, 11};
            response.body() = std::string(behavior_.answer_bytes, 'x');
            {
                std::lock_guard lock(mutex_);
                ReceivedRequest received{std::string(request.method_string()),
                                         std::string(request.target()),
                                         std::string(request[bhttp::field::host]), request.body()};
                for (const auto& field : request) {
                    std::string name(field.name_string());
                    std::transform(name.begin(), name.end(), name.begin(),
                                   [](unsigned char c) { return std::tolower(c); });
                    received.headers[name] = std::string(field.value());
                }
                if (behavior_.answer) {
                    auto [status, body] = behavior_.answer(received);
                    response.result(status);
                    response.body() = std::move(body);
                }
                requests_.push_back(std::move(received));
            }
            std::this_thread::sleep_for(behavior_.delay);
            response.set("X-Test", "yes");
            response.prepare_payload();
            if (request.method() == bhttp::verb::head) {
                bhttp::response_serializer<bhttp::string_body> head_only{response};
                bhttp::write_header(stream, head_only);
            } else {
                bhttp::write(stream, response);
            }
        }
    }

    ServerBehavior behavior_;
    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_;
    asio::ssl::context tls_;
    std::atomic<bool> stopping_ = false;
    std::atomic<int> connections_ = 0;
    mutable std::mutex mutex_;
    std::vector<ReceivedRequest> requests_;
    std::list<std::shared_ptr<asio::ip::tcp::socket>> sockets_;
    std::list<std::thread> connection_threads_;
    std::thread accepting_;
};

}  // namespace http_tests

#include "clients/amqp/publisher.h"

#include <algorithm>
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <cctype>
#include <future>
#include <new>
#include <sys/time.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/text/hex.h"

namespace clients::amqp {
namespace {

constexpr amqp_channel_t kChannel = 1;

std::string text(amqp_bytes_t bytes) {
    return bytes.len == 0 ? std::string() : std::string(static_cast<char*>(bytes.bytes), bytes.len);
}

amqp_bytes_t bytes(const std::string& text) {
    return {text.size(), const_cast<char*>(text.data())};
}

timeval to_timeval(std::chrono::steady_clock::duration duration) {
    auto us = std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::microseconds>(duration).count());
    return {static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
}

// nullopt for a bad escape, and for %00, which librabbitmq's C strings cannot carry.
std::optional<std::string> percent_decode(std::string_view encoded) {
    std::string decoded;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] != '%') {
            decoded += encoded[i];
            continue;
        }
        int high = i + 2 < encoded.size() ? core::hex_digit_value(encoded[i + 1]) : -1;
        int low = high < 0 ? -1 : core::hex_digit_value(encoded[i + 2]);
        if (low < 0 || high + low == 0) {
            return std::nullopt;
        }
        decoded += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return decoded;
}

// What became of each message of a batch, as the broker's answers come in.
class Batch {
public:
    Batch(const std::vector<std::string>& messages, std::uint64_t first_tag)
        : messages_(messages),
          first_tag_(first_tag),
          results_(messages.size()),
          settled_(messages.size(), false),
          pending_(messages.size()) {}

    std::size_t pending() const { return pending_; }
    bool any_returned() const { return next_return_ > 0; }
    std::vector<std::string> take_results() { return std::move(results_); }

    // An ack or nack of the message with `tag`, or with `multiple` of every one up to it.
    void settle(std::uint64_t tag, bool multiple, const std::string& outcome) {
        if (tag < first_tag_ || tag - first_tag_ >= messages_.size()) {
            return;
        }
        std::size_t last = tag - first_tag_;
        for (std::size_t i = multiple ? 0 : last; i <= last; ++i) {
            settle_one(i, outcome);
        }
    }
    void settle_all(const std::string& outcome) {
        for (std::size_t i = 0; i < messages_.size(); ++i) {
            settle_one(i, outcome);
        }
    }

    // basic.return carries no delivery tag: the method comes, then the message's content header
    // and body. The broker returns a channel's messages in the order they were published, and
    // before it acks them, so the message is the next unsettled one with that body.
    void start_return(std::string why) { returning_ = Returned{std::move(why)}; }
    void return_header(std::uint64_t body_size) {
        if (returning_) {
            returning_->size = body_size;
            finish_return();
        }
    }
    void return_body(amqp_bytes_t fragment) {
        if (returning_) {
            returning_->body += text(fragment);
            finish_return();
        }
    }

private:
    struct Returned {
        std::string why;
        std::optional<std::uint64_t> size = {};
        std::string body = {};
    };

    void settle_one(std::size_t index, const std::string& outcome) {
        if (!settled_[index]) {
            settled_[index] = true;
            results_[index] = outcome;
            --pending_;
        }
    }
    void finish_return() {
        if (!returning_->size || returning_->body.size() < *returning_->size) {
            return;
        }
        for (std::size_t i = next_return_; i < messages_.size(); ++i) {
            if (!settled_[i] && messages_[i] == returning_->body) {
                settle_one(i, returning_->why);
                next_return_ = i + 1;
                break;
            }
        }
        returning_.reset();
    }

    const std::vector<std::string>& messages_;
    std::uint64_t first_tag_;
    std::vector<std::string> results_;
    std::vector<bool> settled_;
    std::size_t pending_;
    std::optional<Returned> returning_;
    std::size_t next_return_ = 0;
};

}  // namespace

std::optional<Url> parse_url(std::string_view url, std::string& error) {
    std::size_t scheme_end = url.find("://");
    std::string scheme(url.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (scheme == "amqps") {
        error = "amqps is not supported: use an amqp:// URL";
        return std::nullopt;
    }
    if (scheme != "amqp") {
        error = "not an AMQP URL: expected amqp://user:password@host:port/vhost";
        return std::nullopt;
    }
    // The errors below never quote the URL: any part of it may be the password.
    std::string_view rest = url.substr(scheme_end + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) {
        error = "AMQP URL parameters (?...) are not supported";
        return std::nullopt;
    }
    std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view vhost = slash == std::string_view::npos ? "" : rest.substr(slash + 1);

    Url result;
    std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        std::size_t colon = userinfo.find(':');
        auto user = percent_decode(userinfo.substr(0, colon));
        if (!user) {
            error = "bad percent-encoding in the AMQP URL's user";
            return std::nullopt;
        }
        result.user = *user;
        if (colon != std::string_view::npos) {
            auto password = percent_decode(userinfo.substr(colon + 1));
            if (!password) {
                error = "bad percent-encoding in the AMQP URL's password";
                return std::nullopt;
            }
            result.password = *password;
        }
    }

    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with('[')) {  // [IPv6 address]
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos ||
            (close + 1 < authority.size() && authority[close + 1] != ':')) {
            error = "bad [IPv6] host in the AMQP URL";
            return std::nullopt;
        }
        host = authority.substr(1, close - 1);
        port = authority.substr(std::min(close + 2, authority.size()));
    } else if (std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (!host.empty()) {
        auto decoded = percent_decode(host);
        if (!decoded) {
            error = "bad percent-encoding in the AMQP URL's host";
            return std::nullopt;
        }
        result.host = *decoded;
    }
    if (!port.empty()) {
        unsigned number = 0;
        for (char c : port) {
            number = c >= '0' && c <= '9' && number <= 65535 ? number * 10 + (c - '0') : 65536;
        }
        if (number == 0 || number > 65535) {
            error = "bad port in the AMQP URL (expected 1 to 65535)";
            return std::nullopt;
        }
        result.port = static_cast<std::uint16_t>(number);
    }
    if (vhost.find('/') != std::string_view::npos) {
        error = "the AMQP URL's vhost must be one path segment (write / as %2f)";
        return std::nullopt;
    }
    if (!vhost.empty()) {
        auto decoded = percent_decode(vhost);
        if (!decoded) {
            error = "bad percent-encoding in the AMQP URL's vhost";
            return std::nullopt;
        }
        result.vhost = *decoded;
    }
    return result;
}

// One connection with one channel in confirm mode. After a failure it is `broken()` and only
// good for closing.
class Publisher::Connection {
public:
    explicit Connection(const PublisherOptions& options)
        : options_(options), state_(amqp_new_connection()) {
        if (state_ == nullptr) {
            throw std::bad_alloc();
        }
    }
    ~Connection() {
        if (polite_) {
            amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
        }
        amqp_destroy_connection(state_);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool broken() const { return broken_; }

    // nullopt once logged in, with confirms on and the queue declared; else why not.
    std::optional<std::string> open() {
        const Url& url = options_.url;
        std::string where = url.host + ":" + std::to_string(url.port);
        amqp_socket_t* socket = amqp_tcp_socket_new(state_);
        if (socket == nullptr) {
            return fail("connecting to " + where, AMQP_STATUS_NO_MEMORY);
        }
        timeval timeout = to_timeval(options_.timeout);
        int status = amqp_socket_open_noblock(socket, url.host.c_str(), url.port, &timeout);
        if (status != AMQP_STATUS_OK) {
            return fail("connecting to " + where, status);
        }
        amqp_set_handshake_timeout(state_, &timeout);
        amqp_set_rpc_timeout(state_, &timeout);
        // Heartbeats off: librabbitmq only services them inside its own calls, and an idle
        // publisher makes none.
        amqp_rpc_reply_t reply =
            amqp_login(state_, url.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE, 0,
                       AMQP_SASL_METHOD_PLAIN, url.user.c_str(), url.password.c_str());
        if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
            return fail("logging in to " + where + " as " + url.user + " (vhost " + url.vhost + ")",
                        reply);
        }
        polite_ = true;
        amqp_channel_open(state_, kChannel);
        if (auto error = rpc_failure("opening a channel on " + where)) {
            return error;
        }
        amqp_confirm_select(state_, kChannel);
        if (auto error = rpc_failure("enabling publisher confirms on " + where)) {
            return error;
        }
        amqp_queue_declare(state_, kChannel, bytes(options_.queue), /*passive=*/0, /*durable=*/1,
                           /*exclusive=*/0, /*auto_delete=*/0, amqp_empty_table);
        return rpc_failure("declaring the queue " + options_.queue + " on " + where);
    }

    std::vector<std::string> publish(const std::vector<std::string>& messages) {
        Batch batch(messages, next_tag_);
        amqp_basic_properties_t properties{};
        properties._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
        properties.delivery_mode = AMQP_DELIVERY_PERSISTENT;
        for (const std::string& message : messages) {
            // Mandatory: a message no queue takes comes back (basic.return) instead of vanishing.
            int status = amqp_basic_publish(state_, kChannel, amqp_empty_bytes,
                                            bytes(options_.queue), /*mandatory=*/1,
                                            /*immediate=*/0, &properties, bytes(message));
            if (status != AMQP_STATUS_OK) {
                batch.settle_all(fail("publishing", status));
                return batch.take_results();
            }
            ++next_tag_;
            // Take in what came back so far, so that in a large batch neither side blocks on a
            // full socket buffer.
            for (Read read = Read::frame; read == Read::frame;) {
                read = read_into(batch, timeval{0, 0});
                if (read == Read::failed) {
                    return batch.take_results();
                }
            }
        }
        auto deadline = std::chrono::steady_clock::now() + options_.timeout;
        while (batch.pending() > 0) {
            auto left = deadline - std::chrono::steady_clock::now();
            if (left <= std::chrono::steady_clock::duration::zero()) {
                broken_ = true;
                polite_ = false;  // the broker is not answering: closing would wait again
                batch.settle_all("no confirm from the broker within " +
                                 std::to_string(options_.timeout.count()) + " ms");
                break;
            }
            if (read_into(batch, to_timeval(left)) == Read::failed) {
                return batch.take_results();
            }
        }
        // Unroutable: the queue is gone. Reconnecting declares it again.
        broken_ = broken_ || batch.any_returned();
        return batch.take_results();
    }

    std::optional<std::string> check() {
        amqp_queue_declare(state_, kChannel, bytes(options_.queue), /*passive=*/1, 0, 0, 0,
                           amqp_empty_table);
        return rpc_failure("checking the queue " + options_.queue);
    }

private:
    enum class Read { frame, timeout, failed };

    // Takes in one frame, waiting up to `timeout`. On failure every message still pending in
    // `batch` gets the reason.
    Read read_into(Batch& batch, timeval timeout) {
        amqp_frame_t frame;
        int status = amqp_simple_wait_frame_noblock(state_, &frame, &timeout);
        if (status == AMQP_STATUS_TIMEOUT) {
            return Read::timeout;
        }
        if (status != AMQP_STATUS_OK) {
            batch.settle_all(fail("waiting for confirms", status));
            return Read::failed;
        }
        if (frame.frame_type == AMQP_FRAME_METHOD) {
            const amqp_method_t& method = frame.payload.method;
            switch (method.id) {
                case AMQP_BASIC_ACK_METHOD: {
                    auto* ack = static_cast<amqp_basic_ack_t*>(method.decoded);
                    batch.settle(ack->delivery_tag, ack->multiple != 0, "");
                    break;
                }
                case AMQP_BASIC_NACK_METHOD: {
                    auto* nack = static_cast<amqp_basic_nack_t*>(method.decoded);
                    batch.settle(nack->delivery_tag, nack->multiple != 0,
                                 "refused by the broker (basic.nack)");
                    break;
                }
                case AMQP_BASIC_RETURN_METHOD: {
                    auto* returned = static_cast<amqp_basic_return_t*>(method.decoded);
                    batch.start_return("returned by the broker (basic.return): " +
                                       std::to_string(returned->reply_code) + " " +
                                       text(returned->reply_text));
                    break;
                }
                case AMQP_CONNECTION_CLOSE_METHOD:
                case AMQP_CHANNEL_CLOSE_METHOD:
                    batch.settle_all(closed_by_broker(method));
                    return Read::failed;
            }
        } else if (frame.frame_type == AMQP_FRAME_HEADER) {
            batch.return_header(frame.payload.properties.body_size);
        } else if (frame.frame_type == AMQP_FRAME_BODY) {
            batch.return_body(frame.payload.body_fragment);
        }
        amqp_maybe_release_buffers(state_);
        return Read::frame;
    }

    std::optional<std::string> rpc_failure(const std::string& what) {
        amqp_rpc_reply_t reply = amqp_get_rpc_reply(state_);
        if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
            return std::nullopt;
        }
        return fail(what, reply);
    }

    std::string fail(const std::string& what, int status) {
        broken_ = true;
        polite_ = false;
        return what + ": " + amqp_error_string2(status);
    }

    std::string fail(const std::string& what, const amqp_rpc_reply_t& reply) {
        switch (reply.reply_type) {
            case AMQP_RESPONSE_LIBRARY_EXCEPTION:
                return fail(what, reply.library_error);
            case AMQP_RESPONSE_SERVER_EXCEPTION:  // librabbitmq's RPCs end so only on a close
                return what + ": " + closed_by_broker(reply.reply);
            default:
                return fail(what, AMQP_STATUS_CONNECTION_CLOSED);
        }
    }

    // Answers the broker's connection.close or channel.close, and says why it came.
    std::string closed_by_broker(const amqp_method_t& method) {
        broken_ = true;
        if (method.id == AMQP_CONNECTION_CLOSE_METHOD) {
            auto* close = static_cast<amqp_connection_close_t*>(method.decoded);
            std::string why =
                "the broker closed the connection: " + std::to_string(close->reply_code) + " " +
                text(close->reply_text);
            amqp_connection_close_ok_t close_ok{};
            amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &close_ok);
            polite_ = false;
            return why;
        }
        auto* close = static_cast<amqp_channel_close_t*>(method.decoded);
        std::string why = "the broker closed the channel: " + std::to_string(close->reply_code) +
                          " " + text(close->reply_text);
        amqp_channel_close_ok_t close_ok{};
        amqp_send_method(state_, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
        return why;
    }

    const PublisherOptions& options_;
    amqp_connection_state_t state_;
    bool broken_ = false;
    bool polite_ = false;         // whether closing should send connection.close and wait
    std::uint64_t next_tag_ = 1;  // delivery tags count from 1 after confirm.select
};

Publisher::Publisher(PublisherOptions options)
    : options_(std::move(options)), thread_([this] { run(); }) {}

Publisher::~Publisher() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

boost::asio::awaitable<std::vector<std::string>> Publisher::publish(
    const std::vector<std::string>& messages) {
    // Copied before the first suspension, so that the caller's vector may be a temporary.
    std::vector<std::string> batch = messages;
    std::function<std::vector<std::string>()> work = [this, batch = std::move(batch)] {
        return publish_now(batch);
    };
    co_return co_await on_thread(std::move(work));
}

std::vector<std::string> Publisher::publish_and_wait(const std::vector<std::string>& messages) {
    return on_thread_and_wait<std::vector<std::string>>(
        [this, &messages] { return publish_now(messages); });
}

boost::asio::awaitable<std::optional<std::string>> Publisher::check() {
    std::function<std::optional<std::string>()> work = [this] { return check_now(); };
    co_return co_await on_thread(std::move(work));
}

std::optional<std::string> Publisher::check_and_wait() {
    return on_thread_and_wait<std::optional<std::string>>([this] { return check_now(); });
}

template <typename Result>
boost::asio::awaitable<Result> Publisher::on_thread(std::function<Result()>&& work) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result)>(
        [this](auto handler, std::function<Result()> job) {
            auto executor = boost::asio::get_associated_executor(handler);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            enqueue([shared, executor, job = std::move(job)] {
                boost::asio::post(
                    executor, [shared, result = job()]() mutable { (*shared)(std::move(result)); });
            });
        },
        boost::asio::use_awaitable, std::move(work));
}

template <typename Result>
Result Publisher::on_thread_and_wait(std::function<Result()>&& work) {
    // Shared: the caller may return, and drop its end, before set_value() has returned.
    auto promise = std::make_shared<std::promise<Result>>();
    std::future<Result> result = promise->get_future();
    enqueue([promise, &work] { promise->set_value(work()); });
    return result.get();
}

void Publisher::enqueue(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
}

void Publisher::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) {
                break;
            }
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        job();
    }
    connection_.reset();  // here: closing talks to the broker
}

std::optional<std::string> Publisher::connect() {
    if (connection_ != nullptr) {
        return std::nullopt;
    }
    auto connection = std::make_unique<Connection>(options_);
    if (auto error = connection->open()) {
        return error;
    }
    connection_ = std::move(connection);
    return std::nullopt;
}

std::vector<std::string> Publisher::publish_now(const std::vector<std::string>& messages) {
    if (messages.empty()) {
        return {};
    }
    if (auto error = connect()) {
        return std::vector<std::string>(messages.size(), *error);
    }
    std::vector<std::string> results = connection_->publish(messages);
    if (connection_->broken()) {
        connection_.reset();
    }
    return results;
}

std::optional<std::string> Publisher::check_now() {
    if (auto error = connect()) {
        return error;
    }
    std::optional<std::string> result = connection_->check();
    if (connection_->broken()) {
        connection_.reset();
    }
    return result;
}

}  // namespace clients::amqp

#include "core/observability/prometheus.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace core {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

std::string sanitized(std::string_view name, bool allow_colon) {
    std::string out(name);
    for (char& c : out) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || (allow_colon && c == ':');
        if (!ok) {
            c = '_';
        }
    }
    if (out.empty() || (out[0] >= '0' && out[0] <= '9')) {
        out.insert(0, "_");
    }
    return out;
}

std::string exposed_name(std::string_view name, MetricType type) {
    std::string out = sanitized(name, true);
    if (type == MetricType::counter && !out.ends_with("_total")) {
        out += "_total";
    } else if (type == MetricType::timing) {
        out += "_seconds";
    }
    return out;
}

std::string escaped_label_value(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

// {a="1",b="2"} with labels sorted by name, "" without tags; "key:value" tags, a bare "tag" is
// tag="true".
std::string labels(Tags tags) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::string_view tag : tags) {
        auto colon = tag.find(':');
        if (colon == std::string_view::npos) {
            pairs.emplace_back(sanitized(tag, false), "true");
        } else {
            pairs.emplace_back(sanitized(tag.substr(0, colon), false),
                               escaped_label_value(tag.substr(colon + 1)));
        }
    }
    if (pairs.empty()) {
        return "";
    }
    std::sort(pairs.begin(), pairs.end());
    std::string out = "{";
    for (const auto& [key, value] : pairs) {
        out += (out.size() > 1 ? "," : "") + key + "=\"" + value + "\"";
    }
    return out + "}";
}

std::string number(double value) {
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    if (std::isnan(value)) {
        return "NaN";
    }
    char buffer[64];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return error == std::errc() ? std::string(buffer, end) : "NaN";
}

// `labels` ({...} or "") with one more label, for the buckets' "le".
std::string with_label(const std::string& labels, const std::string& pair) {
    if (labels.empty()) {
        return "{" + pair + "}";
    }
    return labels.substr(0, labels.size() - 1) + "," + pair + "}";
}

const char* type_name(MetricType type) {
    switch (type) {
        case MetricType::counter:
            return "counter";
        case MetricType::gauge:
            return "gauge";
        case MetricType::timing:
            return "histogram";
        case MetricType::histogram:
            return "summary";
    }
    return "untyped";
}

}  // namespace

const std::vector<double>& PrometheusRegistry::timing_buckets() {
    static const std::vector<double> bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                            0.25,  0.5,    1,     2.5,  5,     10,   30};
    return bounds;
}

void PrometheusRegistry::record(std::string_view name, MetricType type, double value, Tags tags) {
    std::string family_name = exposed_name(name, type);
    std::string series_labels = labels(tags);
    std::lock_guard lock(mutex_);
    Family& family = families_[family_name];
    family.type = type;
    Series& series = family.series[series_labels];
    switch (type) {
        case MetricType::counter:
            series.value += value;
            break;
        case MetricType::gauge:
            series.value = value;
            break;
        case MetricType::timing: {
            double seconds = value / 1000;
            const auto& bounds = timing_buckets();
            series.buckets.resize(bounds.size());
            auto bucket = std::lower_bound(bounds.begin(), bounds.end(), seconds);
            if (bucket != bounds.end()) {
                ++series.buckets[static_cast<std::size_t>(bucket - bounds.begin())];
            }
            series.sum += seconds;
            ++series.count;
            break;
        }
        case MetricType::histogram:
            series.sum += value;
            ++series.count;
            break;
    }
}

std::string PrometheusRegistry::exposition() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, family] : families_) {
        out += "# TYPE " + name + " " + type_name(family.type) + "\n";
        for (const auto& [series_labels, series] : family.series) {
            switch (family.type) {
                case MetricType::counter:
                case MetricType::gauge:
                    out += name + series_labels + " " + number(series.value) + "\n";
                    break;
                case MetricType::timing: {
                    std::uint64_t cumulative = 0;
                    const auto& bounds = timing_buckets();
                    for (std::size_t i = 0; i < bounds.size(); ++i) {
                        cumulative += series.buckets[i];
                        out += name + "_bucket" +
                               with_label(series_labels, "le=\"" + number(bounds[i]) + "\"") + " " +
                               std::to_string(cumulative) + "\n";
                    }
                    out += name + "_bucket" + with_label(series_labels, "le=\"+Inf\"") + " " +
                           std::to_string(series.count) + "\n";
                    [[fallthrough]];
                }
                case MetricType::histogram:
                    out += name + "_sum" + series_labels + " " + number(series.sum) + "\n";
                    out +=
                        name + "_count" + series_labels + " " + std::to_string(series.count) + "\n";
                    break;
            }
        }
    }
    return out;
}

PrometheusExporter::PrometheusExporter(const std::string& address, std::uint16_t port,
                                       std::shared_ptr<const PrometheusRegistry> registry,
                                       Logger log)
    : registry_(std::move(registry)),
      log_(std::move(log)),
      acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::make_address(address), port)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
}

PrometheusExporter::~PrometheusExporter() {
    io_.stop();
    thread_.join();
}

std::uint16_t PrometheusExporter::port() const {
    return acceptor_.local_endpoint().port();
}

void PrometheusExporter::accept() {
    acceptor_.async_accept([this](boost::system::error_code error, asio::ip::tcp::socket socket) {
        if (error) {
            if (error != asio::error::operation_aborted) {
                log_.warning("metrics listener: " + error.message());
                accept();
            }
            return;
        }
        asio::co_spawn(
            io_,
            [this,
             stream = beast::tcp_stream(std::move(socket))]() mutable -> asio::awaitable<void> {
                // One request per connection, answered and closed; scrapers are few.
                stream.expires_after(std::chrono::seconds(10));
                beast::flat_buffer buffer;
                bhttp::request_parser<bhttp::empty_body> parser;
                parser.header_limit(8192);
                auto [read_error, read] = co_await bhttp::async_read(
                    stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
                if (read_error) {
                    co_return;
                }
                const auto& request = parser.get();
                bhttp::response<bhttp::string_body> response;
                response.version(11);
                response.keep_alive(false);
                std::string_view target = request.target();
                if (target.substr(0, target.find('?')) != "/metrics") {
                    response.result(bhttp::status::not_found);
                } else if (request.method() != bhttp::verb::get &&
                           request.method() != bhttp::verb::head) {
                    response.result(bhttp::status::method_not_allowed);
                    response.set(bhttp::field::allow, "GET, HEAD");
                } else {
                    response.result(bhttp::status::ok);
                    response.set(bhttp::field::content_type,
                                 "text/plain; version=0.0.4; charset=utf-8");
                    response.body() = registry_->exposition();
                }
                response.prepare_payload();
                if (request.method() == bhttp::verb::head) {
                    response.body().clear();
                }
                co_await bhttp::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
                boost::system::error_code ignored;
                stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            },
            asio::detached);
        accept();
    });
}

}  // namespace core

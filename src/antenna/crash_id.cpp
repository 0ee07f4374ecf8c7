#include "antenna/crash_id.h"

#include <cstdio>
#include <stdexcept>

#include <openssl/rand.h>

namespace antenna {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::microseconds;

bool is_lower_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// CRASH_ID_RE without its anchors: 8-4-4-4 lowercase hex groups, 6 hex, 6 digits.
bool matches_crash_id_shape(std::string_view id) {
    if (id.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < id.size(); ++i) {
        bool ok = (i == 8 || i == 13 || i == 18 || i == 23) ? id[i] == '-'
                  : i >= 30                                 ? is_digit(id[i])
                                                            : is_lower_hex(id[i]);
        if (!ok) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::array<std::uint8_t, 16> SystemCrashIdSource::random_bytes() {
    std::array<std::uint8_t, 16> bytes;
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed to produce a crash id");
    }
    return bytes;
}

std::string create_crash_id(const std::array<std::uint8_t, 16>& random,
                            std::chrono::system_clock::time_point now, int throttle_digit) {
    std::array<std::uint8_t, 16> bytes = random;
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // uuid.UUID(version=4)
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant

    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            id += '-';
        }
        id += kHex[bytes[i] >> 4];
        id += kHex[bytes[i] & 0x0F];
    }
    id.resize(id.size() - 7);

    std::chrono::year_month_day date{floor<days>(now)};
    char tail[32];
    std::snprintf(tail, sizeof tail, "%d%02d%02u%02u", throttle_digit,
                  static_cast<int>(date.year()) % 100, static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()));
    return id + tail;
}

bool validate_crash_id(std::string_view id, bool strict) {
    std::string_view shape = id;
    if (shape.ends_with('\n')) {
        shape.remove_suffix(1);
    }
    if (!matches_crash_id_shape(shape)) {
        return false;
    }
    return !strict || id[id.size() - 7] == '0' || id[id.size() - 7] == '1';
}

std::string date_from_crash_id(std::string_view id) {
    if (id.ends_with('\n')) {
        id.remove_suffix(1);
    }
    return "20" + std::string(id.substr(id.size() < 6 ? 0 : id.size() - 6));
}

std::string isoformat_utc(std::chrono::system_clock::time_point time) {
    auto micros = floor<microseconds>(time);
    auto day = floor<days>(micros);
    std::chrono::year_month_day date{day};
    std::chrono::hh_mm_ss clock{micros - day};
    long fraction = static_cast<long>(clock.subseconds().count());

    char text[48];
    int length = std::snprintf(
        text, sizeof text, "%04d-%02u-%02uT%02ld:%02ld:%02ld", static_cast<int>(date.year()),
        static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
        static_cast<long>(clock.hours().count()), static_cast<long>(clock.minutes().count()),
        static_cast<long>(clock.seconds().count()));
    if (fraction != 0) {
        length += std::snprintf(text + length, sizeof text - length, ".%06ld", fraction);
    }
    return std::string(text, length) + "+00:00";
}

}  // namespace antenna

#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace antenna {

// Where the 16 random bytes of a crash id come from; injected so tests are deterministic.
class CrashIdSource {
public:
    virtual ~CrashIdSource() = default;
    virtual std::array<std::uint8_t, 16> random_bytes() = 0;
};

// Cryptographically strong bytes from OpenSSL, as Python's uuid.uuid4() uses os.urandom().
class SystemCrashIdSource final : public CrashIdSource {
public:
    std::array<std::uint8_t, 16> random_bytes() override;  // throws if the generator fails
};

// Antenna's create_crash_id (spec Part 2 §2): the uuid4 string of `random` (version nibble 4,
// variant 10xx, lowercase) with its last 7 characters replaced by the throttle result digit
// and the UTC date of `now` as YYMMDD, e.g. "de1bb258-cbbf-4589-a673-34f800160918".
std::string create_crash_id(const std::array<std::uint8_t, 16>& random,
                            std::chrono::system_clock::time_point now, int throttle_digit);

// Antenna's validate_crash_id: the shape of CRASH_ID_RE (lowercase hex, 6 date digits) and, if
// strict, a throttle character of '0' or '1'. Like Python's `$`, one trailing "\n" is accepted;
// the strict check then reads id[-7] of the whole string as Python does (the first year digit).
bool validate_crash_id(std::string_view id, bool strict);

// "20" + the id's YYMMDD, the day folder in storage. For an id that validate_crash_id accepted
// with a trailing "\n", the six digits before the newline are used (Antenna would have put the
// newline into the folder name).
std::string date_from_crash_id(std::string_view id);

// Python's datetime.now(UTC).isoformat(): "YYYY-MM-DDTHH:MM:SS.ffffff+00:00", with the
// fraction left out when the microseconds are 0 (the submitted_timestamp of a raw crash).
std::string isoformat_utc(std::chrono::system_clock::time_point time);

}  // namespace antenna

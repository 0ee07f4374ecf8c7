#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace antenna {

// A dump as received: streamed to a file while its sha256 was computed.
struct DumpFile {
    std::string name = {};  // sanitized dump name, e.g. "upload_file_minidump"
    std::filesystem::path path = {};
    std::uint64_t size = 0;
    std::string sha256 = {};  // lowercase hex
};

// Everything storage needs to keep one accepted crash.
struct CrashReport {
    std::string crash_id;
    boost::json::object raw_crash;
    std::vector<DumpFile> dumps;  // in payload order, names unique
};

// The outcome of a storage or publish attempt; errors are values at this seam.
struct Outcome {
    bool ok = true;
    std::string error;  // what failed, for logs and /__heartbeat__

    static Outcome success() { return {}; }
    static Outcome failure(std::string message) { return {false, std::move(message)}; }
};

}  // namespace antenna

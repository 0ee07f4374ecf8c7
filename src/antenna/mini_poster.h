#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace antenna {

// A crash to post as Breakpad clients do, encoded exactly like Antenna's
// testlib/mini_poster.py multipart_encode (spec Part 2 §11.3), so sizes and bytes match the
// original's tests.
struct CrashPayload {
    std::map<std::string, std::string> annotations;  // text parts (sorted by name, as the original)
    std::string extra_json;                          // if set, an "extra" application/json part
    struct Dump {
        std::string name;      // form field, e.g. "upload_file_minidump"
        std::string filename;  // e.g. "fakecrash.dump"
        std::string content;
    };
    std::vector<Dump> dumps;
};

struct EncodedPayload {
    std::string body;
    std::string content_type;  // "multipart/form-data; boundary=<boundary>"
};

// Fields in sorted name order (the original sorts the keys of one dict holding annotations,
// "extra" and dumps); `boundary` defaults to 32 random hex characters.
EncodedPayload multipart_encode(const CrashPayload& payload, std::string boundary = {},
                                const std::string& mimetype = "multipart/form-data");

// gzip at level 9, as the original's compress().
std::string gzip_compress(const std::string& data);

}  // namespace antenna

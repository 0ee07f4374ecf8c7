// A spool short of space answers 503 with Retry-After (never a 4xx, which Breakpad clients
// treat as "drop the report"), reports it on /__heartbeat__, leaves no partial dump behind, and
// accepts crashes again once space comes back.
#include <cerrno>
#include <cstring>
#include <sys/mount.h>
#include <thread>

#include <gtest/gtest.h>

#include "antenna_blackbox.h"

namespace antenna_tests {
namespace {

// A size-limited tmpfs: a small disk of the test's own (mounting needs root).
class SmallFilesystem {
public:
    explicit SmallFilesystem(const fs::path& at, const char* size) : path_(at) {
        fs::create_directories(path_);
        std::string options = std::string("size=") + size;
        if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) == 0) {
            mounted_ = true;
        } else {
            error_ = std::strerror(errno);
        }
    }
    ~SmallFilesystem() {
        if (mounted_) {
            ::umount2(path_.c_str(), MNT_DETACH);
        }
    }
    bool mounted() const { return mounted_; }
    const std::string& error() const { return error_; }

private:
    fs::path path_;
    bool mounted_ = false;
    std::string error_;
};

antenna::EncodedPayload crash_with_dump(std::size_t dump_bytes) {
    antenna::CrashPayload payload = test_crash();
    payload.dumps[0].content.assign(dump_bytes, 'd');
    return antenna::multipart_encode(payload, kBoundary);
}

TEST(SpoolSpace, BelowTheMinimumAnswers503WithRetryAfter) {
    Collector collector(Env{{"CRASHMOVER_SPOOL_MIN_FREE_BYTES", "1000000000000000000"},
                            {"CRASHMOVER_RETRY_AFTER_SECONDS", "7"}});
    HttpResponse response = collector.post(antenna::multipart_encode(test_crash()));
    EXPECT_EQ(response.status, 503);
    EXPECT_EQ(response.header("Retry-After"), "7");
    EXPECT_EQ(response.body, "Discarded=disk_full");
    EXPECT_TRUE(collector.files().empty());
    auto heartbeat = testing_support::http_request(collector.port(), "GET", "/__heartbeat__");
    ASSERT_TRUE(heartbeat);
    EXPECT_EQ(heartbeat->status, 503);
    EXPECT_NE(heartbeat->body.find(R"({"name": "Spool", "msg": "free space on )"),
              std::string::npos)
        << heartbeat->body;
    EXPECT_TRUE(collector.process().wait_for_line("not accepting crashes: free space on"));
}

TEST(SpoolSpace, AcceptsAgainWhenSpaceComesBack) {
    TempDir dir;
    SmallFilesystem small(dir.path() / "spool", "4m");
    if (!small.mounted()) {
        GTEST_SKIP() << "cannot mount a tmpfs here: " << small.error();
    }
    Collector collector(Env{{"CRASHMOVER_SPOOL_DIR", (dir.path() / "spool").string()},
                            {"CRASHMOVER_SPOOL_MIN_FREE_BYTES", "1048576"}});
    std::ofstream(dir.path() / "spool" / "filler") << std::string(3500 * 1024, 'f');
    std::this_thread::sleep_for(1100ms);  // the free space is read at most once a second
    EXPECT_EQ(collector.post(antenna::multipart_encode(test_crash())).status, 503);

    fs::remove(dir.path() / "spool" / "filler");
    std::this_thread::sleep_for(1100ms);
    HttpResponse response = collector.post(antenna::multipart_encode(test_crash()));
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(collector.files().size(), 3u);
}

TEST(SpoolSpace, DiskFullDuringAnUploadAnswers503AndLeavesNothingBehind) {
    TempDir dir;
    SmallFilesystem small(dir.path() / "spool", "2m");
    if (!small.mounted()) {
        GTEST_SKIP() << "cannot mount a tmpfs here: " << small.error();
    }
    Collector collector(Env{{"CRASHMOVER_SPOOL_DIR", (dir.path() / "spool").string()},
                            {"CRASHMOVER_SPOOL_MIN_FREE_BYTES", "0"}});
    HttpResponse full = collector.post(crash_with_dump(3 * 1024 * 1024));
    EXPECT_EQ(full.status, 503);
    EXPECT_EQ(full.body, "Discarded=disk_full");
    EXPECT_TRUE(fs::is_empty(dir.path() / "spool" / "incoming"));
    EXPECT_TRUE(collector.files().empty());

    // The spool is on another filesystem than the storage root: the dump is copied.
    HttpResponse fits = collector.post(crash_with_dump(1024));
    EXPECT_EQ(fits.status, 200) << fits.body;
    EXPECT_EQ(collector.files().size(), 3u);
    EXPECT_TRUE(fs::is_empty(dir.path() / "spool" / "incoming"));
}

}  // namespace
}  // namespace antenna_tests

// The on-disk spool (docs/antenna.md, "The spool"): commit, load, recover, limits, the lock.
#include "antenna/spool/spool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "core/io/files.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"
#include "spool_test_support.h"

namespace {

namespace fs = std::filesystem;
using antenna::CrashReport;
using antenna::DumpFile;
using antenna::Spool;
using antenna::SpoolLimits;
using antenna::SpoolRecord;
using spool_tests::CapturingSink;
using spool_tests::FileLog;
using spool_tests::TempDir;
using namespace std::string_literals;

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0xf];
    }
    return hex;
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

struct Dump {
    std::string name;
    std::string bytes;
};

class SpoolTest : public ::testing::Test {
protected:
    fs::path spool_dir() const { return tmp_.path() / "spool"; }
    fs::path ready(const std::string& id = "") const {
        return id.empty() ? spool_dir() / "ready" : spool_dir() / "ready" / id;
    }
    fs::path damaged(const std::string& id = "") const {
        return id.empty() ? spool_dir() / "damaged" : spool_dir() / "damaged" / id;
    }
    fs::path incoming() const { return spool_dir() / "incoming"; }
    // The n-th records file commits append to.
    fs::path records(int n = 1) const {
        char name[32];
        std::snprintf(name, sizeof name, "%012d.jsonl", n);
        return ready() / name;
    }
    static std::vector<std::string> lines_of(const fs::path& file) {
        std::vector<std::string> lines;
        std::string content = core::read_file(file);
        for (std::size_t start = 0, end; (end = content.find('\n', start)) != std::string::npos;
             start = end + 1) {
            lines.push_back(content.substr(start, end - start));
        }
        return lines;
    }
    // The crashes waiting in the spool, as read from its files.
    std::vector<std::string> on_disk() const {
        std::vector<std::string> ids;
        for (const auto& crash : Spool::list(spool_dir())) {
            ids.push_back(crash.crash_id);
        }
        std::sort(ids.begin(), ids.end());
        return ids;
    }

    std::unique_ptr<Spool> open(SpoolLimits limits = {}) {
        return std::make_unique<Spool>(spool_dir(), limits, log_.logger(), metrics_);
    }

    // A dump written to incoming/ under a temporary name, as the payload extractor does.
    static DumpFile write_dump(const Spool& spool, const Dump& dump) {
        std::string pattern = (spool.incoming_dir() / "dump-XXXXXX").string();
        int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
        if (fd < 0) {
            throw std::runtime_error("mkostemp failed in " + spool.incoming_dir().string());
        }
        ::close(fd);
        core::write_file(pattern, dump.bytes);
        return DumpFile{.name = dump.name,
                        .path = pattern,
                        .size = dump.bytes.size(),
                        .sha256 = sha256_hex(dump.bytes)};
    }

    static CrashReport report_of(const Spool& spool, const std::string& id, boost::json::object raw,
                                 const std::vector<Dump>& dumps) {
        CrashReport report{.crash_id = id, .raw_crash = std::move(raw), .dumps = {}};
        for (const auto& dump : dumps) {
            report.dumps.push_back(write_dump(spool, dump));
        }
        return report;
    }

    static std::vector<fs::path> commit(Spool& spool, const std::string& id,
                                        const std::vector<Dump>& dumps = {{"upload_file_minidump",
                                                                           "MDMP"}},
                                        boost::json::object raw = {{"ProductName", "Firefox"}}) {
        CrashReport report = report_of(spool, id, std::move(raw), dumps);
        return spool.commit(report);
    }

    TempDir tmp_;
    FileLog log_{tmp_.path() / "log.jsonl"};
    std::shared_ptr<CapturingSink> sink_ = std::make_shared<CapturingSink>();
    core::Metrics metrics_{sink_, {}};
};

const boost::json::object kRawCrash = boost::json::parse(R"({
    "ProductName": "Firefox",
    "Version": "128.0",
    "BuildID": "20240101000000",
    "Throttleable": "1",
    "nested": {"list": [1, 2.5, "three", null, true], "empty": {}},
    "unicode": "caf\u00e9 \u2603",
    "big": 1234567890123,
    "submitted_timestamp": "2024-07-01T12:00:00.123456+00:00"
})")
                                          .as_object();

const std::string kCrashId = "de1bb258-cbbf-4589-a673-34f800240701";

TEST_F(SpoolTest, CommitAppendsTheRecordToAFileOfReadyAndReturnsWhatToFlush) {
    auto spool = open();
    CrashReport report = report_of(*spool, kCrashId, kRawCrash,
                                   {{"upload_file_minidump", std::string(1000, 'M')},
                                    {"memory_report", "{\"memory\": true}"}});
    std::vector<fs::path> received_at;
    for (const auto& dump : report.dumps) {
        received_at.push_back(dump.path);
        ASSERT_EQ(dump.path.parent_path(), spool->incoming_dir());
    }

    std::vector<fs::path> to_flush = spool->commit(report);

    // The dumps stay where they were received; the record's line is the commit.
    EXPECT_EQ(to_flush, (std::vector<fs::path>{received_at[0], received_at[1], records(),
                                               incoming(), ready()}));
    for (const auto& path : to_flush) {
        EXPECT_TRUE(fs::exists(path)) << path;
    }
    ASSERT_EQ(report.dumps.size(), 2u);
    EXPECT_EQ(report.dumps[0].path, received_at[0]);
    EXPECT_EQ(report.dumps[1].path, received_at[1]);
    EXPECT_EQ(core::read_file(report.dumps[0].path), std::string(1000, 'M'));
    EXPECT_EQ(core::read_file(report.dumps[1].path), "{\"memory\": true}");
    // No file or directory is made per crash beside its dumps.
    EXPECT_EQ(names_in(incoming()).size(), 2u);
    EXPECT_EQ(names_in(ready()), std::vector<std::string>{records().filename().string()});
    std::vector<std::string> lines = lines_of(records());
    ASSERT_EQ(lines.size(), 1u);
    boost::json::object line = boost::json::parse(lines[0]).as_object();
    EXPECT_EQ(line.at("crash_id"), boost::json::value(kCrashId));
    EXPECT_EQ(line.at("raw_crash"), kRawCrash);
    EXPECT_EQ(line.at("dumps").as_array().size(), 2u);
    EXPECT_EQ(spool->size(), 1u);

    // The next crash goes to the same file.
    commit(*spool, "second-crash");
    EXPECT_EQ(names_in(ready()), std::vector<std::string>{records().filename().string()});
    EXPECT_EQ(lines_of(records()).size(), 2u);
}

TEST_F(SpoolTest, CommitWithoutDumpsFlushesTheRecordAndDirectories) {
    auto spool = open();
    std::vector<fs::path> to_flush = commit(*spool, kCrashId, {}, kRawCrash);
    EXPECT_EQ(to_flush, (std::vector<fs::path>{records(), incoming(), ready()}));
    SpoolRecord record = spool->load(kCrashId);
    EXPECT_EQ(record.report.raw_crash, kRawCrash);
    EXPECT_TRUE(record.report.dumps.empty());
    EXPECT_EQ(spool->size(), 1u);
}

TEST_F(SpoolTest, LoadGivesBackTheCommittedCrash) {
    auto spool = open();
    const std::string minidump = "MDMP\x93\xa7\0\0binary\xff"s + std::string(70000, '\x01');
    const std::string memory = "{\"memory\": true}";
    auto before = std::chrono::system_clock::now();
    commit(*spool, kCrashId, {{"upload_file_minidump", minidump}, {"memory_report", memory}},
           kRawCrash);
    auto after = std::chrono::system_clock::now();

    SpoolRecord record = spool->load(kCrashId);
    EXPECT_EQ(record.report.crash_id, kCrashId);
    EXPECT_EQ(record.report.raw_crash, kRawCrash);
    EXPECT_GE(record.received, std::chrono::floor<std::chrono::milliseconds>(before));
    EXPECT_LE(record.received, after);
    ASSERT_EQ(record.report.dumps.size(), 2u);

    const auto& first = record.report.dumps[0];
    EXPECT_EQ(first.name, "upload_file_minidump");
    EXPECT_EQ(first.size, minidump.size());
    EXPECT_EQ(first.sha256, sha256_hex(minidump));
    EXPECT_EQ(first.path.parent_path(), incoming());
    ASSERT_TRUE(fs::exists(first.path));
    EXPECT_EQ(core::read_file(first.path), minidump);

    const auto& second = record.report.dumps[1];
    EXPECT_EQ(second.name, "memory_report");
    EXPECT_EQ(second.size, memory.size());
    EXPECT_EQ(second.sha256, sha256_hex(memory));
    ASSERT_TRUE(fs::exists(second.path));
    EXPECT_EQ(core::read_file(second.path), memory);
}

TEST_F(SpoolTest, LoadOfAnUnknownCrashThrows) {
    auto spool = open();
    EXPECT_ANY_THROW(spool->load("no-such-crash"));
}

TEST_F(SpoolTest, CommitOfAMissingOrShortDumpThrowsAndLeavesNothingBehind) {
    auto spool = open();
    CrashReport report = report_of(*spool, kCrashId, kRawCrash,
                                   {{"upload_file_minidump", "MDMP"}, {"memory_report", "{}"}});
    fs::remove(report.dumps[1].path);
    EXPECT_THROW(spool->commit(report), std::system_error);
    CrashReport short_dump = report_of(*spool, kCrashId, kRawCrash, {{"memory_report", "{}"}});
    fs::resize_file(short_dump.dumps[0].path, 1);
    EXPECT_THROW(spool->commit(short_dump), std::system_error);
    EXPECT_TRUE(names_in(ready()).empty());
    for (const auto& name : names_in(incoming())) {
        EXPECT_TRUE(name.starts_with("dump-")) << name;  // the caller's dumps, no record
    }
    EXPECT_EQ(spool->size(), 0u);
}

TEST_F(SpoolTest, RecoverReturnsCrashesOldestFirstAndEmptiesIncoming) {
    // Committed in an order that is neither alphabetical nor reversed.
    const std::vector<std::string> committed = {"c-crash", "a-crash", "d-crash", "b-crash"};
    {
        auto spool = open();
        for (const auto& id : committed) {
            commit(*spool, id, {{"upload_file_minidump", "dump of " + id}},
                   {{"ProductName", "Firefox"}, {"id", id}});
            // received is kept in milliseconds: one crash per millisecond keeps the order known.
            std::this_thread::sleep_for(std::chrono::milliseconds(3));
        }
        // What a process leaves behind when it dies: a dump being received, a commit cut
        // short (never acknowledged) with its dump.
        write_dump(*spool, {"upload_file_minidump", "half received"});
        commit(*spool, "e-crash");
        std::string content = core::read_file(records());
        content.resize(content.size() - 10);
        core::write_file(records(), content);
        ASSERT_EQ(names_in(incoming()).size(), committed.size() + 2);
    }

    auto spool = open();
    EXPECT_EQ(spool->size(), 0u);
    EXPECT_EQ(spool->recover(), committed);
    // Only the committed crashes' dumps are left in incoming/.
    EXPECT_EQ(names_in(incoming()).size(), committed.size());
    EXPECT_EQ(spool->size(), committed.size());
    for (const auto& id : committed) {
        SpoolRecord record = spool->load(id);
        EXPECT_EQ(record.report.raw_crash.at("id"), boost::json::value(id));
        ASSERT_EQ(record.report.dumps.size(), 1u);
        EXPECT_EQ(core::read_file(record.report.dumps[0].path), "dump of " + id);
    }
    EXPECT_TRUE(names_in(damaged()).empty());
    EXPECT_EQ(sink_->count("socorro.collector.spool.damaged:1|c"), 0u);
}

TEST_F(SpoolTest, RecoverMovesIncompleteCrashesToDamaged) {
    {
        auto spool = open();
        for (const auto* id : {"good", "short-dump", "long-dump", "missing-dump"}) {
            commit(*spool, id,
                   {{"upload_file_minidump", std::string(100, 'M')}, {"memory_report", "{}"}},
                   kRawCrash);
        }
        auto dump_of = [&](const std::string& id, std::size_t i) {
            return spool->load(id).report.dumps.at(i).path;
        };
        fs::resize_file(dump_of("short-dump", 0), 99);
        fs::resize_file(dump_of("long-dump", 1), 3);
        // Storage moves dumps out of the spool before the crash is done.
        fs::remove(dump_of("missing-dump", 0));
        // A record that is not what commit() writes, and lines that are not records at all.
        std::ofstream(records(), std::ios::app) << R"({"crash_id": "broken-record"})" << '\n'
                                                << "\x01\x02 not json at all\n"
                                                << "[1, 2, 3]\n";
        // Something that is not a records file at all.
        core::write_file(ready("stray-file"), "stray");
        // A crash damaged at an earlier start under the same id is replaced.
        fs::create_directories(damaged("short-dump"));
        core::write_file(damaged("short-dump") / "old", "from before");
    }

    auto spool = open();
    std::vector<std::string> recovered = spool->recover();
    std::sort(recovered.begin(), recovered.end());
    EXPECT_EQ(recovered, (std::vector<std::string>{"good", "missing-dump"}));
    EXPECT_EQ(spool->size(), 2u);
    EXPECT_EQ(on_disk(), (std::vector<std::string>{"good", "missing-dump"}));
    const std::vector<std::string> bad = {"broken-record", "long-dump", "short-dump", "stray-file"};
    // The lines that are not records are set aside by their place: they name no crash.
    std::vector<std::string> damaged_names = names_in(damaged());
    ASSERT_EQ(damaged_names.size(), bad.size() + 2);
    std::vector<std::string> lines_set_aside(damaged_names.begin(), damaged_names.begin() + 2);
    for (const auto& name : lines_set_aside) {
        EXPECT_TRUE(name.starts_with(records().filename().string() + "-")) << name;
    }
    EXPECT_EQ(core::read_file(damaged(lines_set_aside[0]) / "crash.json"),
              "\x01\x02 not json at all");
    EXPECT_EQ(core::read_file(damaged(lines_set_aside[1]) / "crash.json"), "[1, 2, 3]");
    EXPECT_EQ(std::vector<std::string>(damaged_names.begin() + 2, damaged_names.end()), bad);
    EXPECT_EQ(core::read_file(damaged("broken-record") / "crash.json"),
              R"({"crash_id": "broken-record"})");
    EXPECT_EQ(core::read_file(damaged("stray-file") / "crash.json"), "stray");
    EXPECT_FALSE(fs::exists(damaged("short-dump") / "old"));
    // A damaged crash whose record reads keeps its record and dumps together.
    EXPECT_EQ(names_in(damaged("short-dump")),
              (std::vector<std::string>{"crash.json", "dump.memory_report",
                                        "dump.upload_file_minidump"}));
    EXPECT_EQ(
        boost::json::parse(core::read_file(damaged("short-dump") / "crash.json")).at("crash_id"),
        boost::json::value("short-dump"));
    // Left in incoming/: the dumps of good (2) and missing-dump (1).
    EXPECT_EQ(names_in(incoming()).size(), 3u);
    EXPECT_EQ(sink_->count("socorro.collector.spool.damaged:1|c"), bad.size() + 2);
    std::string log = log_.text();
    for (const auto& id : bad) {
        EXPECT_NE(log.find(id + ": incomplete in the spool"), std::string::npos) << id;
    }
    EXPECT_EQ(log.find("good: incomplete"), std::string::npos);
    EXPECT_EQ(log.find("missing-dump: incomplete"), std::string::npos);

    // The crash whose dump storage already took is still loadable; its dump path is gone.
    SpoolRecord record = spool->load("missing-dump");
    ASSERT_EQ(record.report.dumps.size(), 2u);
    EXPECT_FALSE(fs::exists(record.report.dumps[0].path));
    EXPECT_EQ(core::read_file(record.report.dumps[1].path), "{}");

    // Damaged crashes are not found again at the next start (the lines that name no crash
    // are, until their file is deleted).
    spool.reset();
    spool = open();
    recovered = spool->recover();
    std::sort(recovered.begin(), recovered.end());
    EXPECT_EQ(recovered, (std::vector<std::string>{"good", "missing-dump"}));
    EXPECT_EQ(names_in(damaged()).size(), bad.size() + 2);
    EXPECT_EQ(sink_->count("socorro.collector.spool.damaged:1|c"), bad.size() + 4);
}

// A spool written by the version that kept each crash in a directory, ready/<id>/crash.json
// and dump.<name>, is rewritten in today's layout at the first start, nothing lost.
TEST_F(SpoolTest, RecoverRewritesCrashesOfTheDirectoryLayout) {
    fs::create_directories(ready("old-saved"));
    fs::create_directories(ready("old-taken"));
    fs::create_directories(ready("old-broken"));
    fs::create_directories(incoming());
    auto legacy_record = [](const std::string& id, std::int64_t received_ms,
                            std::string_view dump) {
        return boost::json::serialize(boost::json::object{
            {"crash_id", id},
            {"received_ms", received_ms},
            {"dumps", boost::json::array{boost::json::object{{"name", "upload_file_minidump"},
                                                             {"size", dump.size()},
                                                             {"sha256", sha256_hex(dump)}}}},
            {"raw_crash", kRawCrash},
        });
    };
    core::write_file(ready("old-saved") / "crash.json",
                     legacy_record("old-saved", 1'700'000'000'000, "MDMP saved"));
    core::write_file(ready("old-saved") / "dump.upload_file_minidump", "MDMP saved");
    core::write_file(ready("old-saved") / "saved", "");
    // Storage had taken this one's dump already.
    core::write_file(ready("old-taken") / "crash.json",
                     legacy_record("old-taken", 1'700'000'000'001, "MDMP taken"));
    core::write_file(ready("old-broken") / "crash.json", "{");

    auto spool = open();
    EXPECT_EQ(spool->recover(), (std::vector<std::string>{"old-saved", "old-taken"}));
    EXPECT_EQ(names_in(ready()), std::vector<std::string>{records().filename().string()});
    EXPECT_EQ(names_in(damaged()), std::vector<std::string>{"old-broken"});
    SpoolRecord saved = spool->load("old-saved");
    EXPECT_EQ(saved.report.raw_crash, kRawCrash);
    EXPECT_EQ(saved.received,
              std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'000)));
    ASSERT_EQ(saved.report.dumps.size(), 1u);
    EXPECT_EQ(saved.report.dumps[0].path.parent_path(), incoming());
    EXPECT_EQ(core::read_file(saved.report.dumps[0].path), "MDMP saved");
    EXPECT_TRUE(spool->is_saved("old-saved"));
    EXPECT_FALSE(spool->is_saved("old-taken"));
    EXPECT_FALSE(fs::exists(spool->load("old-taken").report.dumps[0].path));
    spool->remove("old-saved");
    spool->remove("old-taken");
    EXPECT_TRUE(names_in(ready()).empty());
    EXPECT_TRUE(names_in(incoming()).empty());
}

// A spool written by the version that kept a record file per crash, ready/<id>.json and
// ready/<id>.saved, is rewritten in records files at the first start, nothing lost.
TEST_F(SpoolTest, RecoverRewritesCrashesOfTheRecordPerFileLayout) {
    {
        auto spool = open();
        commit(*spool, "per-file-saved", {{"upload_file_minidump", "MDMP saved"}});
        commit(*spool, "per-file", {{"upload_file_minidump", "MDMP"}});
        spool->mark_saved("per-file-saved");
        std::vector<std::string> lines = lines_of(records());
        ASSERT_EQ(lines.size(), 3u);
        core::write_file(ready("per-file-saved.json"), lines[0]);
        core::write_file(ready("per-file-saved.saved"), "");
        core::write_file(ready("per-file.json"), lines[1]);
        core::write_file(ready("per-file-broken.json"), "{");
        core::write_file(ready("gone.saved"), "");  // the mark of a crash removed halfway
        fs::remove(records());
    }
    auto spool = open();
    std::vector<std::string> recovered = spool->recover();
    std::sort(recovered.begin(), recovered.end());
    EXPECT_EQ(recovered, (std::vector<std::string>{"per-file", "per-file-saved"}));
    EXPECT_EQ(names_in(ready()), std::vector<std::string>{records().filename().string()});
    EXPECT_EQ(names_in(damaged()), std::vector<std::string>{"per-file-broken"});
    EXPECT_TRUE(spool->is_saved("per-file-saved"));
    EXPECT_FALSE(spool->is_saved("per-file"));
    EXPECT_EQ(core::read_file(spool->load("per-file-saved").report.dumps[0].path), "MDMP saved");
    EXPECT_EQ(core::read_file(spool->load("per-file").report.dumps[0].path), "MDMP");

    spool.reset();
    spool = open();
    EXPECT_EQ(spool->recover().size(), 2u);
    EXPECT_TRUE(spool->is_saved("per-file-saved"));
    spool->remove("per-file");
    spool->remove("per-file-saved");
    EXPECT_TRUE(names_in(ready()).empty());
    EXPECT_TRUE(names_in(incoming()).empty());
}

// Records files take a bounded number of commits each; a file is deleted once all of its
// crashes are done, and what is done stays done across restarts.
TEST_F(SpoolTest, RecordsFilesRotateAndAreDeletedOnceDone) {
    auto spool = open();
    std::vector<std::string> ids;
    for (int i = 0; i < 300; ++i) {
        char id[32];
        std::snprintf(id, sizeof id, "crash-%03d", i);
        ids.push_back(id);
        commit(*spool, id, {});
    }
    EXPECT_EQ(names_in(ready()), (std::vector<std::string>{records(1).filename().string(),
                                                           records(2).filename().string()}));
    EXPECT_EQ(lines_of(records(1)).size(), 256u);
    EXPECT_EQ(lines_of(records(2)).size(), 44u);
    for (int i = 0; i < 255; ++i) {
        spool->remove(ids[i]);
    }
    EXPECT_TRUE(fs::exists(records(1)));  // crash-255 is still waiting there
    spool->remove(ids[299]);

    spool.reset();
    spool = open();
    std::vector<std::string> recovered = spool->recover();
    ASSERT_EQ(recovered.size(), 44u);
    EXPECT_EQ(recovered.front(), "crash-255");
    EXPECT_EQ(recovered.back(), "crash-298");
    spool->remove("crash-255");
    EXPECT_EQ(names_in(ready()), std::vector<std::string>{records(2).filename().string()});
    // New commits go to a new file.
    commit(*spool, "after-restart", {});
    EXPECT_TRUE(fs::exists(records(3)));
    for (const auto& id : recovered) {
        spool->remove(id);
    }
    spool->remove("after-restart");
    EXPECT_TRUE(names_in(ready()).empty());
    EXPECT_TRUE(on_disk().empty());
}

// A crash done in one records file and committed again into a later one: if the mark in the
// earlier file is lost (a power cut; only the later file was flushed), the earlier record must
// not come back, whether the later one is waiting or done.
TEST_F(SpoolTest, ALaterRecordOfTheSameCrashSupersedesEarlierOnes) {
    std::uint64_t before_mark = 0;
    {
        auto spool = open();
        commit(*spool, "keeper");  // keeps the first file
        commit(*spool, "again", {{"upload_file_minidump", "OLD"}}, {{"v", "old"}});
        before_mark = fs::file_size(records(1));
        spool->remove("again");
    }
    {
        auto spool = open();
        ASSERT_EQ(spool->recover(), std::vector<std::string>{"keeper"});
        commit(*spool, "again", {{"upload_file_minidump", "NEW"}}, {{"v", "new"}});
        commit(*spool, "twice", {{"upload_file_minidump", "NEW"}}, {{"v", "new"}});
        ASSERT_TRUE(fs::exists(records(2)));
        spool->remove("again");
    }
    fs::resize_file(records(1), before_mark);  // the mark of the first "again" is lost
    // An older record of "twice" in the first file, its mark lost too; it waits in the second.
    {
        boost::json::object older = boost::json::parse(lines_of(records(2))[1]).as_object();
        older["raw_crash"] = boost::json::object{{"v", "old"}};
        std::ofstream(records(1), std::ios::app) << boost::json::serialize(older) << '\n';
    }
    auto spool = open();
    std::vector<std::string> recovered = spool->recover();
    std::sort(recovered.begin(), recovered.end());
    EXPECT_EQ(recovered, (std::vector<std::string>{"keeper", "twice"}));
    EXPECT_EQ(on_disk(), (std::vector<std::string>{"keeper", "twice"}));
    EXPECT_EQ(spool->load("twice").report.raw_crash, (boost::json::object{{"v", "new"}}));
    spool->remove("keeper");
    spool->remove("twice");
    EXPECT_TRUE(names_in(ready()).empty());
}

// A kill in the middle of an append leaves a line cut short at the end of a records file: the
// next start cuts it off, so that what is appended later stays readable.
TEST_F(SpoolTest, ALineCutShortIsRemovedBeforeAnythingIsAppended) {
    {
        auto spool = open();
        commit(*spool, "first");
        commit(*spool, "second");
        commit(*spool, "cut-short");
    }
    std::string content = core::read_file(records());
    content.resize(content.size() - 10);
    core::write_file(records(), content);
    {
        auto spool = open();
        std::vector<std::string> recovered = spool->recover();
        EXPECT_EQ(recovered, (std::vector<std::string>{"first", "second"}));
        EXPECT_EQ(lines_of(records()).size(), 2u);
        spool->remove("first");
    }
    auto spool = open();
    EXPECT_EQ(spool->recover(), std::vector<std::string>{"second"});
    EXPECT_TRUE(names_in(damaged()).empty());
    EXPECT_NE(log_.text().find("the last line was cut short"), std::string::npos);
}

// When a crash's done mark cannot be written (the disk is full), the crash stays whole: its
// dumps are kept and the next start moves it again.
TEST_F(SpoolTest, ACrashWhoseMarkCannotBeWrittenKeepsItsDumps) {
    fs::path dump;
    {
        auto spool = open();
        commit(*spool, "unmarked", {{"upload_file_minidump", std::string(5000, 'M')}});
        commit(*spool, "other");
        dump = spool->load("unmarked").report.dumps[0].path;
        // write() fails with EFBIG past RLIMIT_FSIZE, as it would with ENOSPC.
        auto previous = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{};
        ::getrlimit(RLIMIT_FSIZE, &limit);
        rlimit tight = limit;
        tight.rlim_cur = fs::file_size(records());
        ::setrlimit(RLIMIT_FSIZE, &tight);
        EXPECT_THROW(spool->remove(std::vector<std::string>{"unmarked", "other"}),
                     std::system_error);
        ::setrlimit(RLIMIT_FSIZE, &limit);
        std::signal(SIGXFSZ, previous);
        EXPECT_TRUE(fs::exists(dump));
        EXPECT_EQ(spool->size(), 2u);
        spool->remove("other");  // space again
        EXPECT_EQ(spool->size(), 1u);
    }
    auto spool = open();
    EXPECT_EQ(spool->recover(), std::vector<std::string>{"unmarked"});
    EXPECT_EQ(core::read_file(spool->load("unmarked").report.dumps[0].path),
              std::string(5000, 'M'));
}

// The deepest raw crash the payload extractor accepts (a JSON payload at boost::json's default
// depth) is two levels deeper inside a record, and still reads back.
TEST_F(SpoolTest, ADeepRawCrashReadsBack) {
    boost::json::value deepest;
    for (int depth = 1;; ++depth) {
        std::string text = "{\"a\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
        boost::system::error_code ec;
        boost::json::value parsed = boost::json::parse(text, ec);
        if (ec) {
            break;
        }
        deepest = std::move(parsed);
    }
    {
        auto spool = open();
        commit(*spool, "deep", {{"upload_file_minidump", "MDMP"}}, deepest.as_object());
        EXPECT_EQ(spool->load("deep").report.raw_crash, deepest.as_object());
    }
    auto spool = open();
    EXPECT_EQ(spool->recover(), std::vector<std::string>{"deep"});
    EXPECT_EQ(spool->load("deep").report.raw_crash, deepest.as_object());
}

TEST_F(SpoolTest, ASecondSpoolOnTheSameDirectoryIsRefused) {
    auto spool = open();
    DumpFile receiving = write_dump(*spool, {"upload_file_minidump", "being received"});
    try {
        open();
        ADD_FAILURE() << "a second Spool took a spool in use";
    } catch (const std::runtime_error& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("in use"), std::string::npos) << message;
        EXPECT_NE(message.find(spool_dir().string()), std::string::npos) << message;
        EXPECT_NE(message.find(std::to_string(::getpid())), std::string::npos) << message;
    }
    // The refused Spool did not empty incoming/ under the one that owns it.
    EXPECT_TRUE(fs::exists(receiving.path));
    commit(*spool, kCrashId);
    EXPECT_EQ(spool->size(), 1u);

    spool.reset();
    EXPECT_NO_THROW(spool = open());
    EXPECT_EQ(spool->recover(), std::vector<std::string>{kCrashId});
}

TEST_F(SpoolTest, FullAtMaxCrashes) {
    auto spool = open({.max_crashes = 2, .max_bytes = 0});
    EXPECT_EQ(spool->full(), std::nullopt);
    commit(*spool, "one");
    EXPECT_EQ(spool->full(), std::nullopt);
    commit(*spool, "two");
    auto reason = spool->full();
    ASSERT_TRUE(reason.has_value());
    EXPECT_NE(reason->find("2 crashes"), std::string::npos) << *reason;
    EXPECT_NE(reason->find("CRASHMOVER_SPOOL_MAX_CRASHES"), std::string::npos) << *reason;
    spool->remove("one");
    EXPECT_EQ(spool->full(), std::nullopt);
}

TEST_F(SpoolTest, FullAtMaxBytes) {
    auto spool = open({.max_crashes = 0, .max_bytes = 100});
    commit(*spool, "one", {{"upload_file_minidump", std::string(60, 'a')}});
    EXPECT_EQ(spool->full(), std::nullopt);
    commit(
        *spool, "two",
        {{"upload_file_minidump", std::string(30, 'b')}, {"memory_report", std::string(9, 'c')}});
    EXPECT_EQ(spool->full(), std::nullopt);  // 99 bytes
    commit(*spool, "three", {{"upload_file_minidump", "d"}});
    auto reason = spool->full();  // 100 bytes
    ASSERT_TRUE(reason.has_value());
    EXPECT_NE(reason->find("100 bytes"), std::string::npos) << *reason;
    EXPECT_NE(reason->find("CRASHMOVER_SPOOL_MAX_BYTES"), std::string::npos) << *reason;
    spool->remove("three");
    EXPECT_EQ(spool->full(), std::nullopt);
    commit(*spool, "four", {{"upload_file_minidump", "e"}});
    EXPECT_TRUE(spool->full().has_value());

    // The crashes found at startup count too.
    spool.reset();
    spool = open({.max_crashes = 0, .max_bytes = 100});
    EXPECT_EQ(spool->full(), std::nullopt);
    EXPECT_EQ(spool->recover().size(), 3u);
    EXPECT_TRUE(spool->full().has_value());
    spool->remove("one");
    EXPECT_EQ(spool->full(), std::nullopt);
}

TEST_F(SpoolTest, RemoveForgetsTheCrash) {
    auto spool = open({.max_crashes = 0, .max_bytes = 10});
    commit(*spool, "one", {{"upload_file_minidump", std::string(6, 'a')}});
    commit(*spool, "two", {{"upload_file_minidump", std::string(4, 'b')}});
    EXPECT_EQ(spool->size(), 2u);
    EXPECT_TRUE(spool->full().has_value());

    spool->remove("one");
    EXPECT_EQ(spool->size(), 1u);
    EXPECT_EQ(spool->full(), std::nullopt);
    EXPECT_EQ(on_disk(), std::vector<std::string>{"two"});
    EXPECT_EQ(names_in(incoming()).size(), 1u);  // two's dump
    EXPECT_ANY_THROW(spool->load("one"));
    EXPECT_EQ(spool->load("two").report.crash_id, "two");

    spool->remove("two");
    EXPECT_EQ(spool->size(), 0u);
    EXPECT_TRUE(names_in(ready()).empty());
    EXPECT_TRUE(names_in(incoming()).empty());

    spool.reset();
    spool = open();
    EXPECT_TRUE(spool->recover().empty());
}

TEST_F(SpoolTest, MarkSavedIsKeptAcrossRestarts) {
    auto spool = open();
    commit(*spool, "saved-crash");
    commit(*spool, "unsaved-crash");
    EXPECT_FALSE(spool->is_saved("saved-crash"));
    EXPECT_FALSE(spool->is_saved("unsaved-crash"));
    EXPECT_FALSE(spool->is_saved("unknown-crash"));
    spool->mark_saved("saved-crash");
    EXPECT_TRUE(spool->is_saved("saved-crash"));
    EXPECT_FALSE(spool->is_saved("unsaved-crash"));
    // The marker does not make the crash look damaged, nor change what load() reads.
    EXPECT_EQ(spool->load("saved-crash").report.dumps.size(), 1u);

    spool.reset();
    spool = open();
    EXPECT_EQ(spool->recover().size(), 2u);
    EXPECT_TRUE(spool->is_saved("saved-crash"));
    EXPECT_FALSE(spool->is_saved("unsaved-crash"));
}

TEST_F(SpoolTest, ListReadsTheSpoolWithoutTakingIt) {
    EXPECT_TRUE(Spool::list(spool_dir()).empty());  // not even created yet

    auto spool = open();
    auto before = std::chrono::system_clock::now();
    commit(*spool, "b-first",
           {{"upload_file_minidump", std::string(10, 'a')}, {"memory_report", "12345"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    commit(*spool, "a-second", {});
    auto after = std::chrono::system_clock::now();
    spool->mark_saved("b-first");
    // Damaged or half-removed crashes are skipped.
    fs::create_directories(ready("garbage"));
    core::write_file(ready("garbage") / "crash.json", "garbage");

    // While the owner holds the lock.
    auto crashes = Spool::list(spool_dir());
    ASSERT_EQ(crashes.size(), 2u);
    EXPECT_EQ(crashes[0].crash_id, "b-first");
    EXPECT_EQ(crashes[0].dumps, 2u);
    EXPECT_EQ(crashes[0].bytes, 15u);
    EXPECT_TRUE(crashes[0].saved);
    EXPECT_EQ(crashes[1].crash_id, "a-second");
    EXPECT_EQ(crashes[1].dumps, 0u);
    EXPECT_EQ(crashes[1].bytes, 0u);
    EXPECT_FALSE(crashes[1].saved);
    for (const auto& crash : crashes) {
        EXPECT_GE(crash.received, std::chrono::floor<std::chrono::milliseconds>(before));
        EXPECT_LE(crash.received, after);
    }
    EXPECT_LT(crashes[0].received, crashes[1].received);

    spool->mark_saved("a-second");
    crashes = Spool::list(spool_dir());
    ASSERT_EQ(crashes.size(), 2u);
    EXPECT_TRUE(crashes[1].saved);
    // list() took nothing: the owner still works, nothing moved to damaged/.
    EXPECT_TRUE(names_in(damaged()).empty());
    spool->remove("b-first");
    EXPECT_EQ(Spool::list(spool_dir()).size(), 1u);
}

TEST_F(SpoolTest, CommittingACrashIdStillWaitingIsRefused) {
    auto spool = open({.max_crashes = 0, .max_bytes = 10});
    boost::json::object older = {{"ProductName", "Firefox"}, {"Version", "1.0"}};
    boost::json::object newer = {{"ProductName", "Firefox"}, {"Version", "2.0"}};
    commit(*spool, kCrashId,
           {{"upload_file_minidump", std::string(9, 'o')}, {"memory_report", "old"}}, older);
    spool->mark_saved(kCrashId);
    EXPECT_TRUE(spool->full().has_value());  // 12 bytes

    try {
        commit(*spool, kCrashId, {{"upload_file_minidump", "newer"}}, newer);
        ADD_FAILURE() << "committed a crash id that is still in the spool";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::file_exists);
        EXPECT_NE(std::string(e.what()).find("still waiting in the spool"), std::string::npos);
    }
    EXPECT_EQ(spool->size(), 1u);
    EXPECT_TRUE(spool->full().has_value());  // still the older crash's 12 bytes
    SpoolRecord record = spool->load(kCrashId);
    EXPECT_EQ(record.report.raw_crash, older);
    EXPECT_TRUE(spool->is_saved(kCrashId));
    EXPECT_EQ(on_disk(), std::vector<std::string>{kCrashId});
    EXPECT_EQ(lines_of(records()).size(), 2u);  // the older crash and its saved mark
    EXPECT_EQ(core::read_file(record.report.dumps.at(0).path), std::string(9, 'o'));
}

TEST_F(SpoolTest, CommitAfterRemoveOfTheSameCrashId) {
    auto spool = open();
    commit(*spool, kCrashId);
    spool->remove(kCrashId);
    commit(*spool, kCrashId, {{"upload_file_minidump", "again"}});
    EXPECT_EQ(spool->size(), 1u);
    EXPECT_EQ(core::read_file(spool->load(kCrashId).report.dumps[0].path), "again");

    // The newer commit is the one found at the next start.
    spool.reset();
    spool = open();
    EXPECT_EQ(spool->recover(), std::vector<std::string>{kCrashId});
    EXPECT_EQ(core::read_file(spool->load(kCrashId).report.dumps[0].path), "again");
}

TEST_F(SpoolTest, QueueSizeGaugeFollowsTheSpool) {
    auto spool = open();
    commit(*spool, "one");
    commit(*spool, "two");
    EXPECT_EQ(sink_->count("socorro.collector.crashmover.save_queue_size:2|g"), 1u);
    spool->remove("one");
    EXPECT_EQ(sink_->count("socorro.collector.crashmover.save_queue_size:1|g"), 2u);
}

}  // namespace

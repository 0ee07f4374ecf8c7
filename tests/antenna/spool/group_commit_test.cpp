// Group commit of spooled crashes: many requests, few flushes, in each CRASHMOVER_SPOOL_SYNC.
#include "antenna/spool/group_commit.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "core/io/files.h"
#include "core/observability/log.h"
#include "core/observability/metrics.h"
#include "spool_test_support.h"

namespace {

namespace fs = std::filesystem;
using spool_tests::CapturingSink;
using spool_tests::FileLog;
using spool_tests::TempDir;
using namespace std::chrono_literals;
using antenna::GroupCommitter;
using antenna::Outcome;
using antenna::parse_sync_mode;
using antenna::SyncMode;

TEST(GroupCommitSyncMode, ParsesTheNamesOfCrashmoverSpoolSync) {
    EXPECT_EQ(parse_sync_mode("syncfs"), SyncMode::syncfs);
    EXPECT_EQ(parse_sync_mode("fsync"), SyncMode::fsync);
    EXPECT_EQ(parse_sync_mode("off"), SyncMode::off);
    // The configuration allows only those three; anything else is the default, syncfs.
    EXPECT_EQ(parse_sync_mode(""), SyncMode::syncfs);
    EXPECT_EQ(parse_sync_mode("FSYNC"), SyncMode::syncfs);
}

std::string name_of(SyncMode mode) {
    switch (mode) {
        case SyncMode::syncfs:
            return "syncfs";
        case SyncMode::fsync:
            return "fsync";
        case SyncMode::off:
            return "off";
    }
    return "unknown";
}

// Outcomes of flush() as the coroutines saw them, in any order.
struct Outcomes {
    std::mutex mutex;
    std::vector<Outcome> seen;

    void add(Outcome outcome) {
        std::lock_guard lock(mutex);
        seen.push_back(std::move(outcome));
    }
    std::size_t ok() {
        std::lock_guard lock(mutex);
        return static_cast<std::size_t>(
            std::count_if(seen.begin(), seen.end(), [](const Outcome& o) { return o.ok; }));
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return seen.size();
    }
    std::string errors() {
        std::lock_guard lock(mutex);
        std::string text;
        for (const auto& outcome : seen) {
            if (!outcome.ok) {
                text += outcome.error + "; ";
            }
        }
        return text;
    }
};

// Runs `io` on `threads` threads until it runs out of work.
void run(boost::asio::io_context& io, int threads) {
    std::vector<std::thread> runners;
    for (int i = 0; i < threads; ++i) {
        runners.emplace_back([&io] { io.run(); });
    }
    for (auto& runner : runners) {
        runner.join();
    }
}

class GroupCommitFixture : public ::testing::Test {
protected:
    fs::path spool_dir() const { return tmp_.path() / "spool"; }

    std::unique_ptr<GroupCommitter> make(SyncMode mode) {
        fs::create_directories(spool_dir());
        return std::make_unique<GroupCommitter>(mode, spool_dir(), log_.logger(), metrics_);
    }

    // A request's files, written as a commit does, and what to flush for them.
    std::vector<fs::path> write_request(int i) {
        fs::path crash_dir = spool_dir() / ("crash-" + std::to_string(i));
        fs::create_directories(crash_dir);
        core::write_file(crash_dir / "dump.upload_file_minidump",
                         std::string(1000 + i, static_cast<char>('a' + i % 26)));
        core::write_file(crash_dir / "crash.json", "{\"crash\": " + std::to_string(i) + "}");
        return {crash_dir / "dump.upload_file_minidump", crash_dir / "crash.json", crash_dir,
                spool_dir()};
    }

    // Spawns `count` coroutines on `io`, each writing its files and flushing them.
    void spawn_requests(boost::asio::io_context& io, GroupCommitter& committer, int count,
                        Outcomes& outcomes) {
        for (int i = 0; i < count; ++i) {
            boost::asio::co_spawn(
                io,
                [this, &committer, &outcomes, i]() -> boost::asio::awaitable<void> {
                    std::vector<fs::path> paths = write_request(i);
                    outcomes.add(co_await committer.flush(std::move(paths)));
                },
                boost::asio::detached);
        }
    }

    TempDir tmp_;
    FileLog log_{tmp_.path() / "log.jsonl"};
    std::shared_ptr<CapturingSink> sink_ = std::make_shared<CapturingSink>();
    core::Metrics metrics_{sink_, {}};
};

class GroupCommitterTest : public GroupCommitFixture,
                           public ::testing::WithParamInterface<SyncMode> {};

TEST_P(GroupCommitterTest, CompletesTheFlushesOfManyConcurrentRequests) {
    constexpr int kRequests = 50;
    auto committer = make(GetParam());
    boost::asio::io_context io;
    Outcomes outcomes;
    spawn_requests(io, *committer, kRequests, outcomes);
    run(io, 2);

    EXPECT_EQ(outcomes.size(), static_cast<std::size_t>(kRequests));
    EXPECT_EQ(outcomes.ok(), static_cast<std::size_t>(kRequests)) << outcomes.errors();
    committer.reset();

    // Requests share flushes: every request is in exactly one batch.
    auto batches = sink_->starting_with("socorro.collector.spool.flush.batch_size:");
    if (GetParam() == SyncMode::off) {
        EXPECT_TRUE(batches.empty());
    } else {
        EXPECT_FALSE(batches.empty());
        int requests = 0;
        for (const auto& line : batches) {
            // "socorro.collector.spool.flush.batch_size:<n>|h"
            auto value = line.substr(line.find(':') + 1);
            requests += std::stoi(value.substr(0, value.find('|')));
        }
        EXPECT_EQ(requests, kRequests);
        EXPECT_EQ(sink_->starting_with("socorro.collector.spool.flush.time:").size(),
                  batches.size());
    }
}

TEST_P(GroupCommitterTest, RequestsFromSeveralEventLoopsAllComplete) {
    auto committer = make(GetParam());
    boost::asio::io_context first;
    boost::asio::io_context second;
    Outcomes outcomes;
    for (int i = 0; i < 20; ++i) {
        boost::asio::co_spawn(
            i % 2 ? first : second,
            [this, &committer, &outcomes, i]() -> boost::asio::awaitable<void> {
                outcomes.add(co_await committer->flush(write_request(i)));
            },
            boost::asio::detached);
    }
    std::thread other([&] { first.run(); });
    second.run();
    other.join();
    EXPECT_EQ(outcomes.ok(), 20u) << outcomes.errors();
}

TEST_P(GroupCommitterTest, DestroyingTheCommitterAfterFlushesIsClean) {
    for (int round = 0; round < 5; ++round) {
        auto committer = make(GetParam());
        boost::asio::io_context io;
        Outcomes outcomes;
        spawn_requests(io, *committer, 10, outcomes);
        run(io, 2);
        EXPECT_EQ(outcomes.ok(), 10u) << outcomes.errors();
        committer.reset();
    }
    // A committer that never flushed anything.
    make(GetParam()).reset();
}

TEST_P(GroupCommitterTest, AFlushQueuedAtDestructionStillCompletes) {
    auto committer = make(GetParam());
    boost::asio::io_context io;
    Outcomes outcomes;
    spawn_requests(io, *committer, 5, outcomes);
    // Runs the coroutines up to their flush: they are queued, not yet answered.
    io.poll();
    // The destructor flushes what is queued before it stops.
    committer.reset();
    io.restart();
    io.run();
    EXPECT_EQ(outcomes.size(), 5u);
    EXPECT_EQ(outcomes.ok(), 5u) << outcomes.errors();
}

INSTANTIATE_TEST_SUITE_P(SyncModes, GroupCommitterTest,
                         ::testing::Values(SyncMode::syncfs, SyncMode::fsync, SyncMode::off),
                         [](const auto& info) { return name_of(info.param); });

using GroupCommitFailureTest = GroupCommitFixture;

TEST_F(GroupCommitFailureTest, FsyncOfAMissingPathFailsNamingIt) {
    auto committer = make(SyncMode::fsync);
    const fs::path missing = spool_dir() / "ready" / "no-such-crash" / "crash.json";
    boost::asio::io_context io;
    std::optional<Outcome> outcome;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            std::vector<fs::path> paths = {missing, spool_dir()};
            outcome = co_await committer->flush(std::move(paths));
        },
        boost::asio::detached);
    io.run();
    ASSERT_TRUE(outcome.has_value());
    EXPECT_FALSE(outcome->ok);
    EXPECT_NE(outcome->error.find(missing.string()), std::string::npos) << outcome->error;
    committer.reset();
    std::string log = log_.text();
    EXPECT_NE(log.find("flushing the spool failed"), std::string::npos) << log;
    EXPECT_NE(log.find(missing.string()), std::string::npos) << log;
}

TEST_F(GroupCommitFailureTest, AFailedFlushDoesNotStopTheNextOnes) {
    auto committer = make(SyncMode::fsync);
    const fs::path missing = spool_dir() / "missing";
    boost::asio::io_context io;
    std::optional<Outcome> failed;
    Outcomes later;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            std::vector<fs::path> paths = {missing};
            failed = co_await committer->flush(std::move(paths));
            for (int i = 0; i < 3; ++i) {
                later.add(co_await committer->flush(write_request(i)));
            }
        },
        boost::asio::detached);
    io.run();
    ASSERT_TRUE(failed.has_value());
    EXPECT_FALSE(failed->ok);
    EXPECT_EQ(later.ok(), 3u) << later.errors();
}

TEST_F(GroupCommitFailureTest, SyncfsFailsWhenTheSpoolIsGone) {
    auto committer = make(SyncMode::syncfs);
    fs::remove_all(spool_dir());
    boost::asio::io_context io;
    std::optional<Outcome> outcome;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            std::vector<fs::path> paths = {spool_dir() / "ready"};
            outcome = co_await committer->flush(std::move(paths));
        },
        boost::asio::detached);
    io.run();
    ASSERT_TRUE(outcome.has_value());
    EXPECT_FALSE(outcome->ok);
    EXPECT_NE(outcome->error.find(spool_dir().string()), std::string::npos) << outcome->error;
}

TEST_F(GroupCommitFailureTest, SyncfsAndOffDoNotLookAtThePaths) {
    for (SyncMode mode : {SyncMode::syncfs, SyncMode::off}) {
        auto committer = make(mode);
        boost::asio::io_context io;
        std::optional<Outcome> outcome;
        boost::asio::co_spawn(
            io,
            [&]() -> boost::asio::awaitable<void> {
                std::vector<fs::path> paths = {spool_dir() / "not-there"};
                outcome = co_await committer->flush(std::move(paths));
            },
            boost::asio::detached);
        io.run();
        ASSERT_TRUE(outcome.has_value()) << name_of(mode);
        EXPECT_TRUE(outcome->ok) << name_of(mode) << ": " << outcome->error;
    }
}

}  // namespace

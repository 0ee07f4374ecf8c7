// The crash mover: spool -> storage -> flush -> mark saved -> publish -> out of the spool,
// with retries and backoff; and retry_delay(), its backoff.
#include "antenna/spool/spool_mover.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "antenna/spool/spool.h"
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
using antenna::CrashReport;
using antenna::DumpFile;
using antenna::Outcome;
using antenna::retry_delay;
using antenna::Spool;
using antenna::SpoolMover;
using antenna::SpoolMoverOptions;
using std::chrono::milliseconds;

// retry_delay ------------------------------------------------------------------------------

TEST(RetryDelay, DoublesFromTheFirstPause) {
    for (int failures = 1; failures <= 6; ++failures) {
        auto full = milliseconds(100 << (failures - 1));
        EXPECT_EQ(retry_delay(failures, 100ms, 1h, 0.0), full / 2) << failures;
    }
}

TEST(RetryDelay, IsCappedAtTheLongestPause) {
    EXPECT_EQ(retry_delay(5, 1000ms, 10s, 0.0), 5s);  // 16 s capped at 10 s
    EXPECT_EQ(retry_delay(30, 1000ms, 60s, 0.0), 30s);
    EXPECT_EQ(retry_delay(10000, 2000ms, 60s, 0.0), 30s);  // 2^9999 is not a number of ms
    EXPECT_EQ(retry_delay(10000, 2000ms, 60s, 0.999999), 59999ms);
    for (int failures = 1; failures < 100; ++failures) {
        EXPECT_LE(retry_delay(failures, 2000ms, 60s, 0.999999), 60s) << failures;
    }
}

TEST(RetryDelay, NoRandomnessGivesHalfOfTheDelay) {
    EXPECT_EQ(retry_delay(1, 2000ms, 60s, 0.0), 1000ms);
    EXPECT_EQ(retry_delay(3, 2000ms, 60s, 0.0), 4000ms);
    EXPECT_EQ(retry_delay(2, 10ms, 50ms, 0.0), 10ms);
}

TEST(RetryDelay, RandomnessCloseToOneGivesAlmostTheWholeDelay) {
    EXPECT_EQ(retry_delay(1, 2000ms, 60s, 0.9999), 1999ms);
    EXPECT_EQ(retry_delay(3, 2000ms, 60s, 0.9999), 7999ms);
    EXPECT_EQ(retry_delay(1, 2000ms, 60s, 0.5), 1500ms);
    EXPECT_EQ(retry_delay(3, 2000ms, 60s, 0.5), 6000ms);
}

TEST(RetryDelay, AtMostOneFailureStartsFromTheFirstPause) {
    for (int failures : {-5, 0, 1}) {
        EXPECT_EQ(retry_delay(failures, 2000ms, 60s, 0.0), 1000ms) << failures;
        EXPECT_EQ(retry_delay(failures, 2000ms, 60s, 0.75), 1750ms) << failures;
    }
}

TEST(RetryDelay, StaysWithinHalfAndAllOfTheDelay) {
    for (int failures = 1; failures <= 10; ++failures) {
        for (double random01 : {0.0, 0.1, 0.25, 0.5, 0.9, 0.999}) {
            auto delay = retry_delay(failures, 10ms, 50ms, random01);
            auto full = std::min(milliseconds(10 << (failures - 1)), 50ms);
            EXPECT_GE(delay, full / 2) << failures << " " << random01;
            EXPECT_LE(delay, full) << failures << " " << random01;
        }
    }
}

// The mover --------------------------------------------------------------------------------

// Polls `done` until it holds or `timeout` passed; returns whether it held.
template <typename Predicate>
bool eventually(Predicate done, milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return done();
        }
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

// What the fake storage and publisher did, in order: "save:<id>", "save-failed:<id>",
// "flush", "flush-failed", "publish:<id>", "publish-failed:<id>".
class Journal {
public:
    void add(std::string event) {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(event));
    }
    std::vector<std::string> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    std::size_t count(const std::string& event) const {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(std::count(events_.begin(), events_.end(), event));
    }
    // A problem seen by a fake on the mover's thread; checked by the test.
    void violation(std::string what) {
        std::lock_guard lock(mutex_);
        violations_.push_back(std::move(what));
    }
    std::vector<std::string> violations() const {
        std::lock_guard lock(mutex_);
        return violations_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> events_;
    std::vector<std::string> violations_;
};

struct Saved {
    boost::json::object raw_crash;
    std::map<std::string, std::string> dumps;  // name -> bytes
};

// Whether the spool's files hold a crash waiting, and if so whether it is marked saved: what
// the next start would find.
std::optional<bool> spooled(const fs::path& spool_dir, const std::string& crash_id) {
    for (const auto& crash : Spool::list(spool_dir)) {
        if (crash.crash_id == crash_id) {
            return crash.saved;
        }
    }
    return std::nullopt;
}

class FakeStorage : public antenna::CrashStorage {
public:
    FakeStorage(Journal& journal, fs::path spool_dir)
        : journal_(journal), spool_dir_(std::move(spool_dir)) {}

    std::string name() const override { return "FakeCrashStorage"; }

    boost::asio::awaitable<Outcome> save(CrashReport& report) override {
        co_return save_now(report);
    }
    boost::asio::awaitable<Outcome> flush() override { co_return flush_now(); }
    Outcome verify() override { return Outcome::success(); }
    boost::asio::awaitable<std::optional<std::string>> check_health() override {
        co_return std::nullopt;
    }

    void fail_saves(int times) {
        std::lock_guard lock(mutex_);
        failing_saves_ = times;
    }
    void fail_saves_of(std::string crash_id) {
        std::lock_guard lock(mutex_);
        failing_ids_.insert(std::move(crash_id));
    }
    void fail_always(bool failing) {
        std::lock_guard lock(mutex_);
        always_failing_ = failing;
    }
    void fail_flushes(int times) {
        std::lock_guard lock(mutex_);
        failing_flushes_ = times;
    }
    void recover() {
        std::lock_guard lock(mutex_);
        failing_saves_ = 0;
        failing_flushes_ = 0;
        failing_ids_.clear();
        always_failing_ = false;
    }
    // Saves wait while held (on the mover's thread), so that the test can act meanwhile.
    void hold() {
        std::lock_guard lock(mutex_);
        held_ = true;
    }
    void release() {
        {
            std::lock_guard lock(mutex_);
            held_ = false;
        }
        released_.notify_all();
    }
    std::optional<Saved> saved(const std::string& crash_id) const {
        std::lock_guard lock(mutex_);
        auto it = saved_.find(crash_id);
        if (it == saved_.end()) {
            return std::nullopt;
        }
        return it->second;
    }

private:
    Outcome save_now(const CrashReport& report) {
        const std::string& id = report.crash_id;
        journal_.add("save-started:" + id);
        std::unique_lock lock(mutex_);
        released_.wait(lock, [this] { return !held_; });
        // The mover saves only what is in the spool and not yet marked saved.
        std::optional<bool> marked_saved = spooled(spool_dir_, id);
        if (!marked_saved) {
            journal_.violation(id + " saved while not in the spool");
        } else if (*marked_saved) {
            journal_.violation(id + " saved again although marked saved");
        }
        if (always_failing_ || failing_ids_.contains(id) || failing_saves_ > 0) {
            if (failing_saves_ > 0) {
                --failing_saves_;
            }
            journal_.add("save-failed:" + id);
            return Outcome::failure("storage is down");
        }
        Saved saved{.raw_crash = report.raw_crash, .dumps = {}};
        for (const auto& dump : report.dumps) {
            try {
                saved.dumps[dump.name] = core::read_file(dump.path);
            } catch (const std::exception& e) {
                journal_.add("save-failed:" + id);
                return Outcome::failure(e.what());
            }
        }
        saved_[id] = std::move(saved);
        journal_.add("save:" + id);
        return Outcome::success();
    }

    Outcome flush_now() {
        std::lock_guard lock(mutex_);
        if (failing_flushes_ > 0) {
            --failing_flushes_;
            journal_.add("flush-failed");
            return Outcome::failure("fsync failed");
        }
        journal_.add("flush");
        return Outcome::success();
    }

    Journal& journal_;
    fs::path spool_dir_;
    mutable std::mutex mutex_;
    std::condition_variable released_;
    bool held_ = false;
    int failing_saves_ = 0;
    int failing_flushes_ = 0;
    bool always_failing_ = false;
    std::set<std::string> failing_ids_;
    std::map<std::string, Saved> saved_;
};

class FakePublisher : public antenna::CrashPublisher {
public:
    FakePublisher(Journal& journal, fs::path spool_dir)
        : journal_(journal), spool_dir_(std::move(spool_dir)) {}

    std::string name() const override { return "FakeCrashPublish"; }
    boost::asio::awaitable<std::vector<Outcome>> publish(
        const std::vector<std::string>& crash_ids) override {
        std::vector<Outcome> outcomes;
        for (const auto& crash_id : crash_ids) {
            outcomes.push_back(publish_now(crash_id));
        }
        co_return outcomes;
    }
    Outcome verify() override { return Outcome::success(); }
    boost::asio::awaitable<std::optional<std::string>> check_health() override {
        co_return std::nullopt;
    }

    void fail(bool failing) {
        std::lock_guard lock(mutex_);
        failing_ = failing;
    }
    void fail_publishes_of(std::string crash_id) {
        std::lock_guard lock(mutex_);
        failing_ids_.insert(std::move(crash_id));
    }
    void recover() {
        std::lock_guard lock(mutex_);
        failing_ = false;
        failing_ids_.clear();
    }

private:
    Outcome publish_now(const std::string& id) {
        std::lock_guard lock(mutex_);
        // Published only while still in the spool, and only once marked saved.
        if (!spooled(spool_dir_, id)) {
            journal_.violation(id + " published while not in the spool");
        }
        if (failing_ || failing_ids_.contains(id)) {
            journal_.add("publish-failed:" + id);
            return Outcome::failure("the queue is down");
        }
        journal_.add("publish:" + id);
        return Outcome::success();
    }

    Journal& journal_;
    fs::path spool_dir_;
    std::mutex mutex_;
    bool failing_ = false;
    std::set<std::string> failing_ids_;
};

// Every successful publish of `id` follows a successful save of it and, when storage is
// flushed, a successful flush after that save.
::testing::AssertionResult published_after_save_and_flush(const std::vector<std::string>& events,
                                                          const std::string& id,
                                                          bool flushed = true) {
    std::optional<std::size_t> last_save;
    bool flush_since_save = false;
    std::size_t publishes = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const std::string& event = events[i];
        if (event == "save:" + id) {
            last_save = i;
            flush_since_save = false;
        } else if (event == "flush" && last_save) {
            flush_since_save = true;
        } else if (event == "publish:" + id) {
            ++publishes;
            if (!last_save) {
                return ::testing::AssertionFailure() << id << " published before it was saved";
            }
            if (flushed && !flush_since_save) {
                return ::testing::AssertionFailure()
                       << id << " published before storage was flushed";
            }
        }
    }
    if (publishes == 0) {
        return ::testing::AssertionFailure() << id << " was never published";
    }
    return ::testing::AssertionSuccess();
}

std::string joined(const std::vector<std::string>& events) {
    std::string text;
    for (const auto& event : events) {
        text += event + " ";
    }
    return text;
}

SpoolMoverOptions fast_options() {
    return SpoolMoverOptions{.retry_sleep = 10ms, .max_retry_sleep = 50ms};
}

class SpoolMoverTest : public ::testing::Test {
protected:
    void TearDown() override {
        mover_.reset();
        EXPECT_EQ(journal_.violations(), std::vector<std::string>{});
        // Nothing left the spool without being published.
        for (const auto& id : committed_) {
            if (!spooled(spool_dir(), id)) {
                EXPECT_GE(journal_.count("publish:" + id), 1u)
                    << id << " left the spool unpublished; " << joined(journal_.events());
            }
        }
    }

    fs::path spool_dir() const { return tmp_.path() / "spool"; }
    fs::path ready() const { return spool_dir() / "ready"; }

    std::unique_ptr<Spool> open_spool() {
        return std::make_unique<Spool>(spool_dir(), antenna::SpoolLimits{},
                                       log_.logger("antenna.spool"), metrics_);
    }

    SpoolMover& make_mover(SpoolMoverOptions options = fast_options()) {
        mover_ = std::make_unique<SpoolMover>(options, *spool_, storage_, publisher_,
                                              log_.logger("antenna.crashmover"), metrics_);
        return *mover_;
    }

    // Commits a crash as the submit resource does: dumps written into incoming/ first.
    void commit(const std::string& id, boost::json::object raw = {},
                std::vector<std::pair<std::string, std::string>> dumps = {
                    {"upload_file_minidump", "MDMP"}}) {
        if (raw.empty()) {
            raw = {{"ProductName", "Firefox"}, {"uuid", id}};
        }
        CrashReport report{.crash_id = id, .raw_crash = std::move(raw), .dumps = {}};
        for (auto& [name, bytes] : dumps) {
            // A name of its own, as the payload extractor's mkostemp gives: the dumps of a
            // committed crash stay in incoming/.
            fs::path path = spool_->incoming_dir() /
                            ("dump-" + id + "-" + name + "-" + std::to_string(++dumps_written_));
            core::write_file(path, bytes);
            report.dumps.push_back(
                DumpFile{.name = name, .path = path, .size = bytes.size(), .sha256 = "0"});
        }
        spool_->commit(report);
        std::lock_guard lock(committed_mutex_);
        committed_.insert(id);
    }

    bool ready_is_empty() const { return fs::is_empty(ready()); }
    bool spool_is_empty() const { return spool_->size() == 0 && ready_is_empty(); }

    std::atomic<unsigned> dumps_written_{0};
    TempDir tmp_;
    FileLog log_{tmp_.path() / "log.jsonl"};
    std::shared_ptr<CapturingSink> sink_ = std::make_shared<CapturingSink>();
    core::Metrics metrics_{sink_, {}};
    std::unique_ptr<Spool> spool_ = open_spool();
    Journal journal_;
    FakeStorage storage_{journal_, spool_dir()};
    FakePublisher publisher_{journal_, spool_dir()};
    std::mutex committed_mutex_;
    std::set<std::string> committed_;
    std::unique_ptr<SpoolMover> mover_;
};

TEST_F(SpoolMoverTest, MovesACrashAddedAfterStart) {
    SpoolMover& mover = make_mover();
    mover.start({});
    boost::json::object raw = {{"ProductName", "Firefox"}, {"Version", "128.0"}};
    commit("crash-a", raw, {{"upload_file_minidump", "MDMP dump"}, {"memory_report", "{}"}});
    EXPECT_EQ(spool_->size(), 1u);
    mover.add("crash-a");

    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    EXPECT_EQ(journal_.events(), (std::vector<std::string>{"save-started:crash-a", "save:crash-a",
                                                           "flush", "publish:crash-a"}));
    auto saved = storage_.saved("crash-a");
    ASSERT_TRUE(saved);
    EXPECT_EQ(saved->raw_crash, raw);
    EXPECT_EQ(saved->dumps, (std::map<std::string, std::string>{
                                {"memory_report", "{}"}, {"upload_file_minidump", "MDMP dump"}}));
    mover.finish(5s);
    EXPECT_EQ(spool_->size(), 0u);
    // Counted once the crash left the spool; finish() joined the mover's thread.
    EXPECT_EQ(sink_->count("socorro.collector.crashmover.save_crash.count:1|c"), 1u);
}

TEST_F(SpoolMoverTest, MovesTheCrashesFoundAtStartup) {
    const std::vector<std::string> ids = {"crash-c", "crash-a", "crash-b"};
    for (const auto& id : ids) {
        commit(id);
        std::this_thread::sleep_for(3ms);  // received is kept in milliseconds
    }
    spool_.reset();  // a restart
    spool_ = open_spool();
    std::vector<std::string> waiting = spool_->recover();
    ASSERT_EQ(waiting, ids);

    make_mover().start(waiting);
    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    std::vector<std::string> published;
    for (const auto& event : journal_.events()) {
        if (event.starts_with("publish:")) {
            published.push_back(event.substr(8));
        }
    }
    EXPECT_EQ(published, ids);  // oldest first
    for (const auto& id : ids) {
        EXPECT_EQ(journal_.count("save:" + id), 1u);
        EXPECT_TRUE(published_after_save_and_flush(journal_.events(), id));
    }
    EXPECT_NE(log_.text().find("3 crashes waiting in the spool"), std::string::npos);
}

TEST_F(SpoolMoverTest, MovesManyCrashesAddedFromSeveralThreads) {
    SpoolMoverOptions options = fast_options();
    options.batch_size = 4;
    SpoolMover& mover = make_mover(options);
    mover.start({});
    constexpr int kThreads = 3;
    constexpr int kCrashes = 20;
    std::vector<std::thread> submitters;
    for (int t = 0; t < kThreads; ++t) {
        submitters.emplace_back([&, t] {
            for (int i = 0; i < kCrashes; ++i) {
                std::string id = "crash-" + std::to_string(t) + "-" + std::to_string(i);
                commit(id);
                mover.add(id);
            }
        });
    }
    for (auto& submitter : submitters) {
        submitter.join();
    }
    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    auto events = journal_.events();
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kCrashes; ++i) {
            std::string id = "crash-" + std::to_string(t) + "-" + std::to_string(i);
            EXPECT_EQ(journal_.count("save:" + id), 1u) << id;
            EXPECT_EQ(journal_.count("publish:" + id), 1u) << id;
            EXPECT_TRUE(published_after_save_and_flush(events, id));
        }
    }
    mover.finish(5s);
}

TEST_F(SpoolMoverTest, RetriesAFailingStorageUntilTheCrashIsSaved) {
    storage_.fail_saves(3);
    SpoolMover& mover = make_mover();
    mover.start({});
    commit("crash-a");
    mover.add("crash-a");

    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    auto events = journal_.events();
    EXPECT_EQ(journal_.count("save-failed:crash-a"), 3u) << joined(events);
    EXPECT_EQ(journal_.count("save:crash-a"), 1u) << joined(events);
    EXPECT_EQ(journal_.count("publish:crash-a"), 1u) << joined(events);
    EXPECT_TRUE(published_after_save_and_flush(events, "crash-a")) << joined(events);
    // Failed saves are not flushed nor published.
    EXPECT_EQ(journal_.count("flush"), 1u) << joined(events);
    EXPECT_EQ(sink_->count("socorro.collector.crashmover.retry_count:1|c|"
                           "#count:save_crash_exception.count"),
              3u);
    EXPECT_NE(log_.text().find("crash-a: save failed (storage is down), attempt 3"),
              std::string::npos);
}

TEST_F(SpoolMoverTest, APublisherFailureKeepsTheCrashSavedInTheSpool) {
    publisher_.fail(true);
    SpoolMover& mover = make_mover();
    mover.start({});
    commit("crash-a");
    mover.add("crash-a");

    ASSERT_TRUE(eventually([&] { return journal_.count("publish-failed:crash-a") >= 3; }))
        << joined(journal_.events());
    // Still spooled, marked saved, and not saved again on the retries.
    EXPECT_EQ(spool_->size(), 1u);
    EXPECT_TRUE(spooled(spool_dir(), "crash-a"));
    EXPECT_TRUE(spool_->is_saved("crash-a"));
    EXPECT_EQ(journal_.count("save-started:crash-a"), 1u) << joined(journal_.events());
    EXPECT_EQ(journal_.count("save:crash-a"), 1u);
    EXPECT_EQ(journal_.count("publish:crash-a"), 0u);

    publisher_.recover();
    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    EXPECT_EQ(journal_.count("save-started:crash-a"), 1u) << joined(journal_.events());
    EXPECT_EQ(journal_.count("publish:crash-a"), 1u);
    EXPECT_TRUE(published_after_save_and_flush(journal_.events(), "crash-a"));
    EXPECT_GE(sink_->count("socorro.collector.crashmover.retry_count:1|c|"
                           "#count:publish_crash_exception.count"),
              3u);
}

TEST_F(SpoolMoverTest, AStorageFlushFailureIsNotPublishedAndIsRetried) {
    storage_.fail_flushes(2);
    SpoolMover& mover = make_mover();
    mover.start({});
    commit("crash-a");
    mover.add("crash-a");

    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    auto events = journal_.events();
    // Not marked saved after an unflushed save, so it is saved again (the fake storage
    // checks that no save happens while the crash is marked saved).
    EXPECT_EQ(events, (std::vector<std::string>{
                          "save-started:crash-a", "save:crash-a", "flush-failed",
                          "save-started:crash-a", "save:crash-a", "flush-failed",
                          "save-started:crash-a", "save:crash-a", "flush", "publish:crash-a"}));
    EXPECT_TRUE(published_after_save_and_flush(events, "crash-a"));
    EXPECT_NE(log_.text().find("flushing storage: fsync failed"), std::string::npos);
}

TEST_F(SpoolMoverTest, WithoutStorageFlushingCrashesArePublishedAfterTheSave) {
    SpoolMoverOptions options = fast_options();
    options.flush_storage = false;
    SpoolMover& mover = make_mover(options);
    mover.start({});
    commit("crash-a");
    mover.add("crash-a");
    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    EXPECT_EQ(journal_.events(), (std::vector<std::string>{"save-started:crash-a", "save:crash-a",
                                                           "publish:crash-a"}));
}

TEST_F(SpoolMoverTest, OneFailingCrashDoesNotHoldUpTheOthers) {
    storage_.fail_saves_of("crash-bad");
    SpoolMover& mover = make_mover();
    mover.start({});
    for (const auto* id : {"crash-1", "crash-bad", "crash-2"}) {
        commit(id);
        mover.add(id);
    }
    ASSERT_TRUE(eventually([&] { return spool_->size() == 1; })) << joined(journal_.events());
    EXPECT_TRUE(spooled(spool_dir(), "crash-bad"));
    EXPECT_FALSE(spool_->is_saved("crash-bad"));
    commit("crash-3");
    mover.add("crash-3");
    ASSERT_TRUE(eventually([&] { return journal_.count("publish:crash-3") == 1; }))
        << joined(journal_.events());
    EXPECT_EQ(journal_.count("publish:crash-bad"), 0u);

    storage_.recover();
    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    EXPECT_EQ(journal_.count("save:crash-bad"), 1u);
    EXPECT_TRUE(published_after_save_and_flush(journal_.events(), "crash-bad"));
}

TEST_F(SpoolMoverTest, FinishGivesUpAfterTheTimeoutWhenStorageKeepsFailing) {
    storage_.fail_always(true);
    SpoolMover& mover = make_mover();
    mover.start({});
    commit("crash-a");
    mover.add("crash-a");
    ASSERT_TRUE(eventually([&] { return journal_.count("save-failed:crash-a") >= 2; }));

    auto started = std::chrono::steady_clock::now();
    mover.finish(300ms);
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_GE(took, 250ms);
    EXPECT_LT(took, 3s);
    EXPECT_EQ(spool_->size(), 1u);
    EXPECT_TRUE(spooled(spool_dir(), "crash-a"));
    EXPECT_FALSE(spool_->is_saved("crash-a"));
    EXPECT_EQ(journal_.count("publish:crash-a"), 0u);
    EXPECT_NE(log_.text().find("1 crashes stay in the spool"), std::string::npos);

    // Moved at the next start.
    storage_.recover();
    mover_.reset();
    make_mover().start(spool_->recover());
    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    EXPECT_TRUE(published_after_save_and_flush(journal_.events(), "crash-a"));
}

TEST_F(SpoolMoverTest, FinishMovesWhatIsLeftThenReturns) {
    SpoolMover& mover = make_mover();
    mover.start({});
    for (const auto* id : {"crash-1", "crash-2", "crash-3"}) {
        commit(id);
        mover.add(id);
    }
    auto started = std::chrono::steady_clock::now();
    mover.finish(20s);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    EXPECT_TRUE(spool_is_empty()) << joined(journal_.events());
    for (const auto* id : {"crash-1", "crash-2", "crash-3"}) {
        EXPECT_EQ(journal_.count(std::string("publish:") + id), 1u);
    }
}

TEST_F(SpoolMoverTest, FinishWithoutStartReturnsAtOnce) {
    SpoolMover& mover = make_mover();
    auto started = std::chrono::steady_clock::now();
    mover.finish(10s);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(SpoolMoverTest, DestroyingARunningMoverStopsIt) {
    storage_.fail_always(true);
    make_mover().start({});
    commit("crash-a");
    mover_->add("crash-a");
    ASSERT_TRUE(eventually([&] { return journal_.count("save-failed:crash-a") >= 1; }));
    mover_.reset();
    EXPECT_EQ(spool_->size(), 1u);
    EXPECT_TRUE(spooled(spool_dir(), "crash-a"));
}

TEST_F(SpoolMoverTest, MoveOnceCountsMovedAndFailedCrashes) {
    SpoolMoverOptions options = fast_options();
    options.batch_size = 2;  // several batches
    SpoolMover& mover = make_mover(options);
    for (const auto* id : {"crash-ok-1", "crash-unsaved", "crash-unpublished", "crash-ok-2"}) {
        commit(id);
    }
    storage_.fail_saves_of("crash-unsaved");
    publisher_.fail_publishes_of("crash-unpublished");

    SpoolMover::Pass pass = mover.move_once(
        {"crash-ok-1", "crash-unsaved", "crash-unpublished", "crash-ok-2", "not-spooled"});
    EXPECT_EQ(pass.moved, 2u);
    EXPECT_EQ(pass.failed, 2u);  // "not-spooled" is not in the spool: neither moved nor failed
    EXPECT_EQ(spool_->size(), 2u);
    EXPECT_FALSE(spooled(spool_dir(), "crash-ok-1"));
    EXPECT_FALSE(spooled(spool_dir(), "crash-ok-2"));
    EXPECT_FALSE(spool_->is_saved("crash-unsaved"));
    EXPECT_TRUE(spool_->is_saved("crash-unpublished"));

    storage_.recover();
    publisher_.recover();
    pass = mover.move_once({"crash-unsaved", "crash-unpublished"});
    EXPECT_EQ(pass.moved, 2u);
    EXPECT_EQ(pass.failed, 0u);
    EXPECT_TRUE(spool_is_empty());
    EXPECT_EQ(journal_.count("save-started:crash-unpublished"), 1u);  // not saved again
    for (const auto* id : {"crash-ok-1", "crash-unsaved", "crash-unpublished", "crash-ok-2"}) {
        EXPECT_EQ(journal_.count(std::string("publish:") + id), 1u) << id;
        EXPECT_TRUE(published_after_save_and_flush(journal_.events(), id));
    }

    EXPECT_EQ(mover.move_once({}).moved, 0u);
}

// The stage submitter sends a crash id again while the mover is saving it: the spool refuses
// the second commit (the client is told to retry), so the mover never mixes two crashes.
TEST_F(SpoolMoverTest, ACrashIdCommittedAgainWhileBeingSavedIsRefused) {
    storage_.hold();
    SpoolMover& mover = make_mover();
    mover.start({});
    boost::json::object older = {{"ProductName", "Firefox"}, {"Version", "1.0"}};
    boost::json::object newer = {{"ProductName", "Firefox"}, {"Version", "2.0"}};
    commit("crash-a", older, {{"upload_file_minidump", "older dump"}});
    mover.add("crash-a");
    ASSERT_TRUE(eventually([&] { return journal_.count("save-started:crash-a") == 1; }));

    try {
        commit("crash-a", newer, {{"upload_file_minidump", "newer dump"}});
        ADD_FAILURE() << "a crash id still in the spool was committed again";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::file_exists);
    }
    storage_.release();

    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    auto saved = storage_.saved("crash-a");
    ASSERT_TRUE(saved);
    EXPECT_EQ(boost::json::serialize(saved->raw_crash), boost::json::serialize(older));
    EXPECT_EQ(saved->dumps.at("upload_file_minidump"), "older dump");
    auto started = std::chrono::steady_clock::now();
    mover.finish(3s);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
    EXPECT_EQ(journal_.count("publish:crash-a"), 1u) << joined(journal_.events());
}

// A crash queued twice is moved once; the second entry finds it gone and is dropped instead
// of being retried without end.
TEST_F(SpoolMoverTest, ACrashQueuedTwiceIsMovedOnceAndForgotten) {
    storage_.fail_always(true);
    SpoolMover& mover = make_mover();
    mover.start({});
    commit("crash-a", {{"Version", "1.0"}});
    mover.add("crash-a");
    ASSERT_TRUE(eventually([&] { return journal_.count("save-failed:crash-a") >= 1; }));
    mover.add("crash-a");
    storage_.recover();

    ASSERT_TRUE(eventually([&] { return spool_is_empty(); })) << joined(journal_.events());
    auto started = std::chrono::steady_clock::now();
    mover.finish(3s);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
    EXPECT_EQ(journal_.count("save:crash-a"), 1u) << joined(journal_.events());
    EXPECT_EQ(journal_.count("publish:crash-a"), 1u) << joined(journal_.events());
    EXPECT_EQ(log_.text().find("reading the spool"), std::string::npos);
}

}  // namespace

// No acknowledged crash is lost: kill -9 under load, storage outages, a full spool, graceful
// shutdown, and the synchronous mode that reproduces Antenna.
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <sys/mount.h>
#include <system_error>
#include <thread>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "antenna/spool/spool.h"
#include "antenna_blackbox.h"

namespace antenna_tests {
namespace {

struct SentCrash {
    std::string id = {};
    std::string tag = {};   // the Tag annotation, unique per crash
    std::string dump = {};  // the upload_file_minidump bytes
};

antenna::EncodedPayload tagged_crash(const std::string& tag, std::string dump) {
    antenna::CrashPayload payload;
    payload.annotations = {{"ProductName", "Test"}, {"Version", "1.0"}, {"Tag", tag}};
    payload.dumps.push_back({"upload_file_minidump", "dump.bin", std::move(dump)});
    return antenna::multipart_encode(payload, kBoundary);
}

std::string random_dump(std::mt19937& random, std::size_t max_bytes) {
    std::string dump(std::uniform_int_distribution<std::size_t>(1, max_bytes)(random), '\0');
    for (char& c : dump) {
        c = static_cast<char>(random());
    }
    return dump;
}

// One POST; the crash id when the collector acknowledged it.
std::optional<std::string> try_post(std::uint16_t port, const antenna::EncodedPayload& payload) {
    try {
        RawClient client(port);
        client.send(
            "POST /submit HTTP/1.1\r\nHost: antenna\r\nContent-Type: " + payload.content_type +
            "\r\nContent-Length: " + std::to_string(payload.body.size()) + "\r\n\r\n" +
            payload.body);
        auto response = client.read_response(10s);
        if (response && response->status == 200) {
            std::string id = crash_id_from(response->body);
            if (!id.empty()) {
                return id;
            }
        }
    } catch (const std::exception&) {
        // Refused or reset while the collector restarts: not acknowledged.
    }
    return std::nullopt;
}

std::string day_of(const std::string& id) {
    return "20" + id.substr(30);
}

// Storage holds the crash exactly as it was sent.
void expect_stored(const Collector& collector, const SentCrash& crash) {
    fs::path day = collector.root() / day_of(crash.id);
    std::string raw_text = read_file(day / "raw_crash" / (crash.id + ".json"));
    ASSERT_FALSE(raw_text.empty()) << crash.id << " (" << crash.tag << ") is not in storage";
    boost::json::object raw = boost::json::parse(raw_text).as_object();
    EXPECT_EQ(raw["Tag"], crash.tag.c_str()) << crash.id;
    EXPECT_EQ(raw["uuid"], crash.id.c_str());
    EXPECT_EQ(read_file(day / "dump_names" / (crash.id + ".json")), "[\"upload_file_minidump\"]");
    EXPECT_TRUE(read_file(day / "upload_file_minidump" / crash.id) == crash.dump)
        << crash.id << ": the stored dump differs from the one sent";
}

std::size_t times_published(const std::vector<std::string>& lines, const std::string& id) {
    std::size_t count = 0;
    for (const auto& line : lines) {
        if (line.find("crash publish no-op: " + id) != std::string::npos) {
            ++count;
        }
    }
    return count;
}

// Takes the filesystem storage away: its root becomes a file, so every save fails. The mover
// may recreate a missing root at any moment, so the root is exchanged with the file in one
// step (renameat2 RENAME_EXCHANGE) both ways, never left missing in between.
class StorageOutage {
public:
    explicit StorageOutage(fs::path root)
        : root_(std::move(root)), away_(root_.string() + ".away") {
        std::ofstream(away_) << "storage is down";
        exchange();
    }
    ~StorageOutage() { end(); }
    void end() {
        if (fs::is_regular_file(root_)) {
            exchange();
            fs::remove(away_);
        }
    }

private:
    void exchange() {
        if (::renameat2(AT_FDCWD, root_.c_str(), AT_FDCWD, away_.c_str(), RENAME_EXCHANGE) != 0) {
            throw std::system_error(errno, std::generic_category(), "renameat2 " + root_.string());
        }
    }

    fs::path root_;
    fs::path away_;
};

// Crashes waiting in the spool, as its files say (`antenna spool list`).
std::size_t spooled(const Collector& collector) {
    return antenna::Spool::list(collector.spool()).size();
}

// Clients post distinct crashes without pause while the collector is killed with SIGKILL at
// random moments and restarted; then every acknowledged crash must be in storage, byte for
// byte, and published at least once.
void kill_under_load(int kills, unsigned seed, const Env& settings) {
    Env env = settings;
    env.emplace("WORKERS", "2");
    env.emplace("CRASHMOVER_RETRY_SLEEP_SECONDS", "0.1");
    Collector collector(env);
    std::atomic<std::uint16_t> port{collector.port()};
    std::atomic<bool> done{false};
    std::atomic<int> attempts{0};
    std::mutex mutex;
    std::vector<SentCrash> acknowledged;

    std::vector<std::thread> clients;
    for (unsigned client = 0; client < 4; ++client) {
        clients.emplace_back([&, client] {
            std::mt19937 random(seed * 31 + client);
            for (int sequence = 0; !done; ++sequence) {
                SentCrash crash{.tag = std::to_string(client) + "-" + std::to_string(sequence),
                                .dump = random_dump(random, 200 * 1024)};
                ++attempts;
                if (auto id = try_post(port, tagged_crash(crash.tag, crash.dump))) {
                    crash.id = *id;
                    std::lock_guard lock(mutex);
                    acknowledged.push_back(std::move(crash));
                } else {
                    std::this_thread::sleep_for(5ms);
                }
            }
        });
    }
    auto acknowledged_count = [&] {
        std::lock_guard lock(mutex);
        return acknowledged.size();
    };
    std::mt19937 random(seed);
    for (int kill = 0; kill < kills; ++kill) {
        // Under load: the restarted collector has taken a crash (however slow the machine).
        auto deadline = std::chrono::steady_clock::now() + 20s;
        for (std::size_t before = acknowledged_count();
             acknowledged_count() == before && std::chrono::steady_clock::now() < deadline;) {
            std::this_thread::sleep_for(1ms);
        }
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 200)(random)));
        collector.kill_and_restart();
        port = collector.port();
    }
    std::this_thread::sleep_for(300ms);
    done = true;
    for (auto& client : clients) {
        client.join();
    }

    ASSERT_TRUE(collector.wait_until_moved(60s)) << spooled(collector) << " crashes still spooled";
    std::vector<std::string> lines = collector.all_lines();
    std::size_t published_twice = 0;
    for (const auto& crash : acknowledged) {
        expect_stored(collector, crash);
        std::size_t published = times_published(lines, crash.id);
        EXPECT_GE(published, 1u) << crash.id << " was never published";
        published_twice += published > 1 ? 1 : 0;
    }
    EXPECT_GE(acknowledged.size(), static_cast<std::size_t>(kills));
    EXPECT_TRUE(fs::is_empty(collector.spool() / "incoming"));
    EXPECT_TRUE(fs::is_empty(collector.spool() / "damaged"));
    std::cout << "[          ] " << kills << " kills, " << attempts << " posts, "
              << acknowledged.size() << " acknowledged, all stored; " << published_twice
              << " published twice\n";
}

TEST(KillUnderLoad, EveryAcknowledgedCrashIsStoredAndPublished) {
    kill_under_load(12, 1, {});
}

TEST(KillUnderLoad, WithFsyncPerFile) {
    kill_under_load(12, 2, {{"CRASHMOVER_SPOOL_SYNC", "fsync"}});
}

TEST(StorageOutage, CrashesWaitInTheSpoolAndArriveWhenStorageIsBack) {
    Collector collector(Env{{"CRASHMOVER_RETRY_SLEEP_SECONDS", "0.1"},
                            {"CRASHMOVER_RETRY_MAX_SLEEP_SECONDS", "0.3"},
                            {"CRASHMOVER_SPOOL_MAX_CRASHES", "5"},
                            {"CRASHMOVER_RETRY_AFTER_SECONDS", "30"}});
    std::vector<SentCrash> sent;
    {
        StorageOutage outage(collector.root());
        std::mt19937 random(3);
        for (int i = 0; i < 5; ++i) {
            SentCrash crash{.tag = "outage-" + std::to_string(i),
                            .dump = random_dump(random, 100 * 1024)};
            auto id = try_post(collector.port(), tagged_crash(crash.tag, crash.dump));
            ASSERT_TRUE(id) << "crash " << i << " was not accepted during the outage";
            crash.id = *id;
            sent.push_back(std::move(crash));
        }
        EXPECT_TRUE(collector.process().wait_for_line("save failed"));
        EXPECT_EQ(spooled(collector), 5u);

        // The spool is full: 503 with Retry-After, and the heartbeat says why.
        HttpResponse full = collector.post(tagged_crash("one too many", "x"));
        EXPECT_EQ(full.status, 503);
        EXPECT_EQ(full.body, "Discarded=spool_full");
        EXPECT_EQ(full.header("Retry-After"), "30");
        auto heartbeat = testing_support::http_request(collector.port(), "GET", "/__heartbeat__");
        ASSERT_TRUE(heartbeat);
        EXPECT_EQ(heartbeat->status, 503);
        EXPECT_NE(heartbeat->body.find(R"({"name": "Spool", "msg": "the spool holds 5 crashes)"),
                  std::string::npos)
            << heartbeat->body;
        EXPECT_NE(heartbeat->body.find(R"("name": "FSCrashStorage")"), std::string::npos)
            << heartbeat->body;
    }
    ASSERT_TRUE(collector.wait_until_moved(20s));
    for (const auto& crash : sent) {
        expect_stored(collector, crash);
    }
    auto heartbeat = testing_support::http_request(collector.port(), "GET", "/__heartbeat__");
    ASSERT_TRUE(heartbeat);
    EXPECT_EQ(heartbeat->status, 200) << heartbeat->body;
    EXPECT_TRUE(try_post(collector.port(), tagged_crash("after", "y")));
}

TEST(StorageOutage, KilledDuringTheOutageMovesTheSpoolAfterRestart) {
    Collector collector(Env{{"CRASHMOVER_RETRY_SLEEP_SECONDS", "0.1"}});
    std::vector<SentCrash> sent;
    {
        StorageOutage outage(collector.root());
        for (int i = 0; i < 3; ++i) {
            SentCrash crash{.tag = "k" + std::to_string(i), .dump = std::string(1000 + i, 'k')};
            auto id = try_post(collector.port(), tagged_crash(crash.tag, crash.dump));
            ASSERT_TRUE(id);
            crash.id = *id;
            sent.push_back(std::move(crash));
        }
        collector.kill();
    }
    collector.start();
    EXPECT_TRUE(collector.process().wait_for_line("3 crashes waiting in the spool"));
    ASSERT_TRUE(collector.wait_until_moved());
    for (const auto& crash : sent) {
        expect_stored(collector, crash);
    }
}

TEST(StorageOutage, AChosenCrashIdStillWaitingIsAnswered503) {
    Collector collector(Env{{"CRASHMOVER_RETRY_SLEEP_SECONDS", "0.1"},
                            {"CRASHMOVER_RETRY_MAX_SLEEP_SECONDS", "0.2"},
                            {"BREAKPAD_STAGE_SUBMITTER_BEARER_TOKEN", "123"}});
    const std::string id = "de1bb258-cbbf-4589-a673-34f800160918";
    auto with_uuid = [&](const std::string& version) {
        antenna::CrashPayload payload = test_crash();
        payload.annotations["uuid"] = id;
        payload.annotations["Version"] = version;
        return antenna::multipart_encode(payload, kBoundary);
    };
    StorageOutage outage(collector.root());
    EXPECT_EQ(collector.post(with_uuid("1.0"), {"Authorization: Bearer 123"}).status, 200);
    HttpResponse again = collector.post(with_uuid("2.0"), {"Authorization: Bearer 123"});
    EXPECT_EQ(again.status, 503);
    EXPECT_EQ(again.body, "Discarded=already_spooled");
    EXPECT_FALSE(again.header("Retry-After").empty());
    outage.end();
    ASSERT_TRUE(collector.wait_until_moved());
    // Once the first is stored, the client's retry replaces it, as in Antenna.
    EXPECT_EQ(collector.post(with_uuid("2.0"), {"Authorization: Bearer 123"}).status, 200);
    ASSERT_TRUE(collector.wait_until_moved());
    auto raw =
        boost::json::parse(read_file(collector.root() / "20160918/raw_crash" / (id + ".json")));
    EXPECT_EQ(raw.as_object()["Version"], "2.0");
    EXPECT_TRUE(fs::is_empty(collector.spool() / "incoming"));
}

TEST(SpoolFull, ByteLimitAnswers503UntilTheMoverCatchesUp) {
    Collector collector(Env{{"CRASHMOVER_RETRY_SLEEP_SECONDS", "0.1"},
                            {"CRASHMOVER_RETRY_MAX_SLEEP_SECONDS", "0.2"},
                            {"CRASHMOVER_SPOOL_MAX_BYTES", "10000"}});
    StorageOutage outage(collector.root());
    ASSERT_TRUE(try_post(collector.port(), tagged_crash("big", std::string(12000, 'b'))));
    HttpResponse full = collector.post(tagged_crash("next", "n"));
    EXPECT_EQ(full.status, 503);
    EXPECT_EQ(full.body, "Discarded=spool_full");
    EXPECT_TRUE(collector.process().wait_for_line("not accepting crashes: the spool holds 12000"));
    outage.end();
    ASSERT_TRUE(collector.wait_until_moved());
    EXPECT_TRUE(try_post(collector.port(), tagged_crash("next", "n")));
    EXPECT_TRUE(collector.process().wait_for_line("accepting crashes again: the spool has room"));
}

TEST(GracefulShutdown, LeavesWaitingCrashesForTheNextStartAndSpoolCommands) {
    Collector collector(
        Env{{"CRASHMOVER_RETRY_SLEEP_SECONDS", "0.1"}, {"CRASHMOVER_SHUTDOWN_SECONDS", "1"}});
    std::vector<SentCrash> sent;
    StorageOutage outage(collector.root());
    for (int i = 0; i < 2; ++i) {
        SentCrash crash{.tag = "g" + std::to_string(i), .dump = std::string(500, 'g')};
        auto id = try_post(collector.port(), tagged_crash(crash.tag, crash.dump));
        ASSERT_TRUE(id);
        crash.id = *id;
        sent.push_back(std::move(crash));
    }
    // While the collector runs, it owns the spool.
    auto busy = testing_support::run_to_exit(ANTENNA_BINARY, collector.env(), {"spool", "retry"});
    EXPECT_EQ(busy.exit_code, 1);
    EXPECT_NE(busy.err.find("is in use by another process (pid " +
                            std::to_string(collector.process().pid()) + ")"),
              std::string::npos)
        << busy.err;

    auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(collector.stop(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    std::vector<std::string> lines = collector.all_lines();
    bool reported = false;
    for (const auto& line : lines) {
        reported = reported || line.find("2 crashes stay in the spool") != std::string::npos;
    }
    EXPECT_TRUE(reported);

    auto listed = testing_support::run_to_exit(ANTENNA_BINARY, collector.env(), {"spool", "list"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    for (const auto& crash : sent) {
        EXPECT_NE(listed.out.find(crash.id), std::string::npos) << listed.out;
    }
    EXPECT_NE(listed.out.find("2 crashes, 1000 dump bytes"), std::string::npos) << listed.out;

    auto failing =
        testing_support::run_to_exit(ANTENNA_BINARY, collector.env(), {"spool", "retry"});
    EXPECT_EQ(failing.exit_code, 1) << failing.err;  // storage still down: its verification fails
    outage.end();
    auto retried =
        testing_support::run_to_exit(ANTENNA_BINARY, collector.env(), {"spool", "retry"});
    EXPECT_EQ(retried.exit_code, 0) << retried.err;
    EXPECT_NE(retried.out.find("moved 2 crashes, 0 still waiting"), std::string::npos)
        << retried.out;
    for (const auto& crash : sent) {
        expect_stored(collector, crash);
    }
    EXPECT_EQ(spooled(collector), 0u);
}

TEST(DiskFull, AcknowledgedCrashesSurviveAFullSpoolDisk) {
    TempDir dir;
    fs::create_directories(dir.path() / "spool");
    // A 3 MiB tmpfs of the test's own (mounting needs root).
    if (::mount("tmpfs", (dir.path() / "spool").c_str(), "tmpfs", 0, "size=3m") != 0) {
        GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
    }
    {
        Collector collector(Env{{"CRASHMOVER_SPOOL_DIR", (dir.path() / "spool").string()},
                                {"CRASHMOVER_SPOOL_MIN_FREE_BYTES", "0"},
                                {"CRASHMOVER_SPOOL_SYNC", "off"},
                                {"CRASHMOVER_RETRY_SLEEP_SECONDS", "0.1"},
                                {"CRASHMOVER_RETRY_MAX_SLEEP_SECONDS", "0.2"}});
        std::vector<SentCrash> sent;
        StorageOutage outage(collector.root());
        std::mt19937 random(4);
        HttpResponse last;
        for (int i = 0; i < 20; ++i) {
            SentCrash crash{.tag = "d" + std::to_string(i), .dump = random_dump(random, 400000)};
            last = collector.post(tagged_crash(crash.tag, crash.dump));
            if (last.status != 200) {
                break;
            }
            crash.id = crash_id_from(last.body);
            sent.push_back(std::move(crash));
        }
        EXPECT_EQ(last.status, 503);
        EXPECT_EQ(last.body, "Discarded=disk_full");
        EXPECT_GE(sent.size(), 3u);
        // Only the dumps of the acknowledged crashes are in incoming/ (one each): the refused
        // upload left nothing behind.
        auto in_incoming = std::distance(fs::directory_iterator(collector.spool() / "incoming"),
                                         fs::directory_iterator{});
        EXPECT_EQ(static_cast<std::size_t>(in_incoming), sent.size());
        outage.end();
        ASSERT_TRUE(collector.wait_until_moved());
        for (const auto& crash : sent) {
            expect_stored(collector, crash);
        }
    }
    ::umount2((dir.path() / "spool").c_str(), MNT_DETACH);
}

TEST(SyncMode, SavesInsideTheRequestAndAnswers500WhenSavingGivesUp) {
    Collector collector(Env{{"CRASHMOVER_ACK", "sync"},
                            {"CRASHMOVER_MAX_ATTEMPTS", "2"},
                            {"CRASHMOVER_RETRY_SLEEP_SECONDS", "0"}});
    {
        StorageOutage outage(collector.root());
        HttpResponse failed = collector.post(tagged_crash("lost", "l"));
        EXPECT_EQ(failed.status, 500);
        EXPECT_EQ(failed.body, "");
        EXPECT_TRUE(collector.process().wait_for_line("too many errors trying to save; dropped"));
        EXPECT_EQ(spooled(collector), 0u);
        EXPECT_TRUE(fs::is_empty(collector.spool() / "incoming"));
    }
    SentCrash crash{.tag = "kept", .dump = "dump bytes"};
    auto id = try_post(collector.port(), tagged_crash(crash.tag, crash.dump));
    ASSERT_TRUE(id);
    crash.id = *id;
    expect_stored(collector, crash);  // already there when the answer comes
}

}  // namespace
}  // namespace antenna_tests

#pragma once

#include <filesystem>

#include "antenna/storage/crash_storage.h"
#include "core/observability/log.h"

namespace antenna {

// Antenna's FSCrashStorage layout (spec Part 2 §6.2):
//   <root>/<YYYYMMDD>/dump_names/<id>.json, <root>/<YYYYMMDD>/<dump name>/<id>,
//   <root>/<YYYYMMDD>/raw_crash/<id>.json, written in that order. Dump files are renamed into
// place (copied only when the spool is on another filesystem), so a dump is written once.
class FsCrashStorage final : public CrashStorage {
public:
    FsCrashStorage(std::filesystem::path root, core::Logger log);

    std::string name() const override { return "FSCrashStorage"; }
    boost::asio::awaitable<Outcome> save(CrashReport& report) override;
    boost::asio::awaitable<Outcome> flush() override;
    Outcome verify() override;
    boost::asio::awaitable<std::optional<std::string>> check_health() override;

    const std::filesystem::path& root() const { return root_; }

private:
    Outcome save_now(CrashReport& report);

    std::filesystem::path root_;
    core::Logger log_;
};

// Antenna's default NoOpCrashStorage: logs and keeps nothing.
class NoOpCrashStorage final : public CrashStorage {
public:
    explicit NoOpCrashStorage(core::Logger log) : log_(std::move(log)) {}

    std::string name() const override { return "NoOpCrashStorage"; }
    boost::asio::awaitable<Outcome> save(CrashReport& report) override;
    Outcome verify() override { return Outcome::success(); }
    boost::asio::awaitable<std::optional<std::string>> check_health() override {
        co_return std::nullopt;
    }

private:
    core::Logger log_;
};

}  // namespace antenna

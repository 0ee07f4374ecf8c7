#include "antenna/spool/spool_keeper.h"

#include <cerrno>
#include <system_error>

namespace antenna {

SpoolKeeper::SpoolKeeper(Spool& spool, GroupCommitter& committer, SpoolMover& mover,
                         core::Logger log)
    : spool_(spool), committer_(committer), mover_(mover), log_(std::move(log)) {}

std::optional<std::string> SpoolKeeper::refusal() {
    std::optional<std::string> full = spool_.full();
    std::lock_guard lock(mutex_);
    if (full && !refusing_) {
        log_.warning("not accepting crashes: " + *full);
    } else if (!full && refusing_) {
        log_.info("accepting crashes again: the spool has room");
    }
    refusing_ = full.has_value();
    if (full) {
        return "spool_full";
    }
    return std::nullopt;
}

boost::asio::awaitable<Kept> SpoolKeeper::keep(CrashReport& report) {
    const Kept unavailable{.status = Kept::Status::unavailable, .reason = "spool_unavailable"};
    std::vector<std::filesystem::path> to_flush;
    try {
        to_flush = spool_.commit(report);
    } catch (const std::system_error& e) {
        for (const auto& dump : report.dumps) {
            std::error_code ignored;
            std::filesystem::remove(dump.path, ignored);  // those commit had not moved yet
        }
        int error = e.code().value();
        if (error == ENOSPC || error == EDQUOT) {
            log_.warning(report.crash_id + ": the spool's disk is full; not accepted");
            co_return Kept{.status = Kept::Status::unavailable, .reason = "disk_full"};
        }
        if (error == EEXIST) {
            log_.warning(report.crash_id + ": not accepted: " + e.what());
            co_return Kept{.status = Kept::Status::unavailable, .reason = "already_spooled"};
        }
        log_.error(report.crash_id + ": cannot commit to the spool: " + e.what());
        co_return unavailable;
    }
    Outcome flushed = co_await committer_.flush(std::move(to_flush));
    if (!flushed.ok) {
        // Not durable, so not acknowledged: the client sends it again.
        try {
            spool_.remove(report.crash_id);
        } catch (const std::exception& e) {
            log_.error(report.crash_id + ": cannot remove it from the spool: " + e.what());
        }
        co_return unavailable;
    }
    mover_.add(report.crash_id);
    co_return Kept{};
}

}  // namespace antenna

#pragma once

#include <mutex>

#include "antenna/crash_keeper.h"
#include "antenna/spool/group_commit.h"
#include "antenna/spool/spool.h"
#include "antenna/spool/spool_mover.h"
#include "core/observability/log.h"

namespace antenna {

// CRASHMOVER_ACK=spool: a crash is kept once it is committed to the spool and flushed (shared
// with the other requests of its moment); the mover takes it from there. Refuses with 503
// while the spool is at its limits.
class SpoolKeeper final : public CrashKeeper {
public:
    SpoolKeeper(Spool& spool, GroupCommitter& committer, SpoolMover& mover, core::Logger log);

    std::optional<std::string> refusal() override;
    boost::asio::awaitable<Kept> keep(CrashReport& report) override;

private:
    Spool& spool_;
    GroupCommitter& committer_;
    SpoolMover& mover_;
    core::Logger log_;
    std::mutex mutex_;
    bool refusing_ = false;
};

}  // namespace antenna

#include "antenna/spool/spool_command.h"

#include <cstdio>
#include <iostream>

#include "antenna/backends.h"
#include "antenna/crash_id.h"
#include "antenna/spool/spool.h"
#include "antenna/spool/spool_mover.h"

namespace antenna {
namespace {

int list(const core::Config& config) {
    std::filesystem::path dir = config.string("CRASHMOVER_SPOOL_DIR");
    std::vector<SpooledCrash> crashes = Spool::list(dir);
    std::printf("%-36s  %-26s  %5s  %12s  %s\n", "crash id", "received", "dumps", "bytes",
                "waiting for");
    std::uint64_t total = 0;
    for (const auto& crash : crashes) {
        std::printf("%-36s  %-26s  %5zu  %12llu  %s\n", crash.crash_id.c_str(),
                    isoformat_utc(crash.received).c_str(), crash.dumps,
                    static_cast<unsigned long long>(crash.bytes), crash.saved ? "publish" : "save");
        total += crash.bytes;
    }
    std::printf("%zu crashes, %llu dump bytes in %s\n", crashes.size(),
                static_cast<unsigned long long>(total), (dir / "ready").c_str());
    return 0;
}

int retry(core::Runtime& runtime, const core::Config& config) {
    // Taking the spool fails while a collector runs: it retries by itself.
    Spool spool(config.string("CRASHMOVER_SPOOL_DIR"), {}, runtime.logger("spool"),
                runtime.metrics());
    auto storage = make_crash_storage(config, runtime);
    auto publisher = make_crash_publisher(config, runtime);
    core::Logger log = runtime.logger("crashmover");
    verify_backends(*storage, *publisher, log);
    std::vector<std::string> waiting = spool.recover();
    SpoolMover mover(spool_mover_options(config), spool, *storage, *publisher, log,
                     runtime.metrics());
    SpoolMover::Pass pass = mover.move_once(waiting);
    std::printf("moved %zu crashes, %zu still waiting\n", pass.moved, pass.failed);
    return pass.failed == 0 ? 0 : 1;
}

}  // namespace

core::Command spool_command() {
    return {
        .name = "spool",
        .usage = "spool list|retry",
        .help =
            "list: the crashes waiting in the spool; retry: with the collector stopped, "
            "move them to storage now (exit 1 while any is left).",
        .run =
            [](const std::vector<std::string>& args, core::Runtime& runtime,
               const core::Config& config) {
                if (args.size() == 1 && args[0] == "list") {
                    return list(config);
                }
                if (args.size() == 1 && args[0] == "retry") {
                    return retry(runtime, config);
                }
                std::cerr << "antenna: usage: antenna spool list|retry\n";
                return 2;
            },
    };
}

}  // namespace antenna

// antenna: the crash-report collector. Until the collector's routes exist it serves the core's
// Dockerflow endpoints.
#include "core/runtime/program.h"

int main(int argc, char** argv, char** envp) {
    core::ProgramInfo info{
        .name = "antenna",
        .metric_prefix = "socorro.collector",
        .server_defaults = {.port = 8000, .max_body_bytes = 25 * 1024 * 1024},
    };
    return core::run_program(
        argc, argv, envp, info, [](core::OptionTable&) {},
        [](core::Runtime&, const core::Config&) {});
}

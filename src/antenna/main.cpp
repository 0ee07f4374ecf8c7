// antenna: the crash-report collector.
#include <memory>

#include "antenna/app.h"

int main(int argc, char** argv, char** envp) {
    std::unique_ptr<antenna::AntennaApp> app;
    return core::run_program(
        argc, argv, envp, antenna::AntennaApp::program_info(), antenna::AntennaApp::declare,
        [&](core::Runtime& runtime, const core::Config& config) {
            app = std::make_unique<antenna::AntennaApp>(runtime, config);
        },
        antenna::AntennaApp::commands());
}

// throat: the forum.
#include <memory>

#include "throat/app/throat_app.h"

int main(int argc, char** argv, char** envp) {
    const core::Environment environment = core::environment_from(envp);
    const throat::config::Environment env(environment.begin(), environment.end());
    std::unique_ptr<throat::ThroatApp> app;
    return core::run_program(
        argc, argv, envp, throat::ThroatApp::program_info(), throat::ThroatApp::declare,
        [&](core::Runtime& runtime, const core::Config& config) {
            app = std::make_unique<throat::ThroatApp>(runtime, config, env);
        },
        throat::ThroatApp::commands(env));
}

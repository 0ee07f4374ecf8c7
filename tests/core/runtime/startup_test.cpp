// Configuration at startup: --help lists every option; a bad value stops the program with one
// line on stderr and exit code 2; logs are mozlog JSON or the human format.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "http/blackbox.h"

namespace core_tests {
namespace {

using testing_support::run_to_exit;

TEST(Startup, HelpListsEveryOption) {
    auto result = run_to_exit(TEST_SERVER_BINARY, {}, {"--help"});
    EXPECT_EQ(result.exit_code, 0);
    for (const char* name : {"LISTEN_ADDRESS",
                             "PORT",
                             "WORKERS",
                             "WORKER_CONNECTIONS",
                             "MAX_HEADER_BYTES",
                             "MAX_BODY_BYTES",
                             "CLIENT_HEADER_TIMEOUT",
                             "CLIENT_BODY_TIMEOUT",
                             "KEEPALIVE_TIMEOUT",
                             "SEND_TIMEOUT",
                             "GRACEFUL_TIMEOUT",
                             "LINGER_TIMEOUT",
                             "ACCESS_LOG",
                             "LOGGING_LEVEL",
                             "LOCAL_DEV_ENV",
                             "HOSTNAME",
                             "STATSD_HOST",
                             "STATSD_PORT",
                             "BASEDIR",
                             "TEST_HEALTH_FAIL"}) {
        EXPECT_NE(result.out.find(std::string("\n  ") + name + " ("), std::string::npos) << name;
    }
}

struct BadValue {
    const char* name;
    const char* value;
    const char* message;
};

class StartupRejects : public ::testing::TestWithParam<BadValue> {};

TEST_P(StartupRejects, BadValueWithOneLineAndExitCode2) {
    const BadValue& bad = GetParam();
    auto result = run_to_exit(TEST_SERVER_BINARY, {{bad.name, bad.value}, {"PORT", "0"}});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find(bad.message), std::string::npos) << result.err;
    EXPECT_EQ(result.out.find("listening"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Values, StartupRejects,
    ::testing::Values(
        BadValue{"STATSD_PORT", "abc", "STATSD_PORT='abc': expected an integer"},
        BadValue{"STATSD_PORT", "70000", "STATSD_PORT='70000': must be at most 65535"},
        BadValue{"LOGGING_LEVEL", "LOUD", "LOGGING_LEVEL='LOUD': expected one of"},
        BadValue{"LOCAL_DEV_ENV", "maybe", "LOCAL_DEV_ENV='maybe': expected a boolean"},
        BadValue{"CLIENT_BODY_TIMEOUT", "soon", "CLIENT_BODY_TIMEOUT='soon': expected a number"},
        BadValue{"LISTEN_ADDRESS", "not-an-ip", "LISTEN_ADDRESS='not-an-ip'"},
        BadValue{"WORKER_CONNECTIONS", "0", "WORKER_CONNECTIONS='0': must be at least 1"}),
    [](const ::testing::TestParamInfo<BadValue>& info) {
        return std::string(info.param.name) + "_" + std::to_string(info.index);
    });

TEST(Startup, UnknownArgumentIsRejected) {
    auto result = run_to_exit(TEST_SERVER_BINARY, {}, {"--frobnicate"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("unknown argument '--frobnicate'"), std::string::npos);
}

TEST(Startup, UnusableAddressStopsStartupWithOneLine) {
    // 192.0.2.1 (TEST-NET-1) is on no interface of this machine.
    auto result = run_to_exit(TEST_SERVER_BINARY, {{"LISTEN_ADDRESS", "192.0.2.1"}});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find("cannot listen on 192.0.2.1:8000"), std::string::npos) << result.err;
}

TEST(Startup, MozlogLinesCarryTheStandardFields) {
    auto server = start_test_server({{"HOSTNAME", "box-7"}});
    auto line = server->wait_for_line("listening on");
    ASSERT_TRUE(line);
    auto log = boost::json::parse(*line).as_object();
    EXPECT_EQ(log.at("Type"), "testserver.app");
    EXPECT_EQ(log.at("Logger"), "testserver");
    EXPECT_EQ(log.at("Hostname"), "box-7");
    EXPECT_EQ(log.at("EnvVersion"), "2.0");
    EXPECT_EQ(log.at("Severity"), 6);
    EXPECT_EQ(log.at("Pid"), server->pid());
    EXPECT_GT(log.at("Timestamp").as_int64(), 1600000000000000000LL);
    const auto& fields = log.at("Fields").as_object();
    EXPECT_EQ(fields.at("host_id"), "box-7");
    EXPECT_EQ(fields.at("processname"), "testserver");
    EXPECT_TRUE(fields.at("msg").as_string().starts_with("listening on http://127.0.0.1:"));
}

TEST(Startup, ConfigurationIsLoggedWithSecretsMasked) {
    auto server = start_test_server({{"STATSD_HOST", "127.0.0.1"}});
    EXPECT_TRUE(server->wait_for_line("\"msg\": \"STATSD_HOST=127.0.0.1\""));
    EXPECT_TRUE(server->wait_for_line("\"msg\": \"MAX_BODY_BYTES=1048576\""));
}

TEST(Startup, AccessLogLinePerRequest) {
    auto server = std::make_unique<ServerProcess>(TEST_SERVER_BINARY, Env{});
    ASSERT_TRUE(testing_support::http_request(server->port(), "POST", "/upload", "12345"));
    auto line = server->wait_for_line("\"Type\": \"request.summary\"");
    ASSERT_TRUE(line);
    auto fields = boost::json::parse(*line).at("Fields").as_object();
    EXPECT_EQ(fields.at("method"), "POST");
    EXPECT_EQ(fields.at("path"), "/upload");
    EXPECT_EQ(fields.at("code"), 200);
    EXPECT_TRUE(fields.at("bytes").is_number());
    EXPECT_TRUE(fields.at("t").is_number());
}

TEST(Startup, HumanLogFormatForLocalDevelopment) {
    auto server = start_test_server({{"LOCAL_DEV_ENV", "true"}});
    auto line = server->wait_for_line("listening on");
    ASSERT_TRUE(line);
    EXPECT_EQ(line->front(), '2');  // starts with the date, not '{'
    EXPECT_NE(line->find(" INFO - testserver - testserver.app - listening on"), std::string::npos);
}

}  // namespace
}  // namespace core_tests

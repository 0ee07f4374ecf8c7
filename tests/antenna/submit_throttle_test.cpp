// Compatibility plan §14 D (throttling with the default Mozilla rules and products) and E
// (client-supplied crash ids).
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "antenna_blackbox.h"

namespace antenna_tests {
namespace {

Env mozilla_rules(Env env = {}) {
    env["BREAKPAD_THROTTLER_RULES"] = "antenna.throttler.MOZILLA_RULES";
    env["BREAKPAD_THROTTLER_PRODUCTS"] = "antenna.throttler.MOZILLA_PRODUCTS";
    return env;
}

HttpResponse post_annotations(Collector& collector, std::map<std::string, std::string> fields,
                              std::vector<std::string> headers = {}) {
    antenna::CrashPayload payload;
    payload.annotations = std::move(fields);
    payload.dumps.push_back({"upload_file_minidump", "fakecrash.dump", "abcd1234"});
    return collector.post(antenna::multipart_encode(payload), std::move(headers));
}

std::string stored_rule(Collector& collector, const HttpResponse& response) {
    std::string id = crash_id_from(response.body);
    if (id.empty()) {
        return "<not accepted: " + response.body + ">";
    }
    collector.wait_until_moved();
    auto text = read_file(collector.root() / ("20" + id.substr(30)) / "raw_crash" / (id + ".json"));
    if (text.empty()) {
        return "<not stored>";
    }
    auto raw = boost::json::parse(text).as_object();
    return std::string(raw["metadata"].as_object()["throttle_rule"].as_string());
}

TEST(Throttle, RejectionsAre200WithTheRuleName) {
    Collector collector(mozilla_rules());
    auto expect_rejected = [&](std::map<std::string, std::string> fields, const std::string& rule) {
        HttpResponse response = post_annotations(collector, fields);
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, "Discarded=rule_" + rule);
    };
    expect_rejected({{"ProductName", "Nope"}}, "unsupported_product");
    expect_rejected({{"ProductName", "Firefox"}, {"BuildID", "20170505000000"}}, "has_old_buildid");
    expect_rejected({{"ProductName", "Firefox"}, {"HangID", "x"}}, "has_hangid_and_browser");
    expect_rejected({{"ProductName", "Fenix"}}, "unsupported_packagename");
    EXPECT_TRUE(collector.files().empty());
}

TEST(Throttle, B2GIsFakeAccepted) {
    Collector collector(mozilla_rules());
    for (std::string product : {"B2G", "b2g"}) {
        HttpResponse response = post_annotations(collector, {{"ProductName", product}});
        EXPECT_EQ(response.status, 200);
        std::string id = crash_id_from(response.body);
        ASSERT_FALSE(id.empty()) << response.body;
        EXPECT_EQ(id[29], '3');
    }
    EXPECT_TRUE(collector.files().empty());
}

TEST(Throttle, AcceptedByTheFirstMatchingRule) {
    Collector collector(mozilla_rules());
    auto rule_for = [&](std::map<std::string, std::string> fields) {
        fields.emplace("ProductName", "Firefox");
        return stored_rule(collector, post_annotations(collector, fields));
    };
    EXPECT_EQ(rule_for({{"ReleaseChannel", "nightly"}}), "is_nightly");
    EXPECT_EQ(rule_for({{"Throttleable", "0"}}), "throttleable_0");
    EXPECT_EQ(rule_for({{"Comments", ""}}), "has_comments");
    EXPECT_EQ(rule_for({{"PHCKind", "x"}}), "has_phc");
    EXPECT_EQ(rule_for({{"ProcessType", "gpu"}}), "is_background");
    EXPECT_EQ(rule_for({{"ReleaseChannel", "beta"}}), "is_alpha_beta_esr");
    EXPECT_EQ(rule_for({}), "accept_everything");
    EXPECT_EQ(rule_for({{"HangID", "x"}, {"ProcessType", "content"}}), "accept_everything");
    EXPECT_EQ(
        stored_rule(collector,
                    post_annotations(collector, {{"ProductName", "Fenix"},
                                                 {"Android_PackageName", "org.mozilla.firefox"}})),
        "accept_everything");
}

TEST(ClientUuid, RefusedWithoutAToken) {
    Collector collector;
    HttpResponse response = post_annotations(
        collector, {{"ProductName", "Test"}, {"uuid", "de1bb258-cbbf-4589-a673-34f800160918"}});
    EXPECT_EQ(response.status, 401);
    EXPECT_EQ(response.body, "Discarded=unauthorized_uuid");
    EXPECT_FALSE(response.has_header("WWW-Authenticate"));
    EXPECT_TRUE(collector.files().empty());
}

TEST(ClientUuid, AcceptedWithTheToken) {
    Collector collector(Env{{"BREAKPAD_STAGE_SUBMITTER_BEARER_TOKEN", "123"}});
    HttpResponse response = post_annotations(
        collector, {{"ProductName", "Test"}, {"uuid", "de1bb258-cbbf-4589-a673-34f800160918"}},
        {"Authorization: Bearer 123"});
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "CrashID=bp-de1bb258-cbbf-4589-a673-34f800160918\n");
    EXPECT_TRUE(collector.wait_until_moved());
    EXPECT_FALSE(
        read_file(collector.root() / "20160918/raw_crash/de1bb258-cbbf-4589-a673-34f800160918.json")
            .empty());
    EXPECT_FALSE(collector.process().lines().empty());
    EXPECT_TRUE(collector.process().wait_for_line(
        "de1bb258-cbbf-4589-a673-34f800160918 has existing crash_id"));
}

TEST(ClientUuid, InvalidUuidWithTheToken) {
    Collector collector(Env{{"BREAKPAD_STAGE_SUBMITTER_BEARER_TOKEN", "123"}});
    for (std::string uuid : {"456", "de1bb258-cbbf-4589-a673-34f802160918"}) {
        HttpResponse response = post_annotations(
            collector, {{"ProductName", "Test"}, {"uuid", uuid}}, {"Authorization: Bearer 123"});
        EXPECT_EQ(response.status, 400);
        EXPECT_EQ(response.body, "Discarded=malformed_invalid_uuid");
    }
    EXPECT_TRUE(collector.files().empty());
}

TEST(ClientUuid, WrongTokenOrScheme) {
    Collector collector(Env{{"BREAKPAD_STAGE_SUBMITTER_BEARER_TOKEN", "123"}});
    for (std::string authorization : {"Authorization: Bearer wrong", "Authorization: bearer 123"}) {
        HttpResponse response = post_annotations(
            collector, {{"ProductName", "Test"}, {"uuid", "de1bb258-cbbf-4589-a673-34f800160918"}},
            {authorization});
        EXPECT_EQ(response.status, 401) << authorization;
    }
}

TEST(ClientUuid, TokenIsNeverLogged) {
    Collector collector(Env{{"BREAKPAD_STAGE_SUBMITTER_BEARER_TOKEN", "s3cr3t-token"}});
    post_annotations(collector, {{"ProductName", "Test"}});
    for (const auto& line : collector.process().lines()) {
        EXPECT_EQ(line.find("s3cr3t-token"), std::string::npos) << line;
    }
}

}  // namespace
}  // namespace antenna_tests

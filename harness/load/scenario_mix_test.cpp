// Scenario steps become the load mix: expanded once, weighted, and steps that depend on captures
// are skipped with their location instead of failing the run.
#include "load/scenario_mix.h"
#include "scenario/parser.h"

#include <gtest/gtest.h>

namespace konform::load {
namespace {

constexpr const char* scenario_text = R"({
  "name": "mix",
  "endpoint": "kusto",
  "variables": {"db": "Samples", "run": "${uuid}"},
  "steps": [
    {"name": "ping", "method": "GET", "path": "/v1/rest/ping",
     "headers": {"x-ms-client-request-id": "konform;${run}"},
     "expect": {"status": 200, "protocol": "text"}},
    {"name": "query", "method": "POST", "path": "/v2/rest/query",
     "body": {"db": "${db}", "csl": "StormEvents | count"}, "gzip": true,
     "expect": {"status": 200, "protocol": "kusto-v2"},
     "capture": {"id": "$[0].FrameType"}},
    {"name": "uses a capture", "method": "GET", "path": "/v1/rest/x/${id}",
     "expect": {"status": 200}}
  ]
})";

TEST(ScenarioMix, StepsAreExpandedWeightedAndCaptureDependentOnesSkipped) {
  auto sc = scenario::parse_scenario(scenario_text, "mix.json");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  MixOptions mo;
  mo.origin = "http://127.0.0.1:9";
  mo.weights["query"] = 4;
  auto mix = build_mix({*sc}, mo);
  ASSERT_EQ(mix.steps.size(), 2u);
  ASSERT_EQ(mix.skipped.size(), 1u);
  EXPECT_EQ(mix.skipped[0].rfind("mix.json:", 0), 0u) << mix.skipped[0];
  EXPECT_NE(mix.skipped[0].find("uses a capture"), std::string::npos);
  EXPECT_NE(mix.skipped[0].find("id"), std::string::npos);

  const auto& ping = mix.steps[0];
  EXPECT_EQ(ping.name, "ping");
  EXPECT_EQ(ping.weight, 1u);
  EXPECT_EQ(ping.request.target, "/v1/rest/ping");
  ASSERT_EQ(ping.request.headers.size(), 1u);
  EXPECT_EQ(ping.request.headers[0].second.rfind("konform;", 0), 0u);
  EXPECT_EQ(ping.request.headers[0].second.size(), 8u + 36u); // a UUID, not "${uuid}"
  EXPECT_EQ(ping.kind, protocol::Kind::text);

  const auto& query = mix.steps[1];
  EXPECT_EQ(query.weight, 4u);
  EXPECT_EQ(query.request.method, "POST");
  EXPECT_TRUE(query.gzip_body);
  EXPECT_NE(query.request.body.find("\"Samples\""), std::string::npos) << query.request.body;
  EXPECT_EQ(query.kind, protocol::Kind::kusto_v2);
}

TEST(ScenarioMix, WeightZeroLeavesAStepOut) {
  auto sc = scenario::parse_scenario(scenario_text, "mix.json");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  MixOptions mo;
  mo.weights["ping"] = 0;
  auto mix = build_mix({*sc}, mo);
  ASSERT_EQ(mix.steps.size(), 1u);
  EXPECT_EQ(mix.steps[0].name, "query");
}

} // namespace
} // namespace konform::load

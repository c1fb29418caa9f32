// Runs the official Node SDK e2e suite (azure-kusto-node packages/azure-kusto-ingest/test/
// e2eTests/e2eTest.ts) from a user's own checkout, unmodified, against the konform serve and
// Azurite that run.sh started, and prints one line per test and the totals. Started by
// run_official_node_suite.sh, never by ctest: the suite is third-party code and not in this
// repository. Its AzureCliCredential runs `az account get-access-token`; a stand-in `az` first on
// PATH prints a token (konform serve without --token accepts any).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const checkout = process.env.OFFICIAL_NODE_CHECKOUT;
const suite = "packages/azure-kusto-ingest/test/e2eTests/e2eTest.ts";
if (!checkout || !existsSync(join(checkout, suite))) {
  console.error(`no ${suite} under OFFICIAL_NODE_CHECKOUT='${checkout ?? ""}'`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "konform-official-node-"));
// The credential parses expires_on (epoch seconds) or else expiresOn (local time).
writeFileSync(
  join(dir, "az"),
  `#!/bin/sh
now=$(date +%s)
printf '{"accessToken":"konform-stand-in","expiresOn":"%s","expires_on":%s,"tokenType":"Bearer"}\\n' "$(date -d @$((now + 3600)) '+%Y-%m-%d %H:%M:%S.000000')" $((now + 3600))
`,
);
chmodSync(join(dir, "az"), 0o755);
const report = join(dir, "jest.json");
const env = {
  ...process.env,
  PATH: `${dir}:${process.env.PATH}`,
  ENGINE_CONNECTION_STRING: process.env.KUSTO_URL,
  DM_CONNECTION_STRING: process.env.KUSTO_DM_URL,
  TEST_DATABASE: process.env.TEST_DATABASE ?? "e2e",
  // The suite uses import.meta: jest needs Node's VM modules to run it as ESM.
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --experimental-vm-modules`.trim(),
};
// Application credentials in the caller's environment would send the suite to AAD instead.
for (const k of ["APP_ID", "APP_KEY", "TENANT_ID", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"]) delete env[k];
const args = ["--no-install", "jest", "--runTestsByPath", suite, "--testTimeout=600000", "--json", `--outputFile=${report}`];
args.push(...JSON.parse(process.env.OFFICIAL_JEST_ARGS || "[]"));
const run = spawnSync("npx", args, { cwd: checkout, env, stdio: "inherit" });
if (!existsSync(report)) {
  rmSync(dir, { recursive: true, force: true });
  console.error(`jest wrote no report (exit ${run.status})`);
  process.exit(2);
}
const result = JSON.parse(readFileSync(report, "utf8"));
rmSync(dir, { recursive: true, force: true });
const counts = { passed: 0, failed: 0, pending: 0 };
for (const file of result.testResults) {
  for (const t of file.assertionResults) {
    const status = t.status === "passed" || t.status === "failed" ? t.status : "pending";
    counts[status]++;
    const why = status === "failed" ? `: ${(t.failureMessages[0] ?? "").split("\n")[0].slice(0, 200)}` : "";
    console.log(`${status.padEnd(7)} ${t.fullName} (${((t.duration ?? 0) / 1000).toFixed(1)} s)${why}`);
  }
  if (file.status === "failed" && file.assertionResults.length === 0) console.log(`failed  ${file.message.split("\n")[0]}`);
}
const total = counts.passed + counts.failed + counts.pending;
console.log(`official Node SDK e2e suite: ${counts.passed} of ${total} passed, ${counts.failed} failed, ${counts.pending} skipped`);
process.exit(counts.failed === 0 && result.success !== false ? 0 : 1);

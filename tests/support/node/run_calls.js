// Drives the official PlayFab Node SDK for the Python tests.
// Reads a plan on stdin: {"url", "titleId", "secretKey"?, "calls": [{"api", "method", "request", "credentials"?}]}
// ("credentials": {"sessionTicket", "entityToken", "secretKey"}, each null or a string, replaces the SDK's
// credentials before that call, as if the SDK had logged in or been configured with them) and prints one JSON line per call: {"ok": true, "data": ...} or {"ok": false, "error": ...}.
"use strict";

const sdk = require("playfab-sdk");

function callOnce(api, method, request) {
  return new Promise((resolve) => {
    try {
      sdk[api][method](request, (error, result) => {
        resolve(error ? { ok: false, error } : { ok: true, data: result.data });
      });
    } catch (thrown) {
      resolve({ ok: false, thrown: String(thrown && thrown.message ? thrown.message : thrown) });
    }
  });
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const plan = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  sdk.PlayFab.settings.productionUrl = plan.url;
  sdk.PlayFab.settings.titleId = plan.titleId;
  if (plan.secretKey) sdk.PlayFab.settings.developerSecretKey = plan.secretKey;
  for (const call of plan.calls) {
    if (call.credentials) {
      sdk.PlayFab._internalSettings.sessionTicket = call.credentials.sessionTicket;
      sdk.PlayFab._internalSettings.entityToken = call.credentials.entityToken;
      sdk.PlayFab.settings.developerSecretKey = call.credentials.secretKey;
    }
    process.stdout.write(JSON.stringify(await callOnce(call.api, call.method, call.request || {})) + "\n");
  }
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});

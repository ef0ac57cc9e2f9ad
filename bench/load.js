// One load run with autocannon: reads a spec as JSON on stdin, prints the result as JSON on stdout.
//
// Spec: {url, path, variants: [{headers, body, initial?}], carry?, connections, amount, seconds}
// Requests cycle through `variants`; "{seq}" in a body becomes a number unique within the run, so
// writers can touch distinct keys. With `carry` set (a field of the response's `data`, such as
// ProfileVersion), each variant is one writer's slot, owned by one connection, and "{carry}" in its
// body becomes the value its previous response returned (first: `initial`).
// Connections are keep-alive; the run stops at `amount` requests or
// after `seconds`, whichever comes first. A response counts as an error unless it is HTTP 200 with a
// PlayFab envelope whose `code` is 200 (errors may travel as HTTP 200 with X-ReportErrorAsSuccess).
"use strict";

const autocannon = require("autocannon");

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)];
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function run(spec) {
  let seq = 0;
  let errors = 0;
  let firstError = null;
  const times = [];
  let firstSent = null;
  let lastDone = null;
  // With `carry`, each connection owns one slot for the whole run (assigned in setupClient below).
  const slots = spec.variants.map((v) => ({ ...v, value: v.initial }));
  let clients = 0;

  const request = {
    method: "POST",
    path: spec.path,
    // The context lives from a request's setup to its response (autocannon resets it in between).
    setupRequest: (req, context) => {
      // Before setupClient has given a connection its slot, a placeholder is built and never sent.
      const variant = spec.carry ? req.slot || slots[0] : spec.variants[seq % spec.variants.length];
      if (firstSent === null) firstSent = process.hrtime.bigint();
      context.variant = variant;
      req.headers = variant.headers;
      req.body = variant.body.split("{seq}").join(String(seq)).split("{carry}").join(JSON.stringify(variant.value));
      seq += 1;
      return req;
    },
    onResponse: (status, body, context) => {
      let envelope = null;
      try {
        envelope = JSON.parse(body);
      } catch {
        envelope = null;
      }
      const ok = status === 200 && envelope !== null && envelope.code === 200;
      if (spec.carry && ok && envelope.data && spec.carry in envelope.data) {
        context.variant.value = envelope.data[spec.carry];
      }
      if (!ok) {
        errors += 1;
        if (firstError === null) firstError = `HTTP ${status}: ${String(body).slice(0, 300)}`;
      }
    },
  };

  // autocannon shares request objects between connections: each gets its own (else every connection's
  // first request would carry the body built last), holding its slot when values are carried.
  const setupClient = (client) => {
    if (spec.carry && clients >= slots.length) throw new Error("more connections than carry slots");
    client.setRequests([{ ...request, slot: spec.carry ? slots[clients] : undefined }]);
    clients += 1;
  };

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        pipelining: 1,
        amount: spec.amount,
        timeout: 30,
        // autocannon ends a run at its next sample tick (1 s by default): a short one ends it almost as
        // soon as the last answer is in. Its own per-tick samples are not used (times are kept above).
        sampleInt: 20,
        requests: [request],
        setupClient: setupClient,
      },
      (err, result) => {
        clearTimeout(timer);
        if (err) return reject(err);
        // From the first request sent to the last response: autocannon's start and wind-down excluded.
        const seconds = lastDone === null ? 0 : Number(lastDone - firstSent) / 1e9;
        times.sort((a, b) => a - b);
        resolve({
          requests: times.length,
          seconds: seconds,
          rps: seconds > 0 ? times.length / seconds : 0,
          p50_ms: percentile(times, 50),
          p99_ms: percentile(times, 99),
          errors: errors + result.errors,
          first_error: firstError,
          times_ms: times,
        });
      },
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
      lastDone = process.hrtime.bigint();
    });
    // autocannon's `amount` overrides its own duration, so the time bound is kept here.
    const timer = setTimeout(() => instance.stop(), spec.seconds * 1000);
  });
}

readStdin()
  .then((text) => run(JSON.parse(text)))
  .then((result) => process.stdout.write(JSON.stringify(result) + "\n"))
  .catch((err) => {
    process.stderr.write(`load run failed: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  });

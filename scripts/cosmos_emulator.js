#!/usr/bin/env node
// Serves @vercel/cosmosdb-server (an in-memory Cosmos DB NoSQL API) over HTTPS with its bundled
// self-signed certificate. Differences from the package's own CLI:
//  - connections are kept alive (its CLI closes each one, so every request paid a TLS handshake);
//  - a point read of a missing item answers 404 NotFound, as Cosmos DB does (the package crashes
//    on it and answers 500);
//  - an item request in a database or container that does not exist answers 404 with sub-status
//    1003, as Cosmos DB does (the package answers a bare 404, or 500 for a create);
//  - with --http it serves plain HTTP instead, and names the address the client asked for (its Host
//    header) as the account's endpoint, so a test proxy in front of it sees the HTTP traffic and every
//    request keeps going through it.
// It also counts the requests it serves, by method, and answers GET /_emulator/requests with the
// counts, so a benchmark can report Cosmos DB requests per call (no Cosmos DB path starts so).
// Usage: node scripts/cosmos_emulator.js [--port 8081] [--host 127.0.0.1] [--http]
"use strict";

// Patch the read handler before the package builds its route table from it.
const readDocument = require("@vercel/cosmosdb-server/lib/handler/read-document");
const partitionHeader = require("@vercel/cosmosdb-server/lib/utils/get-partition-from-header");

const readExisting = readDocument.default;
readDocument.default = (account, req, res, params) => {
  const collection = account.database(params.dbId).collection(params.collId);
  if (collection.read()) {
    const pk = partitionHeader.parsePartitionKey(partitionHeader.default(req), params.docId);
    if (!collection.document(params.docId, pk).read()) {
      res.statusCode = 404;
      return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
    }
  }
  return readExisting(account, req, res, params);
};

// Cosmos DB tells a missing container from a missing item by sub-status 1003 ("owner resource does
// not exist"); the package does not.
for (const name of ["read-document", "create-document", "replace-document", "delete-document", "upsert-document"]) {
  const handler = require(`@vercel/cosmosdb-server/lib/handler/${name}`);
  const original = handler.default;
  handler.default = (account, req, res, params) => {
    if (!account.database(params.dbId).collection(params.collId).read()) {
      res.statusCode = 404;
      res.setHeader("x-ms-substatus", "1003");
      return { code: "NotFound", message: "Owner resource does not exist." };
    }
    return original(account, req, res, params);
  };
}

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const host = option("--host", "127.0.0.1");
const port = Number.parseInt(option("--port", "8081"), 10);
const plain = args.includes("--http");

// As with reads, the account handler is patched before the package builds its route table.
const readMeta = require("@vercel/cosmosdb-server/lib/handler/read-meta");
if (plain) {
  const readAccount = readMeta.default;
  readMeta.default = (account, req, res, params) => {
    const meta = { ...readAccount(account, req, res, params) };
    const here = [{ name: "South Central US", databaseAccountEndpoint: `http://${req.headers.host}/` }];
    meta.writableLocations = here;
    meta.readableLocations = here;
    return meta;
  };
}

const { createHttpServer, createHttpsServer } = require("@vercel/cosmosdb-server");

const server = (plain ? createHttpServer : createHttpsServer)({ keepAlive: true });
const counts = {};
// Per kind of request (the method, or QUERY for a query's POST): requests, body bytes sent to the
// emulator and received from it, for request-unit estimates (GET /_emulator/traffic).
const traffic = {};
const cosmosHandlers = server.listeners("request");
server.removeAllListeners("request");
const answer = (res, value) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(value));
};
server.on("request", (req, res) => {
  if (req.method === "GET" && req.url === "/_emulator/requests") return answer(res, counts);
  if (req.method === "GET" && req.url === "/_emulator/traffic") return answer(res, traffic);
  counts[req.method] = (counts[req.method] || 0) + 1;
  const kind = String(req.headers["x-ms-documentdb-isquery"]).toLowerCase() === "true" ? "QUERY" : req.method;
  const seen = (traffic[kind] = traffic[kind] || { requests: 0, sent: 0, received: 0 });
  seen.requests += 1;
  seen.sent += Number(req.headers["content-length"] || 0); // read from the header: the body is the handler's
  for (const name of ["write", "end"]) {
    const original = res[name];
    res[name] = function (chunk, ...rest) {
      if (chunk && typeof chunk !== "function") seen.received += Buffer.byteLength(chunk);
      return original.call(this, chunk, ...rest);
    };
  }
  for (const handler of cosmosHandlers) handler.call(server, req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(port, host, () => {
  console.log(`Cosmos DB emulator ready at ${plain ? "http" : "https"}://${host}:${server.address().port}/`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

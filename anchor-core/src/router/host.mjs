// Runs Anchor's generated viewer-request function under Node as CloudFront
// would: the code exactly as generated, except that its two import lines
// are bound to shims instead of CloudFront's modules:
//   cloudfront  kvs().get(key, {format}) reads through a function the host
//               is given and rejects for a missing key, as CloudFront does;
//               updateRequestOrigin(params) checks its parameters as
//               CloudFront would and records its last call.
//   crypto      Node's createHash and createHmac.
// The code is compiled once per load in a fresh node:vm context, and
// `handler` is called per request. Nothing else (require, fetch, process)
// exists in that context, so code CloudFront would refuse fails here too.
//
// The viewer-response function imports nothing and is run the same way,
// on events whose context.eventType is "viewer-response"; what it returns
// is checked as CloudFront checks a response.
//
// As a module: loadRouter(code) -> { run(event, kvsGet) -> {result, origin} },
// and loadResponseFunction(code) -> { run(event) -> {result, origin: null} }.
//
// As a program, `node host.mjs [--code FILE] [--response-code FILE]`, one
// JSON object per line on stdin, one answer per line on stdout, in order:
//   {"id": 1, "op": "load", "code": "...", "responseCode": "..."}
//                                                  -> {"id": 1, "ok": true}
//   {"id": 2, "op": "put", "entries": {"k": "v"}} -> {"id": 2, "ok": true}
//   {"id": 3, "op": "delete", "keys": ["k"]}      -> {"id": 3, "ok": true}
//   {"id": 4, "op": "run", "event": {...}}        -> {"id": 4, "result": ..., "origin": ...}
// "run" is the default op; a viewer-response event runs the response
// function ("responseCode" is optional in a load). The store is held in memory by the program. A
// failure answers {"id": n, "error": "..."}, and the program goes on.
import vm from "node:vm";
import fs from "node:fs";
import readline from "node:readline";
import { createHash, createHmac } from "node:crypto";
import { pathToFileURL } from "node:url";

const IMPORTS = [
  ["import cf from 'cloudfront';", "cf"],
  ["import crypto from 'crypto';", "crypto"],
];

// The import lines become blank lines, so stack traces keep their line
// numbers; anything else in their place is refused rather than guessed at.
function bindImports(code) {
  const lines = code.split("\n");
  for (let i = 0; i < IMPORTS.length; i++) {
    if (lines[i] !== IMPORTS[i][0]) {
      throw new Error(`line ${i + 1} of the router must be ${JSON.stringify(IMPORTS[i][0])}`);
    }
    lines[i] = "";
  }
  return lines.join("\n");
}

function missing(key) {
  return new Error(`key not found: ${key}`);
}

// The parameters CloudFront's updateRequestOrigin takes. A name outside
// them, or a malformed OAC or custom-origin setting, fails the function on
// CloudFront, so it fails here too instead of passing silently.
const ORIGIN_FIELDS = new Set([
  "domainName", "originPath", "customHeaders", "connectionAttempts", "originShield",
  "responseCompletionTimeout", "timeouts", "customOriginConfig", "originAccessControlConfig",
  "sni", "allowedCertificateNames",
]);

function checkOrigin(params) {
  if (!params || typeof params !== "object") throw new Error("updateRequestOrigin takes an object");
  for (const name of Object.keys(params)) {
    if (!ORIGIN_FIELDS.has(name)) throw new Error(`updateRequestOrigin: unknown parameter ${name}`);
  }
  if ("domainName" in params && (typeof params.domainName !== "string" || !params.domainName)) {
    throw new Error("updateRequestOrigin: domainName must be a non-empty string");
  }
  const oac = params.originAccessControlConfig;
  if (oac && oac.enabled) {
    const ok = ["always", "never", "no-override"].includes(oac.signingBehavior) &&
      oac.signingProtocol === "sigv4" &&
      ["s3", "lambda", "mediastore", "mediapackagev2"].includes(oac.originType);
    if (!ok) throw new Error(`updateRequestOrigin: bad originAccessControlConfig ${JSON.stringify(oac)}`);
  }
  const extra = params.customHeaders;
  if (extra !== undefined) {
    const ok = extra && typeof extra === "object" && !Array.isArray(extra) &&
      Object.entries(extra).every(([name, value]) => name === name.toLowerCase() && typeof value === "string");
    if (!ok) throw new Error("updateRequestOrigin: customHeaders must map lowercase names to strings");
  }
  const custom = params.customOriginConfig;
  if (custom && (!Number.isInteger(custom.port) || !["http", "https"].includes(custom.protocol))) {
    throw new Error(`updateRequestOrigin: bad customOriginConfig ${JSON.stringify(custom)}`);
  }
}

// What CloudFront accepts back from a viewer-response function: the
// response object, with a status and headers and cookies of the event's
// shape. Anything else fails the function there, so it fails here.
function checkResponse(response) {
  if (!response || typeof response !== "object") throw new Error("a viewer-response function must return the response");
  if (!Number.isInteger(response.statusCode) || response.statusCode < 200 || response.statusCode > 599) {
    throw new Error(`bad statusCode ${JSON.stringify(response.statusCode)}`);
  }
  for (const [name, field] of Object.entries(response.headers || {})) {
    if (name !== name.toLowerCase() || !field || typeof field.value !== "string") {
      throw new Error(`bad response header ${JSON.stringify(name)}`);
    }
  }
  for (const [name, field] of Object.entries(response.cookies || {})) {
    const ok = field && typeof field.value === "string" &&
      (field.attributes === undefined || typeof field.attributes === "string");
    if (!ok) throw new Error(`bad response cookie ${JSON.stringify(name)}`);
  }
}

export function loadResponseFunction(code) {
  if (code.split("\n").some((line) => line.startsWith("import "))) {
    throw new Error("the viewer-response function imports nothing");
  }
  const script = new vm.Script(code, { filename: "viewer_response.js" });
  const context = vm.createContext({ console: { log: (...args) => console.error(...args) } });
  script.runInContext(context);
  const handler = context.handler;
  if (typeof handler !== "function") throw new Error("the viewer-response function defines no handler function");
  return {
    async run(event) {
      const result = await handler(JSON.parse(JSON.stringify(event)));
      checkResponse(result);
      return { result: JSON.parse(JSON.stringify(result)), origin: null };
    },
  };
}

export function loadRouter(code) {
  const script = new vm.Script(bindImports(code), { filename: "viewer_request.js" });
  // One request at a time: the recorded origin belongs to the request whose
  // handler made the call.
  const state = { kvsGet: null, origin: null };
  const cf = {
    kvs() {
      return {
        async get(key, options) {
          const value = await state.kvsGet(key);
          if (value === undefined || value === null) throw missing(key);
          const format = options && options.format;
          if (format === "json") return JSON.parse(value);
          if (format === "bytes") return Buffer.from(value, "utf8");
          return value;
        },
        async exists(key) {
          const value = await state.kvsGet(key);
          return value !== undefined && value !== null;
        },
      };
    },
    updateRequestOrigin(params) {
      checkOrigin(params);
      state.origin = JSON.parse(JSON.stringify(params));
    },
  };
  const context = vm.createContext({
    cf,
    crypto: { createHash, createHmac },
    console: { log: (...args) => console.error(...args) },
  });
  script.runInContext(context);
  const handler = context.handler;
  if (typeof handler !== "function") throw new Error("the router defines no handler function");

  let queue = Promise.resolve();
  return {
    run(event, kvsGet) {
      const job = queue.then(async () => {
        state.kvsGet = kvsGet;
        state.origin = null;
        try {
          const result = await handler(event);
          // CloudFront refuses an origin custom header the request already has.
          const extra = (state.origin && state.origin.customHeaders) || {};
          const sent = (result && result.headers) || {};
          for (const name of Object.keys(extra)) {
            if (name in sent) throw new Error(`updateRequestOrigin: customHeaders ${name} is also a request header`);
          }
          return { result: JSON.parse(JSON.stringify(result)), origin: state.origin };
        } finally {
          state.kvsGet = null;
        }
      });
      queue = job.catch(() => {});
      return job;
    },
  };
}

function describe(error) {
  return error instanceof Error ? error.stack || error.message : String(error);
}

async function serve(args) {
  const store = new Map();
  const kvsGet = async (key) => store.get(key);
  let router = null;
  let responder = null;
  const at = args.indexOf("--code");
  if (at >= 0) router = loadRouter(fs.readFileSync(args[at + 1], "utf8"));
  const responseAt = args.indexOf("--response-code");
  if (responseAt >= 0) responder = loadResponseFunction(fs.readFileSync(args[responseAt + 1], "utf8"));

  const answer = (message) => process.stdout.write(JSON.stringify(message) + "\n");
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let id = null;
    try {
      const message = JSON.parse(line);
      id = message.id === undefined ? null : message.id;
      const op = message.op || "run";
      if (op === "load") {
        const loaded = loadRouter(message.code);
        responder = message.responseCode ? loadResponseFunction(message.responseCode) : null;
        router = loaded;
        answer({ id, ok: true });
      } else if (op === "put") {
        for (const [key, value] of Object.entries(message.entries || {})) store.set(key, String(value));
        answer({ id, ok: true });
      } else if (op === "delete") {
        for (const key of message.keys || []) store.delete(key);
        answer({ id, ok: true });
      } else if (op === "run") {
        const event = message.event || {};
        const responding = event.context && event.context.eventType === "viewer-response";
        if (responding && !responder) {
          throw new Error("no viewer-response function loaded: send it as responseCode or start with --response-code FILE");
        }
        if (!responding && !router) throw new Error("no router loaded: send a load op or start with --code FILE");
        const { result, origin } = responding ? await responder.run(event) : await router.run(event, kvsGet);
        answer({ id, result, origin });
      } else {
        throw new Error(`unknown op ${JSON.stringify(op)}`);
      }
    } catch (error) {
      answer({ id, error: describe(error) });
    }
  }
}

const main = process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
if (main) {
  serve(process.argv.slice(2)).catch((error) => {
    process.stderr.write(describe(error) + "\n");
    process.exit(1);
  });
}

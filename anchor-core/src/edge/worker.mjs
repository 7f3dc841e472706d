// Anchor's local function worker: imports one published function version
// once, then answers invocations, one frame at a time, like a Lambda
// sandbox. Started by anchor-core's edge server as
//   node worker.mjs <bundle dir> <handler>
// Frames in both directions are a 4-byte big-endian length and that many
// bytes of JSON:
//   in:  {"id": n, "event": <API Gateway v2 event>, "deadlineMs": <epoch ms>}
//   out: {"ready": true} once the handler is loaded, or {"fatal": "..."};
//        then {"id": n, "response": <result>} or {"id": n, "error": "..."};
//        a handler wrapped in awslambda.streamifyResponse answers
//        {"id": n, "stream": {"contentType": "...", "body": <base64>}}: the
//        bytes it wrote to its response stream, sent once the stream ends.
// Everything the function prints goes to stderr, so stdout carries frames only.
import path from "node:path";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";

const frames = process.stdout;
const writeFrame = frames.write.bind(frames);
process.stdout.write = process.stderr.write.bind(process.stderr);

function send(message) {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  writeFrame(Buffer.concat([head, body]));
}

function describe(error) {
  if (error instanceof Error) return error.stack || `${error.name}: ${error.message}`;
  return String(error);
}

async function load(dir, spec) {
  const dot = spec.lastIndexOf(".");
  if (dot <= 0) throw new Error(`handler ${JSON.stringify(spec)} must be <file>.<export>`);
  const file = spec.slice(0, dot);
  const name = spec.slice(dot + 1);
  const candidates = [".mjs", ".js", ".cjs"].map((ext) => path.join(dir, file + ext));
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`handler file ${file}.{mjs,js,cjs} not found in ${dir}`);
  const module = await import(pathToFileURL(found).href);
  const handler = module[name] ?? module.default?.[name];
  if (typeof handler !== "function") {
    throw new Error(`${path.basename(found)} does not export a function named ${name}`);
  }
  return handler;
}

// The revalidation function asks the site's public host to render a stale
// page again with `https.request("https://<host><url>", { method: "HEAD" })`.
// On AWS that host is the distribution; here it is this edge, which speaks
// HTTP. With ANCHOR_EDGE_ADDRESS (set by the edge for that function only)
// such requests go to the edge over HTTP with the same path, headers and
// Host, as DNS would send the public host to the distribution.
function sendHttpsToEdge(address) {
  const sep = address.lastIndexOf(":");
  const host = address.slice(0, sep).replace(/^\[|\]$/g, "");
  const port = Number(address.slice(sep + 1));
  https.request = (url, options, callback) => {
    if (typeof options === "function") {
      callback = options;
      options = {};
    }
    if (typeof url !== "string" && !(url instanceof URL)) {
      throw new Error("on the local edge only https.request(url, options, callback) reaches the site");
    }
    const target = new URL(url);
    return http.request(
      {
        ...options,
        host,
        port,
        path: target.pathname + target.search,
        headers: { ...(options?.headers ?? {}), host: target.host },
      },
      callback,
    );
  };
}
if (process.env.ANCHOR_EDGE_ADDRESS) sendHttpsToEdge(process.env.ANCHOR_EDGE_ADDRESS);

// Lambda's Node.js runtime gives every function a global `awslambda` with
// which a handler asks to answer through a response stream (OpenNext's
// `aws-lambda-streaming` wrapper uses it). The same API here: a streamified
// handler is called as (event, responseStream, context), and
// HttpResponseStream.from writes the HTTP prelude (status, headers,
// cookies) the way the runtime does, as JSON and eight NUL bytes under the
// http-integration-response content type. What the Function URL makes of
// the bytes depends on its invoke mode (anchor-core's edge/streamed.rs).
const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";

class ResponseStream extends Writable {
  constructor() {
    super();
    this.chunks = [];
    this.contentType = "application/octet-stream";
  }
  _write(chunk, encoding, callback) {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
    callback();
  }
  setContentType(type) {
    this.contentType = String(type);
  }
}

globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = "response";
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType(HTTP_INTEGRATION);
      stream.write(JSON.stringify(prelude ?? {}));
      stream.write(new Uint8Array(8));
      return stream;
    },
  },
};

const [dir, spec] = process.argv.slice(2);
let handler;
try {
  process.chdir(dir);
  handler = await load(dir, spec);
} catch (error) {
  send({ fatal: describe(error) });
  process.exit(1);
}

const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? "local";
const functionVersion = process.env.AWS_LAMBDA_FUNCTION_VERSION ?? "$LATEST";

async function invoke(id, event, deadlineMs) {
  const context = {
    functionName,
    functionVersion,
    awsRequestId: event?.requestContext?.requestId ?? String(id),
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  };
  if (handler[STREAMING]) return invokeStreaming(id, event, context);
  try {
    const response = await handler(event, context);
    send({ id, response: response === undefined ? null : response });
  } catch (error) {
    send({ id, error: describe(error) });
  }
}

// A streamified handler, as Lambda's runtime runs one: it must return a
// promise; the invocation ends once that promise has settled and the
// stream has finished (a stream the handler never ends runs into the
// function's timeout), so bytes a piped compressor writes after the promise
// settles still belong to the response.
async function invokeStreaming(id, event, context) {
  const stream = new ResponseStream();
  const finished = new Promise((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  try {
    const result = handler(event, stream, context);
    if (typeof result?.then !== "function") {
      throw new Error("Streaming does not support non-async handlers.");
    }
    await result;
    await finished;
    const body = Buffer.concat(stream.chunks).toString("base64");
    send({ id, stream: { contentType: stream.contentType, body } });
  } catch (error) {
    send({ id, error: describe(error) });
  }
}

let pending = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  while (pending.length >= 4) {
    const size = pending.readUInt32BE(0);
    if (pending.length < 4 + size) break;
    const body = pending.subarray(4, 4 + size);
    pending = pending.subarray(4 + size);
    let message;
    try {
      message = JSON.parse(body.toString("utf8"));
    } catch (error) {
      send({ fatal: `bad frame: ${describe(error)}` });
      process.exit(1);
    }
    invoke(message.id, message.event, message.deadlineMs ?? Date.now() + 30000);
  }
});
// The edge closed our stdin: it is shutting down or replacing us.
process.stdin.on("end", () => process.exit(0));
send({ ready: true });

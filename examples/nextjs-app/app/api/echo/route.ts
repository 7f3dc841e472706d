import { APP_VERSION } from "../../../lib/version";

// Echoes what reached the server function, so the HTTP acceptance suite
// (tests/http) can see what the edge did to a request on its way: the
// body, the Authorization header (which OAC signing must not replace), the
// Host header and x-forwarded-host (which the edge must set to the viewer's
// host, overwriting whatever the client sent).
export const dynamic = "force-dynamic";

async function echo(request: Request) {
  const text = await request.text();
  let body: unknown = text;
  if ((request.headers.get("content-type") ?? "").includes("json")) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return Response.json({
    method: request.method,
    body,
    authorization: request.headers.get("authorization"),
    host: request.headers.get("host"),
    forwardedHost: request.headers.get("x-forwarded-host"),
    version: APP_VERSION,
  });
}

export const POST = echo;
export const PUT = echo;

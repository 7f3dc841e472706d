import { APP_VERSION } from "../../../lib/version";

// A response written in chunks over time, for the HTTP acceptance suite's
// streaming case (tests/http): on a build with OpenNext's streaming wrapper
// (examples/build-nextjs.sh with ANCHOR_OPENNEXT_STREAMING=1) it leaves the
// function as a Lambda response stream, and must reach the viewer intact:
// status, headers, cookie and every chunk in order. `?chunks=` and
// `?delay=` (ms) shape it; both are bounded.
export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const url = new URL(request.url);
  const chunks = Math.min(Math.max(Number(url.searchParams.get("chunks") ?? 5) || 5, 1), 50);
  const delay = Math.min(Math.max(Number(url.searchParams.get("delay") ?? 50) || 0, 0), 1000);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (let i = 0; i < chunks; i++) {
        controller.enqueue(encoder.encode(`chunk ${i} of ${chunks} from ${APP_VERSION}\n`));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      "x-anchor-app-version": APP_VERSION,
      "set-cookie": "anchor-stream=1; Path=/; HttpOnly",
    },
  });
}

import { Suspense } from "react";
import { APP_VERSION } from "../../lib/version";

// A page whose shell is sent before its slow part is ready: React streams
// the Suspense fallback first, then the resolved content in the same
// response. With OpenNext's streaming wrapper the viewer gets both in one
// intact HTML document (tests/http, the streaming case).
export const dynamic = "force-dynamic";

async function SlowPart() {
  await new Promise((resolve) => setTimeout(resolve, 200));
  return <p id="slow-part">Slow part ready ({APP_VERSION})</p>;
}

export default function StreamedPage() {
  return (
    <main>
      <h1>Streamed page ({APP_VERSION})</h1>
      <Suspense fallback={<p id="fallback">Loading the slow part…</p>}>
        <SlowPart />
      </Suspense>
    </main>
  );
}

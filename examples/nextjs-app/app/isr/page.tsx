import { APP_VERSION } from "../../lib/version";

// Incremental static regeneration by time: prerendered at build, served
// from the cache, and rendered again in the background once a request
// comes more than 5 s after the last render.
export const revalidate = 5;

export default function IsrPage() {
  const renderedAt = new Date().toISOString();
  return (
    <main>
      <h1>ISR page ({APP_VERSION})</h1>
      <p>
        Rendered at <time id="rendered-at">{renderedAt}</time>
      </p>
    </main>
  );
}

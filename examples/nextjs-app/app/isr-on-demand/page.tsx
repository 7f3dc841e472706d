import { APP_VERSION } from "../../lib/version";

// Incremental static regeneration on demand: the hour-long revalidate keeps
// it cached through any test, so only POST /api/revalidate renders it again.
export const revalidate = 3600;

export default function IsrOnDemandPage() {
  const renderedAt = new Date().toISOString();
  return (
    <main>
      <h1>On-demand ISR page ({APP_VERSION})</h1>
      <p>
        Rendered at <time id="rendered-at">{renderedAt}</time>
      </p>
    </main>
  );
}

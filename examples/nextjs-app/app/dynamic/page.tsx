import { APP_VERSION } from "../../lib/version";

export const dynamic = "force-dynamic";

export default function DynamicPage() {
  const now = new Date().toISOString();
  return (
    <main>
      <h1>Dynamic page ({APP_VERSION})</h1>
      <p id="request-time">Rendered at {now}</p>
    </main>
  );
}

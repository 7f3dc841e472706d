import Link from "next/link";
import { APP_VERSION } from "../lib/version";

// Fully static page: the version text is baked in at build time.
export default function Home() {
  return (
    <main>
      {/* One template string so the HTML contains "Hello from Anchor v1" verbatim. */}
      <h1 id="greeting">{`Hello from Anchor ${APP_VERSION}`}</h1>
      <ul>
        <li>
          <Link href="/dynamic">Dynamic page</Link>
        </li>
        <li>
          <Link href="/image">Image page</Link>
        </li>
        <li>
          <Link href="/action">Server Action</Link>
        </li>
        <li>
          <a href="/api/hello">API route</a>
        </li>
      </ul>
    </main>
  );
}

import { revalidatePath } from "next/cache";
import { APP_VERSION } from "../../../lib/version";

// On-demand revalidation: POST {"path": "/isr-on-demand"} marks that page
// stale, so the next request renders it again. On AWS this goes through
// OpenNext's tag cache and revalidation queue.
export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  let path: unknown;
  try {
    ({ path } = await request.json());
  } catch {
    path = undefined;
  }
  if (typeof path !== "string" || !path.startsWith("/")) {
    return Response.json({ error: 'expected JSON {"path": "/..."}' }, { status: 400 });
  }
  revalidatePath(path);
  return Response.json({ revalidated: true, path, now: Date.now(), version: APP_VERSION });
}

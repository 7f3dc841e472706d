import { redirect } from "next/navigation";
import { APP_VERSION } from "../../lib/version";

// A form bound to a Server Action. It works without JavaScript: the browser
// POSTs the form (with the hidden $ACTION_ID_... field Next renders), Next
// checks that the Origin header matches the host it believes it serves,
// runs the action, and answers with a 303 to /action?saved=<name>&by=<the
// version that ran the action>, so a page can tell which deployment ran it
// (the skew test, tests/browser/skew.test.mjs).
export const dynamic = "force-dynamic";

async function save(formData: FormData) {
  "use server";
  const name = String(formData.get("name") ?? "").trim() || "nobody";
  redirect(`/action?saved=${encodeURIComponent(name)}&by=${APP_VERSION}`);
}

export default async function ActionPage({
  searchParams,
}: {
  searchParams: Promise<{ saved?: string | string[]; by?: string | string[] }>;
}) {
  const { saved, by } = await searchParams;
  const name = Array.isArray(saved) ? saved[0] : saved;
  const ranOn = Array.isArray(by) ? by[0] : by;
  return (
    <main>
      <h1>Server Action ({APP_VERSION})</h1>
      {name ? (
        <p id="result">{`Saved ${name} on ${APP_VERSION}${ranOn ? ` (the action ran on ${ranOn})` : ""}`}</p>
      ) : null}
      <form action={save}>
        <label>
          Name <input name="name" defaultValue="anchor" />
        </label>
        <button type="submit">Save</button>
      </form>
    </main>
  );
}

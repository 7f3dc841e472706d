import { NextResponse, type NextRequest } from "next/server";

// Next 16's proxy (formerly middleware; it runs on the Node.js runtime, and
// OpenNext bundles it into the server function). /old-page redirects to /
// with a URL built from the request, so it shows the host the app believes
// it is served on: the viewer's when the edge forwards it in
// x-forwarded-host, the origin's when not. OpenNext turns a same-host
// Location into a relative one, so the host also travels in the `host`
// query parameter, where the HTTP acceptance suite reads it.
export function proxy(request: NextRequest) {
  const target = request.nextUrl.clone();
  target.pathname = "/";
  target.search = "";
  target.searchParams.set("host", request.nextUrl.host);
  return NextResponse.redirect(target, 307);
}

export const config = {
  matcher: ["/old-page"],
};

import { NextResponse, type NextRequest } from "next/server";

// Next 16's proxy (formerly middleware; it runs on the Node.js runtime, and
// OpenNext bundles it into the server function). /old-page redirects to /
// with an absolute URL built from the request, so the Location header names
// whatever host the app believes it is served on: the viewer's host when
// the edge forwards it in x-forwarded-host, the origin's host when not.
export function proxy(request: NextRequest) {
  const target = request.nextUrl.clone();
  target.pathname = "/";
  target.search = "";
  return NextResponse.redirect(target, 307);
}

export const config = {
  matcher: ["/old-page"],
};

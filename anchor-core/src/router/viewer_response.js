// Anchor's viewer-response CloudFront Function: the two cookies the edge
// router reads, set on the way out. Shared by every distribution in the
// account, like the router, and generated from this template by
// anchor-core's router module (ResponseCode), which fills in the settings
// and strips comments and indentation, under the same rules as the router.
//
// - The visitor cookie: a visitor's first request has none, so the router
//   split it by this request's id (context.requestId, the one id of the
//   request and its response). Setting the cookie to that id keeps the
//   visitor in the same bucket on every later request of a rollout.
// - The pin cookie: the server of the deployment that answered names its
//   build's deploymentId in a response header (added by Anchor's origin
//   guard). On an HTML page the cookie is set to it, so the page's later
//   requests that Next.js does not tag (a fetch to a route handler, a
//   public file) reach the same deployment within its skew window. The
//   header is removed before the viewer sees the response.
//
// A function here cannot see the body, and CloudFront passes it the
// request as the viewer sent it, not as the router changed it.

// Cookie names, the response header and the cookie attributes, filled in
// by the generator.
const S = __ANCHOR_SETTINGS__;

function cookieOf(request, name) {
  const cookie = request.cookies && request.cookies[name];
  return cookie && cookie.value ? String(cookie.value) : undefined;
}

function handler(event) {
  const request = event.request;
  const response = event.response;
  const headers = response.headers || {};
  const cookies = response.cookies || {};
  const served = headers[S.servedHeader];
  delete headers[S.servedHeader];

  if (!cookieOf(request, S.visitorCookie) && !cookies[S.visitorCookie]) {
    cookies[S.visitorCookie] = { value: event.context.requestId, attributes: S.visitorAttributes };
  }
  const type = headers['content-type'];
  const html = type && String(type.value).toLowerCase().indexOf('text/html') === 0;
  const id = served && served.value ? String(served.value) : '';
  if (html && id && !cookies[S.pinCookie] && cookieOf(request, S.pinCookie) !== id) {
    cookies[S.pinCookie] = { value: id, attributes: S.pinAttributes };
  }
  response.headers = headers;
  response.cookies = cookies;
  return response;
}

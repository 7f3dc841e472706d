import cf from 'cloudfront';
import crypto from 'crypto';

// Anchor's edge router: one viewer-request CloudFront Function, shared by
// every distribution in the account, that picks the deployment serving each
// request from a KeyValueStore. Generated from this template by
// anchor-core's router module, which fills in the settings below and strips
// comments and indentation, so keep to what that compactor understands: no
// regular expression literals, no comment markers inside strings, and no
// template literal nested in another one.
//
// CloudFront's runtime 2.0 is not Node: no optional chaining, no nullish
// coalescing, no classes, no require, no fetch.

// Key layout, header names and limits, filled in by the generator.
const S = __ANCHOR_SETTINGS__;

const kvs = cf.kvs();

function reply(statusCode, statusDescription, body) {
  return {
    statusCode: statusCode,
    statusDescription: statusDescription,
    headers: {
      'content-type': { value: 'text/plain; charset=utf-8' },
      // A function-made answer is not cached by CloudFront, but say so for
      // anything in front of it too: the next request may get a real page.
      'cache-control': { value: 'no-store' }
    },
    body: body
  };
}

function headerValue(headers, name) {
  const h = headers[name];
  return h && typeof h.value === 'string' ? h.value : undefined;
}

// Every value of a field ({value} or {value, multiValue: [{value}]}), so a
// repeated header counts once per copy.
function valuesOf(field) {
  if (field.multiValue && field.multiValue.length) {
    return field.multiValue.map((m) => String(m.value));
  }
  return [String(field.value)];
}

// What forwarding the request costs in header bytes, roughly as HTTP/1.1
// spells it: the request line, each header as "name: value\r\n" and the
// cookies folded into one Cookie header.
function headerBytes(request) {
  let total = request.method.length + request.uri.length + 11;
  const qs = request.querystring || {};
  for (const name in qs) {
    const values = valuesOf(qs[name]);
    for (let i = 0; i < values.length; i++) total += name.length + values[i].length + 2;
  }
  const headers = request.headers || {};
  for (const name in headers) {
    const values = valuesOf(headers[name]);
    for (let i = 0; i < values.length; i++) total += name.length + values[i].length + 4;
  }
  const cookies = request.cookies || {};
  let cookieBytes = 0;
  for (const name in cookies) {
    const values = valuesOf(cookies[name]);
    for (let i = 0; i < values.length; i++) cookieBytes += name.length + values[i].length + 3;
  }
  if (cookieBytes) total += cookieBytes + 8;
  return total;
}

// FNV-1a over UTF-16 code units; the generator shards the public index with
// the same function, so both sides must agree bit for bit.
function shardOf(name, shards) {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

// The index lists raw file names; the URI arrives percent-encoded.
function decode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch (e) {
    return segment;
  }
}

// Whether the path is one of the deployment's public files: a file entry
// ("robots.txt") matches that exact path, a directory entry ("images/")
// every path under it. Reads one index shard when the index is sharded.
async function isPublic(uri, entry, key) {
  const slash = uri.indexOf('/', 1);
  const segment = decode(slash < 0 ? uri.slice(1) : uri.slice(1, slash));
  if (!segment || segment === '_next') return false;
  const wanted = slash < 0 ? segment : segment + '/';
  let index = entry.p;
  if (!index && entry.n) {
    index = await kvs.get(key + S.shards + shardOf(segment, entry.n), { format: 'json' });
  }
  return !!index && index.indexOf(wanted) >= 0;
}

function isVersion(name) {
  if (name.length < 2 || name.length > 12 || name.charAt(0) !== 'v') return false;
  for (let i = 1; i < name.length; i++) {
    const c = name.charAt(i);
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The preview asked for, if any: the preview header, else the preview
// query parameter (removed here), else the first label of a host under one
// of the distribution's preview suffixes (one per wildcard domain,
// comma-separated), such as v12 in v12.preview.example.com. Other hosts
// never read the suffixes.
async function previewOf(request, host, prefix) {
  const qs = request.querystring || {};
  const asked = qs[S.previewQuery];
  delete qs[S.previewQuery];
  let name = headerValue(request.headers, S.previewHeader);
  delete request.headers[S.previewHeader];
  if (name === undefined && asked) name = String(asked.value);
  if (name !== undefined || !host) return name;
  const bare = host.split(':')[0].toLowerCase();
  const dot = bare.indexOf('.');
  if (dot < 0 || !isVersion(bare.slice(0, dot))) return undefined;
  let suffixes;
  try {
    suffixes = await kvs.get(prefix + S.previewSuffix);
  } catch (e) {
    return undefined;
  }
  return suffixes.split(',').indexOf(bare.slice(dot + 1)) >= 0 ? bare.slice(0, dot) : undefined;
}

// The build deploymentId the request names, if any: Next's header on RSC
// and action requests, its query parameter on assets, else the pin cookie,
// except on a navigation, which loads a fresh page from the live site.
function pinOf(request) {
  const header = headerValue(request.headers, S.pinHeader);
  if (header) return header;
  const query = request.querystring && request.querystring[S.pinQuery];
  if (query) return String(query.value);
  if (headerValue(request.headers, 'sec-fetch-mode') === 'navigate') return undefined;
  const cookie = request.cookies && request.cookies[S.pinCookie];
  return cookie && cookie.value ? String(cookie.value) : undefined;
}

// Who the visitor is, for a rollout's split: the visitor cookie, else this
// request's id (a visitor's first request, before the cookie is set).
function visitorOf(request, event) {
  const cookie = request.cookies && request.cookies[S.visitorCookie];
  return cookie && cookie.value ? String(cookie.value) : event.context.requestId;
}

// The visitor's bucket in 0..weightScale: fixed for one rollout (its
// salt) and one visitor, so the split is sticky, and growing weights only
// add visitors to the candidate.
function bucketOf(salt, visitor) {
  const hex = crypto.createHash('sha256').update(salt + ':' + visitor).digest('hex');
  return parseInt(hex.slice(0, 8), 16) % S.weightScale;
}

function digest(text) {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, S.hashLength);
}

// The cache key: the deployment, the viewer's host (a page may name its own
// host; the cache policy cannot key on Host, which would then be forwarded
// to the Function URL) and what makes Next.js answer the same URL
// differently (an RSC payload instead of HTML, a prefetch, the router state,
// the image format), so no cached answer crosses deployments, hosts or kinds.
function cacheKey(id, headers, image) {
  let text = 'host:' + (headerValue(headers, 'host') || '') + '\n';
  const names = image ? S.rscHeaders.concat(S.imageHeaders) : S.rscHeaders;
  for (let i = 0; i < names.length; i++) {
    let value = headerValue(headers, names[i]);
    if (value === undefined) continue;
    // The image optimiser only tells AVIF and WebP apart, so the rest of
    // Accept would split the cache for nothing.
    if (names[i] === 'accept') {
      value = (value.indexOf('image/avif') >= 0 ? 'avif,' : '') + (value.indexOf('image/webp') >= 0 ? 'webp' : '');
    }
    text += names[i] + ':' + value + '\n';
  }
  return id + '.' + digest(text);
}

function customOrigin(host, oac) {
  return {
    domainName: host,
    customOriginConfig: { port: 443, protocol: 'https', sslProtocols: ['TLSv1.2'] },
    originAccessControlConfig: oac
  };
}

// The server origin with the deployment's secret as an origin custom header,
// which the guard in its server's bundle checks. The secret has a key of its
// own; an entry written while the secret was per project carries it as `k`.
// A server without the guard (made before the router) is marked `o`: its URL
// takes only what CloudFront signs, as before the router, and gets no header.
async function serverOrigin(id, entry, prefix) {
  if (entry.o) return customOrigin(entry.s, signed('lambda'));
  const origin = customOrigin(entry.s, { enabled: false });
  let secret = entry.k;
  try {
    secret = await kvs.get(prefix + S.secret + id);
  } catch (e) {
    if (!secret) return origin;
  }
  const custom = {};
  custom[S.secretHeader] = secret;
  origin.customHeaders = custom;
  return origin;
}

function signed(originType) {
  return { enabled: true, signingBehavior: 'always', signingProtocol: 'sigv4', originType: originType };
}

async function handler(event) {
  const request = event.request;
  const headers = request.headers;
  const dist = event.context.distributionId;

  // The app builds absolute URLs from this; a client's own value must never
  // reach it.
  const host = headerValue(headers, 'host');
  if (host === undefined) delete headers['x-forwarded-host'];
  else headers['x-forwarded-host'] = { value: host };
  // Only CloudFront adds the origin secret (and it may not add a header the
  // request already has).
  delete headers[S.secretHeader];

  let id;
  let entry;
  const prefix = dist + '/';
  const preview = await previewOf(request, host, prefix);
  if (preview !== undefined) {
    if (!isVersion(preview)) return reply(400, 'Bad Request', 'A preview is named v<N>.\n');
    try {
      id = await kvs.get(prefix + S.preview + preview.slice(1));
    } catch (e) {
      return reply(404, 'Not Found', 'This site has no deployment ' + preview + '.\n');
    }
    if (id === S.gone) return reply(410, 'Gone', 'Deployment ' + preview + ' has been pruned.\n');
  } else {
    // Skew protection: a request from a page of an older deployment stays
    // on it within its window (0 or no end: live, or never left live). Past
    // its end an asset request (the dpl query) gets 404 and anything else
    // goes to the live site.
    const pin = pinOf(request);
    if (pin) {
      let pinned;
      try {
        pinned = await kvs.get(prefix + S.pin + pin, { format: 'json' });
      } catch (e) {}
      if (pinned) {
        let end = 0;
        try {
          end = Number(await kvs.get(prefix + S.windowEnd + pinned.d));
        } catch (e) {}
        if (!end || end * 1000 > Date.now()) {
          id = pinned.d;
        } else if (request.querystring && request.querystring[S.pinQuery]) {
          return reply(404, 'Not Found', 'This asset belongs to a deployment that is no longer served.\n');
        }
      }
    }
    if (id === undefined) {
      try {
        id = await kvs.get(prefix + S.live);
      } catch (e) {
        return reply(503, 'Service Unavailable', 'No deployment is live on this site.\n');
      }
    }
  }
  // During a gradual rollout the pointer is a split: the candidate serves
  // the visitors whose bucket is below its weight. A candidate without a
  // readable entry serves nobody.
  if (id.charAt(0) === '{') {
    let split;
    try {
      split = JSON.parse(id);
    } catch (e) {
      return reply(503, 'Service Unavailable', 'The live pointer is unreadable.\n');
    }
    id = split.l;
    if (bucketOf(split.s, visitorOf(request, event)) < split.w) {
      try {
        entry = await kvs.get(prefix + S.deployment + split.c, { format: 'json' });
        id = split.c;
      } catch (e) {}
    }
  }
  const key = prefix + S.deployment + id;
  if (!entry) {
    try {
      entry = await kvs.get(key, { format: 'json' });
    } catch (e) {
      return reply(503, 'Service Unavailable', 'The live deployment has no routing entry.\n');
    }
  }

  const uri = request.uri;
  const image = uri === '/_next/image' || uri.startsWith('/_next/image/');
  let isFile = false;
  if (!image) {
    try {
      isFile = await isPublic(uri, entry, key);
    } catch (e) {
      return reply(503, 'Service Unavailable', 'The live deployment public-file index is incomplete.\n');
    }
  }

  if (image) {
    // A public image lives in the deployment's own folder, not under the
    // image optimiser's key prefix: point the source URL there.
    const source = request.querystring && request.querystring.url;
    if (source && entry.m) {
      const path = decode(source.value);
      let local = false;
      try {
        local = path.charAt(0) === '/' && path.charAt(1) !== '/' && await isPublic(path, entry, key);
      } catch (e) {
        return reply(503, 'Service Unavailable', 'The live deployment public-file index is incomplete.\n');
      }
      if (local) request.querystring.url = { value: encodeURIComponent(entry.m + path) };
    }
    cf.updateRequestOrigin(customOrigin(entry.i, signed('lambda')));
  } else if (isFile) {
    cf.updateRequestOrigin({ domainName: entry.b, originPath: entry.a, originAccessControlConfig: signed('s3') });
  } else {
    // Not OAC, which would refuse unsigned POST bodies: the server's guard
    // checks the secret origin header instead (unless it has no guard).
    cf.updateRequestOrigin(await serverOrigin(id, entry, prefix));
  }

  headers[S.cacheKey] = { value: cacheKey(id, headers, image) };

  if (headerBytes(request) > S.maxHeaderBytes) {
    return reply(431, 'Request Header Fields Too Large', 'The request headers are too large.\n');
  }
  return request;
}

//! The CloudFront part of the workers' AWS endpoint: `CreateInvalidation`
//! (REST XML, `POST /2020-05-31/distribution/<id>/invalidation`), which
//! OpenNext's `cloudfront` CDN invalidation sends after `revalidatePath` or
//! `revalidateTag`. Only the project's own distribution may be invalidated,
//! as the server's execution role allows on AWS; any other is
//! `AccessDenied`. The invalidation is made through the project's CDN, so
//! the edge cache applies it before it serves anything again, as it
//! applies a deploy's. Every other CloudFront call is refused by name.

use bytes::Bytes;
use hyper::header::{HeaderValue, CONTENT_TYPE, LOCATION};
use hyper::{Method, Response, StatusCode};

use super::response::{full, EdgeBody};
use super::SharedSite;
use crate::error::Error;

/// The API version every CloudFront REST path starts with.
pub(crate) const API_PREFIX: &str = "/2020-05-31/";
const NAMESPACE: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

/// What `CreateInvalidation` sends: its paths and caller reference.
#[derive(Debug, Clone, PartialEq, Eq)]
struct InvalidationBatch {
    paths: Vec<String>,
    caller_reference: String,
}

/// Answers the CloudFront call `method` on `path` with the XML `body`.
pub(crate) async fn answer(
    site: &SharedSite,
    method: &Method,
    path: &str,
    body: &Bytes,
) -> Response<EdgeBody> {
    let distribution = path
        .strip_prefix(API_PREFIX)
        .and_then(|rest| rest.strip_prefix("distribution/"))
        .and_then(|rest| rest.strip_suffix("/invalidation"))
        .filter(|id| !id.is_empty() && !id.contains('/'));
    let (Some(distribution), true) = (distribution, *method == Method::POST) else {
        return error(
            StatusCode::BAD_REQUEST,
            "UnsupportedOperation",
            &format!("{method} {path} is not available to functions on the local edge (CreateInvalidation is)"),
        );
    };
    let own = &site.config.infra.distribution_id;
    if distribution != own {
        return error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            &format!("the function may invalidate only distribution {own}, not {distribution}"),
        );
    }
    let Some(batch) = std::str::from_utf8(body).ok().and_then(parse_batch) else {
        return error(
            StatusCode::BAD_REQUEST,
            "MalformedInput",
            "the body is not an InvalidationBatch with Paths and a CallerReference",
        );
    };
    let created = site
        .backend()
        .cdn
        .invalidate(own, &batch.paths, &batch.caller_reference)
        .await;
    match created {
        Ok(id) => created_response(own, &id, &batch),
        Err(Error::InvalidInput { reason, .. }) => {
            error(StatusCode::BAD_REQUEST, "InvalidArgument", &reason)
        }
        Err(Error::AlreadyExists { .. }) => error(
            StatusCode::CONFLICT,
            "InvalidationBatchAlreadyExists",
            "an invalidation with this caller reference has other paths",
        ),
        Err(e) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            &e.to_string(),
        ),
    }
}

/// The paths and caller reference of an `InvalidationBatch` document; `None`
/// when either is missing or `Quantity` disagrees with the items.
fn parse_batch(xml: &str) -> Option<InvalidationBatch> {
    let paths_xml = inner_text(xml, "Paths")?;
    let quantity: usize = inner_text(paths_xml, "Quantity")?.trim().parse().ok()?;
    let mut paths = Vec::new();
    let mut rest = paths_xml;
    while let Some(start) = rest.find("<Path>") {
        let after = &rest[start + "<Path>".len()..];
        let end = after.find("</Path>")?;
        paths.push(unescape(&after[..end]));
        rest = &after[end + "</Path>".len()..];
    }
    let caller_reference = unescape(inner_text(xml, "CallerReference")?);
    (paths.len() == quantity).then_some(InvalidationBatch {
        paths,
        caller_reference,
    })
}

fn inner_text<'a>(xml: &'a str, element: &str) -> Option<&'a str> {
    let open = format!("<{element}>");
    let close = format!("</{element}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&close)?;
    Some(&xml[start..end])
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// CloudFront's `201 Created` with the `Invalidation` document the SDK
/// parses.
fn created_response(distribution: &str, id: &str, batch: &InvalidationBatch) -> Response<EdgeBody> {
    let items: String = batch
        .paths
        .iter()
        .map(|p| format!("<Path>{}</Path>", escape(p)))
        .collect();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Invalidation xmlns=\"{NAMESPACE}\"><Id>{id}</Id><Status>Completed</Status><CreateTime>{}</CreateTime><InvalidationBatch><Paths><Quantity>{}</Quantity><Items>{items}</Items></Paths><CallerReference>{}</CallerReference></InvalidationBatch></Invalidation>",
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        batch.paths.len(),
        escape(&batch.caller_reference),
    );
    let mut response = Response::new(full(body));
    *response.status_mut() = StatusCode::CREATED;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    let location = format!(
        "https://cloudfront.amazonaws.com{API_PREFIX}distribution/{distribution}/invalidation/{id}"
    );
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(LOCATION, value);
    }
    response
}

/// CloudFront's error document.
fn error(status: StatusCode, code: &str, message: &str) -> Response<EdgeBody> {
    let kind = if status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        escape(message),
        ulid::Ulid::new(),
    );
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_as_the_sdk_sends_it_gives_its_paths_and_reference() {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InvalidationBatch xmlns=\"{NAMESPACE}\"><Paths><Quantity>2</Quantity><Items><Path>/isr-on-demand</Path><Path>/a?b=1&amp;_rsc=*</Path></Items></Paths><CallerReference>1733</CallerReference></InvalidationBatch>"
        );
        assert_eq!(
            parse_batch(&xml),
            Some(InvalidationBatch {
                paths: vec!["/isr-on-demand".into(), "/a?b=1&_rsc=*".into()],
                caller_reference: "1733".into(),
            })
        );
    }

    #[test]
    fn a_batch_whose_quantity_disagrees_or_lacks_a_reference_is_refused() {
        let wrong = "<InvalidationBatch><Paths><Quantity>3</Quantity><Items><Path>/a</Path></Items></Paths><CallerReference>r</CallerReference></InvalidationBatch>";
        assert_eq!(parse_batch(wrong), None);
        let no_reference = "<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths></InvalidationBatch>";
        assert_eq!(parse_batch(no_reference), None);
    }
}

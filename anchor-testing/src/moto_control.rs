//! moto's own control calls, over plain HTTP/1.1 on loopback: resetting its
//! state and creating the IAM role its Lambda requires. (The AWS IAM crate
//! would be one more SDK to compile for one call.)

use std::io::{Read, Write};
use std::net::TcpStream;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// moto's default account, in every ARN it makes.
pub const ACCOUNT: &str = "123456789012";

/// What a form value keeps as is: RFC 3986's unreserved characters.
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Forgets every resource moto holds (`POST /moto-api/reset`).
pub fn reset(endpoint: &str) -> std::io::Result<()> {
    let (status, body) = post(endpoint, "/moto-api/reset", &[], "")?;
    expect_ok("moto reset", status, &body)
}

/// Creates the Lambda execution role `role_name` (trusting
/// `lambda.amazonaws.com`) and returns its ARN. moto's Lambda refuses
/// functions whose role does not exist.
pub fn create_role(endpoint: &str, role_name: &str) -> std::io::Result<String> {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let body = format!(
        "Action=CreateRole&Version=2010-05-08&RoleName={}&AssumeRolePolicyDocument={}",
        utf8_percent_encode(role_name, FORM_VALUE),
        utf8_percent_encode(policy, FORM_VALUE)
    );
    // moto does not check signatures; the dummy key names no account.
    let auth = "AWS4-HMAC-SHA256 Credential=moto/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0";
    let headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Authorization", auth),
    ];
    let (status, reply) = post(endpoint, "/", &headers, &body)?;
    expect_ok("IAM CreateRole", status, &reply)?;
    Ok(format!("arn:aws:iam::{ACCOUNT}:role/{role_name}"))
}

fn expect_ok(what: &str, status: u16, body: &str) -> std::io::Result<()> {
    if status == 200 {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "{what} answered {status}: {body}"
        )))
    }
}

/// One HTTP/1.1 POST with `Connection: close`; returns status and body.
fn post(
    endpoint: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String)> {
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host)?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply)?;
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = reply.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    Ok((status, body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_keep_only_unreserved_characters() {
        let encoded = utf8_percent_encode(r#"{"a b":"c/d~e_f.g-h"}"#, FORM_VALUE).to_string();
        assert_eq!(encoded, "%7B%22a%20b%22%3A%22c%2Fd~e_f.g-h%22%7D");
    }
}

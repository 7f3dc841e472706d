//! moto's own control calls, over plain HTTP on loopback, for every
//! suite: resetting its state and creating the IAM role its Lambda
//! requires. (The AWS IAM crate
//! would be one more SDK to compile for one call.)

use std::io::{Read, Write};
use std::net::TcpStream;

/// moto's default account.
pub const ACCOUNT: &str = "123456789012";
/// The Lambda execution role the benchmark's functions use.
pub const ROLE_NAME: &str = "anchor-bench-lambda";

/// Forgets every resource moto holds.
pub fn reset(endpoint: &str) -> std::io::Result<()> {
    let (status, body) = post(endpoint, "/moto-api/reset", &[], "")?;
    expect_ok("moto reset", status, &body)
}

/// Creates the execution role and returns its ARN.
pub fn create_role(endpoint: &str) -> std::io::Result<String> {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let body = format!(
        "Action=CreateRole&Version=2010-05-08&RoleName={ROLE_NAME}&AssumeRolePolicyDocument={}",
        form_encode(policy)
    );
    // moto does not check signatures; the dummy key names no account.
    let auth = "AWS4-HMAC-SHA256 Credential=moto/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0";
    let headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Authorization", auth),
    ];
    let (status, reply) = post(endpoint, "/", &headers, &body)?;
    expect_ok("IAM CreateRole", status, &reply)?;
    Ok(format!("arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"))
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

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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

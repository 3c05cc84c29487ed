//! Chrome DevTools Protocol commands through ChromeDriver (emulated media and viewports
//! in tests, memory and instrumentation in the benchmark).

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Harness;

/// ChromeDriver's CDP passthrough (`POST /session/{id}/goog/cdp/execute`), which fantoccini
/// has no method for: a minimal HTTP/1.1 request over loopback.
pub struct Cdp {
    /// `127.0.0.1:<port>`
    addr: String,
    session: String,
}

impl Cdp {
    pub async fn new(h: &Harness) -> Result<Cdp, String> {
        let session = h
            .client
            .session_id()
            .await
            .map_err(|e| format!("session id: {e}"))?
            .ok_or("no WebDriver session")?;
        let addr = h.driver_url().trim_start_matches("http://").to_owned();
        Ok(Cdp { addr, session })
    }

    pub async fn call(&self, cmd: &str, params: Value) -> Result<Value, String> {
        let body = json!({ "cmd": cmd, "params": params }).to_string();
        let request = format!(
            "POST /session/{}/goog/cdp/execute HTTP/1.1\r\nHost: {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.session,
            self.addr,
            body.len()
        );
        let mut stream = TcpStream::connect(&self.addr)
            .await
            .map_err(|e| format!("{cmd}: connect: {e}"))?;
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("{cmd}: write: {e}"))?;
        let (head, body) = read_response(&mut stream)
            .await
            .map_err(|e| format!("{cmd}: read: {e}"))?;
        let status = head.split_whitespace().nth(1).unwrap_or_default();
        let value: Value =
            serde_json::from_str(&body).map_err(|e| format!("{cmd}: {status}: {e}: {body}"))?;
        if status != "200" {
            return Err(format!(
                "{cmd}: HTTP {status}: {}",
                value["value"]["message"]
            ));
        }
        Ok(value["value"].clone())
    }
}

/// Reads one HTTP/1.1 response: its head and its body (by Content-Length, chunked, or to EOF).
/// ChromeDriver keeps the socket open after answering, so EOF alone cannot end the read.
async fn read_response(stream: &mut TcpStream) -> std::io::Result<(String, String)> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let lower = head.to_ascii_lowercase();
            let length = lower
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let complete = match length {
                Some(length) => body.len() >= length,
                None if lower.contains("transfer-encoding: chunked")
                    || lower.contains("transfer-encoding:chunked") =>
                {
                    body.ends_with("0\r\n\r\n")
                }
                None => n == 0,
            };
            if complete || n == 0 {
                let body = if length.is_none() && lower.contains("chunked") {
                    dechunk(body)
                } else {
                    body.to_owned()
                };
                return Ok((head.to_owned(), body));
            }
        } else if n == 0 {
            return Err(std::io::Error::other("connection closed before the answer"));
        }
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk("4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n"), "{\"a\":1}");
    }
}

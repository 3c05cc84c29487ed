//! Which endpoint URLs the widget talks to. Every URL that reaches a request or a socket
//! passes here first: the page's `data-*` URLs, Copilot Studio's regional Direct Line
//! answer, the discovered base kept with a stored chat, and a conversation's `streamUrl`.
//!
//! The rule: an absolute URL with a host, `https` (`wss` for a stream), plain `http`/`ws`
//! only on the visitor's own machine (`localhost`, `127.0.0.1`, `[::1]`, any port). No
//! protocol-relative `//host`, no userinfo (`https://good@evil` goes to `evil`), no
//! backslash (browsers read `\` as `/`: `/\evil` is `//evil`), no whitespace or control
//! characters. A page may also name a path on its own origin (see [`is_origin_path`]).
//!
//! Must not import anything outside core.

/// Hosts where plain `http`/`ws` is allowed: the visitor's own machine.
const LOOPBACK: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// An absolute `https` URL, or `http` on the visitor's own machine.
pub fn is_endpoint(url: &str) -> bool {
    allowed(url, "https", "http")
}

/// An absolute `wss` URL, or `ws` on the visitor's own machine.
pub fn is_stream(url: &str) -> bool {
    allowed(url, "wss", "ws")
}

/// A path from the root of the page's origin (`/api/token`): as safe as the page itself.
/// Relative paths (`./x`, `x`) are not, as they mean something else on each page of a site.
pub fn is_origin_path(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//") && plain(url)
}

fn allowed(url: &str, secure: &str, local: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some(host) = host(authority).filter(|_| plain(url)) else {
        return false;
    };
    scheme.eq_ignore_ascii_case(secure)
        || scheme.eq_ignore_ascii_case(local)
            && LOOPBACK.iter().any(|l| host.eq_ignore_ascii_case(l))
}

/// No character a browser would read differently than this module does.
fn plain(url: &str) -> bool {
    !url.chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

/// The host of `host[:port]` or `[v6][:port]`; `None` for an empty host, userinfo (`@`) or
/// anything but a name, an address and a numeric port.
fn host(authority: &str) -> Option<&str> {
    let (host, port) = match authority.rfind(':') {
        // A colon inside `[…]` is the IPv6 address's, not a port's.
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    let port_ok =
        port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok());
    let name_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => {
            !v6.is_empty()
                && v6
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        }
        None => {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        }
    };
    (port_ok && name_ok).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_on_the_visitors_machine() {
        for good in [
            "https://directline.botframework.com/v3/directline",
            "HTTPS://Europe.DirectLine.botframework.com/",
            "https://host.test",
            "https://host.test:8443/path?q=http://x#frag",
            "https://10.0.0.1/x",
            "https://[2001:db8::1]:443/x",
            "https://my_host.internal/x",
            "http://localhost/x",
            "http://LOCALHOST:3000/v3/directline",
            "http://127.0.0.1:8080/",
            "http://[::1]:8080/x",
            "http://localhost?x",
        ] {
            assert!(is_endpoint(good), "{good}");
        }
        for bad in [
            "http://example.com/token",
            "http://192.168.1.10:8080/",
            "http://127.0.0.2/",
            "http://localhost.evil.com/",
            "http://[::2]/",
            "http://localhost@evil.com/",
            "ftp://host.test/",
            "javascript://host.test/%0aalert(1)",
            "wss://host.test/",
            "data:text/html,x",
        ] {
            assert!(!is_endpoint(bad), "{bad}");
        }
    }

    #[test]
    fn only_absolute_urls_with_a_plain_host() {
        for bad in [
            "",
            "//evil.com/token",
            "/api/token",
            "./token",
            "../token",
            "token",
            "https:",
            "https://",
            "https:///evil.com",
            "https:evil.com",
            "https:/evil.com",
            "https://good.com@evil.com/",
            "https://user:pass@host.test/",
            "https://@host.test/",
            "https://good.com\\@evil.com/",
            "https:\\\\evil.com",
            "https://host.test:/",
            "https://host.test:99999/",
            "https://host.test:+80/",
            "https://host.test:80:80/",
            "https://[::1/",
            "https://[]/",
            "https://[::1]x/",
            "https://::1/",
            "https://ho st.test/",
            "https://host.test/a b",
            " https://host.test/",
            "https://host.test/\n",
            "https://host.test/\u{0}",
            "https://host.test\t/",
            "https://h\u{e9}te.test/",
            "https://evil.com%2F@good.com/",
        ] {
            assert!(!is_endpoint(bad), "{bad:?}");
        }
    }

    #[test]
    fn streams_are_wss_or_ws_on_the_visitors_machine() {
        assert!(is_stream(
            "wss://directline.botframework.com/v3/directline/conversations/a/stream?t=x.y"
        ));
        assert!(is_stream(
            "ws://127.0.0.1:8080/v3/directline/conversations/a/stream"
        ));
        assert!(is_stream("WS://localhost/s"));
        assert!(is_stream("ws://[::1]:1/s"));
        for bad in [
            "ws://evil.com/stream",
            "https://host.test/stream",
            "//host.test/stream",
            "/stream",
            "wss://a@host.test/",
            "wss:///host.test",
        ] {
            assert!(!is_stream(bad), "{bad}");
        }
    }

    #[test]
    fn a_page_may_name_a_path_on_its_own_origin() {
        for good in ["/api/directline/token", "/", "/v3/directline?x=1#y", "/a@b"] {
            assert!(is_origin_path(good), "{good}");
        }
        for bad in [
            "//evil.com/x",
            "/\\evil.com/x",
            "./token",
            "../token",
            "token",
            "",
            "/a b",
            "/a\u{7f}",
            "https://host.test/",
        ] {
            assert!(!is_origin_path(bad), "{bad:?}");
        }
    }
}

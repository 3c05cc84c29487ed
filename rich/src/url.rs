//! URL allow-lists for links, images and media from untrusted activities. Every URL an
//! activity supplies passes one of these before it reaches an attribute: the scheme is
//! checked on the exact string the browser will get (trimmed, no control characters or
//! whitespace that a browser would strip to turn `java\tscript:` into `javascript:`).

/// Largest `data:` image accepted (a bigger one is a denial of service, not a picture).
const MAX_DATA: usize = 1 << 20;

/// A link target: http(s), mailto or tel, absolute, no control characters; else None.
pub fn link(url: &str) -> Option<String> {
    let (url, scheme, rest) = split(url)?;
    let ok = match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => has_host(rest),
        "mailto" => !rest.is_empty(),
        // A phone number (RFC 3966's visual separators and parameters), nothing else.
        "tel" => {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.()*#;=,".contains(&b))
        }
        _ => false,
    };
    ok.then(|| url.to_owned())
}

/// An image source: http(s), or `data:image/{png,jpeg,gif,webp}`; else None.
pub fn image(url: &str) -> Option<String> {
    let (url, scheme, rest) = split(url)?;
    if scheme.eq_ignore_ascii_case("data") {
        // The media type ends at the first parameter or the data.
        let mime = rest.split([';', ',']).next().unwrap_or_default();
        let ok = [
            "image/png",
            "image/jpeg",
            "image/jpg",
            "image/gif",
            "image/webp",
        ]
        .iter()
        .any(|m| mime.eq_ignore_ascii_case(m));
        return (ok && rest.contains(',') && url.len() <= MAX_DATA).then(|| url.to_owned());
    }
    web(url, scheme, rest)
}

/// An audio/video/file source: http(s) only; else None.
pub fn media(url: &str) -> Option<String> {
    let (url, scheme, rest) = split(url)?;
    web(url, scheme, rest)
}

fn web(url: &str, scheme: &str, rest: &str) -> Option<String> {
    let http = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    (http && has_host(rest)).then(|| url.to_owned())
}

/// The trimmed URL, its scheme and what follows the colon; None when there is no scheme
/// (relative, `//host`) or a character a browser would strip or choke on.
fn split(url: &str) -> Option<(&str, &str, &str)> {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace());
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let (scheme, rest) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let ok = first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then_some((url, scheme, rest))
}

/// `//host...` with a non-empty host (after any `user@`, before any `:port`).
fn has_host(rest: &str) -> bool {
    let Some(after) = rest.strip_prefix("//") else {
        return false;
    };
    let authority = after
        .split(['/', '?', '#', '\\'])
        .next()
        .unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    !host.split(':').next().unwrap_or_default().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_allow_web_mail_and_phone_only() {
        assert_eq!(
            link(" https://a.example/x?y#z \n").as_deref(),
            Some("https://a.example/x?y#z")
        );
        assert_eq!(
            link("HTTP://A.example").as_deref(),
            Some("HTTP://A.example")
        );
        assert_eq!(
            link("mailto:a@b.example").as_deref(),
            Some("mailto:a@b.example")
        );
        assert_eq!(link("tel:+15551234").as_deref(), Some("tel:+15551234"));
        assert_eq!(
            link("tel:+1-555-123(4);ext=5").as_deref(),
            Some("tel:+1-555-123(4);ext=5")
        );
        assert_eq!(link("tel:javascript:alert(1)"), None);
        assert_eq!(
            link("https://user@host:8080/").as_deref(),
            Some("https://user@host:8080/")
        );
        assert!(link("https://[::1]/").is_some());
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            " javascript:alert(1)",
            "java\0script:x",
            "https://a.example/\u{7f}",
            "https://a.example/ x",
            "vbscript:msgbox",
            "data:text/html,<script>",
            "//evil.example",
            "/relative/path",
            "relative.html",
            "./a:b",
            "cite:1",
            "https:evil",
            "https://",
            "https:///path",
            "https://@/",
            "https://:80/",
            "http:\\\\evil",
            "mailto:",
            "",
            "1http://x",
        ] {
            assert_eq!(link(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn images_allow_web_and_raster_data_urls() {
        assert!(image("https://a.example/i.png").is_some());
        assert!(image("data:image/png;base64,iVBORw0KGgo=").is_some());
        assert!(image("DATA:IMAGE/JPEG;base64,AAAA").is_some());
        assert!(image("data:image/webp,AAAA").is_some());
        assert!(image("data:image/gif;base64,R0lGOD").is_some());
        for bad in [
            "data:image/svg+xml;base64,PHN2Zz4=",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "data:text/html;base64,PHNjcmlwdD4=",
            "data:image/png",
            "javascript:alert(1)",
            "mailto:a@b.example",
            "//evil.example/i.png",
            "i.png",
        ] {
            assert_eq!(image(bad), None, "{bad:?}");
        }
        let mut big = String::from("data:image/png;base64,");
        big.push_str(&"A".repeat(MAX_DATA));
        assert_eq!(image(&big), None);
    }

    #[test]
    fn media_is_web_only() {
        assert!(media("https://a.example/v.mp4").is_some());
        assert_eq!(media("data:image/png;base64,AAAA"), None);
        assert_eq!(media("mailto:a@b.example"), None);
        assert_eq!(media("javascript:x"), None);
    }
}

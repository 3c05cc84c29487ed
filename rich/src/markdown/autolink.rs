//! GFM autolink literals (`https://…`, `www.…`, plain e-mail addresses), which pulldown-cmark
//! does not parse: found in runs of text outside code and links, with GFM's rules for
//! trailing punctuation. One pass, and no stretch of text is scanned twice (hostile input
//! stays linear).

/// The autolinks in `s`, in order: byte range and the href it gets.
pub(super) fn find(s: &str) -> Vec<(usize, usize, String)> {
    let b = s.as_bytes();
    let mut found = Vec::new();
    let (mut i, mut done) = (0, 0);
    while let Some(&c) = b.get(i) {
        // GFM: a URL literal starts a word (or follows `*`, `_`, `~`, `(`).
        let boundary = i == 0
            || matches!(
                byte(b, i - 1),
                b' ' | b'\t' | b'\n' | b'\r' | b'*' | b'_' | b'~' | b'('
            );
        let hit = if boundary && matches!(c, b'h' | b'H' | b'w' | b'W') {
            url_at(s, i)
        } else if c == b'@' {
            email_at(s, i, done)
        } else {
            None
        };
        match hit {
            Some(Ok((start, end, href))) => {
                found.push((start, end, href));
                (i, done) = (end, end);
            }
            // Nothing in a scanned stretch can start another link: skip it.
            Some(Err(skip)) => i = skip.max(i + 1),
            None => i += 1,
        }
    }
    found
}

type Hit = Result<(usize, usize, String), usize>;

fn byte(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn domain_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.') || c >= 0x80
}

/// `http://`, `https://` or `www.` at `i`: Some(Ok) a link, Some(Err(end)) not one.
fn url_at(s: &str, i: usize) -> Option<Hit> {
    let rest = s.get(i..)?;
    let starts = |p: &str| {
        rest.get(..p.len())
            .is_some_and(|r| r.eq_ignore_ascii_case(p))
    };
    let (skip, prefix) = if starts("https://") {
        (8, "")
    } else if starts("http://") {
        (7, "")
    } else if starts("www.") {
        (0, "https://")
    } else {
        return None;
    };
    let after = rest.get(skip..)?;
    let domain = after.bytes().take_while(|&c| domain_byte(c)).count();
    if !valid_domain(after.get(..domain)?) {
        return Some(Err(i + skip + domain));
    }
    let len = after
        .find(|c: char| c.is_whitespace() || c == '<')
        .unwrap_or(after.len());
    let link = trim(rest.get(..skip + len)?);
    let host = link.get(skip..)?.split(['/', '?', '#']).next()?;
    if !valid_domain(host) || (prefix.is_empty() && host.is_empty()) {
        return Some(Err(i + skip + len));
    }
    let mut href = String::from(prefix);
    href.push_str(link);
    Some(Ok((i, i + link.len(), href)))
}

/// GFM's valid domain: dotted, no underscore in its last two segments.
fn valid_domain(d: &str) -> bool {
    let d = d.trim_end_matches('.');
    d.contains('.')
        && !d
            .rsplit('.')
            .take(2)
            .any(|seg| seg.is_empty() || seg.contains('_'))
}

/// GFM's trailing punctuation: not part of the link (`)` only when unbalanced, `;` only
/// when it ends an entity reference like `&amp;`).
fn trim(mut link: &str) -> &str {
    let opens = link.matches('(').count();
    let mut closes = link.matches(')').count();
    loop {
        let cut = match link.as_bytes().last() {
            Some(b'?' | b'!' | b'.' | b',' | b':' | b'*' | b'_' | b'~' | b'\'' | b'"') => 1,
            Some(b')') if closes > opens => {
                closes -= 1;
                1
            }
            Some(b';') => {
                let body = link.get(..link.len() - 1).unwrap_or_default();
                let name = body.len()
                    - body
                        .trim_end_matches(|c: char| c.is_ascii_alphanumeric())
                        .len();
                if name > 0 && body.as_bytes().get(body.len() - name - 1) == Some(&b'&') {
                    name + 2
                } else {
                    return link;
                }
            }
            _ => return link,
        };
        link = link.get(..link.len() - cut).unwrap_or_default();
    }
}

/// A plain e-mail address around the `@` at `at` (its local part not reaching back before
/// `from`, the end of the previous link).
fn email_at(s: &str, at: usize, from: usize) -> Option<Hit> {
    let b = s.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-' | b'_');
    let mut start = at;
    while start > from && local(byte(b, start - 1)) {
        start -= 1;
    }
    let mut end = at + 1;
    while end < b.len()
        && (byte(b, end).is_ascii_alphanumeric() || matches!(byte(b, end), b'-' | b'_' | b'.'))
    {
        end += 1;
    }
    let scanned = end;
    while end > at + 1 && byte(b, end - 1) == b'.' {
        end -= 1;
    }
    let domain = s.get(at + 1..end)?;
    let last = byte(b, end - 1);
    if start == at || !domain.contains('.') || matches!(last, b'-' | b'_') {
        return Some(Err(scanned));
    }
    let mut href = String::from("mailto:");
    href.push_str(s.get(start..end)?);
    Some(Ok((start, end, href)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(s: &str) -> Vec<(&str, String)> {
        find(s).into_iter().map(|(a, b, h)| (&s[a..b], h)).collect()
    }

    #[test]
    fn urls_www_and_emails_with_gfm_trailing_punctuation() {
        assert_eq!(
            links("See https://a.example/x?y=1. Or (www.b.example/p_(q)), ok?"),
            [
                ("https://a.example/x?y=1", "https://a.example/x?y=1".into()),
                ("www.b.example/p_(q)", "https://www.b.example/p_(q)".into()),
            ]
        );
        assert_eq!(
            links("mail foo.bar+x@mail.example. now"),
            [(
                "foo.bar+x@mail.example",
                "mailto:foo.bar+x@mail.example".into()
            )]
        );
        assert_eq!(
            links("http://a.example/?q=1&amp; x"),
            [("http://a.example/?q=1", "http://a.example/?q=1".into())]
        );
        assert_eq!(links("HTTPS://A.EXAMPLE!")[0].0, "HTTPS://A.EXAMPLE");
        assert_eq!(links("é http://a.example/é x")[0].0, "http://a.example/é");
    }

    #[test]
    fn not_links() {
        for s in [
            "xhttp://a.example",
            "http://localhost",
            "www.",
            "www.a_b.c_d",
            "http://...",
            "@a.example",
            "a@b",
            "a@b.c-",
            "nowww.a.example",
            "https://",
        ] {
            assert_eq!(links(s), [], "{s:?}");
        }
    }

    #[test]
    fn hostile_runs_are_linear() {
        let s = "a@".repeat(200_000) + &"(www.a_b".repeat(100_000) + &"http://x".repeat(100_000);
        let t = std::time::Instant::now();
        assert_eq!(find(&s).len(), 0);
        assert!(t.elapsed().as_secs() < 2);
    }
}

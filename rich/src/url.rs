//! URL allow-lists for links, images and media from untrusted activities.
// STUB: helper A implements.

/// A link target: http(s), mailto or tel, absolute, no control characters; else None.
pub fn link(_url: &str) -> Option<String> {
    None
}

/// An image source: http(s), or `data:image/{png,jpeg,gif,webp}`; else None.
pub fn image(_url: &str) -> Option<String> {
    None
}

/// An audio/video/file source: http(s) only; else None.
pub fn media(_url: &str) -> Option<String> {
    None
}

use super::*;
use crate::action::Action;
use crate::citations::{self, from_activity};
use crate::node::MAX_NODES;
use crate::strings::Lang;

fn ctx() -> Ctx {
    Ctx::new("u", Lang::En, None, "p")
}

fn md(s: &str) -> String {
    let mut out = Rendered::default();
    out.nodes = render(s, &ctx(), &mut out);
    out.html()
}

const HINT: &str = "<span class=\"hc-visually-hidden\"> (opens in a new tab)</span>";

#[test]
fn blocks_map_to_bubble_elements() {
    assert_eq!(
        md("# A\n## B\n### C\n#### D\n###### E"),
        "<h3>A</h3><h4>B</h4><h5>C</h5><h6>D</h6><h6>E</h6>"
    );
    assert_eq!(
        md("a\nb  \nc\n\n---\n\n> q"),
        "<p>a\nb<br></br>c</p><hr></hr><blockquote><p>q</p></blockquote>"
    );
    assert_eq!(
        md("```rust\nfn x() {}\n```"),
        "<pre><code>fn x() {}\n</code></pre>"
    );
    assert_eq!(md("- a\n- b"), "<ul><li>a</li><li>b</li></ul>");
    assert_eq!(
        md("1. a\n\n3. b"),
        "<ol><li><p>a</p></li><li><p>b</p></li></ol>"
    );
    assert_eq!(md("3. a"), "<ol start=\"3\"><li>a</li></ol>");
    assert_eq!(
        md("- [x] done\n- [ ] todo"),
        "<ul><li><input type=\"checkbox\" disabled=\"\" checked=\"\"></input>done</li>\
         <li><input type=\"checkbox\" disabled=\"\"></input>todo</li></ul>"
    );
}

#[test]
fn inline_elements() {
    assert_eq!(
        md("*e* **s** ~~d~~ `c <b>`"),
        "<p><em>e</em> <strong>s</strong> <del>d</del> <code>c &lt;b&gt;</code></p>"
    );
}

#[test]
fn tables_use_alignment_classes_and_a_scroll_wrapper() {
    assert_eq!(
        md("| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |"),
        "<div class=\"hc-md-table\"><table><thead><tr><th class=\"hc-left\">a</th>\
         <th class=\"hc-center\">b</th><th class=\"hc-right\">c</th><th>d</th></tr></thead>\
         <tbody><tr><td class=\"hc-left\">1</td><td class=\"hc-center\">2</td>\
         <td class=\"hc-right\">3</td><td>4</td></tr></tbody></table></div>"
    );
}

#[test]
fn links_open_in_a_new_tab_with_a_hint_and_refused_schemes_keep_their_text() {
    let a = "<a href=\"https://a.example/\" target=\"_blank\" rel=\"noopener noreferrer\">";
    assert_eq!(
        md("[x *y*](https://a.example/)"),
        format!("<p>{a}x <em>y</em>{HINT}</a></p>")
    );
    assert_eq!(
        md("<https://a.example/>"),
        format!("<p>{a}https://a.example/{HINT}</a></p>")
    );
    assert_eq!(
        md("[m](mailto:a@b.example) <a@b.example>"),
        "<p><a href=\"mailto:a@b.example\" target=\"_blank\" rel=\"noopener noreferrer\">m</a> \
         <a href=\"mailto:a@b.example\" target=\"_blank\" rel=\"noopener noreferrer\">a@b.example</a></p>"
    );
    for bad in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "vbscript:x",
        "data:text/html,x",
        "//evil",
        "rel/a",
    ] {
        assert_eq!(
            md(&format!("[click **me**]({bad})")),
            "<p>click <strong>me</strong></p>",
            "{bad}"
        );
    }
    let mut out = Rendered::default();
    render("[a](https://a.example/)", &ctx(), &mut out);
    assert!(out.actions.is_empty());
}

#[test]
fn images_are_lazy_and_refused_ones_leave_their_alt_text() {
    assert_eq!(
        md("![a *b*](https://a.example/i.png \"t\")"),
        "<p><img src=\"https://a.example/i.png\" alt=\"a b\" loading=\"lazy\"></img></p>"
    );
    assert_eq!(
        md("![x](data:image/svg+xml,<svg/onload=alert(1)>)"),
        "<p>x</p>"
    );
    assert_eq!(md("![alt](javascript:alert(1))"), "<p>alt</p>");
    assert_eq!(md("![alt](data:image/svg+xml;base64,AAAA)"), "<p>alt</p>");
}

#[test]
fn raw_html_is_shown_as_text() {
    assert_eq!(
        md("<script>alert(1)</script>"),
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    );
    assert_eq!(
        md("hi <img src=x onerror=alert(1)> there"),
        "<p>hi &lt;img src=x onerror=alert(1)&gt; there</p>"
    );
    assert_eq!(
        md("<div>\n*x*\n</div>"),
        "<p>&lt;div&gt;\n*x*\n&lt;/div&gt;</p>"
    );
}

#[test]
fn autolink_literals_outside_code_and_links() {
    let h = md("see www.a.example/x, or https://b.example/(y)). mail me@c.example.");
    assert_eq!(
        h,
        format!(
            "<p>see <a href=\"https://www.a.example/x\" target=\"_blank\" rel=\"noopener noreferrer\">www.a.example/x{HINT}</a>, \
             or <a href=\"https://b.example/(y)\" target=\"_blank\" rel=\"noopener noreferrer\">https://b.example/(y){HINT}</a>). \
             mail <a href=\"mailto:me@c.example\" target=\"_blank\" rel=\"noopener noreferrer\">me@c.example</a>.</p>"
        )
    );
    // pulldown-cmark splits text at `_`; the literal is still one link.
    assert!(md("x https://a.example/a_b_c y").contains("href=\"https://a.example/a_b_c\""));
    assert_eq!(
        md("`https://a.example`"),
        "<p><code>https://a.example</code></p>"
    );
    assert_eq!(
        md("```\nhttps://a.example\n```"),
        "<pre><code>https://a.example\n</code></pre>"
    );
    assert_eq!(
        md("[https://a.example](https://b.example)")
            .matches("<a ")
            .count(),
        1
    );
}

fn count(nodes: &[Node]) -> (usize, usize) {
    // (elements, deepest nesting), walked without recursion.
    let (mut n, mut deepest) = (0, 0);
    let mut stack: Vec<(&Node, usize)> = nodes.iter().map(|k| (k, 1)).collect();
    while let Some((node, d)) = stack.pop() {
        if let Node::El(e) = node {
            n += 1;
            deepest = deepest.max(d);
            stack.extend(e.kids.iter().map(|k| (k, d + 1)));
        }
    }
    (n, deepest)
}

#[test]
fn deep_nesting_is_flattened_without_losing_text() {
    for src in [
        ">".repeat(10_000) + " deep",
        "- ".repeat(10_000) + "deep",
        "*".repeat(10_000) + "deep" + &"*".repeat(10_000),
        "[".repeat(10_000) + "deep" + &"]".repeat(10_000),
    ] {
        let t = std::time::Instant::now();
        let mut out = Rendered::default();
        let nodes = render(&src, &ctx(), &mut out);
        let (n, d) = count(&nodes);
        assert!(n <= MAX_NODES && d <= LIMIT, "{n} {d}");
        assert!(nodes
            .iter()
            .map(Node::text_content)
            .collect::<String>()
            .contains("deep"));
        assert!(t.elapsed().as_secs() < 5);
    }
}

#[test]
fn a_megabyte_is_bounded_and_keeps_its_text() {
    let src = "para **b** https://a.example [l](https://b.example)\n\n".repeat(20_000);
    assert!(src.len() > 1_000_000);
    let t = std::time::Instant::now();
    let mut out = Rendered::default();
    let nodes = render(&src, &ctx(), &mut out);
    assert!(count(&nodes).0 <= MAX_NODES);
    let all: String = nodes.iter().map(Node::text_content).collect();
    assert_eq!(all.matches("para").count(), 20_000);
    assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
}

#[test]
fn citations_both_forms() {
    let activity: serde_json::Value =
        serde_json::from_str(include_str!("citation_example.json")).unwrap_or_default();
    let cites = from_activity(&activity);
    let mut out = Rendered::default();
    let text = activity["text"].as_str().unwrap_or_default();
    out.nodes = render_with(text, &ctx(), &mut out, &cites);
    let h = out.html();
    assert!(h.contains("<button type=\"button\" class=\"hc-cite\" aria-label=\"Source 1: Use a proxy server in Windows\" data-action=\"0\">1</button>"), "{h}");
    assert!(
        h.contains("aria-label=\"Source 2: Proxy doc\" data-action=\"1\">2</button>"),
        "{h}"
    );
    assert!(
        h.contains(
            "aria-label=\"Source 3: Configuring proxy settings\" data-action=\"2\">3</button>"
        ),
        "{h}"
    );
    assert!(!h.contains("[1]") && !h.contains("cite:"), "{h}");
    assert_eq!(
        out.actions[0],
        Action::Open {
            url: "https://support.microsoft.com/proxy".into(),
            popup: false
        }
    );
    assert_eq!(
        out.actions[2],
        Action::Cite {
            title: "Configuring proxy settings".into(),
            text: "Open **Settings**, then Proxy.".into()
        }
    );
    let list = citations::sources(&cites, &ctx(), &mut out)
        .map(|n| n.html())
        .unwrap_or_default();
    assert_eq!(
        list,
        format!(
            "<section class=\"hc-sources\"><p class=\"hc-sources__title\">Sources</p><ol>\
             <li><a href=\"https://support.microsoft.com/proxy\" target=\"_blank\" rel=\"noopener noreferrer\">[1] Use a proxy server in Windows\
             <span class=\"hc-badge\">Confidential</span>{HINT}</a></li>\
             <li><a href=\"https://learn.example/proxy\" target=\"_blank\" rel=\"noopener noreferrer\">[2] Proxy doc{HINT}</a></li>\
             <li><button type=\"button\" data-action=\"3\">[3] Configuring proxy settings</button></li></ol></section>"
        )
    );
}

#[test]
fn markdown_only_citations_and_cite_links_without_claims() {
    let cites = Citations::default();
    let mut out = Rendered::default();
    let src = "A[1], B[x], C [see](https://c.example).\n\n[1]: https://a.example \"Alpha\"\n[x]: cite:9 \"Beta text\"\n[n]: cite:5";
    out.nodes = render_with(src, &ctx(), &mut out, &cites);
    assert_eq!(
        out.html(),
        format!(
            "<p>A<button type=\"button\" class=\"hc-cite\" aria-label=\"Source 1: Alpha\" data-action=\"0\">1</button>, \
             B<button type=\"button\" class=\"hc-cite\" aria-label=\"Source x: Beta text\" data-action=\"1\">x</button>, \
             C <a href=\"https://c.example\" target=\"_blank\" rel=\"noopener noreferrer\">see{HINT}</a>.</p>"
        )
    );
    assert_eq!(
        out.actions[1],
        Action::Cite {
            title: "Beta text".into(),
            text: "Beta text".into()
        }
    );
    let list = citations::sources(&cites, &ctx(), &mut out)
        .map(|n| n.text_content())
        .unwrap_or_default();
    assert_eq!(list, "Sources[1] Alpha (opens in a new tab)[x] Beta text");
    // Untitled `cite:` link without a claim: plain text.
    let cites = Citations::default();
    let mut out = Rendered::default();
    let nodes = render_with("see [n]\n\n[n]: cite:5", &ctx(), &mut out, &cites);
    assert_eq!(
        nodes.iter().map(Node::html).collect::<String>(),
        "<p>see n</p>"
    );
}

#[test]
fn pathological_inputs_stay_fast() {
    let defs = "\n\n[1]: https://a.example \"A\"\n[2]: cite:2 \"B\"\n";
    for src in [
        "[a](".repeat(100_000),
        "*a_".repeat(100_000),
        "<a".repeat(100_000),
        "`".repeat(100_000),
        "![".repeat(100_000),
        "| a ".repeat(10_000) + "|\n" + &"|-".repeat(10_000) + "|\n" + &"| b\n".repeat(10_000),
        "[x]: y\n".repeat(50_000) + "[x]",
        "[1] [2][1]".repeat(50_000) + defs,
        "a@b.c ".repeat(100_000),
        "www.a.b/".repeat(100_000),
    ] {
        let t = std::time::Instant::now();
        let cites = Citations::default();
        let mut out = Rendered::default();
        let nodes = render_with(&src, &ctx(), &mut out, &cites);
        assert!(count(&nodes).0 <= MAX_NODES);
        assert!(
            t.elapsed().as_secs() < 5,
            "{:?} {:?}",
            &src[..20],
            t.elapsed()
        );
    }
}

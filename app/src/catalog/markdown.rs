//! Markdown that vendors write, as HTML that is safe to put in a page: `pulldown-cmark`
//! renders CommonMark (with tables and strikethrough), then `ammonia` keeps only harmless tags
//! and attributes — no scripts, no event handlers, no `javascript:` links, and every link
//! marked `rel="nofollow noopener noreferrer"`.

use pulldown_cmark::{Options, Parser, html};

/// `markdown` as sanitised HTML.
pub fn to_safe_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut rendered, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(&rendered)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_nothing_runs() {
        let html = to_safe_html("## What you get\n\n- **The** workflow\n- [Docs](https://x.io)");
        assert!(html.contains("<h2>What you get</h2>"), "{html}");
        assert!(html.contains("<strong>The</strong>"), "{html}");
        assert!(
            html.contains("<a href=\"https://x.io\" rel=\"nofollow noopener noreferrer\">Docs</a>"),
            "{html}"
        );
        for attack in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div style=\"position:fixed\" onclick=\"steal()\">x</div>",
        ] {
            let html = to_safe_html(attack);
            for bad in [
                "<script",
                "onerror",
                "javascript:",
                "<iframe",
                "onclick",
                "style=",
            ] {
                assert!(!html.contains(bad), "{attack} → {html}");
            }
        }
    }
}

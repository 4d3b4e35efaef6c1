//! The page's markup helpers: escaping, a one-pass placeholder renderer for the template
//! files, and HTML tables. Every string that may come from a user (scenario name and
//! text, error messages, host names, labels) goes through [`esc`] before it reaches the
//! page; the renderer substitutes in one pass, so text inside a value is never scanned
//! for placeholders again.

use anyhow::{bail, Result};
use std::fmt::Write;

use super::charts::Table;

/// Escapes `&<>"'` for HTML text and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Replaces each `{{name}}` of `template` with the value of `name` (already HTML) in a
/// single pass. A placeholder with no value is an error: a template and its caller
/// disagree, which a test catches before a user does.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            bail!("unclosed placeholder in a report template");
        };
        let key = after[..end].trim();
        match values.iter().find(|(k, _)| *k == key) {
            Some((_, v)) => out.push_str(v),
            None => bail!("report template placeholder '{{{{{key}}}}}' has no value"),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A table of text cells (escaped), with an optional caption.
pub(crate) fn table(t: &Table, class: &str) -> String {
    let mut s = format!("<div class=\"scroll\"><table class=\"{}\">", esc(class));
    s.push_str("<thead><tr>");
    for h in &t.head {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        s.push_str("<tr>");
        for c in row {
            let _ = write!(s, "<td>{}</td>", esc(c));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s
}

/// A two-column key/value table (keys and values escaped).
pub(crate) fn kv(pairs: &[(&str, String)]) -> String {
    let mut s = String::from("<table class=\"kv\"><tbody>");
    for (k, v) in pairs {
        let _ = write!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
    }
    s.push_str("</tbody></table>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            esc(r#"<script>alert('x') & "y"</script>"#),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn fills_in_one_pass() {
        let out = fill("a {{x}} b {{ y }}", &[("x", "{{y}}"), ("y", "2")]).unwrap();
        assert_eq!(out, "a {{y}} b 2");
        assert!(fill("{{missing}}", &[]).is_err());
        assert!(fill("{{open", &[]).is_err());
    }

    #[test]
    fn tables_escape_cells() {
        let t = Table {
            head: vec!["<h>".into()],
            rows: vec![vec!["<td>".into()]],
        };
        let html = table(&t, "data");
        assert!(html.contains("&lt;h&gt;") && html.contains("&lt;td&gt;"));
        assert!(!html.contains("<h>"));
    }
}

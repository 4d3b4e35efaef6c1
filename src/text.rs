//! Text from users and files made safe to print on a terminal.
//!
//! A scenario value, a path, a flag or a name read from a file can hold control
//! characters: ESC starts a terminal escape sequence (colours, cursor moves, a new window
//! title), CR and BS overwrite what was printed, BEL rings, NUL and C1 codes confuse
//! terminals, and the bidirectional overrides (U+202E ...) make text read backwards.
//! Echoed raw in an error message, they let a file rewrite what the user sees. Every
//! such character is printed as a visible escape instead (`\u{1b}`, `\r`, `\u{202e}`).

use std::borrow::Cow;

/// `s` with every control character escaped, newlines and tabs included: for one value
/// (a name, a path, a scenario string) echoed inside a message.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_with(s, |_| false)
}

/// `s` with every control character escaped except newline and tab: for a whole
/// message that may span lines (an error with its cause, a Python traceback).
pub fn escape_lines(s: &str) -> Cow<'_, str> {
    escape_with(s, |c| c == '\n' || c == '\t')
}

/// A path as [`escape`] shows it (lossy for bytes that are not UTF-8).
pub fn path(p: &std::path::Path) -> String {
    escape(&p.to_string_lossy()).into_owned()
}

fn escape_with(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| needs_escape(c) && !keep(c);
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !unsafe_char(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

/// C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F): Unicode's `Cc`, which is what
/// `char::is_control` tests; and the invisible characters that reorder or split text:
/// the bidirectional marks, embeddings, overrides and isolates, and the line and
/// paragraph separators.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(
            escape("a\u{1b}[31mred\u{7}\r\0\u{7f}\u{9b}"),
            "a\\u{1b}[31mred\\u{7}\\r\\0\\u{7f}\\u{9b}"
        );
        assert_eq!(escape("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(escape("two\nlines\tand"), "two\\nlines\\tand");
    }

    #[test]
    fn plain_text_is_untouched_and_not_copied() {
        for s in [
            "scenarios/my sweep.toml",
            "µs, «quotes», 日本語",
            "a\\u{1b}",
        ] {
            assert!(matches!(escape(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn lines_keep_newlines_and_tabs_only() {
        assert_eq!(
            escape_lines("Error: x\n\tcaused by \u{1b}]0;pwned\u{7}"),
            "Error: x\n\tcaused by \\u{1b}]0;pwned\\u{7}"
        );
        // Escaping twice changes nothing: an escape is plain text.
        let once = escape("\u{1b}\r").into_owned();
        assert_eq!(escape(&once), once);
    }
}

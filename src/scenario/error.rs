//! [`ScenarioError`]: every mistake in a scenario file, with the file, the line, the
//! dotted field and how to fix it.

use std::fmt;
use std::ops::Range;

use crate::text::escape;

/// A mistake in a scenario (or a scenario that cannot be found or read).
///
/// Displays like `scenarios/x.toml:7: sweep.io_fraction: 1.5 is outside [0, 1]; use a
/// share between 0 (pure CPU) and 1 (pure I/O)`. The binary maps it to exit code 2
/// (bad input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The scenario's file (as the user named it), or `builtin:<name>`.
    pub file: String,
    /// 1-based line of the mistake, when it is known.
    pub line: Option<usize>,
    /// Dotted path of the field, e.g. `sweep.io_fraction` or `include[2].model`; empty
    /// when the mistake is not about one field (a TOML syntax error, a missing file).
    pub field: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it; empty when there is nothing useful to add.
    pub fix: String,
}

impl ScenarioError {
    /// An error about the whole file (not found, unreadable), with no line or field.
    pub(crate) fn file(file: &str, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        ScenarioError {
            file: file.to_string(),
            line: None,
            field: String::new(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    /// Every part is escaped ([`crate::text::escape`]): the file name, a key and the
    /// values quoted in the problem come from the user and may hold control characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", escape(&self.field))?;
        }
        write!(f, ": {}", escape(&self.problem))?;
        if !self.fix.is_empty() {
            write!(f, "; {}", escape(&self.fix))?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// The text of a scenario and where it came from: turns byte spans into the line numbers
/// of [`ScenarioError`]s.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    /// The file name used in errors.
    pub name: &'a str,
    /// The file's text.
    pub text: &'a str,
}

impl Source<'_> {
    /// The 1-based line holding byte `pos` (clamped to the text).
    pub fn line_of(&self, pos: usize) -> usize {
        let end = pos.min(self.text.len());
        // A span can start inside a multi-byte character only if the parser is wrong;
        // counting bytes (not chars) makes that harmless.
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// An error at `span` (or at no known line) about `field`.
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        field: &str,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError {
            file: self.name.to_string(),
            line: span.map(|s| self.line_of(s.start)),
            field: field.to_string(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// A TOML syntax error from the parser.
    pub fn syntax(&self, err: &toml::de::Error) -> ScenarioError {
        let line = err.span().map(|s| self.line_of(s.start));
        ScenarioError {
            file: self.name.to_string(),
            line,
            field: String::new(),
            problem: format!("TOML syntax: {}", err.message()),
            fix: "fix the TOML at that line (strings need quotes, lists are [a, b], \
                  tables are [name] headers; see https://toml.io)"
                .to_string(),
        }
    }
}

/// The valid names, ripgrep style (`Choose from: a, b, c.`), with a "did you mean" for a
/// near miss so a typo is a one-glance fix.
pub(crate) fn choose_from(given: &str, valid: &[&str]) -> String {
    let list = valid.join(", ");
    match closest(given, valid) {
        Some(best) => format!("did you mean `{best}`? Choose from: {list}."),
        None => format!("Choose from: {list}."),
    }
}

/// The valid name nearest to `given` by edit distance, if it is plausibly a typo.
fn closest<'v>(given: &str, valid: &[&'v str]) -> Option<&'v str> {
    let given = given.to_ascii_lowercase();
    valid
        .iter()
        .map(|v| (edit_distance(&given, v), *v))
        .filter(|(d, v)| *d > 0 && *d <= v.len().div_ceil(3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

/// Levenshtein distance over chars (names are short: the quadratic cost is nothing).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_field_and_fix() {
        let src = Source {
            name: "scenarios/x.toml",
            text: "a\nb\nc = 1.5\n",
        };
        let e = src.error(
            Some(4..7),
            "sweep.io_fraction",
            "1.5 is outside [0, 1]",
            "use a share between 0 (pure CPU) and 1 (pure I/O)",
        );
        assert_eq!(
            e.to_string(),
            "scenarios/x.toml:3: sweep.io_fraction: 1.5 is outside [0, 1]; \
             use a share between 0 (pure CPU) and 1 (pure I/O)"
        );
    }

    #[test]
    fn display_without_line_field_or_fix() {
        let e = ScenarioError::file("nope.toml", "not found", "");
        assert_eq!(e.to_string(), "nope.toml: not found");
    }

    #[test]
    fn line_of_counts_newlines_and_clamps() {
        let src = Source {
            name: "x",
            text: "ab\ncd\n",
        };
        assert_eq!(src.line_of(0), 1);
        assert_eq!(src.line_of(3), 2);
        assert_eq!(src.line_of(1000), 3);
    }

    #[test]
    fn choose_from_suggests_near_misses_only() {
        let valid = ["io_fraction", "concurrency", "model"];
        assert!(choose_from("io_fractoin", &valid).starts_with("did you mean `io_fraction`?"));
        assert_eq!(
            choose_from("zzz", &valid),
            "Choose from: io_fraction, concurrency, model."
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

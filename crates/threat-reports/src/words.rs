//! Lenient matching of multi-word names: case, whitespace and separators.

/// A text reduced to its lower-case letters and digits, with the places
/// where a separator (whitespace, `_` or `-`) broke it into words.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Words {
    letters: String,
    breaks: Vec<usize>,
}

/// `" In__Progress "` → letters `inprogress`, a break at 2.
///
/// Anything other than an ASCII letter, digit or separator is kept as it is,
/// so it can never match a name made of letters.
pub(crate) fn normalized_words(text: &str) -> Words {
    let mut words = Words {
        letters: String::with_capacity(text.len()),
        breaks: Vec::new(),
    };
    let mut pending_break = false;
    for c in text.trim().chars() {
        if c.is_whitespace() || c == '_' || c == '-' {
            pending_break = true;
            continue;
        }
        if pending_break && !words.letters.is_empty() {
            words.breaks.push(words.letters.len());
        }
        pending_break = false;
        words.letters.push(c.to_ascii_lowercase());
    }
    words
}

impl Words {
    /// Whether these words spell `name` (`"In Progress"`): the same letters,
    /// with word breaks only where the name has them (or none).
    pub(crate) fn spell(&self, name: &str) -> bool {
        let target = normalized_words(name);
        self.letters == target.letters && self.breaks.iter().all(|b| target.breaks.contains(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_only_where_the_name_has_them() {
        for spelling in [
            "In Progress",
            "in_progress",
            "IN-PROGRESS",
            "inprogress",
            "  in \t progress  ",
            "in__progress",
        ] {
            assert!(
                normalized_words(spelling).spell("In Progress"),
                "{spelling}"
            );
        }
        for spelling in [
            "inpro gress",
            "i n progress",
            "in progress!",
            "progress in",
            "",
        ] {
            assert!(
                !normalized_words(spelling).spell("In Progress"),
                "{spelling}"
            );
        }
    }
}

//! [`split`]: a body with more indicators than a limit, cut into parts that
//! each hold at most the limit.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use crate::{IndicatorKind, count, extract};

/// A body that cannot be cut under the limit: a run of text with no
/// whitespace outside an indicator to cut at holds too many indicators.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unsplittable {
    /// Where the run is, in bytes.
    pub span: Range<usize>,
    /// How many distinct indicators it holds.
    pub count: usize,
    /// The limit.
    pub limit: usize,
}

impl fmt::Display for Unsplittable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the text at bytes {}..{} holds {} indicators with no whitespace between them to cut \
             at, over the limit of {}: no split can put it in a part under the limit",
            self.span.start, self.span.end, self.count, self.limit
        )
    }
}

impl std::error::Error for Unsplittable {}

/// How a unit of text is cut further: paragraphs (blank lines), then lines,
/// then whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Paragraphs,
    Lines,
    Words,
}

/// The indicators of a text, each occurrence with its span and the id of
/// its distinct value.
struct Occurrences {
    spans: Vec<Range<usize>>,
    ids: Vec<u32>,
    distinct: usize,
}

impl Occurrences {
    fn of(text: &str) -> Self {
        let mut ids: HashMap<(IndicatorKind, String), u32> = HashMap::new();
        let mut spans = Vec::new();
        let mut of_span = Vec::new();
        for indicator in extract(text) {
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            let id = *ids.entry((indicator.kind, indicator.value)).or_insert(next);
            spans.push(indicator.span);
            of_span.push(id);
        }
        // In text order (extraction is), so a range's occurrences are a run.
        Occurrences {
            spans,
            ids: of_span,
            distinct: ids.len(),
        }
    }

    /// The occurrences whose start lies in `range`, by index.
    fn within(&self, range: &Range<usize>) -> Range<usize> {
        let first = self.spans.partition_point(|s| s.start < range.start);
        let last = self.spans.partition_point(|s| s.start < range.end);
        first..last
    }

    /// Whether a cut anywhere in `gap` would fall inside an indicator.
    fn crosses(&self, gap: &Range<usize>) -> bool {
        let i = self.spans.partition_point(|s| s.end <= gap.start);
        self.spans.get(i).is_some_and(|s| s.start < gap.end)
    }

    /// The distinct indicators of the occurrences `which`.
    fn distinct_in(&self, which: Range<usize>) -> usize {
        let mut ids: Vec<u32> = self.ids[which].to_vec();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

/// The separators of `level` in `text[range]`: runs of whitespace holding
/// two newlines or more (paragraphs), one newline or more (lines), or any
/// (words).
fn separators(text: &str, range: &Range<usize>, level: Level) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = range.start;
    while i < range.end {
        if !bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < range.end && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let newlines = bytes[start..i].iter().filter(|b| **b == b'\n').count();
        let wanted = match level {
            Level::Paragraphs => newlines >= 2,
            Level::Lines => newlines >= 1,
            Level::Words => true,
        };
        if wanted {
            found.push(start..i);
        }
    }
    found
}

/// The units `text[range]` packs from: cut at `level`'s separators (never
/// inside an indicator), each unit that alone holds more than `limit`
/// indicators cut again at the next level.
fn units(
    text: &str,
    range: Range<usize>,
    level: Level,
    occurrences: &Occurrences,
    limit: usize,
    out: &mut Vec<Range<usize>>,
) -> Result<(), Unsplittable> {
    let mut start = range.start;
    let mut pieces = Vec::new();
    for gap in separators(text, &range, level) {
        if occurrences.crosses(&gap) {
            continue;
        }
        if gap.start > start {
            pieces.push(start..gap.start);
        }
        start = gap.end;
    }
    if range.end > start {
        pieces.push(start..range.end);
    }
    for piece in pieces {
        let count = occurrences.distinct_in(occurrences.within(&piece));
        if count <= limit {
            out.push(piece);
            continue;
        }
        match level {
            Level::Paragraphs => units(text, piece, Level::Lines, occurrences, limit, out)?,
            Level::Lines => units(text, piece, Level::Words, occurrences, limit, out)?,
            Level::Words => {
                return Err(Unsplittable {
                    span: piece,
                    count,
                    limit,
                });
            }
        }
    }
    Ok(())
}

/// Cuts `text` into the fewest parts it can, each holding at most `limit`
/// distinct indicators (counted as [`count`] counts them), and returns them
/// as slices of `text`, in order. A text within the limit is one part,
/// whole.
///
/// Parts are cut at paragraph breaks (blank lines) where the paragraphs
/// fit; a paragraph over the limit on its own is cut at line breaks, and
/// a line over it at whitespace; never inside an indicator. Parts then
/// take as many of these pieces, in order, as fit (greedy, which gives the
/// fewest parts for the pieces). The whitespace at a cut belongs to no
/// part: the parts, joined with it, give back the text.
///
/// Every indicator of the text is in some part. An indicator is repeated
/// only where the text repeats it: a value that occurs in several pieces
/// counts in each part that holds one of them, so the parts' counts add up
/// to at most the text's count plus the number of such repeated
/// occurrences that fall in different parts.
///
/// [`Unsplittable`] when a run without whitespace (outside indicators)
/// holds more indicators than the limit, such as a comma-separated list
/// longer than the limit.
///
/// ```
/// use trustar_indicators::{count, split};
///
/// let body = "First wave: evil.exe, 185.220.101.4\n\nSecond wave: dropper.scr, 203.0.113.9";
/// let parts = split(body, 2)?;
/// assert_eq!(parts, ["First wave: evil.exe, 185.220.101.4", "Second wave: dropper.scr, 203.0.113.9"]);
/// assert!(parts.iter().all(|p| count(p).total <= 2));
/// assert_eq!(split(body, 10)?, [body]);
/// assert!(split("a.com,b.com,c.com", 2).is_err());
/// # Ok::<(), trustar_indicators::Unsplittable>(())
/// ```
pub fn split(text: &str, limit: usize) -> Result<Vec<&str>, Unsplittable> {
    split_at_depth(text, limit, 0)
}

fn split_at_depth(text: &str, limit: usize, depth: usize) -> Result<Vec<&str>, Unsplittable> {
    let occurrences = Occurrences::of(text);
    if occurrences.distinct <= limit {
        return Ok(if text.trim().is_empty() {
            Vec::new()
        } else {
            vec![text]
        });
    }
    let mut pieces = Vec::new();
    units(
        text,
        0..text.len(),
        Level::Paragraphs,
        &occurrences,
        limit,
        &mut pieces,
    )?;
    // Greedy packing: a piece joins the current part when the part's
    // distinct indicators stay within the limit.
    let mut in_part = vec![u32::MAX; occurrences.distinct];
    let mut in_piece = vec![u32::MAX; occurrences.distinct];
    let mut parts: Vec<Range<usize>> = Vec::new();
    let mut part_count = 0usize;
    let mut part_no = 0u32;
    for (piece_no, piece) in pieces.iter().enumerate() {
        let piece_no = u32::try_from(piece_no).unwrap_or(u32::MAX);
        let mut new = Vec::new();
        for &id in &occurrences.ids[occurrences.within(piece)] {
            let slot = id as usize;
            if in_part[slot] != part_no && in_piece[slot] != piece_no {
                in_piece[slot] = piece_no;
                new.push(slot);
            }
        }
        let fits = parts.last().is_some() && part_count + new.len() <= limit;
        if fits {
            if let Some(last) = parts.last_mut() {
                last.end = piece.end;
            }
            part_count += new.len();
        } else {
            part_no += 1;
            parts.push(piece.clone());
            // A new part: every indicator of the piece is new to it.
            new.clear();
            for &id in &occurrences.ids[occurrences.within(piece)] {
                let slot = id as usize;
                if in_part[slot] != part_no {
                    in_part[slot] = part_no;
                    new.push(slot);
                }
            }
            part_count = new.len();
            continue;
        }
        for slot in new {
            in_part[slot] = part_no;
        }
    }
    // The counts above assume a piece's indicators are the same alone as
    // in the whole text; the count of each part is checked, and a part it
    // does not hold for is split again on its own.
    let mut checked = Vec::with_capacity(parts.len());
    for part in parts {
        let part = &text[part];
        if count(part).total <= limit {
            checked.push(part);
        } else if depth < 2 {
            checked.extend(split_at_depth(part, limit, depth + 1)?);
        } else {
            let start = part.as_ptr() as usize - text.as_ptr() as usize;
            return Err(Unsplittable {
                span: start..start + part.len(),
                count: count(part).total,
                limit,
            });
        }
    }
    Ok(checked)
}

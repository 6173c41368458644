//! Byte offsets to LSP positions and back. LSP counts columns in UTF-16 code
//! units (the default encoding every client supports); spans count bytes.

use crate::span::Span;
use lsp_types::{Position, Range};

/// Line starts of one text, for converting positions.
#[derive(Debug, Clone)]
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    /// Indexes `text`.
    pub fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    /// The position of a byte offset (clamped to the text, and moved back to
    /// a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts[line];
        let col: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, col as u32)
    }

    /// The byte offset of a position. A column past the end of its line is
    /// the line's end; a line past the end of the text is the text's end.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map(|&e| e - 1)
            .unwrap_or(self.text.len());
        let mut units = 0u32;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= pos.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        end
    }

    /// The range of a span.
    pub fn range(&self, span: Span) -> Range {
        self.range_of(span.start as usize, span.end as usize)
    }

    /// The range of `start..end` in bytes.
    pub fn range_of(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The text indexed.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The whole text.
    pub fn full_range(&self) -> Range {
        self.range_of(0, self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_and_round_trip() {
        // é is 2 bytes and 1 unit; 𝄞 is 4 bytes and 2 units.
        let text = "ab\nxé𝄞y\r\nz";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(0), Position::new(0, 0));
        assert_eq!(idx.position(3), Position::new(1, 0));
        let y = text.find('y').unwrap();
        assert_eq!(idx.position(y), Position::new(1, 4));
        assert_eq!(idx.offset(Position::new(1, 4)), y);
        assert_eq!(idx.position(text.len()), Position::new(2, 1));
        for (i, _) in text.char_indices() {
            assert_eq!(idx.offset(idx.position(i)), i, "offset {i}");
        }
        assert_eq!(idx.offset(Position::new(0, 99)), 2);
        assert_eq!(idx.offset(Position::new(9, 0)), text.len());
        // Inside a 4-byte character: back to its start.
        assert_eq!(
            idx.position(text.find('𝄞').unwrap() + 1),
            Position::new(1, 2)
        );
    }
}

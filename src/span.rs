//! Source files and byte spans into them, shared by every stage.

use std::fmt;
use std::sync::Arc;

/// Index of a file in a [`Sources`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span of `start..end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The span as miette wants it.
    pub fn source_span(self) -> miette::SourceSpan {
        (self.start as usize, (self.end - self.start) as usize).into()
    }
}

/// A value with the place it was written. Equality ignores the span, so that
/// tests can compare trees without offsets.
#[derive(Clone, Copy)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value with its span.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.node
    }
}

/// One source file: its name as the user gave it and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path or name shown in diagnostics.
    pub name: Arc<str>,
    /// The whole text.
    pub text: Arc<str>,
    /// Byte offset of the start of each line, for line numbers. Shared, so
    /// that each diagnostic's copy of the file costs nothing.
    line_starts: Arc<[u32]>,
}

impl SourceFile {
    /// A file from its name and text.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        SourceFile {
            name: name.into(),
            text,
            line_starts: line_starts.into(),
        }
    }

    /// One-based line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1) - 1;
        let col = offset - self.line_starts[line];
        (line as u32 + 1, col + 1)
    }

    /// The text as miette wants it, named.
    pub fn named(&self) -> miette::NamedSource<SourceFile> {
        miette::NamedSource::new(&self.name, self.clone())
    }
}

impl miette::SourceCode for SourceFile {
    /// miette's reader for text counts lines from the start of the file, so
    /// rendering every diagnostic of a large file took time quadratic in its
    /// size. This one starts it a line before the first context line (so
    /// that it sees the line break before the span as it would have), found
    /// in the line index, and puts the line and offsets back in terms of the
    /// whole file.
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let at = span.offset().min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&s| s as usize <= at)
            .max(1)
            - 1;
        let first = line.saturating_sub(context_lines_before + 1);
        let base = self.line_starts[first] as usize;
        let local = miette::SourceSpan::new((span.offset() - base).into(), span.len());
        let window = &self.text.as_bytes()[base..];
        let c = <[u8] as miette::SourceCode>::read_span(
            window,
            &local,
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(miette::MietteSpanContents::new(
            c.data(),
            miette::SourceSpan::new((c.span().offset() + base).into(), c.span().len()),
            c.line() + first,
            c.column(),
            c.line_count() + first,
        )))
    }
}

/// Every file of one formulary, in the order they were read.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// All files with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// `file:line` of a span, for rule origins in decisions.
    pub fn location(&self, span: Span) -> Location {
        let file = self.get(span.file);
        let (line, column) = file.line_col(span.start);
        Location {
            file: file.name.clone(),
            line,
            column,
        }
    }
}

/// A human position: file name, line and column, one-based.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// File name as given.
    pub file: Arc<str>,
    /// One-based line.
    pub line: u32,
    /// One-based column.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::SourceCode;

    #[test]
    fn reading_a_span_from_the_index_matches_miette_reading_the_whole_text() {
        // Line numbers agree wherever lines end in `\n` or `\r\n`; a lone `\r`
        // before the window would count as a line break only to miette.
        let text = "formulary \"X\"\r\ntier 1 \"G\" copay $5\n\nclass c {\n  ingredient é rxcui 1\n}\nlast";
        let file = SourceFile::new("x.formulary", text);
        for start in 0..=text.len() {
            for len in [0, 1, 7, 30] {
                for context in [0, 1, 2] {
                    let span: miette::SourceSpan = (start, len).into();
                    let ours = file.read_span(&span, context, context);
                    let theirs = text.read_span(&span, context, context);
                    match (ours, theirs) {
                        (Ok(a), Ok(b)) => {
                            let what = format!("{start}+{len} context {context}");
                            assert_eq!(a.data(), b.data(), "{what}");
                            assert_eq!(a.span(), b.span(), "{what}");
                            assert_eq!((a.line(), a.column()), (b.line(), b.column()), "{what}");
                            assert_eq!(a.line_count(), b.line_count(), "{what}");
                        }
                        (a, b) => assert_eq!(a.is_err(), b.is_err(), "{start}+{len}"),
                    }
                }
            }
        }
    }
}

//! Reading prescriptions one line at a time (`check --batch`, `diff
//! --claims`): every line numbered, each at most [`MAX_LINE`] bytes, read
//! in chunks bounded by bytes as well as lines, and a line that is too long
//! or not UTF-8 reported by number without stopping the rest. A read error
//! (a folder, a device, a closed stream) ends the reading.

use std::io::BufRead;

/// The longest line read, in bytes: 1 MiB, far more than a prescription
/// with a 3,000-fill history needs (about 300 KB).
pub const MAX_LINE: usize = 1 << 20;

/// A chunk ends after this many bytes of lines...
pub const CHUNK_BYTES: usize = 8 << 20;

/// ... or this many lines, whichever comes first, so that a chunk's
/// decisions (about 1 KB each) stay small too.
pub const CHUNK_LINES: usize = 8192;

/// One line of input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A line's text (a trailing `\r` removed).
    Text(String),
    /// A line that holds only white space.
    Blank,
    /// A line that cannot be a prescription: why, without quoting it.
    Bad(String),
}

/// Numbered lines from a reader.
pub struct Lines<R> {
    input: R,
    number: u64,
    done: bool,
    /// A read error met while filling a chunk, returned by the next call.
    pending: Option<std::io::Error>,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `input`, numbered from 1.
    pub fn new(input: R) -> Self {
        Lines {
            input,
            number: 0,
            done: false,
            pending: None,
        }
    }

    /// The next chunk: at most [`CHUNK_LINES`] lines and about
    /// [`CHUNK_BYTES`] bytes; empty at the end. An `Err` is a read error,
    /// after the lines read before it were returned: reading should stop.
    pub fn chunk(&mut self) -> std::io::Result<Vec<(u64, Line)>> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        let mut out = Vec::new();
        let mut bytes = 0;
        while out.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
            match self.next_line() {
                Ok(Some((n, line))) => {
                    if let Line::Text(t) = &line {
                        bytes += t.len();
                    }
                    out.push((n, line));
                }
                Ok(None) => break,
                Err(e) if out.is_empty() => return Err(e),
                Err(e) => {
                    self.pending = Some(e);
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Lines read so far.
    pub fn count(&self) -> u64 {
        self.number
    }

    /// The next line, or `None` at the end of the input.
    pub fn next_line(&mut self) -> std::io::Result<Option<(u64, Line)>> {
        if self.done {
            return Ok(None);
        }
        let mut buf = Vec::new();
        let mut too_long = false;
        let mut any = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            };
            if available.is_empty() {
                self.done = true;
                if !any {
                    return Ok(None);
                }
                break;
            }
            any = true;
            let (part, end) = match available.iter().position(|b| *b == b'\n') {
                Some(i) => (&available[..i], Some(i + 1)),
                None => (available, None),
            };
            if buf.len() + part.len() > MAX_LINE {
                too_long = true;
            } else {
                buf.extend_from_slice(part);
            }
            let used = end.unwrap_or(available.len());
            self.input.consume(used);
            if end.is_some() {
                break;
            }
        }
        self.number += 1;
        let line = if too_long {
            Line::Bad(format!(
                "longer than the {} MiB limit for a line",
                MAX_LINE >> 20
            ))
        } else {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            match String::from_utf8(buf) {
                Ok(s) if s.trim().is_empty() => Line::Blank,
                Ok(s) => Line::Text(s),
                Err(e) => Line::Bad(format!(
                    "not UTF-8 (byte {})",
                    e.utf8_error().valid_up_to() + 1
                )),
            }
        };
        Ok(Some((self.number, line)))
    }
}

/// At most the first 80 characters of `text`, control characters escaped,
/// for quoting a bad line.
pub fn prefix(text: &str) -> String {
    crate::compile::load::reference::short(&text.chars().take(80).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_bounded_and_decoded() {
        let long = "x".repeat(MAX_LINE + 10);
        let mut bytes = b"{}\n\n  \r\nab\xffcd\n".to_vec();
        bytes.extend(format!("{long}\nlast").into_bytes());
        let mut l = Lines::new(std::io::Cursor::new(bytes));
        let chunk = l.chunk().unwrap();
        let kinds: Vec<(u64, Line)> = chunk;
        assert_eq!(kinds[0], (1, Line::Text("{}".into())));
        assert_eq!(kinds[1], (2, Line::Blank));
        assert_eq!(kinds[2], (3, Line::Blank));
        assert_eq!(kinds[3], (4, Line::Bad("not UTF-8 (byte 3)".into())));
        assert!(matches!(&kinds[4], (5, Line::Bad(m)) if m.contains("limit")));
        assert_eq!(kinds[5], (6, Line::Text("last".into())));
        assert!(l.chunk().unwrap().is_empty());
    }
}

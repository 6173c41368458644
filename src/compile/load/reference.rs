//! Reference data a formulary declares: price lists, drug catalogs and drug
//! knowledge files, read by [`super::load`] and compiled into the formulary.

use crate::ast::Item;
use crate::interop::catalog::Catalog;
use crate::prices::PriceList;
use crate::span::Spanned;

/// A kind of reference file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// A NADAC-layout price list (`prices "FILE.csv"`).
    Prices,
    /// A drug catalog (`catalog "FILE.csv"`).
    Catalog,
    /// A drug knowledge file; read and hashed here, parsed by its own module.
    Knowledge,
}

impl RefKind {
    /// Words for messages: "price list".
    pub fn what(self) -> &'static str {
        match self {
            RefKind::Prices => "price list",
            RefKind::Catalog => "drug catalog",
            RefKind::Knowledge => "drug knowledge file",
        }
    }

    /// Tag of the kind in the content hash.
    pub(super) fn tag(self) -> &'static [u8] {
        match self {
            RefKind::Prices => b"prices",
            RefKind::Catalog => b"catalog",
            RefKind::Knowledge => b"knowledge",
        }
    }
}

/// The reference file a statement declares, if it declares one. A new kind
/// of reference file is declared by adding its statement here.
pub fn declared(item: &Item) -> Option<(RefKind, &Spanned<String>)> {
    match item {
        Item::Prices(p) => Some((RefKind::Prices, p)),
        Item::Catalog(c) => Some((RefKind::Catalog, c)),
        _ => None,
    }
}

/// A drug knowledge file's text, for the module that reads its layout.
#[derive(Debug, Clone)]
pub struct KnowledgeFile {
    /// The path as resolved, for messages.
    pub path: String,
    /// The text.
    pub text: String,
}

/// Every reference file read, parsed.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// All price lists, merged (every file's rows join each NDC's history).
    pub prices: Option<PriceList>,
    /// Catalogs, in declaration order (then those given by the caller).
    pub catalogs: Vec<Catalog>,
    /// Drug knowledge files, in declaration order.
    pub knowledge: Vec<KnowledgeFile>,
}

/// A file with no usable row: how many were skipped and why the first was.
pub(super) struct Empty {
    pub skipped: usize,
    pub first: String,
}

impl Reference {
    /// Parses and adds one file. `Err` when it cannot be used at all;
    /// `Ok(Some(_))` when it was read but holds no usable row.
    pub(super) fn add(
        &mut self,
        kind: RefKind,
        path: &str,
        text: String,
    ) -> Result<Option<Empty>, String> {
        let empty = |skipped: usize, examples: &[String]| Empty {
            skipped,
            first: examples
                .first()
                .map(|e| short(e))
                .unwrap_or_else(|| "the file has no data rows".to_string()),
        };
        match kind {
            RefKind::Prices => {
                let list = PriceList::parse(path, &text).map_err(|e| short(&e.message))?;
                let none = (list.rows == 0).then(|| empty(list.skipped, &list.skipped_examples));
                match self.prices.as_mut() {
                    Some(p) => p.merge(list),
                    None => self.prices = Some(list),
                }
                Ok(none)
            }
            RefKind::Catalog => {
                let c = Catalog::parse(path, &text).map_err(|e| short(&e.to_string()))?;
                let none = c
                    .products
                    .is_empty()
                    .then(|| empty(c.skipped, &c.skipped_examples));
                self.catalogs.push(c);
                Ok(none)
            }
            RefKind::Knowledge => {
                self.knowledge.push(KnowledgeFile {
                    path: path.to_string(),
                    text,
                });
                Ok(None)
            }
        }
    }
}

/// The first 160 characters of a message about a file that is not
/// formulary source, with control characters escaped, so that a message
/// never carries more than a short quote of such a file.
pub fn short(message: &str) -> String {
    const MAX: usize = 160;
    let mut out = String::new();
    for (i, c) in message.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() && c != '\n' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

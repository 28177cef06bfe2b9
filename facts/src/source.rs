use std::fmt;

/// The kinds of input file sparkcheck reads.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum InputKind {
    /// Ads Manager ad-level export.
    Ads,
    /// Business Center TikTok-account assets.
    Bc,
    /// Spark Ads authorization codes.
    Codes,
    /// TikTok accounts connected in the preview tool.
    Links,
    /// Facts in sparkcheck's JSON Lines format (from `sparkcheck facts` or a plugin).
    Facts,
    /// Identities of ad accounts (TikTok API `/identity/get/`).
    Identities,
}

impl InputKind {
    /// Every kind, in report order.
    pub const ALL: [InputKind; 6] = [
        InputKind::Ads,
        InputKind::Bc,
        InputKind::Codes,
        InputKind::Links,
        InputKind::Facts,
        InputKind::Identities,
    ];

    /// The kind's name in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Ads => "ads",
            InputKind::Bc => "bc",
            InputKind::Codes => "codes",
            InputKind::Links => "links",
            InputKind::Facts => "facts",
            InputKind::Identities => "identities",
        }
    }
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a row came from: an index into [`crate::Facts::files`] and a 1-based line.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct RowRef {
    /// Index of the source file.
    pub file: u32,
    /// Line where the record starts (the header is line 1).
    pub line: u32,
}

/// One imported file and its row accounting: `rows == imported + rejected`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SourceFile {
    /// The path as the user named it (or as found under a named folder).
    pub path: String,
    /// What the header said the file is.
    pub kind: InputKind,
    /// Data rows read (the header excluded).
    pub rows: u64,
    /// Rows that became facts.
    pub imported: u64,
    /// Rows that were rejected.
    pub rejected: u64,
    /// Things worth knowing about how the file was read (encoding, delimiter).
    pub notes: Vec<String>,
    /// Canonical names of the optional columns the file has (for coverage).
    pub columns: Vec<&'static str>,
    /// The kinds of facts a `facts` file held (a CSV file provides its own kind).
    pub provides: Vec<InputKind>,
}

/// A row that could not become a fact.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Rejection {
    /// Index of the source file.
    pub file: u32,
    /// Line where the record starts.
    pub line: u64,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// What was expected and what was found, in one line.
    pub reason: String,
}

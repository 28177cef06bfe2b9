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
    /// Identities of ad accounts (TikTok API `/identity/get/`).
    Identities,
}

impl InputKind {
    /// Every kind, in report order.
    pub const ALL: [InputKind; 5] = [
        InputKind::Ads,
        InputKind::Bc,
        InputKind::Codes,
        InputKind::Links,
        InputKind::Identities,
    ];

    /// The kind's name in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Ads => "ads",
            InputKind::Bc => "bc",
            InputKind::Codes => "codes",
            InputKind::Links => "links",
            InputKind::Identities => "identities",
        }
    }
}

/// How a file is written, independent of what it holds: a format yields tables or records,
/// and an input kind's row builder turns each into facts.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum FileFormat {
    /// Delimited text (`,`, `;` or tab) with a header row.
    Delimited,
    /// An `.xlsx` workbook: each sheet is a table.
    Workbook,
    /// A saved TikTok Marketing API response (JSON or JSON Lines).
    TikTokApi,
    /// sparkcheck's facts format (JSON Lines), from `sparkcheck facts`.
    Facts,
    /// Facts printed by an external importer (`[[importer]]` in the configuration).
    Plugin,
}

impl FileFormat {
    /// The format's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Delimited => "csv",
            FileFormat::Workbook => "xlsx",
            FileFormat::TikTokApi => "tiktok-api",
            FileFormat::Facts => "facts",
            FileFormat::Plugin => "plugin",
        }
    }

    /// Whether a file of this format may hold facts of several kinds.
    pub fn is_facts(self) -> bool {
        matches!(self, FileFormat::Facts | FileFormat::Plugin)
    }
}

/// An optional input field that some checks need: a check that needs one is "not checked"
/// unless some file of its kind has it.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum OptionalField {
    /// `bc`: `Ad Account Role` (`advertiser_role`).
    AdAccountRole,
    /// `codes`: `End Time`.
    EndTime,
    /// `codes`: `Post Status`.
    PostStatus,
    /// `codes`: `Item Type`.
    ItemType,
}

impl OptionalField {
    /// Every optional field.
    pub const ALL: [OptionalField; 4] = [
        OptionalField::AdAccountRole,
        OptionalField::EndTime,
        OptionalField::PostStatus,
        OptionalField::ItemType,
    ];

    /// The input kind it belongs to.
    pub fn kind(self) -> InputKind {
        match self {
            OptionalField::AdAccountRole => InputKind::Bc,
            OptionalField::EndTime | OptionalField::PostStatus | OptionalField::ItemType => {
                InputKind::Codes
            }
        }
    }

    /// Its column name in spec section 2.
    pub fn column(self) -> &'static str {
        match self {
            OptionalField::AdAccountRole => "Ad Account Role",
            OptionalField::EndTime => "End Time",
            OptionalField::PostStatus => "Post Status",
            OptionalField::ItemType => "Item Type",
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
    /// How the file is written.
    pub format: FileFormat,
    /// The kinds of facts it provides: its header's kind, or for facts files the kinds of
    /// the facts it held.
    pub kinds: Vec<InputKind>,
    /// Data rows read (the header excluded).
    pub rows: u64,
    /// Rows that became facts.
    pub imported: u64,
    /// Rows that were rejected.
    pub rejected: u64,
    /// Things worth knowing about how the file was read (encoding, delimiter).
    pub notes: Vec<String>,
    /// The optional fields the file has (for coverage).
    pub fields: Vec<OptionalField>,
    /// A hash of the file's bytes, `blake3:` and 64 hex digits, when the run asked for it
    /// (`--history`).
    pub content_hash: Option<String>,
}

impl SourceFile {
    /// A file of `format` providing `kinds`, before any row is read.
    pub fn new(path: impl Into<String>, format: FileFormat, kinds: Vec<InputKind>) -> Self {
        SourceFile {
            path: path.into(),
            format,
            kinds,
            rows: 0,
            imported: 0,
            rejected: 0,
            notes: Vec::new(),
            fields: Vec::new(),
            content_hash: None,
        }
    }

    /// How reports name what the file is: its kind, or `facts` for a facts file.
    pub fn kind_name(&self) -> String {
        match self.kinds.as_slice() {
            _ if self.format.is_facts() => "facts".to_string(),
            [kind] => kind.name().to_string(),
            kinds => kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join("+"),
        }
    }
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

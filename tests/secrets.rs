//! Auth codes are bearer secrets: no output of any kind may hold one whole (issue 8).
//! Every code in every fixture is searched for in every output of every fixture.

use std::path::{Path, PathBuf};

use crate::util::{run, AS_OF};

/// Every report format the CLI writes to standard output (xlsx is read back separately).
pub const FORMATS: [&str; 6] = ["text", "json", "csv", "markdown", "html", "junit"];

/// Folders holding inputs: the samples and every test fixture.
fn input_folders() -> Vec<PathBuf> {
    let mut folders = vec![PathBuf::from("samples")];
    for parent in ["tests/cases", "tests/fixtures"] {
        for entry in std::fs::read_dir(parent).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            }
        }
    }
    folders.sort();
    folders
}

/// The auth codes in a folder's code files: the first column of files whose header starts
/// with `Auth Code` or `auth_code`, and first cells that start with `#` (headerless files).
fn codes_in(folder: &Path, codes: &mut Vec<String>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            codes_in(&path, codes);
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // Codes inside saved API responses: every `"auth_code": "..."` value.
        for part in text.split("\"auth_code\"").skip(1) {
            if let Some(code) = part.split('"').nth(1) {
                codes.push(code.to_string());
            }
        }
        let mut lines = text.lines();
        let header = lines.next().unwrap_or("").to_ascii_lowercase();
        let first_cell = |l: &str| l.split([',', ';', '\t']).next().unwrap_or("").to_string();
        if header.starts_with("auth code") || header.starts_with("auth_code") {
            codes.extend(lines.map(first_cell));
        } else {
            codes.extend(text.lines().map(first_cell).filter(|c| c.starts_with('#')));
        }
    }
}

#[test]
fn no_output_holds_an_auth_code() {
    let folders = input_folders();
    let mut codes = Vec::new();
    for folder in &folders {
        codes_in(folder, &mut codes);
    }
    codes.retain(|c| c.len() > 8);
    assert!(
        codes.len() >= 20,
        "the fixtures hold codes to look for ({})",
        codes.len()
    );
    let mut outputs = 0;
    for folder in &folders {
        let folder = folder.to_string_lossy();
        for format in FORMATS {
            let output = run(&["audit", &folder, "--as-of", AS_OF, "--format", format]);
            assert!(
                matches!(output.status.code(), Some(0..=2)),
                "{folder}: no crash"
            );
            let all = [output.stdout, output.stderr].concat();
            let all = String::from_utf8_lossy(&all);
            for code in &codes {
                assert!(
                    !all.contains(code.as_str()),
                    "{code} in the {format} output of {folder}"
                );
            }
            outputs += 1;
        }
    }
    assert!(outputs > 100);
}

#[test]
fn no_workbook_cell_holds_an_auth_code() {
    use calamine::Reader;
    let mut codes = Vec::new();
    codes_in(Path::new("samples"), &mut codes);
    let dir = std::env::temp_dir().join(format!("sparkcheck-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("samples.xlsx");
    run(&[
        "audit",
        "samples",
        "--as-of",
        AS_OF,
        "-o",
        &path.to_string_lossy(),
    ]);
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let mut cells = 0;
    for sheet in workbook.sheet_names() {
        for cell in workbook.worksheet_range(&sheet).unwrap().cells() {
            let text = cell.2.to_string();
            for code in &codes {
                assert!(!text.contains(code.as_str()), "{code} in sheet {sheet}");
            }
            cells += 1;
        }
    }
    assert!(cells > 100);
    std::fs::remove_dir_all(&dir).unwrap();
}

//! sparkcheck's benchmark support: a deterministic portfolio generator, the CSV floor and the
//! DuckDB reference as an oracle.

pub mod generate;
pub mod oracle;
mod rng;

use std::path::Path;

/// The floor: read every byte of every CSV file under `dir` with `csv::ByteRecord`, one
/// thread, nothing else. Returns the records read.
pub fn read_floor(dir: &Path) -> std::io::Result<u64> {
    let mut records = 0u64;
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    paths.sort();
    for path in paths {
        let mut header = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(std::fs::File::open(&path)?),
            &mut header,
        )?;
        let delimiter = if header.contains(';') { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_path(&path)
            .map_err(std::io::Error::other)?;
        let mut record = csv::ByteRecord::new();
        while reader
            .read_byte_record(&mut record)
            .map_err(std::io::Error::other)?
        {
            records += 1;
        }
    }
    Ok(records)
}

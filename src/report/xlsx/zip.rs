//! The zip container of a workbook: deflated entries already compressed, written with
//! their sizes and CRC in the local headers (no data descriptors), then the central
//! directory. Every entry is dated 1980-01-01 00:00, zip's first instant, so the bytes
//! depend only on the content.

use std::io::{self, Write};

use super::deflate::Deflated;

/// One entry: its name and its deflated pieces, in order.
pub struct Entry<'a> {
    pub name: &'a str,
    pub pieces: &'a [Deflated],
}

/// Deflate.
const METHOD_DEFLATE: u16 = 8;
/// Version 2.0: the version that introduced deflate.
const VERSION: u16 = 20;
/// MS-DOS date of 1980-01-01 (day 1, month 1, year 0 from 1980); the time is 00:00:00.
const DOS_DATE: u16 = (1 << 5) | 1;

/// What a local header and a central directory record need of an entry.
struct Written<'a> {
    name: &'a str,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
}

/// Writes the archive of `entries` in order to `out`, the deflated pieces as they are
/// (no copy of the whole archive is made). Every size and offset is checked before the
/// first byte is written.
pub fn write(entries: &[Entry<'_>], out: &mut dyn Write) -> io::Result<()> {
    let records = records(entries)?;
    let mut header = Vec::with_capacity(64);
    for (entry, record) in entries.iter().zip(&records) {
        header.clear();
        local_header(&mut header, record);
        out.write_all(&header)?;
        for piece in entry.pieces {
            out.write_all(&piece.bytes)?;
        }
    }
    let mut directory = Vec::with_capacity(records.len() * 80 + 22);
    for record in &records {
        central_record(&mut directory, record);
    }
    let start = match records.last() {
        Some(last) => u64::from(last.offset) + local_len(last) + u64::from(last.compressed),
        None => 0,
    };
    let start = fits(start, "the central directory")?;
    let len = fits(directory.len() as u64, "the central directory")?;
    let count = u16::try_from(records.len())
        .map_err(|_| io::Error::other("too many parts for a zip without zip64"))?;
    end_of_directory(&mut directory, count, len, start);
    out.write_all(&directory)
}

/// Each entry's CRC, sizes and offset, or an error when one does not fit zip32.
fn records<'a>(entries: &[Entry<'a>]) -> io::Result<Vec<Written<'a>>> {
    let mut offset = 0u64;
    let mut records = Vec::with_capacity(entries.len());
    for entry in entries {
        let mut crc = crc32fast::Hasher::new();
        let mut size = 0u64;
        let mut compressed = 0u64;
        for piece in entry.pieces {
            crc.combine(&piece.crc);
            size += piece.len;
            compressed += piece.bytes.len() as u64;
        }
        let record = Written {
            name: entry.name,
            crc: crc.finalize(),
            compressed: fits(compressed, entry.name)?,
            size: fits(size, entry.name)?,
            offset: fits(offset, entry.name)?,
        };
        offset += local_len(&record) + compressed;
        records.push(record);
    }
    Ok(records)
}

/// The length of an entry's local header.
fn local_len(record: &Written<'_>) -> u64 {
    30 + record.name.len() as u64
}

/// `n` as a zip32 field: below 4 GiB (0xFFFFFFFF itself means "see zip64").
fn fits(n: u64, what: &str) -> io::Result<u32> {
    u32::try_from(n)
        .ok()
        .filter(|n| *n != u32::MAX)
        .ok_or_else(|| {
            io::Error::other(format!(
                "{what} reaches 4 GiB, more than the workbook's zip can hold"
            ))
        })
}

fn u16le(zip: &mut Vec<u8>, n: u16) {
    zip.extend_from_slice(&n.to_le_bytes());
}

fn u32le(zip: &mut Vec<u8>, n: u32) {
    zip.extend_from_slice(&n.to_le_bytes());
}

/// Version needed, flags, method, time, date, CRC, sizes, name length: shared by the
/// local header and the central record.
fn common_fields(zip: &mut Vec<u8>, record: &Written<'_>) {
    u16le(zip, VERSION);
    u16le(zip, 0);
    u16le(zip, METHOD_DEFLATE);
    u16le(zip, 0);
    u16le(zip, DOS_DATE);
    u32le(zip, record.crc);
    u32le(zip, record.compressed);
    u32le(zip, record.size);
    // Names are the workbook's own ASCII part names, far below 64 KiB.
    u16le(zip, record.name.len() as u16);
}

fn local_header(zip: &mut Vec<u8>, record: &Written<'_>) {
    u32le(zip, 0x0403_4b50);
    common_fields(zip, record);
    u16le(zip, 0); // extra field length
    zip.extend_from_slice(record.name.as_bytes());
}

fn central_record(zip: &mut Vec<u8>, record: &Written<'_>) {
    u32le(zip, 0x0201_4b50);
    u16le(zip, VERSION); // made by: MS-DOS attributes, version 2.0
    common_fields(zip, record);
    u16le(zip, 0); // extra field length
    u16le(zip, 0); // comment length
    u16le(zip, 0); // disk number
    u16le(zip, 0); // internal attributes
    u32le(zip, 0); // external attributes
    u32le(zip, record.offset);
    zip.extend_from_slice(record.name.as_bytes());
}

fn end_of_directory(zip: &mut Vec<u8>, count: u16, len: u32, offset: u32) {
    u32le(zip, 0x0605_4b50);
    u16le(zip, 0); // this disk
    u16le(zip, 0); // the directory's disk
    u16le(zip, count);
    u16le(zip, count);
    u32le(zip, len);
    u32le(zip, offset);
    u16le(zip, 0); // comment length
}

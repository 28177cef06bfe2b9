#![allow(clippy::disallowed_macros)] // test and bench output is not the product's boundary
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let threads: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let t = std::time::Instant::now();
    let imported = sparkcheck_importers::import_paths(&[dir], &[], threads, &|_, _| {});
    eprintln!("import {:?} ads {}", t.elapsed(), imported.facts.ads.len());
}

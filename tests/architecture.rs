//! The tree's shape (issue 12): the modules of the main crate form no cycle, and the
//! printers depend on nothing but the report's wire types, so they could be a crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module of each source file under `src/` → the top-level modules it uses.
fn module_edges() -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![Path::new("src").to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path
                .strip_prefix("src")
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let module = relative
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string();
            if matches!(module.as_str(), "lib" | "main") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let uses = edges.entry(module.clone()).or_default();
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for part in line.split("crate::").skip(1) {
                    let used: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !used.is_empty() && used != module && used != "ExitStatus" {
                        uses.insert(used);
                    }
                }
            }
        }
    }
    edges
}

#[test]
fn the_main_crate_has_no_module_cycle() {
    let edges = module_edges();
    assert!(edges.len() > 10, "modules found: {edges:?}");
    // Depth-first search for a back edge.
    fn visit<'a>(
        module: &'a str,
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if done.contains(module) {
            return;
        }
        if let Some(start) = path.iter().position(|m| *m == module) {
            panic!("module cycle: {} → {module}", path[start..].join(" → "));
        }
        path.push(module);
        for next in edges.get(module).into_iter().flatten() {
            visit(next, edges, path, done);
        }
        path.pop();
        done.insert(module);
    }
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        visit(module, &edges, &mut Vec::new(), &mut done);
    }
}

#[test]
fn printers_depend_only_on_the_wire_types() {
    let edges = module_edges();
    let report = &edges["report"];
    assert!(
        report.iter().all(|m| m == "report"),
        "src/report/ uses {report:?}"
    );
}

//! Tests of the vendored crepe's generated code (`vendor/crepe/FORK.md`): its index
//! buckets and capacity hints give the same relations as a plain computation, on a
//! recursive program (the policies' own programs are not recursive).

mod reach {
    #![allow(missing_docs, clippy::all)]
    use crepe::crepe;

    crepe! {
        @input
        pub struct Edge(pub u32, pub u32);
        @input
        pub struct Blocked(pub u32);
        @output
        pub struct Reach(pub u32, pub u32);
        @output
        pub struct Open(pub u32, pub u32);

        Reach(a, b) <- Edge(a, b);
        Reach(a, c) <- Reach(a, b), Edge(b, c);
        Open(a, b) <- Reach(a, b), !Blocked(b);
    }
}

use std::collections::{BTreeSet, HashSet};

/// Pairs of nodes, in order.
type Pairs = BTreeSet<(u32, u32)>;

/// Every (a, b) with a path from a to b, by search from each node.
fn reachable(edges: &[(u32, u32)]) -> Pairs {
    let nodes: BTreeSet<u32> = edges.iter().flat_map(|&(a, b)| [a, b]).collect();
    let mut pairs = BTreeSet::new();
    for &start in &nodes {
        let mut seen = HashSet::new();
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &(_, next) in edges.iter().filter(|&&(from, _)| from == node) {
                if seen.insert(next) {
                    pairs.insert((start, next));
                    stack.push(next);
                }
            }
        }
    }
    pairs
}

/// A graph with chains, cycles, fan-out and repeated edges, different for each seed.
fn graph(seed: u32, nodes: u32) -> Vec<(u32, u32)> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state % nodes
    };
    let mut edges: Vec<(u32, u32)> = (0..nodes * 2).map(|_| (next(), next())).collect();
    edges.extend((0..nodes - 1).map(|n| (n, n + 1)).step_by(3));
    edges.push((0, 0));
    edges.push((1, 2));
    edges.push((1, 2));
    edges
}

fn run(
    edges: &[(u32, u32)],
    blocked: &[u32],
    sizes: Option<&mut reach::CrepeSizes>,
) -> (Pairs, Pairs) {
    let mut runtime = reach::Crepe::new();
    runtime.extend(edges.iter().map(|&(a, b)| reach::Edge(a, b)));
    runtime.extend(blocked.iter().map(|&b| reach::Blocked(b)));
    let (reached, open) = match sizes {
        Some(sizes) => runtime.run_with_sizes::<std::collections::hash_map::RandomState>(sizes),
        None => runtime.run(),
    };
    (
        reached
            .into_iter()
            .map(|reach::Reach(a, b)| (a, b))
            .collect(),
        open.into_iter().map(|reach::Open(a, b)| (a, b)).collect(),
    )
}

#[test]
fn buckets_and_hints_give_the_plain_answer() {
    let mut sizes = reach::CrepeSizes::default();
    // Graphs of growing and then shrinking size, so the hints are sometimes too small
    // and sometimes too large for the run they are given to.
    for (seed, nodes) in [(1, 5), (2, 40), (3, 120), (4, 3), (5, 60), (6, 1), (7, 80)] {
        let edges = graph(seed, nodes);
        let blocked: Vec<u32> = (0..nodes).filter(|n| n % 3 == 0).collect();
        let expected = reachable(&edges);
        let expected_open: Pairs = expected
            .iter()
            .copied()
            .filter(|(_, b)| b % 3 != 0)
            .collect();
        let plain = run(&edges, &blocked, None);
        let hinted = run(&edges, &blocked, Some(&mut sizes));
        assert_eq!(plain.0, expected, "reach, seed {seed}");
        assert_eq!(plain.1, expected_open, "open, seed {seed}");
        assert_eq!(hinted, plain, "with hints, seed {seed}");
        assert!(!sizes.0.is_empty(), "a run leaves its sizes");
    }
}

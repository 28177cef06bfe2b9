//! Scale measurement: 30 nightly runs of about 100k findings each (2% fixed and 2% new per
//! night), then every question. Prints the database size, the time of each append and of
//! each query (medians where repeated).
//!
//! `cargo run --release -p sparkcheck-history --example scale [-- RUNS FINDINGS]`

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use sparkcheck_history::{FindingRecord, GroupBy, History, InputRecord, RunRecord};

const CAUSES: [(&str, &str, &str); 8] = [
    ("CODE_EXPIRED", "error", "Creator"),
    ("CODE_EXPIRING_SOON", "warning", "Creator"),
    ("CODE_REVOKED", "error", "Creator"),
    ("NOT_SHARED_TO_BC", "error", "Org Admin"),
    ("BC_SHARE_EXPIRED", "error", "Org Admin"),
    ("NOT_CONNECTED", "error", "Media Buyer"),
    ("WRONG_AD_ACCOUNT", "error", "Advertiser"),
    ("POST_PRIVATE", "error", "Creator"),
];

/// Finding number `n`: ad account, post, cause and class all derived from it.
fn finding(n: u64) -> FindingRecord {
    let (cause, severity, owner) = CAUSES[(n % 8) as usize];
    let advertiser = 7_300_000_000_000_000_000 + (n / 8) % 2_000;
    FindingRecord {
        advertiser_id: advertiser.to_string(),
        post_id: (7_100_000_000_000_000_000 + n / 8 * 7919 % 10_000_000_000).to_string(),
        cause: cause.into(),
        severity: severity.into(),
        owner_role: owner.into(),
        handle: (!n.is_multiple_of(5)).then(|| format!("@creator.{}", n / 8 % 20_000)),
        client: (!n.is_multiple_of(7)).then(|| format!("Client {}", (n / 8) % 2_000 / 4)),
    }
}

/// This thread's time on a CPU (Linux `schedstat`), to see through a loaded machine.
fn cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        text.split_whitespace().next()?.parse().ok()?,
    ))
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let runs = args.first().copied().unwrap_or(30);
    let size = args.get(1).copied().unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("sparkcheck-history-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("history.db");
    let mut history = History::open(&path).unwrap();

    // Night k holds findings [k * churn, k * churn + size): 2% leave and 2% arrive per night.
    let churn = size / 50;
    let mut appends = Vec::new();
    let mut cpus = Vec::new();
    let as_of0 = 1_794_787_200;
    for k in 0..runs {
        let mut findings: Vec<FindingRecord> = (k * churn..k * churn + size).map(finding).collect();
        // As in a report: sorted by (advertiser_id, post_id, cause).
        findings.sort_by(|a, b| {
            (&a.advertiser_id, &a.post_id, &a.cause).cmp(&(&b.advertiser_id, &b.post_id, &b.cause))
        });
        let record = RunRecord {
            as_of: as_of0 + k as i64 * 86_400,
            started_at: as_of0 + k as i64 * 86_400 + 7200,
            policy: "preview".into(),
            sparkcheck_version: "0.1.0".into(),
            config_hash: Some("0123456789abcdef".into()),
            pairs_audited: size * 10,
            inputs: vec![InputRecord {
                path: "exports/ads.csv".into(),
                kind: "ads".into(),
                rows: size * 10,
                imported: size * 10,
                rejected: 0,
                content_hash: None,
            }],
            coverage: CAUSES
                .iter()
                .map(|c| (c.0.to_string(), "checked".to_string()))
                .collect::<BTreeMap<_, _>>(),
            findings,
        };
        let (start, start_cpu) = (Instant::now(), cpu());
        history.record(&record).unwrap();
        let took = start.elapsed();
        let on_cpu = cpu().zip(start_cpu).map(|(end, start)| end - start);
        println!(
            "append {:>2}: {:>7.1} ms wall, {:>7.1} ms cpu",
            k + 1,
            took.as_secs_f64() * 1e3,
            on_cpu.unwrap_or_default().as_secs_f64() * 1e3
        );
        appends.push(took);
        cpus.extend(on_cpu);
    }
    let first = appends[0];
    let later = median(&mut appends[1..].to_vec());
    let later_cpu = if cpus.len() > 1 {
        median(&mut cpus[1..].to_vec())
    } else {
        Duration::ZERO
    };
    let size_of = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    drop(history);
    let history = History::open(&path).unwrap(); // checkpoints the WAL on the last close
    let db_bytes = size_of(&path) + size_of(&dir.join("history.db-wal"));
    println!(
        "\n{runs} runs of {size} findings: database {:.1} MiB ({:.1} bytes per finding-run)",
        db_bytes as f64 / 1048576.0,
        db_bytes as f64 / (runs * size) as f64
    );
    println!(
        "append: first {:.1} ms, median of the others {:.1} ms wall, {:.1} ms on a cpu",
        first.as_secs_f64() * 1e3,
        later.as_secs_f64() * 1e3,
        later_cpu.as_secs_f64() * 1e3
    );

    let time = |name: &str, f: &dyn Fn() -> usize| {
        let (mut times, mut cpus) = (Vec::new(), Vec::new());
        let mut n = 0;
        for _ in 0..5 {
            let (start, start_cpu) = (Instant::now(), cpu());
            n = f();
            times.push(start.elapsed());
            cpus.extend(cpu().zip(start_cpu).map(|(end, start)| end - start));
        }
        let cpu_median = if cpus.is_empty() {
            Duration::ZERO
        } else {
            median(&mut cpus)
        };
        println!(
            "{name:<28} {:>8.1} ms wall, {:>7.1} ms cpu, median of 5  ({n} rows)",
            median(&mut times).as_secs_f64() * 1e3,
            cpu_median.as_secs_f64() * 1e3
        );
    };
    time("runs", &|| history.runs().unwrap().len());
    time("trend", &|| history.trend(None, None).unwrap().len());
    time("trend --by cause", &|| {
        history.trend(Some(GroupBy::Cause), None).unwrap().len()
    });
    time("trend --by client", &|| {
        history.trend(Some(GroupBy::Client), None).unwrap().len()
    });
    time("changes", &|| {
        history
            .changes(None)
            .unwrap()
            .iter()
            .map(|c| c.broken.len() + c.fixed.len())
            .sum()
    });
    time("changes --since (last 7)", &|| {
        history
            .changes(Some(as_of0 + (runs as i64 - 7) * 86_400))
            .unwrap()
            .iter()
            .map(|c| c.broken.len() + c.fixed.len())
            .sum()
    });
    time("open", &|| {
        history.open_findings(false).unwrap().findings.len()
    });
    time("open --by owner", &|| {
        history.open_findings(true).unwrap().findings.len()
    });
    time("last_run_findings", &|| {
        history.last_run_findings().unwrap().unwrap().findings.len()
    });
    time("first_seen", &|| history.first_seen().unwrap().len());
    let middle = history.runs().unwrap()[runs as usize / 2].run;
    time("run_findings (a middle run)", &|| {
        history
            .run_findings(middle)
            .unwrap()
            .unwrap()
            .findings
            .len()
    });
    assert_eq!(history.integrity_check().unwrap(), "ok");
    drop(history);
    std::fs::remove_dir_all(&dir).unwrap();
}

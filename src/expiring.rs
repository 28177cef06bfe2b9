//! `sparkcheck expiring`: the applied codes that stop working within a window, by the date
//! each (ad account, post) loses its preview, so creators are asked to renew in time.
//!
//! It runs the `preview` policy with the window as its expiry window and reads the
//! `CODE_EXPIRING_SOON` findings: a pair is listed exactly when every valid code applied
//! to it ends within the window, the moment the rules say its preview goes.

use std::io::{self, Write};

use serde::Serialize;
use sparkcheck_facts::{time, Facts};
use sparkcheck_policies::{Cause, Evaluation, Evidence, Settings};

use crate::cli::{ExpiringArgs, ExpiringFormat};
use crate::pipeline::{self, Observer, Plan};
use crate::ExitStatus;

/// The forecast (JSON form).
#[derive(Debug, Serialize)]
pub struct Forecast {
    /// Bumped on any incompatible change.
    pub schema_version: u32,
    /// The evaluation instant.
    pub as_of: String,
    /// The window looked at.
    pub within: String,
    /// Pairs losing their preview, soonest first.
    pub expiring: Vec<Expiring>,
}

/// One (ad account, post) that loses its preview within the window.
#[derive(Debug, Serialize)]
pub struct Expiring {
    /// When its last valid code ends.
    pub loses_preview_at: String,
    /// The creator to ask for a new code.
    pub handle: String,
    /// The post.
    pub post_id: String,
    /// The ad account.
    pub advertiser_id: String,
    /// Its name, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// The ads that lose their preview.
    pub ad_ids: Vec<String>,
    /// The codes ending, masked.
    pub codes: Vec<String>,
    #[serde(skip)]
    ends: i64,
}

/// Runs the forecast.
pub fn run(args: &ExpiringArgs) -> ExitStatus {
    let config = match crate::config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            crate::say!("error: {error}");
            return ExitStatus::Error;
        }
    };
    let outputs: Vec<_> = args.output.iter().cloned().collect();
    if let Err(message) =
        crate::output::check_outputs(&args.paths, config.path.as_deref(), &outputs)
    {
        crate::say!("error: {message}");
        return ExitStatus::Error;
    }
    let mut plan = Plan::new(
        args.paths.clone(),
        args.as_of.unwrap_or_else(crate::audit::now),
    );
    plan.config = config;
    plan.expiry_window = Some(args.within);
    let settings = plan.settings();
    let run = match Observer::quiet(|observer| pipeline::run(plan, observer)) {
        Ok(run) => run,
        Err(error) => {
            error.print();
            return ExitStatus::Error;
        }
    };
    let forecast = forecast(&run.imported.facts, &run.evaluation, &settings);
    let render = |out: &mut dyn Write| match args.format {
        ExpiringFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &forecast)?;
            out.write_all(b"\n")
        }
        ExpiringFormat::Csv => write_csv(&forecast, out),
        ExpiringFormat::Text => write_text(&forecast, out),
    };
    let written = match &args.output {
        Some(path) => crate::output::write_atomically(path, render),
        None => crate::output::write_stdout(render),
    };
    match written {
        Err(e) if !(args.output.is_none() && e.kind() == io::ErrorKind::BrokenPipe) => {
            crate::say!("error: cannot write the forecast: {e}");
            ExitStatus::Error
        }
        _ => ExitStatus::Success,
    }
}

/// The pairs whose every valid applied code ends within the settings' window: the
/// `preview` policy's `CODE_EXPIRING_SOON` findings with the window as expiry window.
pub fn forecast(facts: &Facts, evaluation: &Evaluation, settings: &Settings) -> Forecast {
    let mut expiring: Vec<Expiring> = evaluation
        .findings
        .iter()
        .filter(|f| f.cause == Cause::CodeExpiringSoon)
        .map(|f| {
            let codes: Vec<usize> = f
                .evidence
                .iter()
                .filter_map(|e| match e {
                    Evidence::Code(i) => Some(*i as usize),
                    _ => None,
                })
                .collect();
            let ends = codes
                .iter()
                .filter_map(|&i| facts.codes[i].end)
                .max()
                .unwrap_or(i64::MAX);
            Expiring {
                loses_preview_at: time::format_instant(ends),
                handle: f
                    .handles
                    .iter()
                    .map(|&h| format!("@{}", facts.sym(h)))
                    .collect::<Vec<_>>()
                    .join(", "),
                post_id: facts.sym(f.post).to_string(),
                advertiser_id: facts.sym(f.advertiser).to_string(),
                account_name: facts
                    .account_names
                    .get(&f.advertiser)
                    .map(|&s| facts.text.get(s).to_string()),
                ad_ids: f
                    .ads
                    .iter()
                    .map(|&a| facts.text.get(facts.ads[a as usize].ad_id).to_string())
                    .collect(),
                codes: codes
                    .iter()
                    .map(|&i| facts.text.get(facts.codes[i].masked_code).to_string())
                    .collect(),
                ends,
            }
        })
        .collect();
    expiring.sort_by(|a, b| {
        (a.ends, &a.handle, &a.post_id, &a.advertiser_id).cmp(&(
            b.ends,
            &b.handle,
            &b.post_id,
            &b.advertiser_id,
        ))
    });
    Forecast {
        schema_version: 1,
        as_of: time::format_instant(settings.as_of),
        within: time::format_duration(settings.expiry_window),
        expiring,
    }
}

fn write_text(forecast: &Forecast, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "codes ending within {} of {}: {} {} their preview",
        forecast.within,
        forecast.as_of,
        forecast.expiring.len(),
        if forecast.expiring.len() == 1 {
            "post loses"
        } else {
            "posts lose"
        }
    )?;
    let mut day = "";
    for e in &forecast.expiring {
        if !e.loses_preview_at.starts_with(day) || day.is_empty() {
            day = &e.loses_preview_at[..10];
            writeln!(out, "\n{day}")?;
        }
        let account = e
            .account_name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} ask {} to renew post {} in ad account {}{account}; ads {}; codes {}",
            &e.loses_preview_at[11..16],
            e.handle,
            e.post_id,
            e.advertiser_id,
            e.ad_ids.join(", "),
            e.codes.join(", ")
        )?;
    }
    Ok(())
}

fn write_csv(forecast: &Forecast, out: &mut dyn Write) -> io::Result<()> {
    use crate::report::csv::{without_at, write_record, HANDLE_COLUMN};
    use crate::report::escape::spreadsheet_cell as cell;
    let mut out = io::BufWriter::new(out);
    out.write_all(b"\xEF\xBB\xBF")?;
    let header = [
        "loses_preview_at",
        HANDLE_COLUMN,
        "post_id",
        "advertiser_id",
        "account_name",
        "ad_ids",
        "codes",
    ];
    write_record(&mut out, header.iter())?;
    for e in &forecast.expiring {
        let row = [
            e.loses_preview_at.clone(),
            // Without the `@`, as in the audit's CSV: `'@name` would read badly.
            without_at(&e.handle),
            e.post_id.clone(),
            e.advertiser_id.clone(),
            e.account_name.clone().unwrap_or_default(),
            e.ad_ids.join("\n"),
            e.codes.join("\n"),
        ];
        write_record(&mut out, row.iter().map(|c| cell(c)))?;
    }
    out.flush()
}

//! One self-contained HTML page: summary charts (inline SVG), previewable against broken
//! per ad account, and a table filtered by client, owner and cause. No network, no
//! external script, style or font (a Content-Security-Policy forbids them); every value
//! from an input is HTML-escaped, so an ad named `<script>` stays text.

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::escape::html as h;
use super::{ConfigOut, FindingOut, Report};

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.muted{color:#59636e}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #d1d9e0;border-radius:8px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}.error{color:#cf222e}.warning{color:#9a6700}.ok{color:#1a7f37}
.charts{display:flex;gap:32px;flex-wrap:wrap}svg text{font-size:12px;fill:#1f2328}
.filters{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0}select,input{font:inherit;padding:4px 6px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d1d9e0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}code{font-size:12px}details summary{cursor:pointer;color:#0969da}
ol{margin:6px 0 6px 18px;padding:0}ul.evidence{margin:6px 0;padding-left:18px;color:#59636e;font-size:12px}
"#;

const SCRIPT: &str = r#"
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('#findings tbody tr'));
  var selects = { client: document.getElementById('f-client'), owner: document.getElementById('f-owner'),
                  cause: document.getElementById('f-cause') };
  var search = document.getElementById('f-search');
  var shown = document.getElementById('shown');
  function apply() {
    var text = search.value.toLowerCase(), count = 0;
    rows.forEach(function (row) {
      var visible = Object.keys(selects).every(function (key) {
        return !selects[key].value || row.dataset[key] === selects[key].value;
      }) && (!text || row.textContent.toLowerCase().indexOf(text) !== -1);
      row.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = String(count);
  }
  Object.keys(selects).forEach(function (key) { selects[key].addEventListener('change', apply); });
  search.addEventListener('input', apply);
  apply();
  document.body.dataset.ready = '1';
})();
"#;

/// Writes the report as one HTML page.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<title>sparkcheck report as of {}</title>",
        h(&report.as_of)
    )?;
    writeln!(out, "<style>{STYLE}</style></head><body>")?;
    writeln!(out, "<h1>Spark Ads preview audit</h1>")?;
    writeln!(
        out,
        "<div class=\"muted\">policy <code>{}</code> · as of {} · expiry window {}</div>",
        h(&report.policy),
        h(&report.as_of),
        h(&report.expiry_window)
    )?;
    writeln!(
        out,
        "<div class=\"muted\">{}</div>",
        h(&ConfigOut::describe(
            report.config.as_ref(),
            report.summary.suppressed
        ))
    )?;
    writeln!(out, "<div class=\"cards\">")?;
    for (label, value, class) in [
        ("posts audited", s.pairs_audited, ""),
        ("previewable", s.pairs_previewable, "ok"),
        ("broken", s.pairs_broken, "error"),
        ("errors", s.errors, "error"),
        ("warnings", s.warnings, "warning"),
    ] {
        writeln!(
            out,
            "<div class=\"card\"><b class=\"{class}\">{value}</b>{label}</div>"
        )?;
    }
    writeln!(out, "</div>")?;
    write_new_first(report, out)?;
    write_charts(report, out)?;
    write_table(report, out)?;
    write_footer(report, out)?;
    writeln!(out, "<script>{SCRIPT}</script></body></html>")
}

/// With a baseline: the new findings and the resolved ones, before anything else.
fn write_new_first(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(resolved) = &report.resolved else {
        return Ok(());
    };
    let new: Vec<&FindingOut> = report.findings.iter().filter(|f| f.is_new()).collect();
    writeln!(
        out,
        "<h2>Since the baseline: {} new, {} resolved</h2><ul>",
        new.len(),
        resolved.len()
    )?;
    for f in new {
        writeln!(
            out,
            "<li><b class=\"error\">new</b> <code>{}</code> ({}): {} · post {}</li>",
            h(&f.cause),
            h(&f.owner_role),
            h(client(f)),
            h(&f.post_id)
        )?;
    }
    for r in resolved {
        writeln!(
            out,
            "<li class=\"ok\">resolved <code>{}</code>: ad account {} · post {}</li>",
            h(&r.cause),
            h(&r.advertiser_id),
            h(&r.post_id)
        )?;
    }
    writeln!(out, "</ul>")
}

/// Horizontal bars, one per (label, value), scaled to the largest.
fn bar_chart(
    out: &mut dyn Write,
    title: &str,
    bars: &[(String, usize)],
    color: &str,
) -> io::Result<()> {
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = 24 * bars.len() + 28;
    writeln!(
        out,
        "<figure><figcaption>{}</figcaption><svg role=\"img\" width=\"460\" height=\"{height}\" \
         aria-label=\"{}\">",
        h(title),
        h(title)
    )?;
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 8 + i * 24;
        let width = 240 * value / max;
        writeln!(
            out,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"170\" y=\"{y}\" width=\"{width}\" height=\"16\" \
             fill=\"{color}\"><title>{}: {value}</title></rect><text x=\"{}\" y=\"{}\">{value}</text>",
            y + 12,
            h(label),
            h(label),
            176 + width,
            y + 12
        )?;
    }
    writeln!(out, "</svg></figure>")
}

fn write_charts(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    writeln!(out, "<h2>Findings</h2><div class=\"charts\">")?;
    let causes: Vec<(String, usize)> = s.by_cause.iter().map(|(k, v)| (k.clone(), *v)).collect();
    bar_chart(out, "Findings by cause", &causes, "#cf222e")?;
    let owners: Vec<(String, usize)> = s.by_owner.iter().map(|(k, v)| (k.clone(), *v)).collect();
    bar_chart(out, "Findings by owner role", &owners, "#0969da")?;
    writeln!(out, "</div><h2>Posts per ad account</h2>")?;
    let max = s
        .by_account
        .iter()
        .map(|a| a.pairs)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = 24 * s.by_account.len() + 30;
    writeln!(
        out,
        "<svg role=\"img\" width=\"640\" height=\"{height}\" aria-label=\"previewable and broken posts per ad account\">"
    )?;
    for (i, account) in s.by_account.iter().enumerate() {
        let y = 8 + i * 24;
        let label = account
            .account_name
            .as_deref()
            .unwrap_or(&account.advertiser_id);
        let ok = 360 * account.previewable / max;
        let broken = 360 * account.broken / max;
        writeln!(
            out,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"210\" y=\"{y}\" width=\"{ok}\" height=\"16\" fill=\"#1a7f37\">\
             <title>{} previewable</title></rect><rect x=\"{}\" y=\"{y}\" width=\"{broken}\" height=\"16\" \
             fill=\"#cf222e\"><title>{} broken</title></rect><text x=\"{}\" y=\"{}\">{} / {}</text>",
            y + 12,
            h(label),
            account.previewable,
            210 + ok,
            account.broken,
            216 + ok + broken,
            y + 12,
            account.previewable,
            account.pairs
        )?;
    }
    writeln!(out, "</svg>")
}

fn options(out: &mut dyn Write, id: &str, label: &str, values: &BTreeSet<&str>) -> io::Result<()> {
    write!(
        out,
        "<label>{label} <select id=\"{id}\"><option value=\"\">all</option>"
    )?;
    for value in values {
        write!(out, "<option value=\"{}\">{}</option>", h(value), h(value))?;
    }
    writeln!(out, "</select></label>")
}

fn client(finding: &FindingOut) -> &str {
    finding
        .account_name
        .as_deref()
        .unwrap_or(&finding.advertiser_id)
}

fn write_table(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let clients: BTreeSet<&str> = report.findings.iter().map(client).collect();
    let owners: BTreeSet<&str> = report
        .findings
        .iter()
        .map(|f| f.owner_role.as_str())
        .collect();
    let causes: BTreeSet<&str> = report.findings.iter().map(|f| f.cause.as_str()).collect();
    writeln!(
        out,
        "<h2>All findings (<span id=\"shown\">{}</span> shown)</h2>",
        report.findings.len()
    )?;
    writeln!(out, "<div class=\"filters\">")?;
    options(out, "f-client", "client", &clients)?;
    options(out, "f-owner", "owner", &owners)?;
    options(out, "f-cause", "cause", &causes)?;
    writeln!(
        out,
        "<label>search <input id=\"f-search\" type=\"search\"></label></div>"
    )?;
    writeln!(
        out,
        "<table id=\"findings\"><thead><tr><th>client / ad account</th><th>post</th><th>handle</th>\
         <th>cause</th><th>owner</th><th>what people see, fix and evidence</th><th>ads</th></tr></thead><tbody>"
    )?;
    for f in &report.findings {
        writeln!(
            out,
            "<tr data-client=\"{}\" data-owner=\"{}\" data-cause=\"{}\"><td>{}<br><span class=\"muted\">{}</span></td>\
             <td>{}</td><td>{}</td><td><code class=\"{}\">{}</code></td><td>{}</td><td>{}<details><summary>fix</summary><ol>",
            h(client(f)),
            h(&f.owner_role),
            h(&f.cause),
            h(client(f)),
            h(&f.advertiser_id),
            h(&f.post_id),
            h(f.handle.as_deref().unwrap_or("")),
            h(f.severity.name()),
            h(&f.cause),
            h(&f.owner_role),
            h(&f.symptom),
        )?;
        for step in &f.fix {
            write!(out, "<li>{}</li>", h(step))?;
        }
        write!(out, "</ol><ul class=\"evidence\">")?;
        for e in &f.evidence {
            write!(out, "<li>{}:{}: {}</li>", h(&e.path), e.line, h(&e.says))?;
        }
        writeln!(
            out,
            "</ul></details></td><td>{}</td></tr>",
            h(&f.ad_ids.join(", "))
        )?;
    }
    writeln!(out, "</tbody></table>")
}

fn write_footer(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<h2>Coverage and inputs</h2><ul>")?;
    for (cause, coverage) in &report.coverage {
        if coverage != "checked" {
            writeln!(out, "<li><code>{}</code>: {}</li>", h(cause), h(coverage))?;
        }
    }
    for input in &report.inputs {
        writeln!(
            out,
            "<li>{} ({}): {} rows, {} imported, {} rejected</li>",
            h(&input.path),
            h(&input.kind),
            input.rows,
            input.imported,
            input.rejected
        )?;
    }
    writeln!(out, "</ul>")?;
    if !report.rejected.is_empty() {
        writeln!(
            out,
            "<details><summary>{} rejected rows</summary><ul>",
            report.rejected.len()
        )?;
        for row in &report.rejected {
            writeln!(
                out,
                "<li>{}:{}: {}</li>",
                h(&row.path),
                row.line,
                h(&row.reason)
            )?;
        }
        writeln!(out, "</ul></details>")?;
    }
    Ok(())
}

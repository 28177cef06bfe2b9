//! One self-contained HTML page: summary charts (inline SVG), previewable against broken
//! per ad account, with `--history` the trend of the last runs, and a table filtered by
//! client, owner, cause and text. Causes show their catalogue title beside the code. The
//! page's script redraws the cause, owner and account charts from the rows the filters show
//! (with the geometry the page was first drawn with) and keeps the filters in the link's
//! fragment. No network, no external script, style or font (a Content-Security-Policy
//! forbids them); every value from an input is HTML-escaped here, and the script sets only
//! `textContent` and attributes, so an ad named `<script>` stays text.

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
.charts{display:flex;gap:32px;flex-wrap:wrap}svg text{font-size:12px;fill:#1f2328}svg text.sub{font-size:10px;fill:#59636e}
.title{font-size:12px;color:#59636e}td.since{white-space:nowrap}figure{margin:0 0 12px}figcaption{font-weight:600;margin-bottom:4px}
.filters{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0}select,input{font:inherit;padding:4px 6px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d1d9e0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}code{font-size:12px}details summary{cursor:pointer;color:#0969da}
ol{margin:6px 0 6px 18px;padding:0}ul.evidence{margin:6px 0;padding-left:18px;color:#59636e;font-size:12px}
"#;

const SCRIPT: &str = r#"
(function () {
  'use strict';
  /*GEOMETRY*/
  // Every text below reaches the page through textContent or setAttribute, never as
  // markup: input values cannot become elements.
  var SVG = 'http://www.w3.org/2000/svg';
  var rows = Array.prototype.slice.call(document.querySelectorAll('#findings tbody tr'));
  var selects = { client: document.getElementById('f-client'), owner: document.getElementById('f-owner'),
                  cause: document.getElementById('f-cause') };
  var search = document.getElementById('f-search');
  var shown = document.getElementById('shown');
  var filtered = Array.prototype.slice.call(document.querySelectorAll('.filtered'));
  var accounts = Array.prototype.slice.call(document.querySelectorAll('#chart-accounts g[data-account]'))
    .map(function (g) {
      return { account: g.getAttribute('data-account'), client: g.getAttribute('data-client'),
               label: g.getAttribute('data-label'), pairs: Number(g.getAttribute('data-pairs')),
               previewable: Number(g.getAttribute('data-previewable')) };
    });
  function el(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function short(text) { return text.length > LABEL_CHARS ? text.slice(0, LABEL_CHARS - 1) + '\u2026' : text; }
  // Horizontal bars, most first: [{key, label, sub, value}].
  function bars(svg, items, color) {
    clear(svg);
    var max = Math.max(1, Math.max.apply(null, items.map(function (b) { return b.value; }).concat([0])));
    var step = svg.getAttribute('data-step') === 'tall' ? TALL : ROW;
    var y = 8;
    items.forEach(function (b) {
      var g = el('g', { 'data-key': b.key });
      g.appendChild(el('text', { x: 0, y: y + 12 }, short(b.label)));
      if (b.sub) { g.appendChild(el('text', { x: 0, y: y + 26, 'class': 'sub' }, b.sub)); }
      var width = Math.floor(BAR_WIDTH * b.value / max);
      var rect = el('rect', { x: BAR_X, y: y + 2, width: width, height: 16, fill: color, 'data-value': b.value });
      rect.appendChild(el('title', {}, b.label + (b.sub ? ' (' + b.sub + ')' : '') + ': ' + b.value));
      g.appendChild(rect);
      g.appendChild(el('text', { x: BAR_X + width + 6, y: y + 14 }, String(b.value)));
      svg.appendChild(g);
      y += step;
    });
    if (!items.length) { svg.appendChild(el('text', { x: 0, y: 20, 'class': 'sub' }, 'no finding shown')); y += ROW; }
    svg.setAttribute('height', String(y + 12));
  }
  function count(visible, key, labelOf, subOf) {
    var counts = {}, first = {};
    visible.forEach(function (row) {
      var k = row.dataset[key];
      counts[k] = (counts[k] || 0) + 1;
      if (!first[k]) { first[k] = row; }
    });
    return Object.keys(counts).map(function (k) {
      return { key: k, label: labelOf(first[k]), sub: subOf ? subOf(first[k]) : '', value: counts[k] };
    }).sort(function (a, b) { return b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0); });
  }
  function drawAccounts(visible) {
    var svg = document.getElementById('chart-accounts');
    var legend = svg.querySelector('g.legend');
    var broken = {};
    visible.forEach(function (row) {
      if (row.dataset.severity === 'error') {
        var account = row.dataset.account;
        broken[account] = broken[account] || {};
        broken[account][row.dataset.post] = true;
      }
    });
    var client = selects.client.value;
    var max = Math.max(1, Math.max.apply(null, accounts.map(function (a) { return a.pairs; }).concat([0])));
    clear(svg);
    svg.appendChild(legend);
    var y = LEGEND;
    accounts.filter(function (a) { return !client || a.client === client; }).forEach(function (a) {
      var red = Object.keys(broken[a.account] || {}).length;
      var grey = Math.max(0, a.pairs - a.previewable - red);
      var g = el('g', { 'data-account': a.account, 'data-client': a.client, 'data-label': a.label,
                        'data-pairs': a.pairs, 'data-previewable': a.previewable });
      g.appendChild(el('text', { x: 0, y: y + 12 }, short(a.label)));
      var x = ACCOUNT_X;
      [[a.previewable, OK, 'previewable', 'previewable'], [red, BROKEN, 'broken', 'broken'],
       [grey, HIDDEN, 'hidden', 'broken by findings the filters hide']].forEach(function (part) {
        var width = Math.floor(ACCOUNT_WIDTH * part[0] / max);
        var rect = el('rect', { x: x, y: y, width: width, height: 16, fill: part[1], 'data-part': part[2], 'data-value': part[0] });
        rect.appendChild(el('title', {}, part[0] + ' ' + part[3]));
        g.appendChild(rect);
        x += width;
      });
      g.appendChild(el('text', { x: x + 6, y: y + 12 }, a.previewable + ' / ' + a.pairs));
      svg.appendChild(g);
      y += ROW;
    });
    svg.setAttribute('height', String(y + 12));
  }
  function apply() {
    var text = search.value.toLowerCase(), visible = [];
    rows.forEach(function (row) {
      var show = Object.keys(selects).every(function (key) {
        return !selects[key].value || row.dataset[key] === selects[key].value;
      }) && (!text || row.textContent.toLowerCase().indexOf(text) !== -1);
      row.hidden = !show;
      if (show) { visible.push(row); }
    });
    shown.textContent = String(visible.length);
    var any = Object.keys(selects).some(function (key) { return selects[key].value; }) || text;
    filtered.forEach(function (span) { span.textContent = any ? ' (the findings the filters show)' : ''; });
    bars(document.getElementById('chart-causes'), count(visible, 'cause',
      function (row) { return row.dataset.title || row.dataset.cause; },
      function (row) { return row.dataset.title ? row.dataset.cause : ''; }), BROKEN);
    bars(document.getElementById('chart-owners'), count(visible, 'owner',
      function (row) { return row.dataset.owner; }), OWNER);
    drawAccounts(visible);
    var hash = Object.keys(selects).filter(function (key) { return selects[key].value; })
      .map(function (key) { return key + '=' + encodeURIComponent(selects[key].value); }).join('&');
    if (window.location.hash.slice(1) !== hash) {
      try { window.history.replaceState(null, '', hash ? '#' + hash : window.location.pathname); } catch (e) { /* file: URLs may refuse */ }
    }
  }
  // A link may carry the filters: #client=…&owner=…&cause=… (a value no option has is ignored).
  window.location.hash.slice(1).split('&').forEach(function (part) {
    var at = part.indexOf('=');
    if (at < 0) { return; }
    var key = part.slice(0, at), value;
    try { value = decodeURIComponent(part.slice(at + 1)); } catch (e) { return; }
    var select = Object.prototype.hasOwnProperty.call(selects, key) ? selects[key] : null;
    if (select && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
      select.value = value;
    }
  });
  Object.keys(selects).forEach(function (key) { selects[key].addEventListener('change', apply); });
  search.addEventListener('input', apply);
  apply();
  document.body.dataset.ready = '1';
})();
"#;

/// Chart geometry, shared by the page's first drawing (here) and the script's redrawing.
const ROW: usize = 24;
/// A bar with a second line (the cause code under its title).
const TALL: usize = 34;
const BAR_X: usize = 300;
const BAR_WIDTH: usize = 240;
const ACCOUNT_X: usize = 250;
const ACCOUNT_WIDTH: usize = 340;
/// The height of the accounts chart's legend.
const LEGEND: usize = 30;
/// Labels longer than this are shortened with `…` (the full text is in the tooltip).
const LABEL_CHARS: usize = 38;
const OK: &str = "#1a7f37";
const BROKEN: &str = "#cf222e";
const HIDDEN: &str = "#afb8c1";
const OWNER: &str = "#0969da";

/// The script with the geometry filled in.
fn script() -> String {
    let geometry = format!(
        "var ROW = {ROW}, TALL = {TALL}, BAR_X = {BAR_X}, BAR_WIDTH = {BAR_WIDTH}, \
         ACCOUNT_X = {ACCOUNT_X}, ACCOUNT_WIDTH = {ACCOUNT_WIDTH}, LEGEND = {LEGEND}, \
         LABEL_CHARS = {LABEL_CHARS}, OK = '{OK}', BROKEN = '{BROKEN}', HIDDEN = '{HIDDEN}', \
         OWNER = '{OWNER}';"
    );
    SCRIPT.replacen("/*GEOMETRY*/", &geometry, 1)
}

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
    writeln!(out, "<script>{}</script></body></html>", script())
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

/// One bar: its key, label, second line (may be empty) and value.
struct Bar<'a> {
    key: &'a str,
    label: &'a str,
    sub: &'a str,
    value: usize,
}

/// `text`, shortened to [`LABEL_CHARS`] characters with `…` (as the script does).
fn short(text: &str) -> String {
    if text.chars().count() > LABEL_CHARS {
        let kept: String = text.chars().take(LABEL_CHARS - 1).collect();
        format!("{kept}…")
    } else {
        text.to_string()
    }
}

/// Horizontal bars, most first, scaled to the largest; `tall` rows have a second line. The
/// page's script redraws them from the rows the filters show, with the same geometry.
fn bar_chart(
    out: &mut dyn Write,
    id: &str,
    title: &str,
    bars: &[Bar<'_>],
    color: &str,
    tall: bool,
) -> io::Result<()> {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let step = if tall { TALL } else { ROW };
    let height = 8 + step * bars.len() + 12;
    writeln!(
        out,
        "<figure><figcaption>{}<span class=\"filtered\"></span></figcaption><svg id=\"{id}\" \
         role=\"img\" width=\"600\" height=\"{height}\" data-step=\"{}\" aria-label=\"{}\">",
        h(title),
        if tall { "tall" } else { "row" },
        h(title)
    )?;
    for (i, bar) in bars.iter().enumerate() {
        let y = 8 + i * step;
        let width = BAR_WIDTH * bar.value / max;
        let value = bar.value;
        let tooltip = if bar.sub.is_empty() {
            format!("{}: {value}", bar.label)
        } else {
            format!("{} ({}): {value}", bar.label, bar.sub)
        };
        write!(
            out,
            "<g data-key=\"{}\"><text x=\"0\" y=\"{}\">{}</text>",
            h(bar.key),
            y + 12,
            h(&short(bar.label))
        )?;
        if !bar.sub.is_empty() {
            write!(
                out,
                "<text x=\"0\" y=\"{}\" class=\"sub\">{}</text>",
                y + 26,
                h(bar.sub)
            )?;
        }
        writeln!(
            out,
            "<rect x=\"{BAR_X}\" y=\"{}\" width=\"{width}\" height=\"16\" fill=\"{color}\" \
             data-value=\"{value}\"><title>{}</title></rect><text x=\"{}\" y=\"{}\">{value}</text></g>",
            y + 2,
            h(&tooltip),
            BAR_X + width + 6,
            y + 14
        )?;
    }
    writeln!(out, "</svg></figure>")
}

/// Most first, then by key.
fn most_first(counts: &std::collections::BTreeMap<String, usize>) -> Vec<(&str, usize)> {
    let mut counts: Vec<(&str, usize)> = counts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts
}

fn write_charts(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    writeln!(out, "<h2>Findings</h2><div class=\"charts\">")?;
    let causes: Vec<Bar<'_>> = most_first(&s.by_cause)
        .into_iter()
        .map(|(cause, value)| {
            let title = report.cause_title(cause);
            if title.is_empty() {
                Bar {
                    key: cause,
                    label: cause,
                    sub: "",
                    value,
                }
            } else {
                Bar {
                    key: cause,
                    label: title,
                    sub: cause,
                    value,
                }
            }
        })
        .collect();
    bar_chart(
        out,
        "chart-causes",
        "Findings by cause",
        &causes,
        BROKEN,
        true,
    )?;
    let owners: Vec<Bar<'_>> = most_first(&s.by_owner)
        .into_iter()
        .map(|(owner, value)| Bar {
            key: owner,
            label: owner,
            sub: "",
            value,
        })
        .collect();
    bar_chart(
        out,
        "chart-owners",
        "Findings by owner role",
        &owners,
        OWNER,
        false,
    )?;
    writeln!(
        out,
        "</div><h2>Posts per ad account<span class=\"filtered\"></span></h2>"
    )?;
    let max = s
        .by_account
        .iter()
        .map(|a| a.pairs)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = LEGEND + ROW * s.by_account.len() + 12;
    writeln!(
        out,
        "<svg id=\"chart-accounts\" role=\"img\" width=\"680\" height=\"{height}\" \
         aria-label=\"previewable and broken posts per ad account\">"
    )?;
    // The legend: what each colour counts.
    write!(out, "<g class=\"legend\">")?;
    let mut x = 0;
    for (color, label, width) in [
        (OK, "previewable", 110),
        (BROKEN, "broken (by the findings shown)", 230),
        (HIDDEN, "broken by findings the filters hide", 260),
    ] {
        write!(
            out,
            "<rect x=\"{x}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{color}\"></rect>\
             <text x=\"{}\" y=\"14\">{label}</text>",
            x + 16
        )?;
        x += width;
    }
    writeln!(out, "</g>")?;
    for (i, account) in s.by_account.iter().enumerate() {
        let y = LEGEND + i * ROW;
        let label = account
            .account_name
            .as_deref()
            .unwrap_or(&account.advertiser_id);
        write!(
            out,
            "<g data-account=\"{}\" data-client=\"{}\" data-label=\"{}\" data-pairs=\"{}\" \
             data-previewable=\"{}\"><text x=\"0\" y=\"{}\">{}</text>",
            h(&account.advertiser_id),
            h(label),
            h(label),
            account.pairs,
            account.previewable,
            y + 12,
            h(&short(label))
        )?;
        let mut x = ACCOUNT_X;
        for (value, color, part, words) in [
            (account.previewable, OK, "previewable", "previewable"),
            (account.broken, BROKEN, "broken", "broken"),
            (0, HIDDEN, "hidden", "broken by findings the filters hide"),
        ] {
            let width = ACCOUNT_WIDTH * value / max;
            write!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"{color}\" \
                 data-part=\"{part}\" data-value=\"{value}\"><title>{value} {words}</title></rect>"
            )?;
            x += width;
        }
        writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">{} / {}</text></g>",
            x + 6,
            y + 12,
            account.previewable,
            account.pairs
        )?;
    }
    writeln!(out, "</svg>")?;
    write_trend(report, out)
}

/// With `--history`: broken posts and findings over the last runs, as a line chart (the
/// whole portfolio: the filters do not apply to past runs).
fn write_trend(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(trend) = report.trend.as_ref().filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    const WIDTH: usize = 640;
    const HEIGHT: usize = 200;
    const LEFT: usize = 40;
    const TOP: usize = 30;
    const PLOT_W: usize = 560;
    const PLOT_H: usize = 130;
    let max = trend
        .iter()
        .map(|r| r.findings.max(r.broken_posts))
        .max()
        .unwrap_or(0)
        .max(1);
    let x = |i: usize| {
        if trend.len() == 1 {
            LEFT + PLOT_W / 2
        } else {
            LEFT + i * PLOT_W / (trend.len() - 1)
        }
    };
    let y = |v: u64| TOP + PLOT_H - (v as usize * PLOT_H) / max as usize;
    writeln!(
        out,
        "<h2>Broken posts over the last {} {}</h2><svg id=\"chart-trend\" role=\"img\" width=\"{WIDTH}\" \
         height=\"{HEIGHT}\" aria-label=\"broken posts and findings per run\">",
        trend.len(),
        if trend.len() == 1 { "run" } else { "runs" }
    )?;
    writeln!(
        out,
        "<g class=\"legend\"><rect x=\"{LEFT}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{BROKEN}\"></rect>\
         <text x=\"{}\" y=\"14\">broken posts</text><rect x=\"{}\" y=\"4\" width=\"12\" height=\"12\" \
         fill=\"{OWNER}\"></rect><text x=\"{}\" y=\"14\">findings</text></g>",
        LEFT + 16,
        LEFT + 130,
        LEFT + 146
    )?;
    // Axes: zero and the maximum.
    writeln!(
        out,
        "<line x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d1d9e0\"></line>\
         <text x=\"0\" y=\"{}\">0</text><text x=\"0\" y=\"{}\">{max}</text>",
        TOP + PLOT_H,
        LEFT + PLOT_W,
        TOP + PLOT_H,
        TOP + PLOT_H + 4,
        TOP + 4
    )?;
    for (values, color, dash, series) in [
        (
            trend.iter().map(|r| r.findings).collect::<Vec<_>>(),
            OWNER,
            " stroke-dasharray=\"4 3\"",
            "findings",
        ),
        (
            trend.iter().map(|r| r.broken_posts).collect::<Vec<_>>(),
            BROKEN,
            "",
            "broken",
        ),
    ] {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{},{}", x(i), y(*v)))
            .collect();
        writeln!(
            out,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash} points=\"{}\" data-series=\"{series}\"></polyline>",
            points.join(" ")
        )?;
    }
    for (i, run) in trend.iter().enumerate() {
        writeln!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{BROKEN}\" data-as-of=\"{}\" data-broken=\"{}\" \
             data-findings=\"{}\"><title>{}: {} broken {}, {} {}</title></circle>",
            x(i),
            y(run.broken_posts),
            h(&run.as_of),
            run.broken_posts,
            run.findings,
            h(&run.as_of),
            run.broken_posts,
            if run.broken_posts == 1 { "post" } else { "posts" },
            run.findings,
            if run.findings == 1 { "finding" } else { "findings" },
        )?;
    }
    // Dates under the first and last runs (and the middle one for long trends).
    let mut labelled = vec![0, trend.len() - 1];
    if trend.len() > 4 {
        labelled.insert(1, (trend.len() - 1) / 2);
    }
    labelled.dedup();
    for i in labelled {
        let anchor = if i == 0 && trend.len() > 1 {
            "start"
        } else if i == trend.len() - 1 && trend.len() > 1 {
            "end"
        } else {
            "middle"
        };
        writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            x(i),
            TOP + PLOT_H + 20,
            h(date(&trend[i].as_of))
        )?;
    }
    writeln!(out, "</svg>")
}

/// The date part of an RFC 3339 instant.
fn date(instant: &str) -> &str {
    instant.get(..10).unwrap_or(instant)
}

/// Days from 1970-01-01 to the date of an RFC 3339 instant (the facts' own parser).
fn days(instant: &str) -> Option<i64> {
    let secs = sparkcheck_facts::time::parse_instant(instant).ok()?;
    Some(secs.div_euclid(86_400))
}

/// "2026-11-20 (3 days)": since when, and how long before the report's as-of.
fn broken_since(first_seen: &str, as_of: &str) -> String {
    match (days(first_seen), days(as_of)) {
        (Some(from), Some(to)) if to >= from => {
            let n = to - from;
            match n {
                0 => format!("{} (this run)", date(first_seen)),
                1 => format!("{} (1 day)", date(first_seen)),
                n => format!("{} ({n} days)", date(first_seen)),
            }
        }
        _ => first_seen.to_string(),
    }
}

/// A filter's `<select>`: "all", then each value (with `label` beside it when not empty).
fn options(
    out: &mut dyn Write,
    id: &str,
    label: &str,
    values: &BTreeSet<&str>,
    describe: impl Fn(&str) -> String,
) -> io::Result<()> {
    write!(
        out,
        "<label>{label} <select id=\"{id}\"><option value=\"\">all</option>"
    )?;
    for value in values {
        let words = describe(value);
        let shown = if words.is_empty() {
            value.to_string()
        } else {
            format!("{value} · {words}")
        };
        write!(out, "<option value=\"{}\">{}</option>", h(value), h(&shown))?;
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
    let with_since = report.findings.iter().any(|f| f.first_seen.is_some());
    writeln!(
        out,
        "<h2>All findings (<span id=\"shown\">{}</span> shown)</h2>",
        report.findings.len()
    )?;
    writeln!(out, "<div class=\"filters\">")?;
    options(out, "f-client", "client", &clients, |_| String::new())?;
    options(out, "f-owner", "owner", &owners, |_| String::new())?;
    options(out, "f-cause", "cause", &causes, |cause| {
        report.cause_title(cause).to_string()
    })?;
    writeln!(
        out,
        "<label>search <input id=\"f-search\" type=\"search\"></label></div>"
    )?;
    write!(
        out,
        "<table id=\"findings\"><thead><tr><th>client / ad account</th><th>post</th><th>handle</th>\
         <th>cause</th><th>owner</th>"
    )?;
    if with_since {
        write!(out, "<th>broken since</th>")?;
    }
    writeln!(
        out,
        "<th>what people see, fix and evidence</th><th>ads</th></tr></thead><tbody>"
    )?;
    for f in &report.findings {
        let title = report.cause_title(&f.cause);
        write!(
            out,
            "<tr data-client=\"{}\" data-owner=\"{}\" data-cause=\"{}\" data-title=\"{}\" \
             data-severity=\"{}\" data-account=\"{}\" data-post=\"{}\"><td>{}<br><span class=\"muted\">{}</span></td>\
             <td>{}</td><td>{}</td><td><code class=\"{}\">{}</code>",
            h(client(f)),
            h(&f.owner_role),
            h(&f.cause),
            h(title),
            h(f.severity.name()),
            h(&f.advertiser_id),
            h(&f.post_id),
            h(client(f)),
            h(&f.advertiser_id),
            h(&f.post_id),
            h(f.handle.as_deref().unwrap_or("")),
            h(f.severity.name()),
            h(&f.cause),
        )?;
        if !title.is_empty() {
            write!(out, "<br><span class=\"title\">{}</span>", h(title))?;
        }
        write!(out, "</td><td>{}</td>", h(&f.owner_role))?;
        if with_since {
            let since = f
                .first_seen
                .as_deref()
                .map(|at| broken_since(at, &report.as_of))
                .unwrap_or_default();
            write!(
                out,
                "<td class=\"since\" title=\"{}\">{}</td>",
                h(f.first_seen.as_deref().unwrap_or("")),
                h(&since)
            )?;
        }
        write!(
            out,
            "<td>{}<details><summary>fix</summary><ol>",
            h(&f.symptom)
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
            "<details><summary>{} rejected {}</summary><ul>",
            report.rejected.len(),
            if report.rejected.len() == 1 {
                "row"
            } else {
                "rows"
            }
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

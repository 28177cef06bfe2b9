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
  // The findings are data, once (the JSON block below the table); only the rows the
  // filters show are made into elements, PAGE at a time.
  var data = JSON.parse(document.getElementById('findings-data').textContent);
  var T = data.strings;
  var rows = data.rows.map(function (r) {
    return { client: T[r[0]], account: T[r[1]], post: r[2], handle: r[3], cause: T[r[4]],
             title: data.titles[T[r[4]]] || '', severity: T[r[5]], owner: T[r[6]], symptom: T[r[7]],
             fix: r[8].map(function (i) { return T[i]; }), evidence: r[9], ads: r[10], since: r[11],
             firstSeen: r[12], text: null };
  });
  var tbody = document.querySelector('#findings tbody');
  var listed = document.getElementById('listed');
  var more = document.getElementById('more');
  var visibleRows = [], rendered = 0;
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
  // Shortened by characters, as the page was first drawn (never half an emoji).
  function short(text) {
    var chars = Array.from(text);
    return chars.length > LABEL_CHARS ? chars.slice(0, LABEL_CHARS - 1).join('') + '\u2026' : text;
  }
  // The largest value, at least 1 (a loop: spreading 100k accounts into Math.max overflows the stack).
  function largest(values) {
    var max = 1;
    values.forEach(function (v) { if (v > max) { max = v; } });
    return max;
  }
  // Horizontal bars, most first: [{key, label, sub, value}].
  function bars(svg, items, color) {
    clear(svg);
    var max = largest(items.map(function (b) { return b.value; }));
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
      var k = row[key];
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
      if (row.severity === 'error') {
        var account = row.account;
        broken[account] = broken[account] || {};
        broken[account][row.post] = true;
      }
    });
    var client = selects.client.value;
    var max = largest(accounts.map(function (a) { return a.pairs; }));
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
  function html(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  // "path:line: what the row says".
  function evidenceText(e) { return T[e[0]] + ':' + e[1] + ': ' + T[e[2]]; }
  // Everything a row shows, for the search box (made on the first search, then kept).
  function searchText(row) {
    if (row.text === null) {
      var parts = [row.client, row.account, row.post, row.handle, row.cause, row.title, row.owner,
                   row.since || '', row.symptom, 'fix', row.ads];
      row.fix.forEach(function (step) { parts.push(step); });
      row.evidence.forEach(function (e) { parts.push(evidenceText(e)); });
      row.text = parts.join('\n').toLowerCase();
    }
    return row.text;
  }
  function rowElement(row) {
    var tr = html('tr', { 'data-client': row.client, 'data-owner': row.owner, 'data-cause': row.cause,
                          'data-title': row.title, 'data-severity': row.severity,
                          'data-account': row.account, 'data-post': row.post });
    var who = html('td', {}, row.client);
    who.appendChild(html('br', {}));
    who.appendChild(html('span', { 'class': 'muted' }, row.account));
    tr.appendChild(who);
    tr.appendChild(html('td', {}, row.post));
    tr.appendChild(html('td', {}, row.handle));
    var cause = html('td', {});
    cause.appendChild(html('code', { 'class': row.severity }, row.cause));
    if (row.title) {
      cause.appendChild(html('br', {}));
      cause.appendChild(html('span', { 'class': 'title' }, row.title));
    }
    tr.appendChild(cause);
    tr.appendChild(html('td', {}, row.owner));
    if (WITH_SINCE) { tr.appendChild(html('td', { 'class': 'since', title: row.firstSeen || '' }, row.since || '')); }
    var what = html('td', {}, row.symptom);
    var details = html('details', {});
    details.appendChild(html('summary', {}, 'fix'));
    var steps = html('ol', {});
    row.fix.forEach(function (step) { steps.appendChild(html('li', {}, step)); });
    details.appendChild(steps);
    var evidence = html('ul', { 'class': 'evidence' });
    row.evidence.forEach(function (e) { evidence.appendChild(html('li', {}, evidenceText(e))); });
    details.appendChild(evidence);
    what.appendChild(details);
    tr.appendChild(what);
    tr.appendChild(html('td', {}, row.ads));
    return tr;
  }
  // Appends the next PAGE rows of those the filters show.
  function renderMore() {
    var end = Math.min(visibleRows.length, rendered + PAGE);
    var batch = document.createDocumentFragment();
    for (; rendered < end; rendered++) { batch.appendChild(rowElement(visibleRows[rendered])); }
    tbody.appendChild(batch);
    var left = visibleRows.length - rendered;
    listed.textContent = left > 0 ? 'listing ' + rendered + ' of ' + visibleRows.length + ' ' : '';
    more.hidden = left <= 0;
    more.textContent = 'show ' + Math.min(PAGE, left) + ' more';
  }
  function apply() {
    var text = search.value.toLowerCase(), visible = [];
    rows.forEach(function (row) {
      var show = Object.keys(selects).every(function (key) {
        return !selects[key].value || row[key] === selects[key].value;
      }) && (!text || searchText(row).indexOf(text) !== -1);
      if (show) { visible.push(row); }
    });
    visibleRows = visible;
    rendered = 0;
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    renderMore();
    shown.textContent = String(visible.length);
    var any = Object.keys(selects).some(function (key) { return selects[key].value; }) || text;
    filtered.forEach(function (span) { span.textContent = any ? ' (the findings the filters show)' : ''; });
    bars(document.getElementById('chart-causes'), count(visible, 'cause',
      function (row) { return row.title || row.cause; },
      function (row) { return row.title ? row.cause : ''; }), BROKEN);
    bars(document.getElementById('chart-owners'), count(visible, 'owner',
      function (row) { return row.owner; }), OWNER);
    drawAccounts(visible);
    var hash = Object.keys(selects).filter(function (key) { return selects[key].value; })
      .map(function (key) { return key + '=' + encodeURIComponent(selects[key].value); }).join('&');
    if (window.location.hash.slice(1) !== hash) {
      try { window.history.replaceState(null, '', hash ? '#' + hash : window.location.pathname + window.location.search); } catch (e) { /* file: URLs may refuse */ }
    }
  }
  // A link may carry the filters: #client=…&owner=…&cause=… (a value no option has is
  // ignored); read at load and whenever the fragment changes.
  function readFragment() {
    var wanted = {};
    window.location.hash.slice(1).split('&').forEach(function (part) {
      var at = part.indexOf('=');
      if (at < 0) { return; }
      var key = part.slice(0, at), value;
      try { value = decodeURIComponent(part.slice(at + 1)); } catch (e) { return; }
      if (Object.prototype.hasOwnProperty.call(selects, key)) { wanted[key] = value; }
    });
    Object.keys(selects).forEach(function (key) {
      var select = selects[key];
      var value = Object.prototype.hasOwnProperty.call(wanted, key) ? wanted[key] : '';
      if (Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
        select.value = value;
      }
    });
  }
  readFragment();
  window.addEventListener('hashchange', function () { readFragment(); apply(); });
  Object.keys(selects).forEach(function (key) { selects[key].addEventListener('change', apply); });
  // Typing redraws once it pauses: each redraw counts every finding and every account.
  var typing = null;
  search.addEventListener('input', function () {
    window.clearTimeout(typing);
    typing = window.setTimeout(apply, 150);
  });
  more.addEventListener('click', renderMore);
  apply();
  document.body.dataset.ready = '1';
  // Milliseconds from navigation to a usable page, for measuring large reports.
  document.body.dataset.readyMs = String(Math.round(performance.now()));
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

/// Table rows made into elements at a time (the first ones, then per "show more").
const PAGE: usize = 200;

/// The script with the geometry filled in, and whether the table has a "broken since" column.
fn script(with_since: bool) -> String {
    let geometry = format!(
        "var ROW = {ROW}, TALL = {TALL}, BAR_X = {BAR_X}, BAR_WIDTH = {BAR_WIDTH}, \
         ACCOUNT_X = {ACCOUNT_X}, ACCOUNT_WIDTH = {ACCOUNT_WIDTH}, LEGEND = {LEGEND}, \
         LABEL_CHARS = {LABEL_CHARS}, OK = '{OK}', BROKEN = '{BROKEN}', HIDDEN = '{HIDDEN}', \
         OWNER = '{OWNER}', PAGE = {PAGE}, WITH_SINCE = {with_since};"
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
    writeln!(
        out,
        "<script>{}</script></body></html>",
        script(with_since(report))
    )
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

pub(super) fn client(finding: &FindingOut) -> &str {
    finding
        .account_name
        .as_deref()
        .unwrap_or(&finding.advertiser_id)
}

/// Whether any finding has a `first_seen` (a run with `--history`).
fn with_since(report: &Report) -> bool {
    report.findings.iter().any(|f| f.first_seen.is_some())
}

/// The filters, the table's head, and the findings as data once: the page's script makes
/// rows only for the findings the filters show, [`PAGE`] at a time, so a page of 100k
/// findings opens as fast as one of a hundred.
fn write_table(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let clients: BTreeSet<&str> = report.findings.iter().map(client).collect();
    let owners: BTreeSet<&str> = report
        .findings
        .iter()
        .map(|f| f.owner_role.as_str())
        .collect();
    let causes: BTreeSet<&str> = report.findings.iter().map(|f| f.cause.as_str()).collect();
    let with_since = with_since(report);
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
        "<th>what people see, fix and evidence</th><th>ads</th></tr></thead><tbody></tbody></table>"
    )?;
    writeln!(
        out,
        "<p class=\"muted\"><span id=\"listed\"></span><button id=\"more\" type=\"button\" hidden>show more</button></p>"
    )?;
    writeln!(
        out,
        "<noscript><p>The table of findings is drawn by the page's script, which this browser \
         does not run; every finding is also in the JSON, CSV and XLSX reports.</p></noscript>"
    )?;
    write!(
        out,
        "<script type=\"application/json\" id=\"findings-data\">"
    )?;
    super::page_data::write(
        report,
        with_since,
        |f| broken_since_of(f, &report.as_of),
        out,
    )?;
    writeln!(out, "</script>")
}

/// A finding's "broken since" cell: its text and the instant it shows.
fn broken_since_of(finding: &FindingOut, as_of: &str) -> Option<(String, String)> {
    let first_seen = finding.first_seen.as_deref()?;
    Some((broken_since(first_seen, as_of), first_seen.to_string()))
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

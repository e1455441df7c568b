//! `chart.svg`: each partner's scores over time and the cutoff, as a small static SVG (no
//! script, no external references, every text escaped), safe to embed in a page.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::assessments::Measures;
use crate::domain::instruments::Instrument;

const W: f64 = 640.0;
const H: f64 = 320.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 56.0;
/// Partner A solid blue, partner B dashed orange: told apart without colour too.
const STYLES: [(&str, &str, &str); 2] = [("Partner A", "#1f5fa8", ""), ("Partner B", "#c25400", "6 4")];

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Renders the chart. Writing to a `String` cannot fail, so `write!`'s results are ignored.
pub fn render(m: &Measures, instrument: &Instrument) -> String {
    let (min, max) = instrument.range();
    let span = f64::from((max - min).max(1));
    let y = |score: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (score - f64::from(min)) / span);
    let times: Vec<DateTime<Utc>> = m.partners.iter().flat_map(|p| p.points.iter().map(|pt| pt.completed_at)).collect();
    let (first, last) = (times.iter().min().copied(), times.iter().max().copied());
    let x = |t: DateTime<Utc>| match (first, last) {
        (Some(a), Some(b)) if b > a => {
            LEFT + (W - LEFT - RIGHT) * ((t - a).num_seconds() as f64 / (b - a).num_seconds() as f64)
        }
        _ => LEFT + (W - LEFT - RIGHT) / 2.0,
    };
    let title = format!("{}: scores over time", instrument.title);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="{t}" font-family="sans-serif" font-size="12"><title>{t}</title><rect width="{W}" height="{H}" fill="#ffffff"/>"##,
        t = escape(&title)
    );
    let _ = write!(s, r#"<text x="{LEFT}" y="20" font-size="14">{}</text>"#, escape(&title));
    // Axes, with the range on the score axis.
    let (x0, x1, y0, y1) = (LEFT, W - RIGHT, y(f64::from(min)), y(f64::from(max)));
    let _ = write!(
        s,
        r##"<g class="axes" stroke="#444444"><line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}"/><line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}"/></g>"##
    );
    for v in [min, max] {
        let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="end">{v}</text>"#, LEFT - 6.0, y(f64::from(v)) + 4.0);
    }
    // Dates on the time axis: every distinct day of a point (at most eight, evenly picked).
    let mut days: Vec<DateTime<Utc>> = times.clone();
    days.sort();
    days.dedup_by_key(|t| day(*t));
    let step = days.len().div_ceil(8).max(1);
    for t in days.iter().step_by(step) {
        let _ = write!(
            s,
            r#"<text class="date" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            x(*t),
            H - BOTTOM + 18.0,
            escape(&day(*t))
        );
    }
    // The cutoff.
    let cy = y(instrument.cutoff);
    let _ = write!(
        s,
        r##"<g class="cutoff"><line x1="{x0}" y1="{cy:.1}" x2="{x1}" y2="{cy:.1}" stroke="#777777" stroke-dasharray="2 3"/><text x="{x1}" y="{:.1}" text-anchor="end" fill="#555555">cutoff {}</text></g>"##,
        cy - 4.0,
        instrument.cutoff
    );
    // Each partner's line and points.
    for (i, p) in m.partners.iter().enumerate() {
        let (name, colour, dash) = STYLES[i % STYLES.len()];
        let _ = write!(
            s,
            r#"<g class="partner" data-client-id="{}" stroke="{colour}" fill="{colour}">"#,
            escape(&p.client_id)
        );
        let coords: Vec<String> =
            p.points.iter().map(|pt| format!("{:.1},{:.1}", x(pt.completed_at), y(f64::from(pt.score)))).collect();
        if coords.len() > 1 {
            let _ = write!(
                s,
                r#"<polyline points="{}" fill="none" stroke-width="2" stroke-dasharray="{dash}"/>"#,
                coords.join(" ")
            );
        }
        for pt in &p.points {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="4" data-date="{d}" data-score="{v}"><title>{n}, {d}: {v}</title></circle>"#,
                x(pt.completed_at),
                y(f64::from(pt.score)),
                d = escape(&day(pt.completed_at)),
                v = pt.score,
                n = name,
            );
        }
        let ly = H - 14.0;
        let lx = LEFT + 120.0 * i as f64;
        let _ = write!(
            s,
            r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke-width="2" stroke-dasharray="{dash}"/><text x="{}" y="{}" stroke="none">{name}</text></g>"#,
            lx + 24.0,
            lx + 30.0,
            ly + 4.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape(r#"<a href="x">&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    }
}

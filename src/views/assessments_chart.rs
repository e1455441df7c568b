//! `chart.svg`: each partner's scores over time and the cutoff, as a small static SVG (no
//! script, no external references, every text escaped), safe to embed in a page.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};

use super::assessments::{Measures, Point};
use crate::domain::instruments::Instrument;

const W: f64 = 640.0;
const H: f64 = 320.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 72.0;
/// The labels' font size; a character is at most about 0.62 of it wide in a sans-serif font.
const FONT: f64 = 12.0;
const CHAR_W: f64 = 0.62 * FONT;
/// The first partner solid blue, the second dashed orange: told apart without colour too.
const STYLES: [(&str, &str); 2] = [("#1f5fa8", ""), ("#c25400", "6 4")];
/// A legend name longer than this is cut (with an ellipsis) so the legend fits the picture.
const MAX_NAME: usize = 30;

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

/// The estimated width of `text` drawn at the label size.
fn width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_W
}

fn short(name: &str) -> String {
    if name.chars().count() <= MAX_NAME {
        return name.to_string();
    }
    let cut: String = name.chars().take(MAX_NAME - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The dates to label on the time axis and where: the last always, then as many others as fit
/// without touching (from the first on), each kept inside the picture.
fn date_labels(days: &[NaiveDate], x: impl Fn(NaiveDate) -> f64, with_year: bool) -> Vec<(NaiveDate, f64, String)> {
    let text =
        |d: NaiveDate| if with_year { d.format("%b %-d, %Y").to_string() } else { d.format("%b %-d").to_string() };
    let place = |d: NaiveDate| {
        let t = text(d);
        let half = width(&t) / 2.0;
        let cx = x(d).clamp(half + 2.0, W - half - 2.0);
        (d, cx, t)
    };
    let span = |(_, cx, t): &(NaiveDate, f64, String)| (cx - width(t) / 2.0, cx + width(t) / 2.0);
    let Some(&last) = days.last() else { return Vec::new() };
    let last = place(last);
    let mut out: Vec<(NaiveDate, f64, String)> = Vec::new();
    for &d in &days[..days.len() - 1] {
        let label = place(d);
        let (l, r) = span(&label);
        let clear_of = |other: &(NaiveDate, f64, String)| {
            let (ol, or) = span(other);
            r + 8.0 <= ol || or + 8.0 <= l
        };
        if out.last().is_none_or(clear_of) && clear_of(&last) {
            out.push(label);
        }
    }
    out.push(last);
    out
}

/// Renders the chart: dates are the points' days in the practice's time zone (`completed_on`),
/// the legend names the partners. Writing to a `String` cannot fail, so `write!`'s results are
/// ignored.
pub fn render(m: &Measures, instrument: &Instrument) -> String {
    let (min, max) = instrument.range();
    let span = f64::from((max - min).max(1));
    let y = |score: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (score - f64::from(min)) / span);
    let day = |p: &Point| NaiveDate::parse_from_str(&p.completed_on, "%Y-%m-%d").ok();
    let mut days: Vec<NaiveDate> = m.partners.iter().flat_map(|p| p.points.iter().filter_map(day)).collect();
    days.sort();
    days.dedup();
    let (first, last) = (days.first().copied(), days.last().copied());
    // Points sit a little inside the axes so the first and last are not drawn on them.
    let (px0, px1) = (LEFT + 16.0, W - RIGHT - 16.0);
    let x = |d: NaiveDate| match (first, last) {
        (Some(a), Some(b)) if b > a => px0 + (px1 - px0) * ((d - a).num_days() as f64 / (b - a).num_days() as f64),
        _ => (px0 + px1) / 2.0,
    };
    let title = format!("{}: scores over time", instrument.title);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="{t}" font-family="sans-serif" font-size="{FONT}"><title>{t}</title><rect width="{W}" height="{H}" fill="#ffffff"/>"##,
        t = escape(&title)
    );
    let _ = write!(s, r#"<text x="{LEFT}" y="22" font-size="{FONT}" font-weight="bold">{}</text>"#, escape(&title));
    // Axes, with the range on the score axis.
    let (x0, x1, y0, y1) = (LEFT, W - RIGHT, y(f64::from(min)), y(f64::from(max)));
    let _ = write!(
        s,
        r##"<g class="axes" stroke="#444444"><line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}"/><line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}"/></g>"##
    );
    for v in [min, max] {
        let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="end">{v}</text>"#, LEFT - 6.0, y(f64::from(v)) + 4.0);
    }
    let with_year = matches!((first, last), (Some(a), Some(b)) if a.year() != b.year());
    for (d, cx, text) in date_labels(&days, x, with_year) {
        let _ = write!(
            s,
            r#"<text class="date" data-date="{}" x="{cx:.1}" y="{}" text-anchor="middle">{}</text>"#,
            d.format("%Y-%m-%d"),
            H - BOTTOM + 24.0,
            escape(&text)
        );
    }
    // The cutoff: a dotted line across the plot, named in the legend (never over the data).
    let cy = y(instrument.cutoff);
    let _ = write!(
        s,
        r##"<g class="cutoff"><line x1="{x0}" y1="{cy:.1}" x2="{x1}" y2="{cy:.1}" stroke="#777777" stroke-dasharray="2 3"/></g>"##
    );
    // Each partner's line and points.
    for (i, p) in m.partners.iter().enumerate() {
        let (colour, dash) = STYLES[i % STYLES.len()];
        let _ = write!(
            s,
            r#"<g class="partner" data-client-id="{}" stroke="{colour}" fill="{colour}">"#,
            escape(&p.client_id)
        );
        let coords: Vec<String> = p
            .points
            .iter()
            .filter_map(|pt| Some(format!("{:.1},{:.1}", x(day(pt)?), y(f64::from(pt.score)))))
            .collect();
        if coords.len() > 1 {
            let _ = write!(
                s,
                r#"<polyline points="{}" fill="none" stroke-width="2" stroke-dasharray="{dash}"/>"#,
                coords.join(" ")
            );
        }
        for pt in &p.points {
            let Some(d) = day(pt) else { continue };
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="4" data-date="{d}" data-score="{v}"><title>{n}, {d}: {v}</title></circle>"#,
                x(d),
                y(f64::from(pt.score)),
                d = escape(&pt.completed_on),
                v = pt.score,
                n = escape(&p.name),
            );
        }
        s.push_str("</g>");
    }
    // The legend, one row under the dates: each partner's line and name, then the cutoff.
    let ly = H - 16.0;
    let mut lx = LEFT;
    for (i, p) in m.partners.iter().enumerate() {
        let (colour, dash) = STYLES[i % STYLES.len()];
        let name = short(&p.name);
        let _ = write!(
            s,
            r##"<g class="legend" stroke="{colour}" fill="{colour}"><line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke-width="2" stroke-dasharray="{dash}"/><text x="{}" y="{}" stroke="none" fill="#222222">{}</text></g>"##,
            lx + 24.0,
            lx + 30.0,
            ly + 4.0,
            escape(&name)
        );
        lx += 30.0 + width(&name) + 24.0;
    }
    let _ = write!(
        s,
        r##"<g class="legend cutoff-legend"><line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="#777777" stroke-dasharray="2 3"/><text x="{}" y="{}" fill="#222222">Cutoff {}</text></g>"##,
        lx + 24.0,
        lx + 30.0,
        ly + 4.0,
        instrument.cutoff
    );
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

    #[test]
    fn the_last_date_is_always_labelled_and_no_two_labels_touch() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let days: Vec<NaiveDate> = (0..40).map(|i| start + chrono::Duration::days(i)).collect();
        let x = |d: NaiveDate| LEFT + 14.0 * (d - start).num_days() as f64;
        let labels = date_labels(&days, x, false);
        assert_eq!(labels.last().unwrap().0, *days.last().unwrap());
        assert!(labels.len() > 3);
        for pair in labels.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(a.1 + width(&a.2) / 2.0 + 8.0 <= b.1 - width(&b.2) / 2.0, "{a:?} {b:?}");
        }
        assert!(labels.iter().all(|(_, cx, t)| cx - width(t) / 2.0 >= 0.0 && cx + width(t) / 2.0 <= W));
    }

    #[test]
    fn long_names_are_cut_to_fit() {
        assert_eq!(short("Maggie Okafor"), "Maggie Okafor");
        let cut = short(&"x".repeat(80));
        assert_eq!(cut.chars().count(), MAX_NAME);
        assert!(cut.ends_with('…'));
    }
}

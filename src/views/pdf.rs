//! A small text-document writer for PDFs people read: paragraphs of wrapped text on A4 pages,
//! headings, thin rules and a page footer, in DejaVu Sans embedded as a subset (any Unicode name
//! it covers, "Zoë Ångström" included; `pdftotext` gets the text back). Lines are laid out first
//! (measured with the font's advances, broken between words, a word longer than a line broken
//! between characters), then drawn page by page.

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};
use krilla::Document;

/// DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`).
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in points, and its margins.
const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const FOOTER: f32 = 28.0;

/// How a block of text is set.
#[derive(Clone, Copy)]
pub struct Style {
    pub size: f32,
    pub bold: bool,
    /// Left indent from the margin, in points.
    pub indent: f32,
    /// 0 black .. 255 white.
    pub gray: u8,
}

impl Style {
    pub const TITLE: Style = Style { size: 17.0, bold: true, indent: 0.0, gray: 0 };
    pub const HEADING: Style = Style { size: 12.5, bold: true, indent: 0.0, gray: 0 };
    pub const SUBHEADING: Style = Style { size: 10.0, bold: true, indent: 0.0, gray: 0 };
    pub const BODY: Style = Style { size: 9.5, bold: false, indent: 0.0, gray: 0 };
    pub const SMALL: Style = Style { size: 8.0, bold: false, indent: 0.0, gray: 90 };

    pub fn indented(self, indent: f32) -> Style {
        Style { indent: self.indent + indent, ..self }
    }
}

struct Run {
    x: f32,
    /// Baseline, from the top of the page.
    y: f32,
    style: Style,
    text: String,
}

#[derive(Default)]
struct Page {
    runs: Vec<Run>,
    /// Horizontal rules: their y.
    rules: Vec<f32>,
}

/// The document being laid out.
pub struct Writer {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
    pages: Vec<Page>,
    /// The top of the next line, from the top of the page.
    y: f32,
    footer: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("the PDF could not be written")]
    Write,
}

impl Writer {
    /// `footer` is set at the foot of every page, before "page N of M".
    pub fn new(footer: impl Into<String>) -> Result<Writer, PdfError> {
        let regular = ttf_parser::Face::parse(REGULAR, 0).map_err(|_| PdfError::Font)?;
        let bold = ttf_parser::Face::parse(BOLD, 0).map_err(|_| PdfError::Font)?;
        Ok(Writer { regular, bold, pages: vec![Page::default()], y: MARGIN, footer: footer.into() })
    }

    fn width_of(&self, text: &str, style: Style) -> f32 {
        let face = if style.bold { &self.bold } else { &self.regular };
        let units: u32 =
            text.chars().map(|c| face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g)).unwrap_or(0) as u32).sum();
        units as f32 * style.size / face.units_per_em() as f32
    }

    fn line_height(style: Style) -> f32 {
        style.size * 1.4
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN;
    }

    /// Room for `height` more points on this page, else a new page.
    pub fn need(&mut self, height: f32) {
        if self.y + height > HEIGHT - MARGIN - FOOTER {
            self.new_page();
        }
    }

    pub fn space(&mut self, points: f32) {
        self.y += points;
    }

    /// A thin rule across the text column.
    pub fn rule(&mut self) {
        self.need(8.0);
        let y = self.y + 3.0;
        self.page().rules.push(y);
        self.y += 8.0;
    }

    /// A paragraph: each line of `text` (split at line breaks) wrapped to the column. Control
    /// characters are set as spaces.
    pub fn paragraph(&mut self, text: &str, style: Style) {
        let clean: String = text.chars().map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect();
        for line in clean.split('\n') {
            let lines = self.wrap(line, style);
            for l in lines {
                self.line(l, style);
            }
        }
    }

    /// A label in bold followed by its value on the same line, wrapped as one paragraph.
    pub fn field(&mut self, label: &str, value: &str, style: Style) {
        let label_style = Style { bold: true, ..style };
        let label_text = format!("{label}: ");
        let label_width = self.width_of(&label_text, label_style);
        let value_style = style.indented(label_width);
        let clean: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let mut lines = self.wrap(&clean, value_style).into_iter();
        let first = lines.next().unwrap_or_default();
        let height = Self::line_height(style);
        self.need(height);
        let baseline = self.y + style.size;
        let x = MARGIN + style.indent;
        self.page().runs.push(Run { x, y: baseline, style: label_style, text: label_text });
        self.page().runs.push(Run { x: x + label_width, y: baseline, style, text: first });
        self.y += height;
        for l in lines {
            self.line(l, value_style);
        }
    }

    fn line(&mut self, text: String, style: Style) {
        let height = Self::line_height(style);
        self.need(height);
        let baseline = self.y + style.size;
        let x = MARGIN + style.indent;
        if !text.is_empty() {
            self.page().runs.push(Run { x, y: baseline, style, text });
        }
        self.y += height;
    }

    /// Breaks one line of text into lines that fit the column: between words, and inside a
    /// word only when the word alone is wider than the column.
    fn wrap(&self, text: &str, style: Style) -> Vec<String> {
        let column = WIDTH - 2.0 * MARGIN - style.indent;
        let space = self.width_of(" ", style);
        let mut lines = Vec::new();
        let mut current = String::new();
        let mut width = 0.0;
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let w = self.width_of(word, style);
            let gap = if current.is_empty() { 0.0 } else { space };
            if width + gap + w <= column {
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(word);
                width += gap + w;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
                width = 0.0;
            }
            if w <= column {
                current.push_str(word);
                width = w;
                continue;
            }
            for c in word.chars() {
                let cw = self.width_of(c.encode_utf8(&mut [0; 4]), style);
                if width + cw > column && !current.is_empty() {
                    lines.push(std::mem::take(&mut current));
                    width = 0.0;
                }
                current.push(c);
                width += cw;
            }
        }
        if !current.is_empty() || lines.is_empty() {
            lines.push(current);
        }
        lines
    }

    /// Draws every page and answers the PDF's bytes.
    pub fn finish(self) -> Result<Vec<u8>, PdfError> {
        let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?;
        let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?;
        let footer_face = Style::SMALL;
        let total = self.pages.len();
        let mut document = Document::new();
        for (n, page) in self.pages.iter().enumerate() {
            let settings = PageSettings::from_wh(WIDTH, HEIGHT).ok_or(PdfError::Write)?;
            let mut pdf_page = document.start_page_with(settings);
            let mut surface = pdf_page.surface();
            for y in &page.rules {
                if let Some(rect) = Rect::from_xywh(MARGIN, *y, WIDTH - 2.0 * MARGIN, 0.6) {
                    let mut path = PathBuilder::new();
                    path.push_rect(rect);
                    if let Some(path) = path.finish() {
                        surface.set_fill(Some(Fill { paint: luma::Color::new(170).into(), ..Fill::default() }));
                        surface.draw_path(&path);
                    }
                }
            }
            let mut draw = |run: &Run| {
                surface.set_fill(Some(Fill { paint: luma::Color::new(run.style.gray).into(), ..Fill::default() }));
                let font = if run.style.bold { bold.clone() } else { regular.clone() };
                surface.draw_text(
                    Point::from_xy(run.x, run.y),
                    font,
                    run.style.size,
                    &run.text,
                    false,
                    TextDirection::Auto,
                );
            };
            for run in &page.runs {
                draw(run);
            }
            let footer = Run {
                x: MARGIN,
                y: HEIGHT - MARGIN + footer_face.size,
                style: footer_face,
                text: format!("{} · page {} of {}", self.footer, n + 1, total),
            };
            draw(&footer);
            surface.finish();
            pdf_page.finish();
        }
        document.finish().map_err(|_| PdfError::Write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_and_breaks_pages() {
        let mut w = Writer::new("test").expect("font");
        let word = "Zoë Ångström ".repeat(400);
        w.paragraph(&word, Style::BODY);
        assert!(w.pages.len() > 1, "a long paragraph runs onto a second page");
        for page in &w.pages {
            for run in &page.runs {
                let right = run.x + w.width_of(&run.text, run.style);
                assert!(right <= WIDTH - MARGIN + 0.01, "a line stays inside the column");
                assert!(run.y <= HEIGHT - MARGIN - FOOTER + 0.01, "a line stays above the footer");
            }
        }
        let one_word = "x".repeat(500);
        let lines = w.wrap(&one_word, Style::BODY);
        assert!(lines.len() > 1 && lines.concat() == one_word, "a word wider than the column is split, nothing lost");
        let pdf = w.finish().expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}

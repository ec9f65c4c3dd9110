//! Colour for the human report, settled once: a `Paint` is either on or off, and the
//! writers ask it for a tone by meaning (a server fault, a client error, benign traffic, a
//! heading), never for a colour. Off, it returns the text untouched.

use anstyle::{AnsiColor, Style};
use comfy_table::{Attribute, Cell, Color};

/// What a piece of text is, as far as colour goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// 5xx: the server failed.
    Fault,
    /// 4xx: the request was refused or not found.
    ClientError,
    /// Normal traffic or housekeeping, shown for completeness.
    Benign,
    /// A group or section heading.
    Heading,
    /// Nothing special.
    Plain,
}

impl Tone {
    /// The tone of a status code; `benign` wins over the class. An HTTP.sys event without a
    /// status (a dropped connection) counts as a fault unless benign.
    pub fn of(status: Option<u16>, benign: bool) -> Tone {
        match status {
            _ if benign => Tone::Benign,
            Some(400..=499) => Tone::ClientError,
            Some(500..=599) | None => Tone::Fault,
            Some(_) => Tone::Plain,
        }
    }

    fn style(self) -> Style {
        match self {
            Tone::Fault => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            Tone::ClientError => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            Tone::Benign => Style::new().dimmed(),
            Tone::Heading => Style::new().bold(),
            Tone::Plain => Style::new(),
        }
    }
}

/// Colour on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Paint {
    pub on: bool,
}

impl Paint {
    pub fn new(on: bool) -> Paint {
        Paint { on }
    }

    /// `text` in `tone`, as ANSI escapes when colour is on.
    pub fn paint(&self, tone: Tone, text: &str) -> String {
        let style = tone.style();
        if !self.on || style == Style::new() {
            return text.to_string();
        }
        format!("{style}{text}{style:#}")
    }

    /// A table cell in `tone` (comfy-table draws the escapes after laying out the widths).
    pub fn cell(&self, tone: Tone, cell: Cell) -> Cell {
        if !self.on {
            return cell;
        }
        match tone {
            Tone::Fault => cell.fg(Color::Red).add_attribute(Attribute::Bold),
            Tone::ClientError => cell.fg(Color::Yellow),
            Tone::Benign => cell.add_attribute(Attribute::Dim),
            Tone::Heading => cell.add_attribute(Attribute::Bold),
            Tone::Plain => cell,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tones_follow_the_status_class_and_benign_wins() {
        let cases = [
            (Some(502), false, Tone::Fault),
            (Some(500), false, Tone::Fault),
            (Some(404), false, Tone::ClientError),
            (Some(401), true, Tone::Benign),
            (Some(200), true, Tone::Benign),
            (Some(200), false, Tone::Plain),
            (None, false, Tone::Fault),
            (None, true, Tone::Benign),
        ];
        for (status, benign, want) in cases {
            assert_eq!(Tone::of(status, benign), want, "{status:?} {benign}");
        }
    }

    #[test]
    fn off_is_the_text_itself_and_on_wraps_it_in_escapes() {
        assert_eq!(Paint::new(false).paint(Tone::Fault, "502.3"), "502.3");
        assert_eq!(
            Paint::new(true).paint(Tone::Fault, "502.3"),
            "\u{1b}[1m\u{1b}[31m502.3\u{1b}[0m"
        );
        assert_eq!(
            Paint::new(true).paint(Tone::Benign, "401.2.5"),
            "\u{1b}[2m401.2.5\u{1b}[0m"
        );
        assert_eq!(Paint::new(true).paint(Tone::Plain, "200"), "200");
    }
}

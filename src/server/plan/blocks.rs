//! Markdown to a flat list of blocks that carry their source line numbers,
//! using pulldown-cmark. Code blocks, quotes and HTML are dropped: a plan's
//! structure is in its headings, label lines, lists and tables.

use pulldown_cmark::{Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};

/// One line of text and the 1-based source line it starts on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub no: usize,
    pub text: String,
    /// The line began with bold text (`**Tables to create (7 total):**`):
    /// a label however many words it has.
    pub bold: bool,
}

/// A structural piece of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// YAML front matter, line by line.
    FrontMatter(Vec<Line>),
    /// `#`…`######` heading.
    Heading { level: u8, line: Line },
    /// A paragraph, or the text of one list item (`checked` for the
    /// `[ ]`/`[x]` that markdown itself knows; other boxes stay in the text).
    Text {
        lines: Vec<Line>,
        in_list: bool,
        checked: Option<bool>,
    },
    /// A table: its header line and cells, then rows with their line.
    Table {
        line: usize,
        header: Vec<String>,
        rows: Vec<(usize, Vec<String>)>,
    },
}

/// Splits `source` into blocks.
pub fn blocks(source: &str) -> Vec<Block> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset);

    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut out = Vec::new();
    let mut w = Walker::default();
    for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
        let line = line_of(range.start);
        match event {
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => w.meta = true,
            Event::End(TagEnd::MetadataBlock(_)) => w.meta = false,
            Event::Start(Tag::CodeBlock(_)) | Event::Start(Tag::HtmlBlock) => w.skip += 1,
            Event::End(TagEnd::CodeBlock) | Event::End(TagEnd::HtmlBlock) => {
                w.skip = w.skip.saturating_sub(1);
            }
            _ if w.skip > 0 => {}
            Event::Text(t) if w.meta => {
                let lines = t
                    .lines()
                    .enumerate()
                    .map(|(i, l)| Line {
                        no: line + i,
                        text: l.to_string(),
                        bold: false,
                    })
                    .collect();
                out.push(Block::FrontMatter(lines));
            }
            Event::Start(Tag::Heading { .. }) => w.begin_text(),
            Event::End(TagEnd::Heading(level)) => {
                let text = w.take_lines().into_iter().next();
                let line = text.unwrap_or(Line {
                    no: line,
                    ..Line::default()
                });
                out.push(Block::Heading {
                    level: level as u8,
                    line,
                });
            }
            Event::Start(Tag::Paragraph) if w.items.is_empty() => w.begin_text(),
            Event::End(TagEnd::Paragraph) if w.items.is_empty() => {
                let lines = w.take_lines();
                if !lines.is_empty() {
                    out.push(Block::Text {
                        lines,
                        in_list: false,
                        checked: None,
                    });
                }
            }
            // A loose list item's paragraphs each start a line.
            Event::End(TagEnd::Paragraph) => w.new_line(),
            Event::Start(Tag::Item) => {
                w.flush_item(&mut out);
                w.items.push(None);
                w.begin_text();
            }
            Event::End(TagEnd::Item) => {
                w.flush_item(&mut out);
                w.items.pop();
            }
            Event::Start(Tag::List(_)) => w.flush_item(&mut out),
            Event::TaskListMarker(done) => {
                if let Some(last) = w.items.last_mut() {
                    *last = Some(done);
                }
            }
            Event::Start(Tag::Table(_)) => w.table = Some((line, Vec::new(), Vec::new())),
            Event::End(TagEnd::Table) => {
                if let Some((line, header, rows)) = w.table.take() {
                    out.push(Block::Table { line, header, rows });
                }
            }
            Event::Start(Tag::TableRow) | Event::Start(Tag::TableHead) => {
                w.row = Some((line, Vec::new()));
            }
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                if let (Some((no, cells)), Some((_, header, rows))) = (w.row.take(), &mut w.table) {
                    if header.is_empty() {
                        *header = cells;
                    } else {
                        rows.push((no, cells));
                    }
                }
            }
            Event::Start(Tag::TableCell) => w.begin_text(),
            Event::End(TagEnd::TableCell) => {
                let text = w
                    .take_lines()
                    .into_iter()
                    .map(|l| l.text)
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some((_, cells)) = &mut w.row {
                    cells.push(text);
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => w.links.push(dest_url.to_string()),
            // `[log](gs://…/boot.log)`: the text and, when it says something
            // else, the address after it, so that no link is lost.
            Event::End(TagEnd::Link) => {
                if let Some(url) = w.links.pop() {
                    let shown = w.lines.last().map(|l| l.text.trim_end().to_string());
                    if !url.is_empty() && !shown.is_some_and(|t| t.ends_with(url.as_str())) {
                        w.push_text(&format!(" ({url})"), line);
                    }
                }
            }
            Event::Start(Tag::Strong) if !w.open_line => w.bold_next = true,
            Event::Text(t) | Event::Code(t) => w.push_text(&t, line),
            Event::SoftBreak | Event::HardBreak => w.new_line(),
            _ => {}
        }
    }
    out
}

/// State of the walk: the text being gathered and the open containers.
#[derive(Default)]
struct Walker {
    meta: bool,
    skip: usize,
    lines: Vec<Line>,
    open_line: bool,
    /// The next line starts with bold text.
    bold_next: bool,
    /// Open list items, innermost last, with their checkbox.
    items: Vec<Option<bool>>,
    table: Option<(usize, Vec<String>, Vec<Row>)>,
    row: Option<(usize, Vec<String>)>,
    /// Addresses of the links being read.
    links: Vec<String>,
}

/// A table row: its line and cells.
type Row = (usize, Vec<String>);

impl Walker {
    fn begin_text(&mut self) {
        self.lines.clear();
        self.open_line = false;
    }

    fn new_line(&mut self) {
        self.open_line = false;
    }

    fn push_text(&mut self, text: &str, line: usize) {
        match self.lines.last_mut() {
            Some(last) if self.open_line => last.text.push_str(text),
            _ => self.lines.push(Line {
                no: line,
                text: text.to_string(),
                bold: self.bold_next,
            }),
        }
        self.bold_next = false;
        self.open_line = true;
    }

    fn take_lines(&mut self) -> Vec<Line> {
        self.open_line = false;
        std::mem::take(&mut self.lines)
            .into_iter()
            .map(|l| Line {
                text: l.text.trim().to_string(),
                ..l
            })
            .filter(|l| !l.text.is_empty())
            .collect()
    }

    /// Emits the text gathered so far for the innermost list item, so a
    /// parent item comes out before its nested items.
    fn flush_item(&mut self, out: &mut Vec<Block>) {
        let Some(checked) = self.items.last().copied() else {
            return;
        };
        let lines = self.take_lines();
        if !lines.is_empty() {
            out.push(Block::Text {
                lines,
                in_list: true,
                checked,
            });
        }
        // The checkbox belongs to the text just emitted.
        if let Some(last) = self.items.last_mut() {
            *last = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_labels_on_consecutive_lines_keep_their_line_numbers() {
        let md = "### CLOUD-001a: Create\n**Owner:** Artifacts Agent\n**Duration:** 2 hours\n";
        let b = blocks(md);
        assert_eq!(
            b[0],
            Block::Heading {
                level: 3,
                line: Line {
                    no: 1,
                    text: "CLOUD-001a: Create".into(),
                    bold: false,
                }
            }
        );
        let Block::Text { lines, .. } = &b[1] else {
            panic!("{b:?}")
        };
        assert_eq!(
            lines[0],
            Line {
                no: 2,
                text: "Owner: Artifacts Agent".into(),
                bold: true,
            }
        );
        assert_eq!(
            lines[1],
            Line {
                no: 3,
                text: "Duration: 2 hours".into(),
                bold: true,
            }
        );
    }

    #[test]
    fn code_blocks_are_not_read_as_headings() {
        let b = blocks("```bash\n# 1. Create cluster\n```\n");
        assert!(b.is_empty(), "{b:?}");
    }

    #[test]
    fn checkboxes_and_nested_items_come_out_in_order() {
        let md = "- [x] A-1: done thing\n  - Owner: Jesse\n- [ ] A-2: open thing\n";
        let b = blocks(md);
        let texts: Vec<_> = b
            .iter()
            .map(|b| match b {
                Block::Text { lines, checked, .. } => {
                    (lines[0].no, lines[0].text.clone(), *checked)
                }
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            texts,
            vec![
                (1, "A-1: done thing".into(), Some(true)),
                (2, "Owner: Jesse".into(), None),
                (3, "A-2: open thing".into(), Some(false)),
            ]
        );
    }

    #[test]
    fn tables_keep_header_and_row_lines() {
        let md = "intro\n\n| Code | Action |\n|---|---|\n| A-1 | Do it |\n| A-2 | **Bold** |\n";
        let b = blocks(md);
        assert_eq!(
            b[1],
            Block::Table {
                line: 3,
                header: vec!["Code".into(), "Action".into()],
                rows: vec![
                    (5, vec!["A-1".into(), "Do it".into()]),
                    (6, vec!["A-2".into(), "Bold".into()])
                ],
            }
        );
    }

    #[test]
    fn front_matter_is_read_line_by_line() {
        let b = blocks("---\nweek_start: 2025-10-27\nowner: Jesse\n---\n# Title\n");
        let Block::FrontMatter(lines) = &b[0] else {
            panic!("{b:?}")
        };
        assert_eq!(
            lines[0],
            Line {
                no: 2,
                text: "week_start: 2025-10-27".into(),
                bold: false,
            }
        );
        assert_eq!(lines[1].no, 3);
    }
}

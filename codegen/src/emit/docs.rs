//! Model documentation (botocore HTML) -> rustdoc Markdown, emitted as `#[doc]` attributes.
//! One Markdown line per paragraph or list item, so a changed sentence changes one line.

use crate::ir::Docs;
use proc_macro2::TokenStream;
use quote::quote;

/// Outer doc attributes (`///`) for an item.
pub(crate) fn outer(docs: &Docs) -> TokenStream {
    let lines = lines(docs);
    quote! { #( #[doc = #lines] )* }
}

/// Outer doc attributes, or `fallback` where the model documents nothing: every public item
/// has docs (the generated crates warn on missing ones).
pub(crate) fn outer_or(docs: &Docs, fallback: &str) -> TokenStream {
    if lines(docs).is_empty() {
        let fallback = format!(" {fallback}");
        quote! { #[doc = #fallback] }
    } else {
        outer(docs)
    }
}

/// A member's docs, or a line naming it.
pub(crate) fn member(member: &crate::ir::Member) -> TokenStream {
    outer_or(&member.docs, &format!("The `{}` member.", member.name))
}

/// Inner doc attributes (`//!`) for a module or crate.
pub(crate) fn inner(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|line| format!(" {line}").trim_end().to_owned());
    quote! { #( #![doc = #lines] )* }
}

/// The doc text as lines, each starting with a space so it prints as `/// text`.
fn lines(docs: &Docs) -> Vec<String> {
    let markdown = docs.0.as_deref().map(to_markdown).unwrap_or_default();
    markdown.lines().map(|line| format!(" {line}").trim_end().to_owned()).collect()
}

/// Converts botocore's HTML subset to Markdown. Unknown tags are dropped, their text kept.
pub(crate) fn to_markdown(html: &str) -> String {
    let mut out = Markdown::default();
    let mut rest = html;
    let mut link: Option<String> = None;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            out.text(rest);
            break;
        };
        out.text(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.text(&rest[open..]);
            break;
        };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let closing = tag.starts_with('/');
        let name = tag.trim_start_matches('/').split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
        match (name.to_ascii_lowercase().as_str(), closing) {
            ("p" | "div" | "note" | "important" | "ul" | "ol" | "dl" | "br", _) => out.block_break(),
            ("li" | "dt" | "dd", false) => {
                out.block_break();
                out.open("- ");
            }
            ("code" | "tt", false) => out.open_verbatim("`"),
            ("code" | "tt", true) => out.close_verbatim("`"),
            ("b" | "strong", false) => out.open("**"),
            ("b" | "strong", true) => out.close("**"),
            ("i" | "em", false) => out.open("*"),
            ("i" | "em", true) => out.close("*"),
            ("a", false) => {
                link = attribute(tag, "href");
                if link.is_some() {
                    out.open_verbatim("[");
                }
            }
            ("a", true) => {
                if let Some(href) = link.take() {
                    out.close_verbatim(&format!("]({href})"));
                }
            }
            _ => {}
        }
    }
    out.finish()
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = tag[start..].find('"')?;
    Some(tag[start..start + end].replace(' ', "%20")).filter(|href| !href.is_empty())
}

/// Accumulates Markdown, folding HTML whitespace and separating blocks by blank lines.
#[derive(Default)]
struct Markdown {
    blocks: Vec<String>,
    current: String,
    /// Just after opening markup (`` ` ``, `[`, `- `): the next word follows without a space.
    after_open: bool,
    /// Inside code or a link's text, where a URL stays as written.
    verbatim: bool,
}

impl Markdown {
    fn text(&mut self, html_text: &str) {
        let text = escape(&decode_entities(html_text));
        for (i, word) in text.split_whitespace().enumerate() {
            let starts_with_space = i > 0 || text.starts_with(char::is_whitespace);
            if starts_with_space && !self.after_open && !self.current.is_empty() && !self.current.ends_with(' ') {
                self.current.push(' ');
            }
            match self.verbatim {
                true => self.current.push_str(word),
                false => self.current.push_str(&autolink(word)),
            }
            self.after_open = false;
        }
        if text.ends_with(char::is_whitespace) && !self.current.is_empty() && !self.after_open {
            self.current.push(' ');
        }
    }

    fn open(&mut self, markup: &str) {
        self.current.push_str(markup);
        self.after_open = true;
    }

    fn open_verbatim(&mut self, markup: &str) {
        self.open(markup);
        self.verbatim = true;
    }

    fn close_verbatim(&mut self, markup: &str) {
        self.close(markup);
        self.verbatim = false;
    }

    /// Closing markup hugs the text before it: `` `code` ``, not `` `code ` ``.
    fn close(&mut self, markup: &str) {
        let trimmed = self.current.trim_end().len();
        let trailing_space = trimmed < self.current.len();
        self.current.truncate(trimmed);
        self.current.push_str(markup);
        if trailing_space {
            self.current.push(' ');
        }
        self.after_open = false;
    }

    fn block_break(&mut self) {
        // A bullet just opened waits for its text, even across a `<p>` inside the `<li>`.
        if self.current.trim() == "-" {
            return;
        }
        self.after_open = false;
        let block = std::mem::take(&mut self.current).trim().to_owned();
        if !block.is_empty() {
            self.blocks.push(block);
        }
    }

    fn finish(mut self) -> String {
        self.block_break();
        // List items read as one list; other blocks are paragraphs.
        let mut out = String::new();
        for (i, block) in self.blocks.iter().enumerate() {
            if i > 0 {
                let both_items = block.starts_with("- ") && self.blocks[i - 1].starts_with("- ");
                out.push_str(if both_items { "\n" } else { "\n\n" });
            }
            out.push_str(block);
        }
        out
    }
}

/// A bare URL in a word as an autolink, `<https://...>`, punctuation around it left outside:
/// rustdoc warns on bare URLs.
fn autolink(word: &str) -> String {
    let Some(start) = word.find("https://").or_else(|| word.find("http://")) else {
        return word.to_owned();
    };
    let url = word[start..].trim_end_matches(['.', ',', ';', ':', ')', '\'', '"']);
    let end = start + url.len();
    format!("{}<{url}>{}", &word[..start], &word[end..])
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Brackets would read as intra-doc links and angle brackets as HTML tags; both warn in rustdoc.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '<' | '>' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_markdown;

    #[test]
    fn converts_the_html_botocore_uses() {
        assert_eq!(to_markdown("<p>Lists the jobs.</p>"), "Lists the jobs.");
        assert_eq!(
            to_markdown(
                "<p>Use <code>ListJobs</code> with <a href=\"https://x.test/a b\">the guide</a>.</p><p>Second [x].</p>"
            ),
            "Use `ListJobs` with [the guide](https://x.test/a%20b).\n\nSecond \\[x\\]."
        );
        assert_eq!(to_markdown("<ul><li><p>one</p></li><li>two &lt;T&gt;</li></ul>"), "- one\n- two \\<T\\>");
        assert_eq!(to_markdown("a\n   b <b>bold</b>"), "a b **bold**");
        assert_eq!(to_markdown("<p>Set <code> x </code> to <i>y</i>.</p>"), "Set `x` to *y*.");
        assert_eq!(to_markdown(""), "");
        assert_eq!(
            to_markdown("<p>See https://x.test/a.html. Or (http://y.test), <a href=\"https://z.test\">https://z.test</a> and <code>https://c.test</code></p>"),
            "See <https://x.test/a.html>. Or (<http://y.test>), [https://z.test](https://z.test) and `https://c.test`"
        );
    }
}

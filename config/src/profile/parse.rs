//! The line grammar shared by `~/.aws/config` and `~/.aws/credentials`: section headers,
//! `key = value` properties, indented continuations and sub-properties, `#`/`;` comments.

/// A section as written: its header (between the brackets, trimmed) and its properties in order.
#[derive(Debug)]
pub(crate) struct RawSection<'a> {
    pub header: &'a str,
    pub properties: Vec<(&'a str, String)>,
}

/// Where a file breaks the grammar. The text names the rule and the line, never the line's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub message: &'static str,
}

pub(crate) fn parse(text: &str) -> Result<Vec<RawSection<'_>>, SyntaxError> {
    let mut sections: Vec<RawSection> = Vec::new();
    // Whether the last line defined a property that continuations extend, and whether that
    // property opened with an empty value (then its continuations are sub-properties).
    let mut open_property: Option<bool> = None;
    for (index, line) in text.lines().enumerate() {
        let error = |message| SyntaxError { line: index + 1, message };
        if line.trim().is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            let section = sections.last_mut().ok_or(error("Expected a profile definition"))?;
            let sub_properties = open_property.ok_or(error("Expected a property definition, found continuation"))?;
            let (_, value) = section.properties.last_mut().ok_or(error("Expected a property definition"))?;
            continue_value(value, line.trim(), sub_properties).map_err(error)?;
        } else if line.starts_with('[') {
            sections.push(RawSection { header: section_header(line).map_err(error)?, properties: Vec::new() });
            open_property = None;
        } else {
            let section = sections.last_mut().ok_or(error("Expected a profile definition"))?;
            let (key, value) = property(line).map_err(error)?;
            open_property = Some(value.is_empty());
            section.properties.push((key, value.to_owned()));
        }
    }
    Ok(sections)
}

/// `[profile foo] ; comment` -> `profile foo`. Comments may touch the closing bracket.
fn section_header(line: &str) -> Result<&str, &'static str> {
    let line = line.split(['#', ';']).next().unwrap_or_default().trim_end();
    let inner = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']'));
    inner.map(str::trim).ok_or("Profile definition must end with ']'")
}

/// `key = value # comment` -> (`key`, `value`). A comment needs whitespace before it, so
/// `value;text` keeps its `;`.
fn property(line: &str) -> Result<(&str, &str), &'static str> {
    let (key, value) = without_comment(line).split_once('=').ok_or("Expected an '=' sign defining a property")?;
    let key = key.trim();
    if key.is_empty() {
        return Err("Property did not have a name");
    }
    Ok((key, value.trim()))
}

fn without_comment(line: &str) -> &str {
    let mut previous_is_space = false;
    for (at, char) in line.char_indices() {
        if previous_is_space && (char == '#' || char == ';') {
            return &line[..at];
        }
        previous_is_space = char.is_whitespace();
    }
    line
}

/// Continuations are kept verbatim (comments included), one per line.
fn continue_value(value: &mut String, line: &str, sub_properties: bool) -> Result<(), &'static str> {
    if sub_properties {
        let (name, _) = line.split_once('=').ok_or("Expected an '=' sign defining a sub-property")?;
        if name.trim().is_empty() {
            return Err("Sub-property did not have a name");
        }
    }
    value.push('\n');
    value.push_str(line);
    Ok(())
}

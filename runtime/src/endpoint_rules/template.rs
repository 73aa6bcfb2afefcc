//! The two small string syntaxes inside a rule set: templates (`https://{Region}.{p#dnsSuffix}`,
//! `{{`/`}}` for literal braces) and `getAttr` paths (`a.b[0]`, negative indexes from the end).
//! Both are parsed once, with the rule set; evaluation only walks the parts.

use serde_json::Value as Json;

/// One step of a `getAttr` path.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PathPart {
    Key(String),
    /// From the start, or from the end when negative (`[-1]` is the last element).
    Index(i64),
}

/// Parses `a.b[0]`: dot-separated keys; an index (`key[2]` or `[2]`) only at the end, as indexes
/// give optional values.
pub(crate) fn parse_path(path: &str) -> Result<Vec<PathPart>, String> {
    let mut parts = Vec::new();
    let segments: Vec<&str> = path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let (key, index) = match segment.split_once('[') {
            Some((key, rest)) => {
                let digits = rest.strip_suffix(']').ok_or_else(|| format!("`{path}`: `[` without a closing `]`"))?;
                let index = digits.parse::<i64>().map_err(|_| format!("`{path}`: `{digits}` is not an index"))?;
                if i + 1 != segments.len() {
                    return Err(format!("`{path}`: an index must end the path"));
                }
                (key, Some(index))
            }
            None => (*segment, None),
        };
        if !key.is_empty() {
            if !key.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
                return Err(format!("`{path}`: `{key}` is not a valid key"));
            }
            parts.push(PathPart::Key(key.to_owned()));
        } else if index.is_none() || segments.len() > 1 {
            return Err(format!("`{path}`: empty key"));
        }
        if let Some(index) = index {
            parts.push(PathPart::Index(index));
        }
    }
    Ok(parts)
}

/// The value at `path` inside `value`; none when a key or index is not there.
pub(crate) fn get_path<'v>(value: &'v Json, path: &[PathPart]) -> Option<&'v Json> {
    path.iter().try_fold(value, |value, part| match part {
        PathPart::Key(key) => value.as_object()?.get(key),
        PathPart::Index(index) => {
            let items = value.as_array()?;
            let at = if *index < 0 { items.len().checked_sub(index.unsigned_abs() as usize)? } else { *index as usize };
            items.get(at)
        }
    })
}

/// A piece of a template as written: literal text, or a placeholder naming a variable and an
/// optional path (`{url#authority}`). The rule set parser turns names into variable slots.
#[derive(Debug, PartialEq)]
pub(crate) enum Piece<'t> {
    Text(String),
    Placeholder { name: &'t str, path: Vec<PathPart> },
}

/// Splits a template into pieces; an error for an unclosed `{`, a lone `}` or an empty name.
pub(crate) fn parse_template(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        text.push_str(&rest[..at]);
        let (brace, after) = (&rest[at..at + 1], &rest[at + 1..]);
        if let Some(after) = after.strip_prefix(brace) {
            // `{{` or `}}`: a literal brace.
            text.push_str(brace);
            rest = after;
            continue;
        }
        if brace == "}" {
            return Err(format!("template `{template}`: `}}` without `{{` (write `}}}}` for a brace)"));
        }
        let end = after.find('}').ok_or_else(|| format!("template `{template}`: `{{` is not closed"))?;
        let inner = &after[..end];
        let (name, path) = match inner.split_once('#') {
            Some((name, path)) => (name, parse_path(path).map_err(|e| format!("template `{template}`: {e}"))?),
            None => (inner, Vec::new()),
        };
        if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            return Err(format!("template `{template}`: `{{{inner}}}` does not name a variable"));
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(Piece::Placeholder { name, path });
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let key = |k: &str| PathPart::Key(k.to_owned());
        assert_eq!(parse_path("scheme").unwrap(), [key("scheme")]);
        assert_eq!(parse_path("a.b[0]").unwrap(), [key("a"), key("b"), PathPart::Index(0)]);
        assert_eq!(parse_path("[-1]").unwrap(), [PathPart::Index(-1)]);
        for bad in ["", "a..b", "a[0].b", "a[x]", "a[0", "a-b", ".a", "a.[0]"] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
        let value = json!({"a": {"b": ["x", "y", "z"]}});
        let get = |p: &str| get_path(&value, &parse_path(p).unwrap()).cloned();
        assert_eq!(get("a.b[0]"), Some(json!("x")));
        assert_eq!(get("a.b[-1]"), Some(json!("z")));
        assert_eq!(get("a.b[3]"), None);
        assert_eq!(get("a.b[-4]"), None);
        assert_eq!(get("a.c"), None);
        assert_eq!(get("a.b.c"), None);
        assert_eq!(get("a[0]"), None);
    }

    #[test]
    fn templates() {
        let text = |t: &str| Piece::Text(t.to_owned());
        assert_eq!(parse_template("plain").unwrap(), [text("plain")]);
        assert_eq!(parse_template("").unwrap(), []);
        assert_eq!(
            parse_template("https://{Region}.{p#dnsSuffix}").unwrap(),
            [
                text("https://"),
                Piece::Placeholder { name: "Region", path: vec![] },
                text("."),
                Piece::Placeholder { name: "p", path: vec![PathPart::Key("dnsSuffix".to_owned())] },
            ]
        );
        assert_eq!(
            parse_template("{{a}}{b}}}").unwrap(),
            [text("{a}"), Piece::Placeholder { name: "b", path: vec![] }, text("}")]
        );
        for bad in ["{", "}", "{}", "{a", "a}b", "{a b}", "{a#}", "{#x}"] {
            assert!(parse_template(bad).is_err(), "{bad}");
        }
    }
}

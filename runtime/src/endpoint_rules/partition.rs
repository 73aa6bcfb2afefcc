//! `aws.partition`: the partition table (botocore's partitions.json, embedded because a user's crate
//! cannot read files beside this checkout) and the region lookup.

use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::OnceLock;

const PARTITIONS_JSON: &str = include_str!("partitions.json");

/// Regions longer than this never match a `regionRegex` (real ones are ~20 bytes); it bounds the
/// matcher's backtracking on hostile input.
const MAX_REGEX_INPUT: usize = 128;

struct Partition {
    /// `None` when the pattern uses syntax [`RegionPattern`] does not know: fail closed, never match.
    pattern: Option<RegionPattern>,
    /// `outputs` plus `name` (the partition id), as `aws.partition` returns it.
    output: Json,
}

struct Table {
    partitions: Vec<Partition>,
    /// Exact region name -> index into `partitions`.
    regions: HashMap<String, usize>,
    /// The partition unknown regions fall back to (`aws`).
    fallback: Option<usize>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    // The embedded file is tested below, so a parse failure here means an empty table, not a panic.
    TABLE.get_or_init(|| parse_table(PARTITIONS_JSON).unwrap_or_else(|_| Table::empty()))
}

impl Table {
    fn empty() -> Table {
        Table { partitions: Vec::new(), regions: HashMap::new(), fallback: None }
    }
}

fn parse_table(text: &str) -> Result<Table, String> {
    let root: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let list = root.get("partitions").and_then(Json::as_array).ok_or("no `partitions` array")?;
    let mut table = Table::empty();
    for (index, entry) in list.iter().enumerate() {
        let id = entry.get("id").and_then(Json::as_str).ok_or("a partition without `id`")?;
        let mut output = entry.get("outputs").and_then(Json::as_object).cloned().ok_or("no `outputs`")?;
        output.insert("name".to_owned(), Json::String(id.to_owned()));
        let pattern = entry.get("regionRegex").and_then(Json::as_str).and_then(RegionPattern::compile);
        for region in entry.get("regions").and_then(Json::as_object).into_iter().flat_map(|r| r.keys()) {
            // The first partition naming a region wins, as in the ordered lookups of other SDKs.
            table.regions.entry(region.clone()).or_insert(index);
        }
        if id == "aws" {
            table.fallback = Some(index);
        }
        table.partitions.push(Partition { pattern, output: Json::Object(output) });
    }
    Ok(table)
}

/// The partition of `region`: an exact region name first, then the first `regionRegex` that
/// matches, else the `aws` partition (unknown regions are assumed to be new commercial ones).
pub(crate) fn partition(region: &str) -> Option<&'static Json> {
    let table = table();
    let index = table
        .regions
        .get(region)
        .copied()
        .or_else(|| table.partitions.iter().position(|p| p.pattern.as_ref().is_some_and(|re| re.matches(region))))
        .or(table.fallback)?;
    Some(&table.partitions[index].output)
}

/// The regular expressions partitions.json uses, e.g. `^(us|eu|ap)\-\w+\-\d+$`: anchors, literal
/// characters (escaped punctuation too), `\w+`, `\d+` and groups of literal alternatives. Anything
/// else does not compile, so a partition with a new kind of pattern matches by exact name only.
#[derive(Debug)]
struct RegionPattern(Vec<Token>);

#[derive(Debug)]
enum Token {
    Char(u8),
    /// `\w+` (`true`) or `\d+` (`false`), ASCII only.
    Repeat {
        word: bool,
    },
    Alternatives(Vec<Vec<u8>>),
}

impl RegionPattern {
    fn compile(pattern: &str) -> Option<RegionPattern> {
        let body = pattern.strip_prefix('^')?.strip_suffix('$')?.as_bytes();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < body.len() {
            match body[i] {
                b'\\' => {
                    let escaped = *body.get(i + 1)?;
                    i += 2;
                    let plus = body.get(i) == Some(&b'+');
                    match escaped {
                        b'w' | b'd' if plus => {
                            tokens.push(Token::Repeat { word: escaped == b'w' });
                            i += 1;
                        }
                        c if c.is_ascii_punctuation() => tokens.push(Token::Char(c)),
                        _ => return None,
                    }
                }
                b'(' => {
                    let end = i + body[i..].iter().position(|&c| c == b')')?;
                    let group = &body[i + 1..end];
                    if !group.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'|') {
                        return None;
                    }
                    tokens.push(Token::Alternatives(group.split(|&c| c == b'|').map(<[u8]>::to_vec).collect()));
                    i = end + 1;
                }
                c if c.is_ascii_alphanumeric() || c == b'-' => {
                    tokens.push(Token::Char(c));
                    i += 1;
                }
                _ => return None,
            }
        }
        Some(RegionPattern(tokens))
    }

    fn matches(&self, text: &str) -> bool {
        text.len() <= MAX_REGEX_INPUT && match_from(&self.0, text.as_bytes())
    }
}

/// Backtracking match of the whole of `text`; the tokens are few and the text short.
fn match_from(tokens: &[Token], text: &[u8]) -> bool {
    let Some((token, rest)) = tokens.split_first() else { return text.is_empty() };
    match token {
        Token::Char(c) => text.first() == Some(c) && match_from(rest, &text[1..]),
        Token::Alternatives(options) => {
            options.iter().any(|o| text.starts_with(o) && match_from(rest, &text[o.len()..]))
        }
        Token::Repeat { word } => {
            let class = |c: &u8| if *word { c.is_ascii_alphanumeric() || *c == b'_' } else { c.is_ascii_digit() };
            let run = text.iter().take_while(|c| class(c)).count();
            (1..=run).rev().any(|n| match_from(rest, &text[n..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(region: &str) -> &str {
        partition(region).and_then(|p| p["name"].as_str()).unwrap_or("none")
    }

    #[test]
    fn the_embedded_table_parses_and_every_pattern_compiles() {
        let table = parse_table(PARTITIONS_JSON).unwrap();
        assert!(table.partitions.len() >= 8);
        assert!(table.partitions.iter().all(|p| p.pattern.is_some()));
        assert!(table.fallback.is_some());
    }

    #[test]
    fn exact_regions_then_patterns_then_aws() {
        assert_eq!(name("us-east-1"), "aws");
        assert_eq!(name("cn-north-1"), "aws-cn");
        assert_eq!(name("us-gov-west-1"), "aws-us-gov");
        // Exact names that no pattern matches.
        assert_eq!(name("aws-cn-global"), "aws-cn");
        assert_eq!(name("aws-iso-b-global"), "aws-iso-b");
        // Unknown regions by pattern.
        assert_eq!(name("us-iso-north-9"), "aws-iso");
        assert_eq!(name("us-isob-south-7"), "aws-iso-b");
        assert_eq!(name("eusc-de-west-5"), "aws-eusc");
        assert_eq!(name("cn-south-3"), "aws-cn");
        assert_eq!(name("mx-central-9"), "aws");
        // Nothing matches: the aws partition.
        assert_eq!(name("mars-east-1"), "aws");
        assert_eq!(name(""), "aws");
        let cn = partition("cn-north-1").unwrap();
        assert_eq!(cn["dnsSuffix"], "amazonaws.com.cn");
        assert_eq!(cn["supportsFIPS"], true);
    }

    #[test]
    fn the_pattern_matcher() {
        let re = RegionPattern::compile(r"^(us|eu)\-\w+\-\d+$").unwrap();
        assert!(re.matches("us-east-1") && re.matches("eu-a_b9-12"));
        assert!(!re.matches("us-east-") && !re.matches("us--1") && !re.matches("ap-east-1"));
        assert!(!re.matches("us-east-1x") && !re.matches("xus-east-1"));
        // `\w+` must give back what the next token needs.
        let re = RegionPattern::compile(r"^a\w+1$").unwrap();
        assert!(re.matches("abc1") && re.matches("a11") && !re.matches("a1"));
        assert!(!re.matches(&format!("a{}1", "b".repeat(MAX_REGEX_INPUT))));
        // Syntax it does not know fails closed.
        for pattern in [r"^us.*$", r"us-\w+", r"^[a-z]+$", r"^\s+$", r"^a?$", r"^(a(b))$"] {
            assert!(RegionPattern::compile(pattern).is_none(), "{pattern}");
        }
    }
}

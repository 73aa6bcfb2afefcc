//! The JMESPath subset botocore's paginators and waiters use, parsed at generation time and
//! compiled to plain Rust over the generated types ([`compile`]). Every distinct expression of
//! botocore 1.43.11's `paginators-1.json` and `waiters-2.json` files is in the subset:
//!
//! - paths: `a.b`, `a[0]`, `a[-1]`, `a[]` (flatten, starting a projection), `a[?cond]` (filter),
//!   `a.*` (a map's values, starting a projection);
//! - `@`, literals (`` `0` ``, `` `true` ``, `'text'`), parentheses;
//! - `!`, `&&`, `||`, `==`, `!=`, `<`, `<=`, `>`, `>=`;
//! - the functions `length` and `contains`.
//!
//! Anything else is an error naming what was found, so a generator can leave that one paginator
//! or waiter out.

pub(crate) mod compile;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed expression. Paths read left to right: `a.b[0]` is `Index(Field(Field(Current, a), b), 0)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `@`: the value the expression applies to (the output, or a filtered item).
    Current,
    Field(Box<Expr>, String),
    Index(Box<Expr>, i64),
    /// `lhs[]`: the list's items (nested lists flattened one level); what follows applies to each.
    Flatten(Box<Expr>),
    /// `lhs.*`: a map's values; what follows applies to each.
    Values(Box<Expr>),
    /// `lhs[?condition]`: the items for which the condition is true; what follows applies to each.
    Filter(Box<Expr>, Box<Expr>),
    Literal(serde_json::Value),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Comparator, Box<Expr>, Box<Expr>),
    Length(Box<Expr>),
    Contains(Box<Expr>, Box<Expr>),
}

/// How deep parentheses, filters and `!` may nest: far beyond any real expression, and
/// small enough that no input can exhaust the stack.
const MAX_DEPTH: usize = 32;

/// Parses an expression of the subset.
pub fn parse(text: &str) -> Result<Expr, String> {
    let mut parser = Parser { text, position: 0, depth: 0 };
    let expr = parser.or()?;
    parser.skip_spaces();
    match parser.rest().chars().next() {
        None => Ok(expr),
        Some(_) => Err(parser.unexpected()),
    }
}

struct Parser<'a> {
    text: &'a str,
    position: usize,
    depth: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.position..]
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        self.position += rest.len() - rest.trim_start().len();
    }

    /// Consumes `token` (after spaces) if it comes next.
    fn eat(&mut self, token: &str) -> bool {
        self.skip_spaces();
        let found = self.rest().starts_with(token);
        if found {
            self.position += token.len();
        }
        found
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected `{token}` at {}", self.where_()))
        }
    }

    fn where_(&self) -> String {
        match self.rest().chars().next() {
            None => "the end".to_owned(),
            Some(_) => format!("`{}` (offset {})", self.rest().chars().take(12).collect::<String>(), self.position),
        }
    }

    fn unexpected(&self) -> String {
        format!("unexpected {} (outside the supported JMESPath subset)", self.where_())
    }

    fn nested<T>(&mut self, parse: impl FnOnce(&mut Self) -> Result<T, String>) -> Result<T, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("expression nested deeper than {MAX_DEPTH} levels"));
        }
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.comparison()?;
        while self.eat("&&") {
            left = Expr::And(Box::new(left), Box::new(self.comparison()?));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let left = self.unary()?;
        const COMPARATORS: [(&str, Comparator); 6] = [
            ("==", Comparator::Eq),
            ("!=", Comparator::Ne),
            ("<=", Comparator::Le),
            (">=", Comparator::Ge),
            ("<", Comparator::Lt),
            (">", Comparator::Gt),
        ];
        for (token, comparator) in COMPARATORS {
            if self.eat(token) {
                return Ok(Expr::Compare(comparator, Box::new(left), Box::new(self.unary()?)));
            }
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat("!") {
            return self.nested(|p| Ok(Expr::Not(Box::new(p.unary()?))));
        }
        self.path()
    }

    /// An atom followed by any number of `.field`, `[n]`, `[]` and `[?cond]`.
    fn path(&mut self) -> Result<Expr, String> {
        let mut expr = self.atom()?;
        loop {
            if self.eat(".*") {
                expr = Expr::Values(Box::new(expr));
            } else if self.eat(".") {
                expr = Expr::Field(Box::new(expr), self.identifier()?);
            } else if self.eat("[?") {
                let condition = self.nested(Self::or)?;
                self.expect("]")?;
                expr = Expr::Filter(Box::new(expr), Box::new(condition));
            } else if self.eat("[]") {
                expr = Expr::Flatten(Box::new(expr));
            } else if self.eat("[") {
                let index = self.integer()?;
                self.expect("]")?;
                expr = Expr::Index(Box::new(expr), index);
            } else {
                return Ok(expr);
            }
        }
    }

    fn atom(&mut self) -> Result<Expr, String> {
        self.skip_spaces();
        if self.eat("@") {
            return Ok(Expr::Current);
        }
        if self.eat("(") {
            let inner = self.nested(Self::or)?;
            self.expect(")")?;
            return Ok(inner);
        }
        if self.eat("`") {
            return self.json_literal();
        }
        if self.eat("'") {
            return self.raw_string();
        }
        let name = self.identifier()?;
        if self.eat("(") {
            return self.nested(|p| p.function(&name));
        }
        Ok(Expr::Field(Box::new(Expr::Current), name))
    }

    fn function(&mut self, name: &str) -> Result<Expr, String> {
        if !matches!(name, "length" | "contains") {
            return Err(format!("function `{name}` is not supported"));
        }
        let mut arguments = vec![self.or()?];
        while self.eat(",") {
            arguments.push(self.or()?);
        }
        self.expect(")")?;
        match (name, arguments.as_slice()) {
            ("length", [value]) => Ok(Expr::Length(Box::new(value.clone()))),
            ("contains", [haystack, needle]) => {
                Ok(Expr::Contains(Box::new(haystack.clone()), Box::new(needle.clone())))
            }
            (name, arguments) => {
                Err(format!("function `{name}` with {} argument(s) is not supported", arguments.len()))
            }
        }
    }

    fn identifier(&mut self) -> Result<String, String> {
        self.skip_spaces();
        let rest = self.rest();
        let starts = rest.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        let length = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if !starts {
            return Err(self.unexpected());
        }
        let name = rest[..length].to_owned();
        self.position += length;
        Ok(name)
    }

    fn integer(&mut self) -> Result<i64, String> {
        self.skip_spaces();
        let rest = self.rest();
        let digits = rest.strip_prefix('-').unwrap_or(rest);
        let length = rest.len() - digits.len() + digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        let value = rest[..length].parse().map_err(|_| self.unexpected())?;
        self.position += length;
        Ok(value)
    }

    /// `` `json` ``: a JSON literal (escaped backticks are outside the subset).
    fn json_literal(&mut self) -> Result<Expr, String> {
        let end = self.rest().find('`').ok_or_else(|| "unterminated `literal`".to_owned())?;
        let value = serde_json::from_str(self.rest()[..end].trim())
            .map_err(|_| format!("literal at offset {} is not JSON", self.position))?;
        self.position += end + 1;
        Ok(Expr::Literal(value))
    }

    /// `'text'`: a raw string literal (escaped quotes are outside the subset).
    fn raw_string(&mut self) -> Result<Expr, String> {
        let end = self.rest().find('\'').ok_or_else(|| "unterminated 'string'".to_owned())?;
        let text = self.rest()[..end].to_owned();
        if text.ends_with('\\') {
            return Err("escaped quotes in 'strings' are not supported".to_owned());
        }
        self.position += end + 1;
        Ok(Expr::Literal(serde_json::Value::String(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(of: Expr, name: &str) -> Expr {
        Expr::Field(Box::new(of), name.to_owned())
    }

    fn name(name: &str) -> Expr {
        field(Expr::Current, name)
    }

    #[test]
    fn paths_read_left_to_right() {
        assert_eq!(parse("Table.TableStatus"), Ok(field(name("Table"), "TableStatus")));
        assert_eq!(
            parse("StreamDescription.Shards[-1].ShardId"),
            Ok(field(Expr::Index(Box::new(field(name("StreamDescription"), "Shards")), -1), "ShardId"))
        );
        assert_eq!(
            parse("Reservations[].Instances[].State.Name"),
            Ok(field(
                field(
                    Expr::Flatten(Box::new(field(Expr::Flatten(Box::new(name("Reservations"))), "Instances"))),
                    "State"
                ),
                "Name"
            ))
        );
    }

    #[test]
    fn operators_bind_as_jmespath_says() {
        let parsed = parse("status != 'CANCELLING' && status != 'CANCELLED'").unwrap();
        let Expr::And(left, _) = parsed else { panic!("{parsed:?}") };
        assert!(matches!(*left, Expr::Compare(Comparator::Ne, _, _)));
        let parsed = parse("a || b && c").unwrap();
        assert!(matches!(parsed, Expr::Or(_, right) if matches!(*right, Expr::And(..))));
        let parsed = parse("!a == b").unwrap();
        assert!(matches!(parsed, Expr::Compare(Comparator::Eq, left, _) if matches!(*left, Expr::Not(_))));
    }

    #[test]
    fn the_longest_waiter_expressions_of_the_corpus_parse() {
        for text in [
            "length(services[?!(length(deployments) == `1` && runningCount == desiredCount)]) == `0`",
            "length(KinesisDataStreamDestinations) > `0`  && length(KinesisDataStreamDestinations[?DestinationStatus == 'DISABLED' || DestinationStatus == 'ENABLE_FAILED']) ==  length(KinesisDataStreamDestinations)",
            "NextMarker || Contents[-1].Key",
            "contains(Tags[].Key, 'x')",
        ] {
            assert!(parse(text).is_ok(), "{text}: {:?}", parse(text));
        }
    }

    #[test]
    fn anything_outside_the_subset_is_an_error_never_a_panic() {
        for text in [
            "",
            "a.",
            "a[",
            "a[*]",
            "a | b",
            "sort(a)",
            "length(a, b)",
            "`{unterminated",
            "'open",
            "a[1:2]",
            "{a: b}",
            "a.\"quoted\"",
            "é",
            "a[?b",
            "((((",
            "`nope`",
            "[0]",
            "a ==",
            "a[99999999999999999999]",
        ] {
            assert!(parse(text).is_err(), "{text:?} parsed: {:?}", parse(text));
        }
        let deep = format!("{}a{}", "(".repeat(1000), ")".repeat(1000));
        assert!(parse(&deep).unwrap_err().contains("nested deeper"));
        let nots = format!("{}a", "!".repeat(100_000));
        assert!(parse(&nots).is_err());
    }

    /// Every distinct expression of botocore's paginators and waiters (all 424 services) parses.
    /// Needs ../shared beside the checkout; outside CI it is skipped when that is absent.
    #[test]
    fn every_expression_of_botocore_parses() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models/botocore-data");
        if !data.is_dir() && std::env::var_os("CI").is_none() {
            eprintln!("skipped: {} is absent", data.display());
            return;
        }
        let mut expressions = std::collections::BTreeSet::new();
        for service in std::fs::read_dir(&data).unwrap().flatten().filter(|e| e.path().is_dir()) {
            for version in std::fs::read_dir(service.path()).unwrap().flatten() {
                for (file, keys) in [
                    ("paginators-1.json", &["input_token", "output_token", "result_key", "more_results"][..]),
                    ("waiters-2.json", &["argument"][..]),
                ] {
                    let Ok(text) = std::fs::read_to_string(version.path().join(file)) else { continue };
                    collect(&serde_json::from_str(&text).unwrap(), keys, &mut expressions);
                }
            }
        }
        assert!(expressions.len() > 200, "only {} expressions found", expressions.len());
        let failed: Vec<_> = expressions.iter().filter(|e| parse(e).is_err()).collect();
        assert!(failed.is_empty(), "{failed:?}");
    }

    fn collect(value: &serde_json::Value, keys: &[&str], into: &mut std::collections::BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    match value {
                        serde_json::Value::String(text) if keys.contains(&key.as_str()) => {
                            into.insert(text.clone());
                        }
                        serde_json::Value::Array(items) if keys.contains(&key.as_str()) => {
                            into.extend(items.iter().filter_map(|i| i.as_str()).map(str::to_owned));
                        }
                        _ => collect(value, keys, into),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| collect(item, keys, into)),
            _ => {}
        }
    }
}

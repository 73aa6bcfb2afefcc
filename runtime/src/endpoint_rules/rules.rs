//! The typed rule tree and its parser. Parsing checks what can be checked before any request:
//! rule and parameter shapes, function names and argument counts, `getAttr` paths, templates, and
//! that every `ref` names a parameter or a variable assigned earlier on the rule's path (which
//! turns each name into a fixed slot, so evaluation never looks names up).

use super::template::{parse_path, parse_template, PathPart, Piece};
use super::{ParamType, Parameter, RuleSetError, Value};
use serde_json::{Map, Value as Json};

/// Rules nested deeper than this (or expressions) are refused: evaluation recurses along them.
const MAX_DEPTH: usize = 64;

#[derive(Debug)]
pub(crate) enum Rule {
    Endpoint { conditions: Vec<Condition>, endpoint: Endpoint },
    Error { conditions: Vec<Condition>, message: Expr },
    Tree { conditions: Vec<Condition>, rules: Vec<Rule> },
}

#[derive(Debug)]
pub(crate) struct Condition {
    pub call: Call,
    /// The slot the result is assigned to (`assign`).
    pub assign: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct Endpoint {
    pub url: Expr,
    pub headers: Vec<(String, Vec<Expr>)>,
    pub properties: Vec<(String, Property)>,
}

/// An endpoint property: JSON whose strings are templates.
#[derive(Debug)]
pub(crate) enum Property {
    Template(Template),
    Literal(Json),
    Array(Vec<Property>),
    Object(Vec<(String, Property)>),
}

#[derive(Debug)]
pub(crate) enum Expr {
    Literal(Json),
    Template(Template),
    Ref(usize),
    Call(Box<Call>),
}

#[derive(Debug)]
pub(crate) struct Call {
    pub function: Function,
    pub args: Vec<Expr>,
    /// The parsed path of a `getAttr` (its literal second argument); empty for other functions.
    pub path: Vec<PathPart>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Function {
    IsSet,
    Not,
    BooleanEquals,
    StringEquals,
    GetAttr,
    Substring,
    UriEncode,
    ParseUrl,
    IsValidHostLabel,
    Split,
    Coalesce,
    Ite,
    Partition,
    ParseArn,
    IsVirtualHostableS3Bucket,
}

impl Function {
    /// The function of a name and how many arguments it takes (`None`: two or more).
    fn from_name(name: &str) -> Option<(Function, Option<usize>)> {
        Some(match name {
            "isSet" => (Function::IsSet, Some(1)),
            "not" => (Function::Not, Some(1)),
            "booleanEquals" => (Function::BooleanEquals, Some(2)),
            "stringEquals" => (Function::StringEquals, Some(2)),
            "getAttr" => (Function::GetAttr, Some(2)),
            "substring" => (Function::Substring, Some(4)),
            "uriEncode" => (Function::UriEncode, Some(1)),
            "parseURL" => (Function::ParseUrl, Some(1)),
            "isValidHostLabel" => (Function::IsValidHostLabel, Some(2)),
            "split" => (Function::Split, Some(3)),
            "coalesce" => (Function::Coalesce, None),
            "ite" => (Function::Ite, Some(3)),
            "aws.partition" => (Function::Partition, Some(1)),
            "aws.parseArn" => (Function::ParseArn, Some(1)),
            "aws.isVirtualHostableS3Bucket" => (Function::IsVirtualHostableS3Bucket, Some(2)),
            _ => return None,
        })
    }
}

/// A parsed template: literal text and placeholders as slots with an optional `getAttr` path.
#[derive(Debug)]
pub(crate) struct Template(pub Vec<TemplatePart>);

#[derive(Debug)]
pub(crate) enum TemplatePart {
    Text(String),
    /// `name` is kept for error messages.
    Var {
        name: String,
        slot: usize,
        path: Vec<PathPart>,
    },
}

/// A whole parsed rule set, before it is wrapped in the public `RuleSet`.
pub(crate) struct Parsed {
    pub parameters: Vec<Parameter>,
    pub rules: Vec<Rule>,
    /// Parameters plus the most variables any rule path assigns.
    pub slots: usize,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, RuleSetError> {
    let root: Json = serde_json::from_str(text).map_err(|e| RuleSetError::new("", format!("not JSON: {e}")))?;
    let root = root.as_object().ok_or_else(|| RuleSetError::new("", "not a JSON object"))?;
    match root.get("version").and_then(Json::as_str) {
        Some(version) if version.starts_with("1.") => {}
        Some(version) => return Err(RuleSetError::new("version", format!("unsupported version `{version}`"))),
        None => return Err(RuleSetError::new("version", "missing or not a string")),
    }
    let parameters = parse_parameters(root.get("parameters"))?;
    let mut parser = Parser { scope: parameters.iter().map(|p| p.name.clone()).collect(), slots: parameters.len() };
    let rules = root.get("rules").ok_or_else(|| RuleSetError::new("rules", "missing"))?;
    let rules = parser.rules(rules, "rules", 0)?;
    Ok(Parsed { parameters, rules, slots: parser.slots })
}

fn parse_parameters(value: Option<&Json>) -> Result<Vec<Parameter>, RuleSetError> {
    let object =
        value.and_then(Json::as_object).ok_or_else(|| RuleSetError::new("parameters", "missing or not an object"))?;
    object.iter().map(|(name, spec)| parse_parameter(name, spec)).collect()
}

fn parse_parameter(name: &str, spec: &Json) -> Result<Parameter, RuleSetError> {
    let at = format!("parameters.{name}");
    let error = |what: &str| RuleSetError::new(&at, what);
    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        return Err(error("not a valid parameter name"));
    }
    let spec = spec.as_object().ok_or_else(|| error("not an object"))?;
    let kind = match spec.get("type").and_then(Json::as_str).map(str::to_ascii_lowercase).as_deref() {
        Some("string") => ParamType::String,
        Some("boolean") => ParamType::Boolean,
        Some("stringarray") => ParamType::StringArray,
        _ => return Err(error("`type` must be string, boolean or stringArray")),
    };
    let text = |key: &str| match spec.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(error(&format!("`{key}` is not a string"))),
    };
    let required = match spec.get("required") {
        None => false,
        Some(Json::Bool(b)) => *b,
        Some(_) => return Err(error("`required` is not a boolean")),
    };
    let default = match spec.get("default") {
        None | Some(Json::Null) => None,
        Some(value) => Some(Value::from_json(value, kind).ok_or_else(|| error("`default` does not match `type`"))?),
    };
    Ok(Parameter {
        name: name.to_owned(),
        kind,
        required,
        default,
        built_in: text("builtIn")?,
        documentation: text("documentation")?,
    })
}

struct Parser {
    /// Names in scope; a name's position is its slot.
    scope: Vec<String>,
    slots: usize,
}

impl Parser {
    fn rules(&mut self, value: &Json, at: &str, depth: usize) -> Result<Vec<Rule>, RuleSetError> {
        let list = value.as_array().ok_or_else(|| RuleSetError::new(at, "not an array of rules"))?;
        list.iter().enumerate().map(|(i, rule)| self.rule(rule, &format!("{at}[{i}]"), depth)).collect()
    }

    fn rule(&mut self, value: &Json, at: &str, depth: usize) -> Result<Rule, RuleSetError> {
        if depth > MAX_DEPTH {
            return Err(RuleSetError::new(at, "rules nested too deeply"));
        }
        let object = value.as_object().ok_or_else(|| RuleSetError::new(at, "not an object"))?;
        let field = |key: &str| object.get(key).ok_or_else(|| RuleSetError::new(at, format!("missing `{key}`")));
        // Variables a rule assigns are visible to its later conditions and its body only.
        let outer = self.scope.len();
        let conditions = match object.get("conditions") {
            None => Vec::new(),
            Some(list) => self.conditions(list, &format!("{at}.conditions"))?,
        };
        let rule = match object.get("type").and_then(Json::as_str) {
            Some("endpoint") => {
                Rule::Endpoint { conditions, endpoint: self.endpoint(field("endpoint")?, &format!("{at}.endpoint"))? }
            }
            Some("error") => {
                Rule::Error { conditions, message: self.expr(field("error")?, &format!("{at}.error"), 0)? }
            }
            Some("tree") => {
                Rule::Tree { conditions, rules: self.rules(field("rules")?, &format!("{at}.rules"), depth + 1)? }
            }
            _ => return Err(RuleSetError::new(at, "`type` must be endpoint, error or tree")),
        };
        self.scope.truncate(outer);
        Ok(rule)
    }

    fn conditions(&mut self, value: &Json, at: &str) -> Result<Vec<Condition>, RuleSetError> {
        let list = value.as_array().ok_or_else(|| RuleSetError::new(at, "not an array"))?;
        let mut conditions = Vec::with_capacity(list.len());
        for (i, condition) in list.iter().enumerate() {
            let at = format!("{at}[{i}]");
            let object = condition.as_object().ok_or_else(|| RuleSetError::new(&at, "not a function call"))?;
            let call = self.call(object, &at, 0)?;
            let assign = match object.get("assign") {
                None => None,
                Some(Json::String(name)) => Some(self.declare(name, &at)?),
                Some(_) => return Err(RuleSetError::new(&at, "`assign` is not a string")),
            };
            conditions.push(Condition { call, assign });
        }
        Ok(conditions)
    }

    /// A new variable's slot; names may not shadow a parameter or an outer variable.
    fn declare(&mut self, name: &str, at: &str) -> Result<usize, RuleSetError> {
        if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            return Err(RuleSetError::new(at, format!("`assign`: `{name}` is not a valid name")));
        }
        if self.scope.iter().any(|n| n == name) {
            return Err(RuleSetError::new(at, format!("`assign`: `{name}` is already defined")));
        }
        self.scope.push(name.to_owned());
        self.slots = self.slots.max(self.scope.len());
        Ok(self.scope.len() - 1)
    }

    fn slot(&self, name: &str, at: &str) -> Result<usize, RuleSetError> {
        self.scope
            .iter()
            .rposition(|n| n == name)
            .ok_or_else(|| RuleSetError::new(at, format!("`{name}` is neither a parameter nor assigned before")))
    }

    fn call(&self, object: &Map<String, Json>, at: &str, depth: usize) -> Result<Call, RuleSetError> {
        let name = object.get("fn").and_then(Json::as_str).ok_or_else(|| RuleSetError::new(at, "missing `fn`"))?;
        let (function, arity) =
            Function::from_name(name).ok_or_else(|| RuleSetError::new(at, format!("unknown function `{name}`")))?;
        let argv =
            object.get("argv").and_then(Json::as_array).ok_or_else(|| RuleSetError::new(at, "missing `argv`"))?;
        let count_ok = arity.map_or(argv.len() >= 2, |n| argv.len() == n);
        if !count_ok {
            return Err(RuleSetError::new(
                at,
                format!("`{name}` takes {} arguments, not {}", arity.unwrap_or(2), argv.len()),
            ));
        }
        let args = argv
            .iter()
            .enumerate()
            .map(|(i, arg)| self.expr(arg, &format!("{at}.argv[{i}]"), depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        let path = match (function, args.get(1)) {
            (Function::GetAttr, Some(Expr::Literal(Json::String(path)))) => {
                parse_path(path).map_err(|e| RuleSetError::new(at, e))?
            }
            (Function::GetAttr, _) => {
                return Err(RuleSetError::new(at, "the path of `getAttr` must be a literal string"))
            }
            _ => Vec::new(),
        };
        Ok(Call { function, args, path })
    }

    fn expr(&self, value: &Json, at: &str, depth: usize) -> Result<Expr, RuleSetError> {
        if depth > MAX_DEPTH {
            return Err(RuleSetError::new(at, "expression nested too deeply"));
        }
        Ok(match value {
            Json::Bool(_) => Expr::Literal(value.clone()),
            Json::Number(n) if n.is_i64() => Expr::Literal(value.clone()),
            Json::String(text) => match self.template(text, at)? {
                Some(template) => Expr::Template(template),
                None => Expr::Literal(value.clone()),
            },
            Json::Object(object) if object.contains_key("fn") => {
                if object.contains_key("assign") {
                    return Err(RuleSetError::new(at, "`assign` is only allowed on a condition"));
                }
                Expr::Call(Box::new(self.call(object, at, depth)?))
            }
            Json::Object(object) => match object.get("ref") {
                Some(Json::String(name)) if object.len() == 1 => Expr::Ref(self.slot(name, at)?),
                _ => return Err(RuleSetError::new(at, "an object must be a function call or a `ref`")),
            },
            _ => return Err(RuleSetError::new(at, "not a boolean, integer, string, `ref` or function call")),
        })
    }

    /// The template in `text`; `None` when it has no placeholders (a plain literal).
    fn template(&self, text: &str, at: &str) -> Result<Option<Template>, RuleSetError> {
        let pieces = parse_template(text).map_err(|e| RuleSetError::new(at, e))?;
        if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
            return Ok(None);
        }
        let parts = pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => Ok(TemplatePart::Text(text)),
                Piece::Placeholder { name, path } => {
                    Ok(TemplatePart::Var { name: name.to_owned(), slot: self.slot(name, at)?, path })
                }
            })
            .collect::<Result<Vec<_>, RuleSetError>>()?;
        Ok(Some(Template(parts)))
    }

    fn endpoint(&self, value: &Json, at: &str) -> Result<Endpoint, RuleSetError> {
        let object = value.as_object().ok_or_else(|| RuleSetError::new(at, "not an object"))?;
        let url = self.expr(
            object.get("url").ok_or_else(|| RuleSetError::new(at, "missing `url`"))?,
            &format!("{at}.url"),
            0,
        )?;
        let mut headers = Vec::new();
        if let Some(value) = object.get("headers") {
            let map = value.as_object().ok_or_else(|| RuleSetError::new(at, "`headers` is not an object"))?;
            for (name, values) in map {
                let at = format!("{at}.headers.{name}");
                let list = values.as_array().ok_or_else(|| RuleSetError::new(&at, "not an array"))?;
                let exprs = list.iter().map(|v| self.expr(v, &at, 0)).collect::<Result<Vec<_>, _>>()?;
                headers.push((name.clone(), exprs));
            }
        }
        let properties = match object.get("properties") {
            None => Vec::new(),
            Some(Json::Object(map)) => self.property_object(map, &format!("{at}.properties"), 0)?,
            Some(_) => return Err(RuleSetError::new(at, "`properties` is not an object")),
        };
        Ok(Endpoint { url, headers, properties })
    }

    fn property_object(
        &self,
        map: &Map<String, Json>,
        at: &str,
        depth: usize,
    ) -> Result<Vec<(String, Property)>, RuleSetError> {
        map.iter()
            .map(|(key, value)| Ok((key.clone(), self.property(value, &format!("{at}.{key}"), depth + 1)?)))
            .collect()
    }

    fn property(&self, value: &Json, at: &str, depth: usize) -> Result<Property, RuleSetError> {
        if depth > MAX_DEPTH {
            return Err(RuleSetError::new(at, "properties nested too deeply"));
        }
        Ok(match value {
            Json::String(text) => match self.template(text, at)? {
                Some(template) => Property::Template(template),
                None => Property::Literal(value.clone()),
            },
            Json::Array(items) => Property::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.property(v, &format!("{at}[{i}]"), depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Object(map) => Property::Object(self.property_object(map, at, depth)?),
            _ => Property::Literal(value.clone()),
        })
    }
}

//! Evaluation of a parsed rule set. Variables live in fixed slots (parameters first, then what
//! conditions assign), so a `ref` is an index. Values are JSON, borrowed where they can be (a
//! `getAttr` of a partition reads the static table without copying it).

use super::functions;
use super::partition::partition;
use super::rules::{Call, Condition, Endpoint, Expr, Function, Property, Rule, Template, TemplatePart};
use super::template::get_path;
use super::{ResolveError, ResolvedEndpoint, MAX_STRING_LEN};
use serde_json::{Map, Value as Json};
use std::borrow::Cow;

type Slots = [Option<Json>];
/// An evaluated expression: `None` is the rules language's empty optional.
type Val<'a> = Option<Cow<'a, Json>>;

pub(crate) fn resolve(rules: &[Rule], slots: &mut Slots) -> Result<ResolvedEndpoint, ResolveError> {
    eval_rules(rules, slots)?.ok_or(ResolveError::NoMatch)
}

/// The first rule that matches decides; `None` when none does.
fn eval_rules(rules: &[Rule], slots: &mut Slots) -> Result<Option<ResolvedEndpoint>, ResolveError> {
    for rule in rules {
        let (Rule::Endpoint { conditions, .. } | Rule::Error { conditions, .. } | Rule::Tree { conditions, .. }) = rule;
        if !conditions_hold(conditions, slots)? {
            continue;
        }
        return match rule {
            Rule::Endpoint { endpoint, .. } => build_endpoint(endpoint, slots).map(Some),
            Rule::Error { message, .. } => Err(ResolveError::Rule(string(eval(message, slots)?, "an error message")?)),
            // A tree whose conditions hold is terminal (the Smithy spec): one of its rules must match.
            Rule::Tree { rules, .. } => eval_rules(rules, slots)?.ok_or(ResolveError::NoMatch).map(Some),
        };
    }
    Ok(None)
}

/// Whether every condition holds (is set and not `false`), assigning results along the way.
fn conditions_hold(conditions: &[Condition], slots: &mut Slots) -> Result<bool, ResolveError> {
    for condition in conditions {
        let value = call(&condition.call, slots)?;
        let holds = !matches!(value.as_deref(), None | Some(Json::Bool(false)));
        if let Some(slot) = condition.assign {
            let value = value.map(Cow::into_owned);
            if let Some(target) = slots.get_mut(slot) {
                *target = value;
            }
        }
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

fn build_endpoint(endpoint: &Endpoint, slots: &Slots) -> Result<ResolvedEndpoint, ResolveError> {
    let url = string(eval(&endpoint.url, slots)?, "the endpoint url")?;
    let mut headers = Vec::with_capacity(endpoint.headers.len());
    for (name, exprs) in &endpoint.headers {
        let values = exprs.iter().map(|e| string(eval(e, slots)?, "a header value")).collect::<Result<_, _>>()?;
        headers.push((name.clone(), values));
    }
    let properties = property_object(&endpoint.properties, slots)?;
    Ok(ResolvedEndpoint { url, headers, properties })
}

fn property_object(entries: &[(String, Property)], slots: &Slots) -> Result<Map<String, Json>, ResolveError> {
    entries.iter().map(|(key, value)| Ok((key.clone(), property(value, slots)?))).collect()
}

fn property(value: &Property, slots: &Slots) -> Result<Json, ResolveError> {
    Ok(match value {
        Property::Template(template) => Json::String(render(template, slots)?),
        Property::Literal(json) => json.clone(),
        Property::Array(items) => Json::Array(items.iter().map(|i| property(i, slots)).collect::<Result<_, _>>()?),
        Property::Object(entries) => Json::Object(property_object(entries, slots)?),
    })
}

fn eval<'a>(expr: &'a Expr, slots: &'a Slots) -> Result<Val<'a>, ResolveError> {
    Ok(match expr {
        Expr::Literal(json) => Some(Cow::Borrowed(json)),
        Expr::Template(template) => Some(Cow::Owned(Json::String(render(template, slots)?))),
        Expr::Ref(slot) => slots.get(*slot).and_then(Option::as_ref).map(Cow::Borrowed),
        Expr::Call(inner) => call(inner, slots)?,
    })
}

fn render(template: &Template, slots: &Slots) -> Result<String, ResolveError> {
    let mut out = String::new();
    for part in &template.0 {
        match part {
            TemplatePart::Text(text) => out.push_str(text),
            TemplatePart::Var { name, slot, path } => {
                match slots.get(*slot).and_then(Option::as_ref).and_then(|value| get_path(value, path)) {
                    Some(Json::String(text)) => out.push_str(text),
                    _ => return Err(invalid(format!("template placeholder `{name}` is not a set string"))),
                }
            }
        }
        check_len(&out)?;
    }
    Ok(out)
}

fn call<'a>(call: &'a Call, slots: &'a Slots) -> Result<Val<'a>, ResolveError> {
    let name = call.function;
    let arg = |i: usize| match call.args.get(i) {
        Some(expr) => eval(expr, slots),
        None => Err(invalid(format!("{name:?}: missing argument {i}"))),
    };
    let owned = |json: Json| Some(Cow::Owned(json));
    Ok(match name {
        Function::IsSet => owned(Json::Bool(arg(0)?.is_some())),
        Function::Not => owned(Json::Bool(!need(name, as_bool(name, &arg(0)?)?)?)),
        Function::BooleanEquals => {
            let (a, b) = (as_bool(name, &arg(0)?)?, as_bool(name, &arg(1)?)?);
            owned(Json::Bool(need(name, a)? == need(name, b)?))
        }
        Function::StringEquals => {
            let (a, b) = (arg(0)?, arg(1)?);
            owned(Json::Bool(need(name, as_str(name, &a)?)? == need(name, as_str(name, &b)?)?))
        }
        Function::GetAttr => match arg(0)? {
            None => None,
            Some(Cow::Borrowed(value)) => get_path(value, &call.path).map(Cow::Borrowed),
            Some(Cow::Owned(value)) => get_path(&value, &call.path).cloned().map(Cow::Owned),
        },
        Function::Substring => {
            let input = arg(0)?;
            let (start, stop) = (need(name, as_int(name, &arg(1)?)?)?, need(name, as_int(name, &arg(2)?)?)?);
            let reverse = need(name, as_bool(name, &arg(3)?)?)?;
            let part = as_str(name, &input)?.and_then(|s| functions::substring(s, start, stop, reverse));
            part.map(|s| Cow::Owned(Json::String(s.to_owned())))
        }
        Function::UriEncode => match as_str(name, &arg(0)?)? {
            Some(text) => owned(Json::String(check_len(&functions::uri_encode(text))?.to_owned())),
            None => None,
        },
        Function::ParseUrl => as_str(name, &arg(0)?)?.and_then(functions::parse_url).map(Cow::Owned),
        Function::IsValidHostLabel | Function::IsVirtualHostableS3Bucket => {
            let value = arg(0)?;
            let allow_sub_domains = need(name, as_bool(name, &arg(1)?)?)?;
            let check = if name == Function::IsValidHostLabel {
                functions::is_valid_host_label
            } else {
                functions::is_virtual_hostable_s3_bucket
            };
            owned(Json::Bool(as_str(name, &value)?.is_some_and(|s| check(s, allow_sub_domains))))
        }
        Function::Split => {
            let value = arg(0)?;
            let delimiter = arg(1)?;
            let (delimiter, limit) = (need(name, as_str(name, &delimiter)?)?, need(name, as_int(name, &arg(2)?)?)?);
            let parts = as_str(name, &value)?.and_then(|s| functions::split(s, delimiter, limit));
            parts.map(|parts| Cow::Owned(Json::from(parts)))
        }
        Function::Coalesce => {
            let mut last = None;
            for i in 0..call.args.len() {
                last = arg(i)?;
                if last.is_some() {
                    break;
                }
            }
            last
        }
        Function::Ite => {
            let condition = need(name, as_bool(name, &arg(0)?)?)?;
            arg(if condition { 1 } else { 2 })?
        }
        Function::Partition => as_str(name, &arg(0)?)?.and_then(partition).map(Cow::Borrowed),
        Function::ParseArn => as_str(name, &arg(0)?)?.and_then(functions::parse_arn).map(Cow::Owned),
    })
}

/// The string of a value that must be a set string.
fn string(value: Val<'_>, what: &str) -> Result<String, ResolveError> {
    match value.map(Cow::into_owned) {
        Some(Json::String(text)) => Ok(text),
        _ => Err(invalid(format!("{what} is not a set string"))),
    }
}

fn as_str<'v>(name: Function, value: &'v Val<'_>) -> Result<Option<&'v str>, ResolveError> {
    match value.as_deref() {
        None => Ok(None),
        Some(Json::String(text)) => Ok(Some(text)),
        Some(other) => Err(invalid(format!("{name:?}: expected a string, got {other}"))),
    }
}

fn as_bool(name: Function, value: &Val<'_>) -> Result<Option<bool>, ResolveError> {
    match value.as_deref() {
        None => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(invalid(format!("{name:?}: expected a boolean, got {other}"))),
    }
}

fn as_int(name: Function, value: &Val<'_>) -> Result<Option<i64>, ResolveError> {
    match value.as_deref() {
        None => Ok(None),
        Some(Json::Number(n)) if n.is_i64() => Ok(n.as_i64()),
        Some(other) => Err(invalid(format!("{name:?}: expected an integer, got {other}"))),
    }
}

/// An argument that must be set: the rules should have checked `isSet` first.
fn need<T>(name: Function, value: Option<T>) -> Result<T, ResolveError> {
    value.ok_or_else(|| invalid(format!("{name:?}: an argument is not set")))
}

fn check_len(text: &str) -> Result<&str, ResolveError> {
    if text.len() > MAX_STRING_LEN {
        return Err(invalid(format!("a value grew beyond {MAX_STRING_LEN} bytes")));
    }
    Ok(text)
}

fn invalid(message: String) -> ResolveError {
    ResolveError::Invalid(message)
}

//! A paginator, decided: which members carry the tokens and the page size, where the items are,
//! how pages merge, and the compiled expressions botocore writes for tokens (`Shards[-1].ShardId`).
//! A paginator this generator can't follow is refused here, once, with the reason.

use super::rust_type::RustType;
use crate::ir::validate::is_simple_path;
use crate::ir::{member_path, Member, Pagination, Shape, ShapeId, ShapeKind};
use crate::jmespath::{self, compile::compile, compile::Compiled};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct PaginatorPlan {
    /// What `.items()` yields.
    pub item: RustType,
    /// How the primary result key's value becomes items.
    pub items: Items,
    /// The primary result key: the first that is a list or map, else the first.
    pub primary: FieldPath,
    /// The result keys that are lists or maps: appended page after page.
    pub appended: Vec<FieldPath>,
    /// A primary result key that is not a list or map: how pages combine it.
    pub single: Option<SingleMerge>,
    /// The input members the tokens are sent in, in the paginator's order.
    pub input_tokens: Vec<Field>,
    /// Where each token is in a page, in the same order.
    pub output_tokens: Vec<OutputToken>,
    /// A boolean of the output that, unless true, ends the run.
    pub more_results: Option<OutputValue>,
    pub page_size: Option<PageSize>,
}

/// A member of a structure, as the generated code reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// `Option<T>` rather than `T`.
    pub optional: bool,
    /// Copied rather than cloned (integers).
    pub copy: bool,
    pub ty: RustType,
}

/// The fields from a page to a result key (`ResultSet.Rows`: two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Field>);

impl FieldPath {
    pub fn last(&self) -> &Field {
        &self.0[self.0.len() - 1]
    }

    /// The fields on the way to the last one.
    pub fn parents(&self) -> &[Field] {
        &self.0[..self.0.len() - 1]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Items {
    /// The list's elements.
    List,
    /// The map's entries, as `(key, value)`.
    Map,
    /// The value itself, one item per page.
    Single,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SingleMerge {
    /// Text is joined page after page (RDS's log portions).
    Join,
    /// The first page's value is kept (botocore's merge of a structure).
    First,
}

/// A value of the output: a plain member, or a compiled expression over `output`.
#[derive(Debug, Clone)]
pub enum OutputValue {
    Field(Field),
    /// Always there: a place reached through required members (`output.a.b`).
    Place(TokenStream),
    /// `Option<&T>`.
    Found(TokenStream),
}

#[derive(Debug, Clone)]
pub struct OutputToken {
    pub value: OutputValue,
    /// botocore treats every falsy token as absent.
    pub absent_when: Absent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// An empty string, list or map.
    Empty,
    Zero,
    /// Only when unset.
    Unset,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSize {
    pub field: Field,
    pub unit: PageSizeUnit,
}

/// The page size's type, converted from the `i32` callers give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSizeUnit {
    I32,
    I64,
    Text,
}

/// The plan of a paginator over `input` and `output` (structure shape ids), or why it can't be
/// followed: the operation is then generated without one.
pub(crate) fn plan(
    shapes: &BTreeMap<ShapeId, Shape>,
    input: Option<&str>,
    output: Option<&str>,
    pager: &Pagination,
) -> Result<PaginatorPlan, String> {
    check(shapes, input, output, pager)?;
    let (input, output) = (input.unwrap_or_default(), output.ok_or("the operation has no output")?);
    let planner = Planner { shapes };
    let input_tokens =
        pager.input_tokens.iter().map(|token| planner.top_level(input, token)).collect::<Result<Vec<_>, _>>()?;
    let output_tokens =
        pager.output_tokens.iter().map(|token| planner.output_token(output, token)).collect::<Result<Vec<_>, _>>()?;
    let more_results = pager.more_results.as_ref().map(|more| planner.output_value(output, more).map(|(v, _)| v));
    let results: Vec<FieldPath> =
        pager.result_keys.iter().map(|key| planner.path(output, key)).collect::<Result<_, _>>()?;
    let is_container = |path: &&FieldPath| matches!(path.last().ty, RustType::Vec(_) | RustType::Map(..));
    let primary = results
        .iter()
        .find(is_container)
        .or_else(|| results.first().filter(|path| path.0.len() == 1))
        .ok_or("no result key names the items")?
        .clone();
    let (item, items, single) = match &primary.last().ty {
        RustType::Vec(item) => ((**item).clone(), Items::List, None),
        RustType::Map(key, value) => (RustType::Tuple(vec![(**key).clone(), (**value).clone()]), Items::Map, None),
        ty => {
            let merge = if *ty == RustType::String { SingleMerge::Join } else { SingleMerge::First };
            (ty.clone(), Items::Single, Some(merge))
        }
    };
    let page_size = match &pager.limit_key {
        Some(key) => Some(planner.page_size(input, key)?),
        None => None,
    };
    Ok(PaginatorPlan {
        item,
        items,
        appended: results.iter().filter(is_container).cloned().collect(),
        primary,
        single,
        input_tokens,
        output_tokens,
        more_results: more_results.transpose()?,
        page_size,
    })
}

struct Planner<'a> {
    shapes: &'a BTreeMap<ShapeId, Shape>,
}

impl Planner<'_> {
    fn field(&self, member: &Member) -> Field {
        let kind = self.shapes.get(&member.target).map(|s| &s.kind);
        Field {
            name: member.rust_name.clone(),
            optional: member.optional,
            copy: matches!(kind, Some(ShapeKind::Integer | ShapeKind::Long)),
            ty: RustType::of_shape(self.shapes, &member.target),
        }
    }

    fn path(&self, structure: &str, path: &str) -> Result<FieldPath, String> {
        let members = member_path(self.shapes, structure, path)?;
        Ok(FieldPath(members.into_iter().map(|m| self.field(m)).collect()))
    }

    fn top_level(&self, structure: &str, name: &str) -> Result<Field, String> {
        match self.path(structure, name)?.0.as_slice() {
            [field] if is_simple_path(name) => Ok(field.clone()),
            _ => Err(format!("\"{name}\" is not a member name")),
        }
    }

    fn page_size(&self, input: &str, key: &str) -> Result<PageSize, String> {
        let field = self.top_level(input, key)?;
        let unit = match field.ty {
            RustType::String => PageSizeUnit::Text,
            RustType::I64 => PageSizeUnit::I64,
            _ => PageSizeUnit::I32,
        };
        Ok(PageSize { field, unit })
    }

    /// A member of the output, or an expression over it, and the shape of its value.
    fn output_value(&self, output: &str, expression: &str) -> Result<(OutputValue, ShapeId), String> {
        if is_simple_path(expression) {
            if let Ok([member]) = member_path(self.shapes, output, expression).as_deref() {
                return Ok((OutputValue::Field(self.field(member)), member.target.clone()));
            }
        }
        let root = Compiled::variable(quote! { output }, output);
        let parsed = jmespath::parse(expression).map_err(|e| format!("\"{expression}\": {e}"))?;
        match compile(self.shapes, &parsed, &root).map_err(|e| format!("\"{expression}\": {e}"))? {
            Compiled::Bound { path, shape, .. } => Ok((OutputValue::Place(path), shape)),
            Compiled::One { code, shape } => Ok((OutputValue::Found(code), shape)),
            _ => Err(format!("\"{expression}\" does not name one value")),
        }
    }

    fn output_token(&self, output: &str, expression: &str) -> Result<OutputToken, String> {
        let (value, shape) = self.output_value(output, expression)?;
        let absent_when = match self.shapes.get(&shape).map(|s| &s.kind) {
            Some(ShapeKind::String | ShapeKind::List { .. } | ShapeKind::Map { .. }) => Absent::Empty,
            Some(ShapeKind::Integer | ShapeKind::Long) => Absent::Zero,
            _ => Absent::Unset,
        };
        Ok(OutputToken { value, absent_when })
    }
}

/// What this generator can't follow. A plain member name that is missing is validation's to
/// report (it is a broken model, not an unsupported expression). Followed: input tokens and limit
/// keys that are member names, output tokens and `more_results` that are expressions over the
/// output (`Shards[-1].ShardId`), result keys that are member paths (`ResultSet.Rows`), at least
/// one of them a list or map, or else text or a structure the output holds itself.
fn check(
    shapes: &BTreeMap<ShapeId, Shape>,
    input: Option<&str>,
    output: Option<&str>,
    pager: &Pagination,
) -> Result<(), String> {
    let simple = is_simple_path;
    if let Some(key) = pager.input_tokens.iter().chain(&pager.limit_key).find(|key| !simple(key)) {
        return Err(format!("input expression \"{key}\" is not supported"));
    }
    let Some(output) = output else { return Ok(()) };
    let expressions =
        pager.output_tokens.iter().zip(pager.input_tokens.iter().map(Some).chain(std::iter::repeat(None)));
    let more_results = pager.more_results.iter().map(|more| (more, None));
    for (expression, input_token) in expressions.chain(more_results).filter(|(e, _)| !simple(e)) {
        let root = Compiled::variable(quote! { output }, output);
        let compiled = jmespath::parse(expression).and_then(|parsed| compile(shapes, &parsed, &root));
        let shape = match compiled {
            Ok(Compiled::One { shape, .. } | Compiled::Bound { shape, .. }) => shape,
            Ok(_) => return Err(format!("\"{expression}\" does not name one value")),
            Err(why) => return Err(format!("\"{expression}\": {why}")),
        };
        if input_token.is_none() && !matches!(shapes.get(&shape).map(|s| &s.kind), Some(ShapeKind::Boolean)) {
            return Err(format!("more_results \"{expression}\" is not a boolean"));
        }
        let sent = input_token.and_then(|token| input.and_then(|input| member_path(shapes, input, token).ok()));
        if let Some(&[sent]) = sent.as_deref() {
            let kind = |id: &str| shapes.get(id).map(|s| &s.kind);
            let fits = sent.target == shape
                || matches!((kind(&sent.target), kind(&shape)), (Some(ShapeKind::String), Some(ShapeKind::String)));
            if !fits {
                return Err(format!("\"{expression}\" ({shape}) does not fit the input token ({})", sent.target));
            }
        }
    }
    let mut lists = 0;
    for key in &pager.result_keys {
        match member_path(shapes, output, key) {
            Ok(path) => {
                let target = path.last().and_then(|m| shapes.get(&m.target)).map(|s| &s.kind);
                lists += usize::from(matches!(target, Some(ShapeKind::List { .. } | ShapeKind::Map { .. })));
            }
            Err(_) if simple(key) => return Ok(()),
            Err(_) if !key.split('.').all(simple) => {
                return Err(format!("result key \"{key}\" is an expression; only member paths (`A.B`) are followed"))
            }
            Err(why) => return Err(format!("result key \"{key}\": {why}")),
        }
    }
    if lists == 0 {
        let first = pager.result_keys.first().filter(|key| simple(key));
        let path = first.and_then(|key| member_path(shapes, output, key).ok());
        let target = path.as_ref().and_then(|path| path.last()).and_then(|m| shapes.get(&m.target));
        if !matches!(target.map(|s| &s.kind), Some(ShapeKind::String | ShapeKind::Structure(_))) {
            return Err("none of its result keys is a list or map, nor text or a structure of the output".to_owned());
        }
    }
    Ok(())
}

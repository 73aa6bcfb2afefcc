//! A JMESPath expression compiled to plain Rust over the generated types. Paths stay typed
//! (`Option<&T>` for one value, an iterator of `&T` for a projection); only where an expression
//! compares, counts or combines does its value become the runtime's `jmespath::Value`.
//!
//! The same walk checks an expression against the shapes (`transform` drops the paginators and
//! waiters whose expressions fail) and emits it, so what passes the check always emits. Emitted
//! values name `Value` and `Comparator`, which the caller imports from `awsgen_runtime::jmespath`.

use super::{Comparator, Expr};
use crate::ir::{Member, Shape, ShapeId, ShapeKind};
use crate::rust::ident;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;

/// A compiled (sub)expression.
#[derive(Debug, Clone)]
pub(crate) enum Compiled {
    /// A value that is always there: a variable of type `&T` (the output, a filtered item), or
    /// a place reached from one through required members (`output.table.status`).
    Bound { path: TokenStream, is_variable: bool, shape: ShapeId },
    /// `Option<&T>`.
    One { code: TokenStream, shape: ShapeId },
    /// A projection: an iterator of `&T`, nulls already dropped.
    Many { code: TokenStream, shape: ShapeId },
    /// A runtime `jmespath::Value`.
    Value(TokenStream),
}

impl Compiled {
    /// A variable of type `&T` for the shape `T`.
    pub(crate) fn variable(name: TokenStream, shape: &str) -> Self {
        Compiled::Bound { path: name, is_variable: true, shape: shape.to_owned() }
    }

    /// A bound value as `&T`.
    fn reference(path: &TokenStream, is_variable: bool) -> TokenStream {
        if is_variable {
            path.clone()
        } else {
            quote! { &#path }
        }
    }
}

/// Compiles `expr`, applied to `current`.
pub(crate) fn compile(shapes: &BTreeMap<ShapeId, Shape>, expr: &Expr, current: &Compiled) -> Result<Compiled, String> {
    Compiler { shapes }.compile(expr, current)
}

/// The runtime value of a compiled expression.
pub(crate) fn value(shapes: &BTreeMap<ShapeId, Shape>, compiled: &Compiled) -> Result<TokenStream, String> {
    Compiler { shapes }.value(compiled)
}

struct Compiler<'a> {
    shapes: &'a BTreeMap<ShapeId, Shape>,
}

/// Lists nest in lists only this deep when converted to values (a hostile model could nest
/// them without end).
const MAX_LIST_DEPTH: usize = 8;

impl Compiler<'_> {
    fn compile(&self, expr: &Expr, current: &Compiled) -> Result<Compiled, String> {
        let value = |expr: &Expr| self.compile(expr, current).and_then(|compiled| self.value(&compiled));
        Ok(match expr {
            Expr::Current => current.clone(),
            Expr::Field(of, name) => self.field(&self.compile(of, current)?, name)?,
            Expr::Index(of, index) => self.index(&self.compile(of, current)?, *index)?,
            Expr::Flatten(of) => self.flatten(&self.compile(of, current)?)?,
            Expr::Values(of) => self.values(&self.compile(of, current)?)?,
            Expr::Filter(of, condition) => self.filter(&self.compile(of, current)?, condition)?,
            Expr::Literal(literal) => Compiled::Value(literal_value(literal)?),
            Expr::Not(operand) => {
                let operand = value(operand)?;
                Compiled::Value(quote! { #operand.not() })
            }
            Expr::And(left, right) | Expr::Or(left, right) => {
                let (left, right) = (self.compile(left, current)?, self.compile(right, current)?);
                if let (Expr::Or(..), Some(either)) = (expr, self.either(&left, &right)?) {
                    return Ok(either);
                }
                let (left, right) = (self.value(&left)?, self.value(&right)?);
                let method = if matches!(expr, Expr::And(..)) {
                    quote! { and }
                } else {
                    quote! { or }
                };
                Compiled::Value(quote! { #left.#method(#right) })
            }
            Expr::Compare(comparator, left, right) => {
                let (left, right, comparator) = (value(left)?, value(right)?, comparator_path(*comparator));
                Compiled::Value(quote! { #left.compare(#comparator, &#right) })
            }
            Expr::Length(operand) => {
                let operand = value(operand)?;
                Compiled::Value(quote! { #operand.length() })
            }
            Expr::Contains(haystack, needle) => {
                let (haystack, needle) = (value(haystack)?, value(needle)?);
                Compiled::Value(quote! { #haystack.contains(&#needle) })
            }
        })
    }

    fn shape(&self, id: &str) -> Result<&Shape, String> {
        self.shapes.get(id).ok_or_else(|| format!("shape \"{id}\" is not defined"))
    }

    fn member<'m>(&'m self, shape: &str, name: &str) -> Result<&'m Member, String> {
        match &self.shape(shape)?.kind {
            ShapeKind::Structure(structure) => structure
                .members
                .iter()
                .find(|m| m.name == name)
                .ok_or_else(|| format!("\"{shape}\" has no member \"{name}\"")),
            _ => Err(format!("\"{shape}\" is not a structure, so it has no member \"{name}\"")),
        }
    }

    /// `x.name`: on one value an `Option`, on a projection each item's (absent ones dropped).
    fn field(&self, of: &Compiled, name: &str) -> Result<Compiled, String> {
        let shape = match of {
            Compiled::Bound { shape, .. } | Compiled::One { shape, .. } | Compiled::Many { shape, .. } => shape,
            Compiled::Value(_) => return Err(format!("\"{name}\" is read from a computed value")),
        };
        let member = self.member(shape, name)?;
        let field = ident(&member.rust_name);
        let target = member.target.clone();
        // An optional member reads as `Option<&T>`; a required one is always there (`&T`).
        let always = !member.optional;
        let read = |x: &TokenStream| match (member.optional, member.boxed) {
            (true, false) => quote! { #x.#field.as_ref() },
            (true, true) => quote! { #x.#field.as_deref() },
            (false, false) => quote! { &#x.#field },
            (false, true) => quote! { &*#x.#field },
        };
        let x = quote! { x };
        let read_x = read(&x);
        Ok(match of {
            Compiled::Bound { path, .. } if always && !member.boxed => {
                Compiled::Bound { path: quote! { #path.#field }, is_variable: false, shape: target }
            }
            Compiled::Bound { path, .. } => {
                let read = read(path);
                let code = if always {
                    quote! { Some(#read) }
                } else {
                    read
                };
                Compiled::One { code, shape: target }
            }
            Compiled::One { code, .. } if always => {
                Compiled::One { code: quote! { #code.map(|x| #read_x) }, shape: target }
            }
            Compiled::One { code, .. } => Compiled::One { code: quote! { #code.and_then(|x| #read_x) }, shape: target },
            Compiled::Many { code, .. } if always => {
                Compiled::Many { code: quote! { #code.map(|x| #read_x) }, shape: target }
            }
            Compiled::Many { code, .. } => {
                Compiled::Many { code: quote! { #code.filter_map(|x| #read_x) }, shape: target }
            }
            Compiled::Value(_) => return Err(format!("\"{name}\" is read from a computed value")),
        })
    }

    /// The item type of a list shape, and whether it is sparse (items are `Option`s).
    fn list_item(&self, shape: &str) -> Result<(ShapeId, bool), String> {
        let list = self.shape(shape)?;
        match &list.kind {
            ShapeKind::List { member } => Ok((member.clone(), list.sparse)),
            _ => Err(format!("\"{shape}\" is not a list")),
        }
    }

    /// `x[index]`, negative counting from the end.
    fn index(&self, of: &Compiled, index: i64) -> Result<Compiled, String> {
        let rt = crate::rust::runtime();
        let (code, shape, many) = self.optional(of)?;
        let (item, sparse) = self.list_item(&shape)?;
        let pick = quote! { #rt::jmespath::index(x, #index) };
        let pick = if sparse {
            quote! { #pick.and_then(Option::as_ref) }
        } else {
            pick
        };
        Ok(if many {
            Compiled::Many { code: quote! { #code.filter_map(|x| #pick) }, shape: item }
        } else {
            Compiled::One { code: quote! { #code.and_then(|x| #pick) }, shape: item }
        })
    }

    /// `x[]`: a list's items; on a projection, each list item's items (non-lists kept as they are).
    fn flatten(&self, of: &Compiled) -> Result<Compiled, String> {
        let (code, shape, many) = self.optional(of)?;
        let Ok((item, sparse)) = self.list_item(&shape) else {
            return if many {
                Ok(of.clone())
            } else {
                Err(format!("\"{shape}\" is not a list, so it can't be flattened"))
            };
        };
        let items = if many {
            quote! { #code.flatten() }
        } else {
            quote! { #code.into_iter().flatten() }
        };
        let items = if sparse {
            quote! { #items.flatten() }
        } else {
            items
        };
        Ok(Compiled::Many { code: items, shape: item })
    }

    /// `x.*`: a map's values; on a projection, each map's values.
    fn values(&self, of: &Compiled) -> Result<Compiled, String> {
        let (code, shape, many) = self.optional(of)?;
        let map = self.shape(&shape)?;
        let ShapeKind::Map { value, .. } = &map.kind else { return Err(format!("\"{shape}\" is not a map")) };
        let values = if many {
            quote! { #code.flat_map(|x| x.values()) }
        } else {
            quote! { #code.into_iter().flat_map(|x| x.values()) }
        };
        let values = if map.sparse {
            quote! { #values.flatten() }
        } else {
            values
        };
        Ok(Compiled::Many { code: values, shape: value.clone() })
    }

    /// `x[?condition]`: the list's items for which the condition is true.
    fn filter(&self, of: &Compiled, condition: &Expr) -> Result<Compiled, String> {
        let Compiled::Many { code, shape } = self.flatten(of)? else { unreachable!("flatten gives a projection") };
        if matches!(of, Compiled::Many { .. }) {
            return Err("a filter on a projection is not supported".to_owned());
        }
        let item = Compiled::variable(quote! { x }, &shape);
        let condition = self.compile(condition, &item).and_then(|c| self.value(&c))?;
        Ok(Compiled::Many { code: quote! { #code.filter(|&x| #condition.is_truthy()) }, shape })
    }

    /// `a || b` over two single values of one Rust type (S3's `NextMarker || Contents[-1].Key`):
    /// the first that is truthy, still typed, so that it can be a paginator's token. `None` when
    /// the sides differ, for the runtime's `Value::or`.
    fn either(&self, left: &Compiled, right: &Compiled) -> Result<Option<Compiled>, String> {
        let single = |c: &Compiled| matches!(c, Compiled::Bound { .. } | Compiled::One { .. });
        if !single(left) || !single(right) {
            return Ok(None);
        }
        let ((left, shape, _), (right, other, _)) = (self.optional(left)?, self.optional(right)?);
        let kind = &self.shape(&shape)?.kind;
        let strings = matches!((kind, &self.shape(&other)?.kind), (ShapeKind::String, ShapeKind::String));
        if shape != other && !strings {
            return Ok(None);
        }
        // JMESPath's falsy values: null (`None` here), empty strings and collections, false.
        let truthy = match kind {
            ShapeKind::String | ShapeKind::List { .. } | ShapeKind::Map { .. } => quote! { .filter(|x| !x.is_empty()) },
            ShapeKind::Boolean => quote! { .filter(|x| **x) },
            _ => quote! {},
        };
        Ok(Some(Compiled::One { code: quote! { #left #truthy .or(#right) }, shape }))
    }

    /// A path value as `Option<&T>` (or an iterator for a projection), with its shape.
    fn optional(&self, of: &Compiled) -> Result<(TokenStream, ShapeId, bool), String> {
        match of {
            Compiled::Bound { path, is_variable, shape } => {
                let reference = Compiled::reference(path, *is_variable);
                Ok((quote! { Some(#reference) }, shape.clone(), false))
            }
            Compiled::One { code, shape } => Ok((code.clone(), shape.clone(), false)),
            Compiled::Many { code, shape } => Ok((code.clone(), shape.clone(), true)),
            Compiled::Value(_) => Err("a computed value can't be indexed or projected".to_owned()),
        }
    }

    fn value(&self, compiled: &Compiled) -> Result<TokenStream, String> {
        Ok(match compiled {
            Compiled::Value(code) => code.clone(),
            Compiled::Bound { path, is_variable, shape } => self.leaf(shape, path, *is_variable, 0)?,
            Compiled::One { code, shape } => {
                let (x, leaf) = self.leaf_of_x(shape)?;
                quote! { #code.map_or(Value::Null, |#x| #leaf) }
            }
            Compiled::Many { code, shape } => {
                let (x, leaf) = self.leaf_of_x(shape)?;
                quote! { Value::List(#code.map(|#x| #leaf).collect()) }
            }
        })
    }

    /// A closure's parameter and body for the value of `x: &T` (`_` where the value ignores it).
    fn leaf_of_x(&self, shape: &str) -> Result<(TokenStream, TokenStream), String> {
        let leaf = self.leaf(shape, &quote! { x }, true, 0)?;
        let x = if mentions(&leaf, "x") {
            quote! { x }
        } else {
            quote! { _ }
        };
        Ok((x, leaf))
    }

    /// The value of `x` for a shape `T`: `x` is a `&T`, or (`is_ref` false) a place of type `T`.
    fn leaf(&self, id: &str, x: &TokenStream, is_ref: bool, depth: usize) -> Result<TokenStream, String> {
        let value = quote! { Value };
        let shape = self.shape(id)?;
        let copy = if is_ref {
            quote! { *#x }
        } else {
            x.clone()
        };
        Ok(match &shape.kind {
            ShapeKind::String | ShapeKind::Enum(_) => quote! { #value::String(#x.as_str()) },
            ShapeKind::Boolean => quote! { #value::Bool(#copy) },
            ShapeKind::Integer | ShapeKind::Float => quote! { #value::Number(f64::from(#copy)) },
            ShapeKind::Long => quote! { #value::Number(#copy as f64) },
            ShapeKind::Double => quote! { #value::Number(#copy) },
            ShapeKind::List { member } if depth < MAX_LIST_DEPTH => {
                let item = self.leaf(member, &quote! { x }, true, depth + 1)?;
                let param = if mentions(&item, "x") {
                    quote! { x }
                } else {
                    quote! { _ }
                };
                let item = if shape.sparse {
                    quote! { x.as_ref().map_or(#value::Null, |#param| #item) }
                } else {
                    item
                };
                let param = if mentions(&item, "x") {
                    quote! { x }
                } else {
                    quote! { _ }
                };
                quote! { #value::List(#x.iter().map(|#param| #item).collect()) }
            }
            ShapeKind::Map { .. } => quote! { #value::Object(#x.len()) },
            ShapeKind::Structure(_) | ShapeKind::Union(_) => quote! { #value::Object(1) },
            _ => return Err(format!("\"{id}\" ({}) can't be compared or counted", kind_name(&shape.kind))),
        })
    }
}

fn comparator_path(comparator: Comparator) -> TokenStream {
    let variant = match comparator {
        Comparator::Eq => quote! { Eq },
        Comparator::Ne => quote! { Ne },
        Comparator::Lt => quote! { Lt },
        Comparator::Le => quote! { Le },
        Comparator::Gt => quote! { Gt },
        Comparator::Ge => quote! { Ge },
    };
    quote! { Comparator::#variant }
}

/// A literal as a runtime value: strings, booleans, numbers and null.
pub(crate) fn literal_value(literal: &serde_json::Value) -> Result<TokenStream, String> {
    let value = quote! { Value };
    Ok(match literal {
        serde_json::Value::Null => quote! { #value::Null },
        serde_json::Value::Bool(b) => quote! { #value::Bool(#b) },
        serde_json::Value::Number(n) => {
            let n = n.as_f64().ok_or("a number literal out of range")?;
            quote! { #value::Number(#n) }
        }
        serde_json::Value::String(s) => quote! { #value::String(#s) },
        _ => return Err("list and object literals are not supported".to_owned()),
    })
}

fn kind_name(kind: &ShapeKind) -> &'static str {
    match kind {
        ShapeKind::Timestamp => "a timestamp",
        ShapeKind::Blob => "a blob",
        ShapeKind::Document => "a document",
        _ => "a container nested too deep",
    }
}

/// Whether `tokens` use the identifier `name` anywhere.
pub(crate) fn mentions(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == name,
        proc_macro2::TokenTree::Group(group) => mentions(&group.stream(), name),
        _ => false,
    })
}

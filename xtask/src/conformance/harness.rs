//! Emits, for one suite's generated module, the glue a protocol test needs: `params` (JSON keyed
//! by member name) into the generated input types, and parsed outputs and errors back into
//! that JSON, so a case is run through the generated code and compared as the suite states it.

use awsgen_codegen::ir::{Member, Operation, Service, Shape, ShapeKind};
use awsgen_codegen::plan::CratePlan;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

pub fn harness(plan: &CratePlan, module: &Ident) -> TokenStream {
    let service = &plan.ir;
    let ctx = Ctx { service, plan, module };
    let shapes =
        service.shapes.values().filter(|s| s.shared && matches!(s.kind, ShapeKind::Structure(_) | ShapeKind::Union(_)));
    let shape_fns = shapes.map(|shape| ctx.conversions(shape, &ctx.type_path(shape), &fn_name(&shape.names.module)));
    let ops: Vec<&Operation> = service.operations.values().collect();
    let op_fns = ops.iter().map(|op| ctx.operation_fns(op));
    let input_arms = ops.iter().map(|op| {
        let name = &op.name;
        let convert = format_ident!("in_op_{}", op.names.module.trim_start_matches("r#"));
        quote! { #name => { let input = #convert(params)?; let _ = client.send(input).await; Ok(()) } }
    });
    let output_arms = ops.iter().map(|op| ctx.output_arm(op));
    let fields = awsgen_codegen::service_fields(&plan.service);
    // The generated module's own rule set file, beside this one.
    let (rules, rules_field) = match service.endpoint_rules {
        Some(_) => (
            quote! {
                static RULES: ::awsgen_runtime::endpoint_rules::EmbeddedRuleSet =
                    ::awsgen_runtime::endpoint_rules::EmbeddedRuleSet::new(include_str!("endpoint-rule-set.json"));
            },
            quote! { Some(&RULES) },
        ),
        None => (quote! {}, quote! { None }),
    };
    quote! {
        #![allow(unused_mut, unused_variables, clippy::all)]
        use serde_json::Value;

        fn is_zero<T: Default + PartialEq>(value: &T) -> bool {
            *value == T::default()
        }

        #rules

        pub static SERVICE: ::awsgen_runtime::Service = ::awsgen_runtime::Service {
            #fields
            endpoint_rules: #rules_field,
        };

        pub fn input<'a>(
            op: &'a str,
            params: &'a Value,
            client: &'a ::awsgen_runtime::Client,
        ) -> ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Result<(), String>> + 'a>> {
            Box::pin(async move {
                match op {
                    #(#input_arms)*
                    _ => Err(format!("unknown operation {op}")),
                }
            })
        }

        pub fn output(op: &str, response: &::awsgen_runtime::http::Response) -> Result<Value, String> {
            match op {
                #(#output_arms)*
                _ => Err(format!("unknown operation {op}")),
            }
        }

        #(#op_fns)*
        #(#shape_fns)*
    }
}

fn fn_name(module: &str) -> String {
    module.trim_start_matches("r#").to_owned()
}

struct Ctx<'a> {
    service: &'a Service,
    plan: &'a CratePlan,
    module: &'a Ident,
}

impl Ctx<'_> {
    fn type_path(&self, shape: &Shape) -> TokenStream {
        let module = self.module;
        let name = format_ident!("{}", shape.names.type_name);
        quote! { crate::#module::types::#name }
    }

    fn operation_fns(&self, op: &Operation) -> TokenStream {
        let module = self.module;
        let op_module = ident(&op.names.module);
        let base = quote! { crate::#module::operation::#op_module };
        let (input, output) = (format_ident!("{}", op.names.input), format_ident!("{}", op.names.output));
        let suffix = format!("op_{}", fn_name(&op.names.module));
        let io = |id: &Option<String>, name: &str, sent| {
            awsgen_codegen::plan::io_shape(self.service, id.as_deref(), name, sent)
        };
        let (input_shape, output_shape) =
            (io(&op.input, &op.names.input, true), io(&op.output, &op.names.output, false));
        let (input_shape, output_shape) = (&input_shape, &output_shape);
        let input_fns = self.conversions(input_shape, &quote! { #base::#input }, &suffix);
        let output_fns = self.conversions(output_shape, &quote! { #base::#output }, &format!("{suffix}_output"));
        quote! { #input_fns #output_fns }
    }

    fn output_arm(&self, op: &Operation) -> TokenStream {
        let module = self.module;
        let op_module = ident(&op.names.module);
        let base = quote! { crate::#module::operation::#op_module };
        let (input, error) = (format_ident!("{}", op.names.input), format_ident!("{}", op.names.error));
        let name = &op.name;
        let out = format_ident!("out_op_{}_output", fn_name(&op.names.module));
        let variants = op.names.error_variants.iter().filter_map(|v| {
            let shape = self.service.shapes.get(&v.shape)?;
            let variant = format_ident!("{}", v.variant);
            let out = format_ident!("out_{}", fn_name(&shape.names.module));
            let id = &shape.id;
            Some(quote! { #base::#error::#variant(inner) => (Value::from(#id), #out(inner)), })
        });
        // An event stream (read whole: the response is in memory) is its events, each as its
        // union member, as the suites write it.
        let output = op.output.as_ref().and_then(|id| self.service.shapes.get(id));
        let stream = output.and_then(|o| o.members().iter().find(|m| self.is_event_stream(m)));
        let events = stream.and_then(|m| {
            let (wire, field) = (&m.name, ident(&m.rust_name));
            let out_event = format_ident!("out_{}", fn_name(&self.service.shapes.get(&m.target)?.names.module));
            Some(quote! {
                // The suites give an event stream's bytes in base64, as botocore's runner reads them.
                let text = std::str::from_utf8(&response.body).unwrap_or_default();
                let bytes = ::awsgen_conformance_check::base64_decode(text).ok_or("the event stream is not base64")?;
                let response = &::awsgen_runtime::http::Response { body: bytes.into(), ..response.clone() };
                let mut o = <#base::#input>::parse_output(response).map_err(|e| e.to_string())?;
                let mut value = #out(&o);
                let events = std::mem::take(&mut o.#field);
                let events = ::futures_util::FutureExt::now_or_never(::futures_util::StreamExt::collect::<Vec<_>>(events));
                let events = events.ok_or("an in-memory event stream waited")?;
                let events: Result<Vec<Value>, String> =
                    events.into_iter().map(|event| event.map(|e| #out_event(&e)).map_err(|e| e.to_string())).collect();
                value[#wire] = Value::Array(events?);
                Ok(value)
            })
        });
        let parsed = events.unwrap_or_else(|| {
            quote! { <#base::#input>::parse_output(response).map(|o| #out(&o)).map_err(|e| e.to_string()) }
        });
        quote! {
            #name => {
                use ::awsgen_runtime::Operation as _;
                if (200..300).contains(&response.status) {
                    #parsed
                } else {
                    let error = <#base::#input>::parse_error(::awsgen_runtime::ErrorResponse::from_response(response, SERVICE.protocol));
                    // The modeled error it is read as, if any, and its members.
                    let (shape, members) = match &error {
                        #(#variants)*
                        _ => (Value::Null, Value::Object(Default::default())),
                    };
                    Ok(serde_json::json!({"__error": {"shape": shape, "code": error.code(), "message": error.message(), "members": members}}))
                }
            }
        }
    }

    /// Whether the generated `build()` of the structure `id` returns a `Result`, as the plan says.
    fn build_is_fallible(&self, id: &str) -> bool {
        let io = self.plan.operations.values().flat_map(|op| [&op.input, &op.output]);
        let mut types = self.plan.types.iter().chain(io);
        types.find(|ty| ty.id == id).is_some_and(|ty| ty.build_is_fallible())
    }

    /// Whether `m` is an event stream, which no JSON builds and which is read event by event.
    fn is_event_stream(&self, m: &Member) -> bool {
        self.service.shapes.get(&m.target).is_some_and(|s| s.event_stream)
    }

    /// Whether `m` of an event stream is one of its exceptions (which are its errors, not events).
    fn is_exception(&self, m: &Member) -> bool {
        matches!(self.service.shapes.get(&m.target).map(|s| &s.kind), Some(ShapeKind::Structure(s)) if s.error.is_some())
    }

    /// `in_<suffix>` (JSON -> value) and `out_<suffix>` (value -> JSON) for a structure or union.
    fn conversions(&self, shape: &Shape, path: &TokenStream, suffix: &str) -> TokenStream {
        let (in_fn, out_fn) = (format_ident!("in_{suffix}"), format_ident!("out_{suffix}"));
        match &shape.kind {
            ShapeKind::Union(members) => {
                // An event stream's enum has a variant per event; its exceptions are its errors.
                let members: Vec<&Member> =
                    members.iter().filter(|m| !(shape.event_stream && self.is_exception(m))).collect();
                let in_arms = members.iter().map(|m| {
                    let (wire, variant) = (&m.name, format_ident!("{}", m.rust_name));
                    let value = self.value_in(&m.target, quote! { v });
                    let value = if m.boxed {
                        quote! { Box::new(#value) }
                    } else {
                        value
                    };
                    quote! { #wire => #path::#variant(#value), }
                });
                let out_arms = members.iter().map(|m| {
                    let (wire, variant) = (&m.name, format_ident!("{}", m.rust_name));
                    let value = self.value_out(&m.target, quote! { x });
                    let bind = if m.boxed {
                        quote! { let x = &**x; }
                    } else {
                        quote! {}
                    };
                    quote! { #path::#variant(x) => { #bind serde_json::json!({ #wire: #value }) } }
                });
                quote! {
                    fn #in_fn(v: &Value) -> Result<#path, String> {
                        let (key, v) = v.as_object().and_then(|o| o.iter().find(|(_, v)| !v.is_null())).ok_or("empty union")?;
                        Ok(match key.as_str() {
                            #(#in_arms)*
                            other => return Err(format!("unknown union member {other}")),
                        })
                    }
                    fn #out_fn(o: &#path) -> Value {
                        match o {
                            #(#out_arms)*
                            _ => serde_json::json!({"SDK_UNKNOWN_MEMBER": {}}),
                        }
                    }
                }
            }
            ShapeKind::Structure(structure) => {
                let members: Vec<&Member> = structure.members.iter().filter(|m| !self.is_event_stream(m)).collect();
                let setters = members.iter().map(|m| {
                    let (wire, setter) = (&m.name, format_ident!("{}", m.setter));
                    let value = self.value_in(&m.target, quote! { v });
                    quote! { if let Some(v) = v.get(#wire).filter(|v| !v.is_null()) { b = b.#setter(Some(#value)); } }
                });
                let build = if self.build_is_fallible(&shape.id) {
                    quote! { b.build().map_err(|e| e.to_string()) }
                } else {
                    quote! { Ok(b.build()) }
                };
                let fields = members.iter().map(|m| self.field_out(m, !m.optional));
                quote! {
                    fn #in_fn(v: &Value) -> Result<#path, String> {
                        let mut b = #path::builder();
                        #(#setters)*
                        #build
                    }
                    fn #out_fn(o: &#path) -> Value {
                        let mut map = serde_json::Map::new();
                        #(#fields)*
                        Value::Object(map)
                    }
                }
            }
            _ => quote! {},
        }
    }

    fn field_out(&self, m: &Member, plain: bool) -> TokenStream {
        let (wire, field) = (&m.name, ident(&m.rust_name));
        let value = self.value_out(&m.target, quote! { x });
        let bind = if m.boxed {
            quote! { let x = &**x; }
        } else {
            quote! {}
        };
        let streaming = self.service.shapes.get(&m.target).is_some_and(|s| s.streaming && s.kind == ShapeKind::Blob);
        if streaming && !plain {
            // An empty stream stands for a response without a body.
            return quote! {
                if let Some(x) = o.#field.as_ref().filter(|x| !x.bytes_in_memory().unwrap_or_default().is_empty()) {
                    map.insert(#wire.to_owned(), #value);
                }
            };
        }
        if plain {
            // A required member reads as its zero value when the response leaves it out
            // (error correction), so the zero value stands for "absent" here.
            quote! { if !is_zero(&o.#field) { let x = &o.#field; #bind map.insert(#wire.to_owned(), #value); } }
        } else {
            quote! { if let Some(x) = &o.#field { #bind map.insert(#wire.to_owned(), #value); } }
        }
    }

    /// A value of `target`'s Rust type from the JSON `v` (a `&Value`); may use `?`.
    fn value_in(&self, target: &str, v: TokenStream) -> TokenStream {
        let Some(shape) = self.service.shapes.get(target) else { return quote! { Default::default() } };
        match &shape.kind {
            // A `jsonvalue` member may be given as JSON rather than as its text.
            ShapeKind::String => quote! { #v.as_str().map(str::to_owned).unwrap_or_else(|| #v.to_string()) },
            ShapeKind::Enum(_) => {
                let path = self.type_path(shape);
                quote! { #path::from(#v.as_str().unwrap_or_default()) }
            }
            ShapeKind::Boolean => quote! { #v.as_bool().unwrap_or_default() },
            ShapeKind::Integer => quote! { #v.as_i64().unwrap_or_default() as i32 },
            ShapeKind::Long => quote! { #v.as_i64().unwrap_or_default() },
            ShapeKind::Float => quote! { crate::check::to_float(#v) as f32 },
            ShapeKind::Double => quote! { crate::check::to_float(#v) },
            ShapeKind::Timestamp => quote! {
                ::awsgen_runtime::DateTime::from_fractional_secs(#v.as_f64().unwrap_or_default()).unwrap_or(::awsgen_runtime::DateTime::from_secs(0))
            },
            ShapeKind::Blob if shape.streaming => {
                quote! { ::awsgen_runtime::ByteStream::new(#v.as_str().unwrap_or_default().to_owned()) }
            }
            ShapeKind::Blob => quote! { ::awsgen_runtime::Blob::from(#v.as_str().unwrap_or_default()) },
            ShapeKind::Document => quote! { #v.clone() },
            ShapeKind::List { member } => {
                let item = sparse_in(shape, self.value_in(member, quote! { v }));
                quote! {
                    #v.as_array().map(|a| a.iter().map(|v| -> Result<_, String> { Ok(#item) }).collect::<Result<Vec<_>, String>>()).transpose()?.unwrap_or_default()
                }
            }
            ShapeKind::Map { value, .. } => {
                let item = sparse_in(shape, self.value_in(value, quote! { v }));
                let keep = if shape.sparse {
                    quote! { |_| true }
                } else {
                    quote! { |(_, v)| !v.is_null() }
                };
                quote! {
                    #v.as_object().map(|o| o.iter().filter(#keep).map(|(k, v)| -> Result<_, String> { Ok((k.as_str().into(), #item)) }).collect::<Result<::std::collections::BTreeMap<_, _>, String>>()).transpose()?.unwrap_or_default()
                }
            }
            ShapeKind::Structure(_) | ShapeKind::Union(_) => {
                let f = format_ident!("in_{}", fn_name(&shape.names.module));
                quote! { #f(#v)? }
            }
        }
    }

    /// The JSON the tests expect for `x` (a reference to a value of `target`'s Rust type).
    fn value_out(&self, target: &str, x: TokenStream) -> TokenStream {
        let Some(shape) = self.service.shapes.get(target) else { return quote! { Value::Null } };
        match &shape.kind {
            ShapeKind::String => quote! { Value::from(#x.clone()) },
            ShapeKind::Enum(_) => quote! { Value::from(#x.as_str()) },
            ShapeKind::Boolean | ShapeKind::Integer | ShapeKind::Long => quote! { Value::from(*#x) },
            ShapeKind::Float => quote! { crate::check::float32(*#x) },
            ShapeKind::Double => quote! { crate::check::float(*#x) },
            ShapeKind::Timestamp => quote! { crate::check::time(#x) },
            ShapeKind::Blob if shape.streaming => quote! {
                Value::from(String::from_utf8_lossy(&#x.bytes_in_memory().unwrap_or_default()).into_owned())
            },
            ShapeKind::Blob => quote! { Value::from(String::from_utf8_lossy(#x.as_bytes()).into_owned()) },
            ShapeKind::Document => quote! { #x.clone() },
            ShapeKind::List { member } => {
                let item = sparse_out(shape, self.value_out(member, quote! { x }));
                quote! { Value::Array(#x.iter().map(|x| #item).collect()) }
            }
            ShapeKind::Map { value, .. } => {
                let item = sparse_out(shape, self.value_out(value, quote! { x }));
                quote! { Value::Object(#x.iter().map(|(k, x)| (k.as_str().to_owned(), #item)).collect()) }
            }
            ShapeKind::Structure(_) | ShapeKind::Union(_) => {
                let f = format_ident!("out_{}", fn_name(&shape.names.module));
                quote! { #f(#x) }
            }
        }
    }
}

/// A sparse container's element may be null.
fn sparse_in(container: &Shape, item: TokenStream) -> TokenStream {
    if container.sparse {
        quote! { if v.is_null() { None } else { Some(#item) } }
    } else {
        item
    }
}

fn sparse_out(container: &Shape, item: TokenStream) -> TokenStream {
    if container.sparse {
        quote! { x.as_ref().map_or(Value::Null, |x| #item) }
    } else {
        item
    }
}

fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => format_ident!("{}", name),
    }
}

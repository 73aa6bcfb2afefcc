//! An event stream's types: the enum of its events, the enum of the exceptions that end it, and
//! how a message becomes one or the other (`ReadEvent`), for the runtime's `EventReceiver` to
//! read; or, for an input stream, how each event becomes a message (`WriteEvent`), for its
//! `EventSender` to send.

use super::errors::error_enum;
use super::types::ident;
use super::{docs, rt};
use crate::plan::{EventPayload, EventPlan, EventStreamPlan, PayloadKind, TypePlan};
use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn event_stream(ty: &TypePlan, stream: &EventStreamPlan, xml: bool) -> TokenStream {
    let rt = rt::runtime();
    let type_name = &ty.names.type_name;
    let name = ident(type_name);
    if stream.sent {
        let events = events_enum(ty, stream, "event stream, to send", None);
        let variants = stream.events.iter().map(|e| ident(&e.variant));
        let writes = stream.events.iter().map(write_event);
        return quote! {
            #events

            impl #rt::eventstream::WriteEvent for #name {
                fn write(self) -> Result<#rt::eventstream::Message, #rt::BuildError> {
                    match self {
                        #( Self::#variants(event) => #writes, )*
                    }
                }
            }
        };
    }
    let unknown = quote! {
        /// An event this version of the crate does not know, as it arrived.
        Unknown(#rt::eventstream::UnknownEvent),
    };
    let events = events_enum(ty, stream, "event stream", Some(unknown));
    let error_name = ident(&stream.error_type);
    let error_doc = format!(" An exception that ended the `{type_name}` event stream.");
    let error = error_enum(&stream.error_type, &error_doc, &stream.errors);
    let read = read_event(&name, &error_name, stream, xml);
    quote! {
        #events

        #read

        #error
    }
}

/// The enum of a stream's events: a variant per event, then `extra`.
fn events_enum(ty: &TypePlan, stream: &EventStreamPlan, what: &str, extra: Option<TokenStream>) -> TokenStream {
    let type_name = &ty.names.type_name;
    let name = ident(type_name);
    let doc = docs::outer_or(&ty.docs, &format!("The events of the `{type_name}` {what}."));
    let variants = stream.events.iter().map(|e| ident(&e.variant));
    let types = stream.events.iter().map(|e| ident(&e.type_name));
    let variant_docs = stream.events.iter().map(|e| docs::outer_or(&e.docs, &format!("The `{}` event.", e.event_type)));
    quote! {
        #doc
        #[derive(Clone, PartialEq, ::std::fmt::Debug)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants(crate::types::#types), )*
            #extra
        }
    }
}

/// An event's message: its `:event-type`, its payload, then the members its headers carry.
fn write_event(event: &EventPlan) -> TokenStream {
    let rt = rt::runtime();
    let event_type = &event.event_type;
    let payload = match &event.payload {
        EventPayload::Whole => quote! { message = message.with_json(&event)?; },
        EventPayload::Member { field, kind, optional, .. } => {
            let field = ident(field);
            let with_value = match kind {
                PayloadKind::Blob => quote! { message.with_payload(value.into_inner(), "application/octet-stream") },
                PayloadKind::Text => quote! { message.with_payload(value.as_str().to_owned(), "text/plain") },
                PayloadKind::Structure => quote! { message.with_json(&value)? },
            };
            match optional {
                true => quote! { if let Some(value) = event.#field { message = #with_value; } },
                false => quote! { let value = event.#field; message = #with_value; },
            }
        }
    };
    let headers = event.headers.iter().map(|header| {
        let (field, name) = (ident(&header.field), &header.name);
        match header.optional {
            true => quote! { if let Some(value) = event.#field { message = message.with_header(#name, value); } },
            false => quote! { message = message.with_header(#name, event.#field); },
        }
    });
    quote! {{
        let mut message = #rt::eventstream::Message::event(#event_type);
        #payload
        #(#headers)*
        Ok(message)
    }}
}

/// `ReadEvent`: an event by its `:event-type`, an exception by its `:exception-type`.
fn read_event(
    name: &proc_macro2::Ident,
    error: &proc_macro2::Ident,
    stream: &EventStreamPlan,
    xml: bool,
) -> TokenStream {
    let rt = rt::runtime();
    let modeled = if xml {
        quote! { modeled_xml }
    } else {
        quote! { modeled }
    };
    let codes = stream.errors.iter().map(|e| &e.variant.code);
    let exceptions = stream.errors.iter().map(|e| {
        let variant = ident(&e.variant.variant);
        quote! { exception.#modeled().map_or_else(#error::Unhandled, #error::#variant) }
    });
    let unhandled = quote! { #error::Unhandled(exception.into_unhandled()) };
    // By `:exception-type`; a stream without modeled exceptions has only `Unhandled`.
    let exception = match stream.errors.is_empty() {
        true => unhandled,
        false => quote! {
            match exception.code().unwrap_or_default().to_owned().as_str() {
                #( #codes => #exceptions, )*
                _ => #unhandled,
            }
        },
    };
    let event_types = stream.events.iter().map(|e| &e.event_type);
    let reads = stream.events.iter().map(|e| {
        let variant = ident(&e.variant);
        let value = event_value(e, xml);
        quote! { Self::#variant(#value) }
    });
    quote! {
        impl #rt::eventstream::ReadEvent for #name {
            type Error = #error;

            fn read(message: #rt::eventstream::Incoming) -> Result<Result<Self, #error>, #rt::ParseError> {
                let event = match message {
                    #rt::eventstream::Incoming::Event(event) => event,
                    #rt::eventstream::Incoming::Exception(exception) => return Ok(Err(#exception)),
                };
                Ok(Ok(match event.event_type() {
                    #( #event_types => #reads, )*
                    _ => Self::Unknown(event.into_unknown()),
                }))
            }
        }
    }
}

/// An event's value from its message: its payload, then the members its headers carry.
fn event_value(event: &EventPlan, xml: bool) -> TokenStream {
    let value = payload_value(event, xml);
    if event.headers.is_empty() {
        return value;
    }
    let type_name = ident(&event.type_name);
    let headers = event.headers.iter().map(|header| {
        let (field, name) = (ident(&header.field), &header.name);
        match header.optional {
            true => quote! { value.#field = event.header(#name)?; },
            false => quote! { value.#field = event.header(#name)?.unwrap_or_default(); },
        }
    });
    quote! {{
        let mut value: crate::types::#type_name = #value;
        #(#headers)*
        value
    }}
}

/// An event's members from its payload: the whole payload, or the one member it is.
fn payload_value(event: &EventPlan, xml: bool) -> TokenStream {
    let structure = if xml {
        quote! { event.xml()? }
    } else {
        quote! { event.json()? }
    };
    let EventPayload::Member { field, kind, optional, alone } = &event.payload else { return structure };
    let value = match kind {
        PayloadKind::Blob => quote! { event.blob() },
        PayloadKind::Text => quote! { event.text()? },
        PayloadKind::Structure => structure,
    };
    let value = if *optional {
        quote! { Some(#value) }
    } else {
        value
    };
    let (type_name, field) = (ident(&event.type_name), ident(field));
    let rest = (!alone).then(|| quote! { ..Default::default() });
    quote! { crate::types::#type_name { #field: #value, #rest } }
}

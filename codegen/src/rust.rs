//! The Rust tokens every code-producing stage shares: identifiers for the names `naming`
//! decided, and paths into the runtime crate, so generated code names it in one way only.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// An identifier for a resolved name (`r#type` becomes a raw identifier).
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => format_ident!("{}", name),
    }
}

/// `::awsgen_runtime`: the hand-written crate every generated crate depends on.
pub(crate) fn runtime() -> TokenStream {
    quote! { ::awsgen_runtime }
}

/// serde, through the runtime's re-export, so generated crates need no serde dependency.
pub(crate) fn serde() -> TokenStream {
    quote! { ::awsgen_runtime::serde }
}

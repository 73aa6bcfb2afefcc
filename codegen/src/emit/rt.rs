//! Paths into the runtime crate, so generated code names it in one way only.

use proc_macro2::TokenStream;
use quote::quote;

/// `::awsgen_runtime`: the hand-written crate every generated crate depends on.
pub(crate) fn runtime() -> TokenStream {
    quote! { ::awsgen_runtime }
}

/// serde, through the runtime's re-export, so generated crates need no serde dependency.
pub(crate) fn serde() -> TokenStream {
    quote! { ::awsgen_runtime::serde }
}

/// The path every derive names in `#[serde(crate = ...)]` for that re-export.
pub(crate) const SERDE_CRATE: &str = "::awsgen_runtime::serde";

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

/// The `#[serde(crate = ...)]` attribute every derive needs for that re-export.
pub(crate) fn serde_crate_attr() -> TokenStream {
    quote! { #[serde(crate = "::awsgen_runtime::serde")] }
}

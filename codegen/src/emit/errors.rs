//! One error enum per operation: a variant per modeled error, plus `Unhandled`.

use super::types::ident;
use super::{docs, rt};
use crate::naming::UNHANDLED_VARIANT;
use crate::plan::{ErrorPlan, OperationPlan};
use proc_macro2::TokenStream;
use quote::quote;

/// The error enum of an operation.
pub(crate) fn operation_error(plan: &OperationPlan) -> TokenStream {
    let op = &plan.op;
    error_enum(&op.names.error, &format!(" An error from the {} operation.", op.name), &plan.errors)
}

/// An enum of modeled errors and `Unhandled`, named `name`.
pub(crate) fn error_enum(name: &str, doc: &str, errors: &[ErrorPlan]) -> TokenStream {
    let rt = rt::runtime();
    let name = ident(name);
    let variants: Vec<_> = errors.iter().map(|e| ident(&e.variant.variant)).collect();
    let types: Vec<_> = errors.iter().map(|e| ident(&e.type_name)).collect();
    let variant_docs = errors.iter().map(|e| docs::outer_or(&e.docs, &format!("The `{}` error.", e.type_name)));
    let predicates = errors.iter().zip(&variants).map(|(e, variant)| {
        let is = ident(&e.variant.predicate);
        let doc = format!(" Whether this is a [`{variant}`](Self::{variant}) error.");
        quote! {
            #[doc = #doc]
            pub fn #is(&self) -> bool {
                ::std::matches!(self, Self::#variant(_))
            }
        }
    });
    let unhandled = ident(UNHANDLED_VARIANT);
    // `Display` shows the variant's error as it is, and no variant's error has a source of its
    // own, so `source()` is `None`: a reporter walking the chain prints the message once.
    quote! {
        #[doc = #doc]
        #[derive(Clone, PartialEq, ::std::fmt::Debug)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants(crate::types::#types), )*
            /// An error the model does not describe for this operation; it keeps the code, message,
            /// HTTP status and request id of the response.
            #unhandled(#rt::Unhandled),
        }

        impl #name {
            /// The error code, if the response carried one.
            pub fn code(&self) -> Option<&str> {
                self.meta().code()
            }

            /// The error message, if the response carried one.
            pub fn message(&self) -> Option<&str> {
                match self {
                    #( Self::#variants(error) => error.message(), )*
                    Self::#unhandled(error) => error.meta().message(),
                }
            }

            /// The code, message, HTTP status and request id of the response.
            pub fn meta(&self) -> &#rt::ErrorMetadata {
                match self {
                    #( Self::#variants(error) => error.meta(), )*
                    Self::#unhandled(error) => error.meta(),
                }
            }

            #(#predicates)*
        }

        impl #rt::ProvideErrorMetadata for #name {
            fn meta(&self) -> &#rt::ErrorMetadata {
                self.meta()
            }

            fn message(&self) -> Option<&str> {
                self.message()
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #( Self::#variants(error) => ::std::fmt::Display::fmt(error, f), )*
                    Self::#unhandled(error) => ::std::fmt::Display::fmt(error, f),
                }
            }
        }

        impl ::std::error::Error for #name {}
    }
}

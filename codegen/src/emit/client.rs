//! `Client`: one method per operation, each handing out that operation's sendable builder.

use super::types::ident;
use super::{docs, rt, Ctx};
use crate::ir::{AuthScheme, Protocol};
use crate::plan::ServicePlan;
use proc_macro2::TokenStream;
use quote::quote;

/// The rule set's file, beside `client.rs`.
pub(crate) const ENDPOINT_RULES_FILE: &str = "endpoint-rule-set.json";

pub(crate) fn client_rs(ctx: &Ctx) -> TokenStream {
    let rt = rt::runtime();
    let service = ctx.service;
    let fields = service_fields(service);
    let methods = ctx.plan.operations.values().map(|op| {
        let op = &op.op;
        let doc = docs::outer_or(&op.docs, &format!("Calls {}.", op.name));
        let method = ident(&op.names.method);
        let module = ident(&op.names.module);
        let builder = ident(&op.names.input_builder);
        quote! {
            #doc
            pub fn #method(&self) -> crate::operation::#module::#builder<Client> {
                crate::operation::#module::#builder::new(self.clone())
            }
        }
    });
    let presigned_post = service.settings.presigned_post.then(|| {
        quote! {
            /// A form a browser uploads `key` to `bucket` with, straight to S3, under a signed
            /// policy (botocore's `generate_presigned_post`): add fields and conditions, then
            /// `presign(..)`. A key ending in `${filename}` takes the uploaded file's name.
            pub fn presigned_post(
                &self,
                bucket: impl Into<String>,
                key: impl Into<String>,
            ) -> crate::presigning::PresignedPostBuilder {
                self.inner.presigned_post(bucket, key)
            }
        }
    });
    let doc = format!(" A client for {}. Cheap to clone; clones share connections.", service.full_name);
    // Parsed on the first call, once for the program's life.
    let (rules_static, rules) = match &service.endpoint_rules {
        Some(_) => (
            Some(quote! {
                static ENDPOINT_RULES: #rt::endpoint_rules::EmbeddedRuleSet =
                    #rt::endpoint_rules::EmbeddedRuleSet::new(include_str!(#ENDPOINT_RULES_FILE));
            }),
            quote! { Some(&ENDPOINT_RULES) },
        ),
        None => (None, quote! { None }),
    };
    quote! {
        #rules_static

        static SERVICE: #rt::Service = #rt::Service {
            #fields
            endpoint_rules: #rules,
        };

        #[doc = #doc]
        #[derive(Clone, PartialEq, ::std::fmt::Debug)]
        pub struct Client {
            pub(crate) inner: #rt::Client,
        }

        impl Client {
            /// A client with this configuration.
            pub fn new(config: crate::Config) -> Self {
                Client { inner: #rt::Client::new(config, &SERVICE) }
            }

            /// A client configured from `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
            /// `AWS_SESSION_TOKEN` and `AWS_ENDPOINT_URL`.
            pub fn from_env() -> Self {
                Self::new(crate::Config::from_env().build())
            }

            /// The configuration this client was made with.
            pub fn config(&self) -> &crate::Config {
                self.inner.config()
            }

            /// A client that answers every call from `mocks` and sends nothing (feature `test-util`).
            #[cfg(feature = "test-util")]
            pub fn from_mocks(mocks: &crate::test_util::Mocks) -> Self {
                Client { inner: #rt::Client::mocked(mocks, &SERVICE) }
            }

            #(#methods)*
            #presigned_post
        }
    }
}

/// The fields of the runtime's `Service` but its endpoint rules: names, protocol, auth schemes,
/// headers.
pub(crate) fn service_fields(service: &ServicePlan) -> TokenStream {
    let rt = rt::runtime();
    let (service_id, api_version) = (&service.service_id, &service.api_version);
    let (endpoint_prefix, signing_name) = (&service.endpoint_prefix, &service.signing_name);
    let protocol = match service.protocol {
        Protocol::RestJson => quote! { #rt::Protocol::RestJson },
        Protocol::AwsJson { .. } => {
            let query_compatible = service.query_compatible;
            quote! { #rt::Protocol::AwsJson { query_compatible: #query_compatible } }
        }
        Protocol::AwsQuery => quote! { #rt::Protocol::AwsQuery },
        Protocol::Ec2Query => quote! { #rt::Protocol::Ec2Query },
        Protocol::RestXml => quote! { #rt::Protocol::RestXml },
        Protocol::RpcV2Cbor => {
            let query_compatible = service.query_compatible;
            quote! { #rt::Protocol::RpcV2Cbor { query_compatible: #query_compatible } }
        }
    };
    let auth = service.auth.iter().map(|scheme| match scheme {
        AuthScheme::SigV4 => quote! { #rt::AuthScheme::SigV4 },
        AuthScheme::Bearer => quote! { #rt::AuthScheme::Bearer },
    });
    let headers = service.headers.iter().map(|(name, value)| quote! { (#name, #value) });
    quote! {
        service_id: #service_id,
        api_version: #api_version,
        endpoint_prefix: #endpoint_prefix,
        signing_name: #signing_name,
        protocol: #protocol,
        auth: &[#(#auth),*],
        headers: &[#(#headers),*],
    }
}

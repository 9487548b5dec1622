//! The tests at the end of an API file: every method's documented example decodes, through
//! the runtime's decoder, into the method's response type.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Family, Spec};
use crate::naming;
use crate::rustlang::{Scope, ident, rust_ty};

/// A test per method with an example: it decodes, through the runtime's decoder, into the
/// method's response type.
pub(super) fn example_tests(spec: &Spec, family: &Family, api: &Api) -> TokenStream {
    let tests: Vec<TokenStream> = api
        .methods
        .iter()
        .filter(|m| m.example.is_some() && !m.imported)
        .map(|m| {
            let c = ident(&m.meta_static);
            let name = ident(&naming::example_test(&m.rust));
            let body = match &m.response {
                Some(ty) => {
                    let t = rust_ty(spec, ty, Scope::ApiTests(&family.module));
                    quote! {
                        let data: ::std::result::Result<#t, _> = crate::__rt::decode(&super::#c, example.as_bytes());
                        if let ::std::result::Result::Err(e) = data {
                            panic!("{e}");
                        }
                    }
                }
                None => quote! {
                    if let ::std::result::Result::Err(e) = crate::__rt::decode_unit(&super::#c, example.as_bytes()) {
                        panic!("{e}");
                    }
                },
            };
            quote! {
                #[test]
                fn #name() {
                    let example = super::#c.example.unwrap_or_default();
                    #body
                }
            }
        })
        .collect();
    if tests.is_empty() {
        return quote!();
    }
    quote! {
        /// Every documented example decodes into its response type.
        #[cfg(test)]
        mod tests {
            #(#tests)*
        }
    }
}

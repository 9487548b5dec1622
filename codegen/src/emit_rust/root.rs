//! The generated root, `mod.rs`: the family modules, their accessors on `Client`, the
//! `ErrorKind` enum of every error table, then the tables of every API and method.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::meta::error_meta;
use crate::ir::Spec;
use crate::naming;
use crate::rustlang::{cfg_feature, cfg_feature_documented, cfg_imported, doc, ident};

pub(super) fn root(spec: &Spec) -> TokenStream {
    let mods = spec.families.iter().map(|f| {
        let m = ident(&f.module);
        let d = doc(&format!(
            "`SYNO.{}.*` APIs: their request builders and types.",
            f.wire
        ));
        let cfg = cfg_feature_documented(spec, f);
        if f.internal {
            quote!(pub(crate) mod #m;)
        } else {
            quote!(#d #cfg pub mod #m;)
        }
    });
    let accessors = spec.families.iter().filter(|f| !f.internal).map(|f| {
        let m = ident(&f.module);
        let h = ident(&f.handle);
        let names: Vec<String> = f.apis.iter().map(|a| format!("`{}`", a.wire)).collect();
        let mut text = format!(
            "The `SYNO.{}` family: {}.\n\nNeeds the cargo feature `{}` ({}).",
            f.wire,
            names.join(", "),
            f.feature().unwrap_or_default(),
            if f.on_by_default() {
                "on by default"
            } else {
                "imported from DSM; off by default, on with `all-apis`"
            }
        );
        if let Some(all) = f.all_feature() {
            text.push_str(&format!(
                " Its APIs, methods and types imported from DSM need `{all}`."
            ));
        }
        let d = doc(&text);
        let cfg = cfg_feature_documented(spec, f);
        quote! {
            #d
            #cfg
            pub fn #m(&self) -> #m::#h {
                #m::#h::new(self.clone())
            }
        }
    });
    let mut kinds: BTreeSet<(String, String)> = BTreeSet::new();
    for e in spec
        .common_errors
        .iter()
        .chain(spec.apis().flat_map(|a| a.errors.iter()))
    {
        if !kinds.iter().any(|(n, _)| n == &e.name) {
            kinds.insert((e.name.clone(), e.description.clone()));
        }
    }
    let variants = kinds.iter().map(|(n, d)| {
        let v = ident(n);
        let d = doc(&format!("{d}."));
        quote!(#d #v,)
    });
    let from_name = kinds.iter().map(|(n, _)| {
        let v = ident(n);
        quote!(#n => Self::#v,)
    });
    let unknown = ident(naming::UNKNOWN_VARIANT);
    let common = spec.common_errors.iter().map(error_meta);
    let api_refs = spec.families.iter().flat_map(|fam| {
        let cfg = cfg_feature(spec, fam);
        fam.apis.iter().map(move |a| {
            let f = ident(&a.family_module);
            let m = ident(&a.module);
            let all = cfg_imported(spec, fam, a.imported);
            quote!(#cfg #all &#f::#m::API,)
        })
    });
    let method_refs = spec.families.iter().flat_map(|fam| {
        let cfg = cfg_feature(spec, fam);
        fam.apis.iter().flat_map(move |a| {
            let cfg = cfg.clone();
            a.methods.iter().map(move |me| {
                let f = ident(&a.family_module);
                let m = ident(&a.module);
                let c = ident(&me.meta_static);
                let all = cfg_imported(spec, fam, a.imported || me.imported);
                quote!(#cfg #all &#f::#m::#c,)
            })
        })
    });
    quote! {
        #![doc = " Code generated from `api-spec/`: one module per API family."]
        #(#mods)*

        #[cfg(feature = "cli")]
        pub(crate) mod cli;

        impl crate::Client {
            #(#accessors)*
        }

        /// What a DSM error code means, for the API that returned it.
        ///
        /// Codes 100-160 mean the same for every API; from 400 up, each API has its own table.
        /// A code no table lists is [`ErrorKind::Unknown`]; the number is kept in the error.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            #(#variants)*
            /// A code this client's tables do not list.
            #unknown,
        }

        impl ErrorKind {
            pub(crate) fn from_name(name: &str) -> Self {
                match name {
                    #(#from_name)*
                    _ => Self::#unknown,
                }
            }
        }

        /// DSM's common error codes, valid for every API.
        pub(crate) static COMMON_ERRORS: &[crate::__rt::ErrorMeta] = &[#(#common)*];

        /// Every API of the spec.
        pub(crate) static APIS: &[&crate::__rt::ApiMeta] = &[#(#api_refs)*];

        /// Every method of the spec.
        pub(crate) static METHODS: &[&crate::__rt::MethodMeta] = &[#(#method_refs)*];
    }
}

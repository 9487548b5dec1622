//! A family's `mod.rs`: its types and API modules, and the family handle with an accessor
//! per sub-API.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Family, Spec};
use crate::naming::TYPES_MODULE;
use crate::rustlang::{cfg_imported_documented, doc, ident};

pub(super) fn family_mod(spec: &Spec, family: &Family) -> TokenStream {
    let h = ident(&family.handle);
    let types = ident(TYPES_MODULE);
    let mods = family.apis.iter().map(|a| {
        let m = ident(&a.module);
        let d = doc(&format!("`{}`: {}", a.wire, first_sentence(&a.description)));
        let cfg = cfg_imported_documented(spec, family, a.imported);
        if family.internal {
            quote!(pub(crate) mod #m;)
        } else {
            quote!(#d #cfg pub mod #m;)
        }
    });
    let only_imported_types =
        family.all_feature().is_some() && family.types.iter().all(|t| spec.types[t].imported);
    let reexport = if family.internal {
        quote! {
            #[allow(unused_imports, reason = "the runtime uses only the internal types it needs")]
            pub use #types::*;
        }
    } else if only_imported_types && spec.feature_gates {
        quote! {
            #[allow(unused_imports, reason = "its types are all imported: without the `-all` feature there are none")]
            pub use #types::*;
        }
    } else {
        quote!(
            pub use #types::*;
        )
    };
    // A family with no types has no types module.
    let types_mod = (!family.types.is_empty()).then(|| {
        quote! {
            mod #types;
            #reexport
        }
    });
    let mut body = quote! {
        #types_mod
        #(#mods)*
    };
    if !family.internal {
        let accessors = family.apis.iter().filter_map(|a| {
            let acc = ident(a.accessor.as_ref()?);
            let m = ident(&a.module);
            let ah = ident(&a.handle);
            let d = doc(&format!("`{}`: {}", a.wire, a.description));
            let cfg = cfg_imported_documented(spec, family, a.imported);
            Some(quote! {
                #d
                #cfg
                pub fn #acc(&self) -> #m::#ah {
                    #m::#ah::new(self.client.clone())
                }
            })
        });
        let hd = doc(&format!(
            "Entry point to the `SYNO.{}` APIs; get it with [`Client::{}`](crate::Client::{}).",
            family.wire, family.module, family.module
        ));
        body.extend(quote! {
            #hd
            #[derive(Debug, Clone)]
            pub struct #h {
                client: crate::Client,
            }

            impl #h {
                pub(crate) fn new(client: crate::Client) -> Self {
                    Self { client }
                }
                #(#accessors)*
            }
        });
    }
    let title = format!(" `SYNO.{}.*`: types and request builders.", family.wire);
    quote! {
        #![doc = #title]
        #body
    }
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.find(". ") {
        Some(i) => line[..=i].to_owned(),
        None => line.to_owned(),
    }
}

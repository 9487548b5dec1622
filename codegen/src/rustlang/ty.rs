//! Spec types written as Rust types, from wherever the generated code names them: std and
//! runtime types by full path, the spec's own types by a relative path to their family's
//! module.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::{Spec, Ty};

/// Where a type is named from. Every generated module sits two levels below the generated
/// root (`<family>/types.rs`, `<family>/<api>.rs`, `cli/<family>.rs`), so another family's
/// types are `super::super::<family>::<Type>`.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    /// `cli/<family>.rs`.
    Cli,
    /// The `types` module of this family.
    Types(&'a str),
    /// An API module of this family.
    Api(&'a str),
    /// The `tests` module inside an API module of this family, one level further down.
    ApiTests(&'a str),
}

/// The Rust type of a spec type, as written in `scope`.
pub fn rust_ty(spec: &Spec, ty: &Ty, scope: Scope) -> TokenStream {
    match ty {
        Ty::Int(i) => {
            let i = ident(i.name());
            quote!(#i)
        }
        Ty::F64 => quote!(f64),
        Ty::String => quote!(::std::string::String),
        Ty::Bool => quote!(bool),
        Ty::UnixTime => quote!(crate::__rt::UnixTime),
        Ty::Json => quote!(::serde_json::Value),
        Ty::Secret => quote!(crate::__rt::Secret),
        Ty::List(inner) => {
            let inner = rust_ty(spec, inner, scope);
            quote!(::std::vec::Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = rust_ty(spec, inner, scope);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
        Ty::Named(name) => {
            let n = ident(name);
            let owner = &spec.types[name].family_module;
            match scope {
                Scope::Cli => {
                    let m = ident(owner);
                    quote!(super::super::#m::#n)
                }
                Scope::Types(f) if f == owner => quote!(#n),
                Scope::Api(f) if f == owner => quote!(super::#n),
                Scope::ApiTests(f) if f == owner => quote!(super::super::#n),
                Scope::ApiTests(_) => {
                    let m = ident(owner);
                    quote!(super::super::super::#m::#n)
                }
                _ => {
                    let m = ident(owner);
                    quote!(super::super::#m::#n)
                }
            }
        }
    }
}

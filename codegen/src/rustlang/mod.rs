//! The Rust vocabulary every emitter shares, below all of them (as smithy-rs keeps its
//! `rustlang/` layer below every generator): identifiers, doc comments, literals and feature
//! gates as tokens ([`ident`], [`doc`], ...), spec types as Rust types ([`ty`]), and the
//! printer that turns a file's tokens into text ([`print`](mod@print)). Emitters import
//! this; they never import each other.

pub mod print;
pub mod ty;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::ir::{Family, Spec};

pub use print::{HEADER, RustFile};
pub use ty::{Scope, rust_ty};

/// An identifier token; `name` must already be a valid identifier (the IR's names are).
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// An integer literal without a suffix (`1`, not `1u32`): the type comes from where it goes.
pub fn number(n: impl Into<i128>) -> Literal {
    Literal::i128_unsuffixed(n.into())
}

/// `#[doc]` attributes, one per line, so prettyplease prints `///` comments.
pub fn doc(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// `#[cfg(feature = "…")]` for an item of a public family that is not public itself (a table
/// entry, a command); nothing for a runtime-only family or when the spec has gates off.
pub fn cfg_feature(spec: &Spec, family: &Family) -> TokenStream {
    match gate(spec, family) {
        Some(feature) => quote!(#[cfg(feature = #feature)]),
        None => TokenStream::new(),
    }
}

/// [`cfg_feature`] for a public item (a family module, an accessor), with the note docs.rs
/// shows: "Available on crate feature … only".
pub fn cfg_feature_documented(spec: &Spec, family: &Family) -> TokenStream {
    match gate(spec, family) {
        Some(feature) => quote! {
            #[cfg(feature = #feature)]
            #[cfg_attr(docsrs, doc(cfg(feature = #feature)))]
        },
        None => TokenStream::new(),
    }
}

/// `#[cfg(feature = "<family>-all")]` for an `imported` item (an imported API, method or
/// type) of a family that also has hand-written ones, when the item is not public itself (a
/// table entry, a static); nothing for any other item, for a family only imported files
/// declare (its module is gated already), or when the spec has gates off.
pub fn cfg_imported(spec: &Spec, family: &Family, imported: bool) -> TokenStream {
    match imported_gate(spec, family, imported) {
        Some(feature) => quote!(#[cfg(feature = #feature)]),
        None => TokenStream::new(),
    }
}

/// [`cfg_imported`] for a public item, with the docs.rs note.
pub fn cfg_imported_documented(spec: &Spec, family: &Family, imported: bool) -> TokenStream {
    match imported_gate(spec, family, imported) {
        Some(feature) => quote! {
            #[cfg(feature = #feature)]
            #[cfg_attr(docsrs, doc(cfg(feature = #feature)))]
        },
        None => TokenStream::new(),
    }
}

fn imported_gate(spec: &Spec, family: &Family, imported: bool) -> Option<String> {
    family
        .all_feature()
        .filter(|_| imported && spec.feature_gates)
}

fn gate(spec: &Spec, family: &Family) -> Option<String> {
    family.feature().filter(|_| spec.feature_gates)
}

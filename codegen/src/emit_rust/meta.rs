//! The static tables of an API file (`API`, one `MethodMeta` per method) and the error-table
//! entries the root shares: what the runtime reads to call DSM, and the mock to act like it.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::ir::{Api, Encoding, ErrorEntry, Family, Method, ParamKind, Spec, Ty, TypeKind};
use crate::rustlang::{Scope, doc, ident, number, rust_ty};

/// One entry of an error table.
pub(super) fn error_meta(e: &ErrorEntry) -> TokenStream {
    let code = number(e.code);
    let (n, d) = (&e.name, &e.description);
    quote!(crate::__rt::ErrorMeta { code: #code, kind: #n, description: #d },)
}

/// The API's static: name, path, version range, error table.
pub(super) fn api_meta(api: &Api) -> TokenStream {
    let wire = &api.wire;
    let path = &api.path;
    let (lo, hi) = (number(api.min_version), number(api.max_version));
    let errors = api.errors.iter().map(error_meta);
    let json = api.json_request;
    quote! {
        /// The API's name, path and version range.
        pub(crate) static API: crate::__rt::ApiMeta = crate::__rt::ApiMeta {
            name: #wire,
            path: #path,
            min_version: #lo,
            max_version: #hi,
            json: #json,
            errors: &[#(#errors)*],
        };
    }
}

/// A method's static: how to call it, its parameters, example, mock data and paging.
pub(super) fn method_meta(spec: &Spec, family: &Family, api: &Api, m: &Method) -> TokenStream {
    let c = ident(&m.meta_static);
    let name = &m.wire;
    let post = m.post;
    let min = number(m.min_version);
    let versions = match &m.versions {
        Some(set) => {
            let set = set.iter().map(|v| number(*v));
            quote!(::std::option::Option::Some(&[#(#set),*]))
        }
        None => quote!(::std::option::Option::None),
    };
    let session = m.session;
    let params = m.params.iter().map(|p| {
        let n = &p.wire;
        let required = p.required;
        let min = number(p.min_version);
        let secret = p.secret;
        match &p.kind {
            ParamKind::Const(v) => quote!(crate::__rt::ParamMeta::constant(#n, #v, #min),),
            ParamKind::Value {
                encoding: Encoding::Json,
                ty,
            } if is_text(spec, ty) => {
                quote!(crate::__rt::ParamMeta::value(#n, #required, #min, #secret).json_text(),)
            }
            ParamKind::Value {
                encoding: Encoding::Json,
                ..
            } => quote!(crate::__rt::ParamMeta::value(#n, #required, #min, #secret).json(),),
            ParamKind::Value { .. } => {
                quote!(crate::__rt::ParamMeta::value(#n, #required, #min, #secret),)
            }
        }
    });
    let example = match &m.example {
        Some(e) => quote!(::std::option::Option::Some(#e)),
        None => quote!(::std::option::Option::None),
    };
    let mock_data = m
        .mock_data
        .iter()
        .map(|(persona, data)| quote!((#persona, #data)));
    let pagination = match &m.pagination {
        Some(p) => {
            let idx = |name: &str| {
                m.params
                    .iter()
                    .position(|x| x.wire == name)
                    .unwrap_or_default()
            };
            let (o, l) = (
                Literal::usize_unsuffixed(idx(&p.offset)),
                Literal::usize_unsuffixed(idx(&p.limit)),
            );
            let items = &p.items_field;
            let total = match &p.total {
                Some((_, w)) => quote!(::std::option::Option::Some(#w)),
                None => quote!(::std::option::Option::None),
            };
            quote!(::std::option::Option::Some(crate::__rt::PageMeta { offset: #o, limit: #l, items: #items, total: #total }))
        }
        None => quote!(::std::option::Option::None),
    };
    let has_data = m.response.is_some();
    let typed = m.response.as_ref().is_some_and(|r| *r != Ty::Json);
    let secret_response = m
        .response
        .as_ref()
        .is_some_and(|r| holds_secret(spec, r, &mut Vec::new()));
    let decode_json = match &m.response {
        Some(ty) => {
            let t = rust_ty(spec, ty, Scope::Api(&family.module));
            quote!(crate::__rt::decode_json::<#t>)
        }
        None => quote!(crate::__rt::decode_json_unit),
    };
    let d = doc(&format!("How to call `{}` `{name}`.", api.wire));
    quote! {
        #d
        pub(crate) static #c: crate::__rt::MethodMeta = crate::__rt::MethodMeta {
            api: &API,
            name: #name,
            post: #post,
            min_version: #min,
            versions: #versions,
            session: #session,
            params: &[#(#params)*],
            has_data: #has_data,
            typed: #typed,
            secret_response: #secret_response,
            #[cfg(test)]
            decode_json: #decode_json,
            example: #example,
            mock_data: &[#(#mock_data),*],
            pagination: #pagination,
        };
    }
}

/// Whether a value of `ty` can hold a secret (so decode errors must not quote the body).
fn holds_secret<'a>(spec: &'a Spec, ty: &'a Ty, seen: &mut Vec<&'a str>) -> bool {
    match ty {
        Ty::Secret => true,
        Ty::List(inner) | Ty::Map(inner) => holds_secret(spec, inner, seen),
        Ty::Named(name) if !seen.contains(&name.as_str()) => {
            seen.push(name);
            match &spec.types[name].kind {
                TypeKind::Struct(fields) => fields.iter().any(|f| holds_secret(spec, &f.ty, seen)),
                TypeKind::Enum { .. } => false,
            }
        }
        _ => false,
    }
}

/// Whether values of `ty` are strings on the wire: text, a secret, a string-coded enum.
fn is_text(spec: &Spec, ty: &Ty) -> bool {
    match ty {
        Ty::String | Ty::Secret => true,
        Ty::Named(name) => spec
            .types
            .get(name)
            .is_some_and(|t| matches!(t.kind, TypeKind::Enum { integer: false, .. })),
        _ => false,
    }
}

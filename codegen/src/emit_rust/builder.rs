//! Request builders: one per method, holding the client and the encoded parameters, with a
//! setter per optional parameter, `send()`, and `stream()` for paginated methods. Also how a
//! parameter's value is taken and encoded, which the method functions share.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::ir::{Api, Encoding, Family, Int, Method, Param, ParamKind, Spec, Ty, TypeKind};
use crate::rustlang::{Scope, doc, ident, rust_ty};

/// The Rust type a caller passes for a parameter, and the `Params` call that encodes it.
pub(super) fn param_arg(
    spec: &Spec,
    family: &Family,
    p: &Param,
) -> Option<(TokenStream, TokenStream, &'static str)> {
    let ParamKind::Value { ty, encoding } = &p.kind else {
        return None;
    };
    // Plain text where it reads the same as JSON: no serde on the way for numbers and flags.
    let encoding = match encoding {
        Encoding::Json if spec.json_reads_as_plain(ty) => Encoding::Plain,
        other => *other,
    };
    Some(match (ty, encoding) {
        (Ty::String, Encoding::Plain) => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(with),
            ".into()",
        ),
        (Ty::Bool, Encoding::YesNo) => (quote!(bool), quote!(with_yes_no), ""),
        (Ty::String, Encoding::Json) => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(with_json),
            "&.into()",
        ),
        // Floats refuse NaN and the infinities (plain text or JSON would carry garbage).
        (Ty::F64, _) => (quote!(f64), quote!(with_f64), ""),
        (_, Encoding::Json) if spec.holds_float(ty) => (
            rust_ty(spec, ty, Scope::Api(&family.module)),
            quote!(with_json_finite),
            "&",
        ),
        (_, Encoding::Json) => (
            rust_ty(spec, ty, Scope::Api(&family.module)),
            quote!(with_json),
            "&",
        ),
        _ => (
            rust_ty(spec, ty, Scope::Api(&family.module)),
            quote!(with),
            "",
        ),
    })
}

/// The `Params` call that sets parameter `index` to the argument of the same name.
pub(super) fn encode(p: &Param, index: usize, how: &TokenStream, conv: &str) -> TokenStream {
    let i = Literal::usize_unsuffixed(index);
    let v = ident(&p.rust);
    match conv {
        ".into()" => quote!(.#how(#i, #v.into())),
        "&.into()" => quote!(.#how(#i, &::std::convert::Into::<::std::string::String>::into(#v))),
        "&" => quote!(.#how(#i, &#v)),
        _ => quote!(.#how(#i, #v)),
    }
}

/// The request builder of method `m`.
pub(super) fn builder(spec: &Spec, family: &Family, api: &Api, m: &Method) -> TokenStream {
    let b = ident(&m.builder);
    let accessor = match &api.accessor {
        Some(acc) => format!("{}().{acc}()", family.module),
        None => format!("{}()", family.module),
    };
    let d = doc(&format!(
        "Request builder for `{}` `{}`, from `client.{accessor}.{}(..)`.\n\nSet optional parameters, then `send()` it.",
        api.wire, m.wire, m.rust
    ));
    let setters = m
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.required)
        .filter_map(|(i, p)| {
            let (ty, how, conv) = param_arg(spec, family, p)?;
            let set = encode(p, i, &how, conv);
            let name = ident(&p.rust);
            let mut text = format!("`{}`: {}", p.wire, p.description);
            if let Some(def) = &p.default {
                text.push_str(&format!(" (DSM default: `{def}`)"));
            }
            if p.min_version > m.min_version {
                let error = if m.versions.is_some() {
                    "VersionNotOffered"
                } else {
                    "Unsupported"
                };
                text.push_str(&format!(
                    "\n\nNeeds API version {}+; on an older NAS `send()` returns `Error::{error}`.",
                    p.min_version
                ));
            }
            let d = doc(&text);
            Some(quote! {
                #d
                pub fn #name(mut self, #name: #ty) -> Self {
                    self.params = self.params #set;
                    self
                }
            })
        });
    let send = match &m.response {
        Some(ty) => {
            let t = rust_ty(spec, ty, Scope::Api(&family.module));
            quote! {
                /// Sends the request and decodes the response's `data`.
                pub async fn send(self) -> ::std::result::Result<#t, crate::Error> {
                    crate::__rt::call(&self.client, self.params).await
                }
            }
        }
        None => quote! {
            /// Sends the request; DSM answers with no data.
            pub async fn send(self) -> ::std::result::Result<(), crate::Error> {
                crate::__rt::call_unit(&self.client, self.params).await
            }
        },
    };
    let stream = m.pagination.as_ref().map(|p| {
        let page = m
            .response
            .as_ref()
            .map(|ty| rust_ty(spec, ty, Scope::Api(&family.module)))
            .unwrap_or_default();
        let item = rust_ty(spec, &p.item, Scope::Api(&family.module));
        let items = ident(&p.items_rust);
        let total = match &p.total {
            Some((rust, _)) => {
                let t = ident(rust);
                let total_ty = m.response.as_ref().and_then(|r| field_ty(spec, r, rust));
                if total_ty == Some(&Ty::Int(Int::U64)) {
                    quote!(::std::option::Option::Some(page.#t))
                } else {
                    quote!(<u64 as ::std::convert::TryFrom<_>>::try_from(page.#t).ok())
                }
            }
            None => quote!(::std::option::Option::None),
        };
        quote! {
            /// Streams every item, in order and once, starting at this builder's offset and
            /// asking for its limit as the page size (a default page size when unset).
            ///
            /// After the first page, up to 4 pages are requested ahead, each read as soon as
            /// it comes ([`Pages::prefetch`](crate::Pages::prefetch) sets how many). Ends when
            /// the items seen reach the total DSM reports, or at an empty page. A server that
            /// brings no progress (an empty page before the total, a page repeating the previous
            /// one, more pages than the total allows) ends it with
            /// [`Error::StreamStalled`](crate::Error::StreamStalled).
            pub fn stream(self) -> crate::__rt::Pages<#item> {
                crate::__rt::paginate(self.client, self.params, |page: #page| (page.#items, #total))
            }
        }
    });
    quote! {
        #d
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #b {
            client: crate::Client,
            params: crate::__rt::Params,
        }

        impl #b {
            #(#setters)*
            #send
            #stream
        }

        impl crate::__rt::Request for #b {
            fn into_parts(self) -> (crate::Client, crate::__rt::Params) {
                (self.client, self.params)
            }
        }
    }
}

/// The type of field `rust` of the struct `ty` names.
fn field_ty<'a>(spec: &'a Spec, ty: &Ty, rust: &str) -> Option<&'a Ty> {
    let Ty::Named(n) = ty else { return None };
    match &spec.types.get(n)?.kind {
        TypeKind::Struct(fields) => fields.iter().find(|f| f.rust == rust).map(|f| &f.ty),
        TypeKind::Enum { .. } => None,
    }
}

//! An API's file: what a user calls first (the API's handle, or methods on the family handle,
//! then the request builders), then the static tables, then the example tests. Also each
//! method's doc: DSM's names, parameters, response, notes and an example call.

use proc_macro2::TokenStream;
use quote::quote;

use super::builder::{builder, encode, param_arg};
use super::example_tests::example_tests;
use super::meta::{api_meta, method_meta};
use crate::ir::{Api, Family, Method, Param, ParamKind, Spec, Ty, TypeKind};
use crate::rustlang::{Scope, cfg_imported, cfg_imported_documented, doc, ident, rust_ty};

pub(super) fn api_file(spec: &Spec, family: &Family, api: &Api) -> TokenStream {
    let wire = &api.wire;
    let title = format!(" `{wire}`: {}", api.description);
    let mut out = quote!(#![doc = #title]);
    if !api.internal {
        let methods = api.methods.iter().map(|m| method_fn(spec, family, api, m));
        if api.accessor.is_some() {
            let h = ident(&api.handle);
            let d = doc(&format!("Handle to `{wire}`: {}", api.description));
            out.extend(quote! {
                #d
                #[derive(Debug, Clone)]
                pub struct #h {
                    client: crate::Client,
                }

                impl #h {
                    pub(crate) fn new(client: crate::Client) -> Self {
                        Self { client }
                    }
                    #(#methods)*
                }
            });
        } else {
            let h = ident(&family.handle);
            out.extend(quote! {
                impl super::#h {
                    #(#methods)*
                }
            });
        }
        out.extend(
            api.methods
                .iter()
                .filter(|m| !m.imported)
                .map(|m| builder(spec, family, api, m)),
        );
    }
    out.extend(api_meta(api));
    out.extend(api.methods.iter().map(|m| {
        let cfg = cfg_imported(spec, family, api.imported || m.imported);
        let meta = method_meta(spec, family, api, m);
        quote!(#cfg #meta)
    }));
    out.extend(example_tests(spec, family, api));
    out
}

fn method_doc(spec: &Spec, family: &Family, api: &Api, m: &Method) -> String {
    let verb = if m.post { "POST" } else { "GET" };
    let mut d = format!(
        "{}\n\nDSM: `{}` method `{}`, {}, HTTP {verb}{}.\n",
        m.description,
        api.wire,
        m.wire,
        m.versions_text(),
        if api.json_request {
            ", values JSON-encoded (the API's request format)"
        } else {
            ""
        }
    );
    let shown: Vec<&Param> = m
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Value { .. }))
        .collect();
    if !shown.is_empty() {
        d.push_str("\n# Parameters\n");
        for p in &shown {
            let mut tags = vec![if p.required {
                "required, positional".to_owned()
            } else {
                format!("optional, [`{}::{}`]", m.builder, p.rust)
            }];
            if let Some(def) = &p.default {
                tags.push(format!("DSM default `{def}`"));
            }
            if p.min_version > m.min_version {
                tags.push(format!("version {}+", p.min_version));
            }
            d.push_str(&format!(
                "- `{}` ({}): {}\n",
                p.wire,
                tags.join(", "),
                p.description
            ));
        }
    }
    d.push_str("\n# Response\n");
    match &m.response {
        Some(Ty::Named(n)) => d.push_str(&format!(
            "[`{n}`]({}), the `data` object.\n",
            type_path(spec, family, n)
        )),
        Some(_) => d.push_str("The `data` object.\n"),
        None => d.push_str("Nothing: `send()` resolves to `()`.\n"),
    }
    if let Some(p) = &m.pagination {
        d.push_str(&format!(
            "\nPaginated: [`{}::stream`] yields every item of `{}`, page after page.\n",
            m.builder, p.items_field
        ));
    }
    if !m.notes.is_empty() {
        d.push_str("\n# Notes\n");
        for n in &m.notes {
            d.push_str(&format!("- {n}\n"));
        }
    }
    let args: Vec<String> = m
        .params
        .iter()
        .filter(|p| p.required)
        .filter_map(|p| match &p.kind {
            ParamKind::Value { ty, .. } => Some(example_arg(spec, ty, p)),
            ParamKind::Const(_) => None,
        })
        .collect();
    let call = match &api.accessor {
        Some(acc) => format!(
            "client.{}().{acc}().{}({})",
            family.module,
            m.rust,
            args.join(", ")
        ),
        None => format!("client.{}().{}({})", family.module, m.rust, args.join(", ")),
    };
    let bind = if m.response.is_some() {
        "let data = "
    } else {
        ""
    };
    d.push_str(&format!(
        "\n# Example\n```no_run\n# async fn run(client: synology_client::Client) -> Result<(), synology_client::Error> {{\n{bind}{call}.send().await?;\n# Ok(())\n# }}\n```\n"
    ));
    d
}

fn type_path(spec: &Spec, family: &Family, name: &str) -> String {
    let owner = &spec.types[name].family_module;
    if *owner == family.module {
        format!("super::{name}")
    } else {
        format!("super::super::{owner}::{name}")
    }
}

fn example_arg(spec: &Spec, ty: &Ty, p: &Param) -> String {
    if let (Some(e), Ty::String) = (&p.example, ty) {
        return format!("{e:?}");
    }
    if let (Some(e), Ty::Int(_)) = (&p.example, ty) {
        return e.clone();
    }
    match ty {
        Ty::Int(_) => p
            .default
            .clone()
            .filter(|d| d.parse::<i64>().is_ok())
            .unwrap_or_else(|| "1".into()),
        // A float literal (`2.0`, not `2`): Debug always writes a point or an exponent.
        Ty::F64 => {
            let value = [&p.example, &p.default]
                .into_iter()
                .flatten()
                .find_map(|t| t.parse::<f64>().ok().filter(|v| v.is_finite()))
                .unwrap_or(1.0);
            format!("{value:?}")
        }
        Ty::Bool => "true".into(),
        Ty::UnixTime => "synology_client::UnixTime(1732788000)".into(),
        Ty::Named(n) => match &spec.types[n].kind {
            TypeKind::Enum {
                integer: false,
                values,
            } if !values.is_empty() => {
                format!(
                    "synology_client::{}::{}::{}",
                    spec.types[n].family_module, n, values[0].rust
                )
            }
            _ => "Default::default()".into(),
        },
        _ => format!(
            "{:?}",
            p.default.clone().unwrap_or_else(|| "example".into())
        ),
    }
}

fn method_fn(spec: &Spec, family: &Family, api: &Api, m: &Method) -> TokenStream {
    if m.imported {
        return light_fn(spec, family, api, m);
    }
    let fname = ident(&m.rust);
    let b = ident(&m.builder);
    let c = ident(&m.meta_static);
    let d = doc(&method_doc(spec, family, api, m));
    let mut args = Vec::new();
    let mut sets = Vec::new();
    for (i, p) in m.params.iter().enumerate() {
        if !p.required {
            continue;
        }
        if let Some((ty, how, conv)) = param_arg(spec, family, p) {
            let a = ident(&p.rust);
            args.push(quote!(#a: #ty));
            sets.push(encode(p, i, &how, conv));
        }
    }
    quote! {
        #d
        pub fn #fname(&self, #(#args),*) -> #b {
            #b {
                client: self.client.clone(),
                params: crate::__rt::Params::new(&#c) #(#sets)*,
            }
        }
    }
}

/// The light form of an imported method: one function returning the shared generic request
/// (`Call<T>`, from the method's static), documented with DSM's names, the versions, the
/// verb, the known parameters and the response; no builder, no doctest.
fn light_fn(spec: &Spec, family: &Family, api: &Api, m: &Method) -> TokenStream {
    let fname = ident(&m.rust);
    let c = ident(&m.meta_static);
    let d = doc(&light_doc(spec, family, api, m));
    let cfg = cfg_imported_documented(spec, family, api.imported || m.imported);
    let ty = match &m.response {
        Some(t) => rust_ty(spec, t, Scope::Api(&family.module)),
        None => quote!(()),
    };
    quote! {
        #d
        #cfg
        pub fn #fname(&self) -> crate::__rt::Call<#ty> {
            crate::__rt::Call::new(&self.client, &#c)
        }
    }
}

fn light_doc(spec: &Spec, family: &Family, api: &Api, m: &Method) -> String {
    let verb = if m.post { "POST" } else { "GET" };
    let mut d = format!(
        "{}\n\nDSM: `{}` method `{}`, {}, HTTP {verb}{}. Imported from DSM's API \
         description: set parameters with [`Call::param`](crate::Call::param), then \
         [`send`](crate::Call::send) it.\n",
        m.description,
        api.wire,
        m.wire,
        m.versions_text(),
        if api.json_request {
            ", values JSON-encoded (the API's request format)"
        } else {
            ""
        }
    );
    if !m.params.is_empty() {
        d.push_str("\n# Known parameters\nAll optional; a parameter not listed may be set too.\n");
        for p in &m.params {
            let ty = match &p.kind {
                ParamKind::Value { ty, .. } => ty.to_string(),
                ParamKind::Const(v) => format!("always `{v}`"),
            };
            let secret = if p.secret { ", secret (redacted)" } else { "" };
            d.push_str(&format!(
                "- `{}` (`{ty}`{secret}): {}\n",
                p.wire, p.description
            ));
        }
    }
    d.push_str("\n# Response\n");
    match &m.response {
        Some(Ty::Named(n)) => d.push_str(&format!(
            "[`{n}`]({}), the `data` object.\n",
            type_path(spec, family, n)
        )),
        Some(Ty::Json) => {
            d.push_str("Raw JSON: `send()` returns the answer's `data` as `serde_json::Value` (`null` when it has none).\n")
        }
        Some(t) => d.push_str(&format!("The `data` object, `{t}`.\n")),
        None => d.push_str("Nothing.\n"),
    }
    if !m.notes.is_empty() {
        d.push_str("\n# Notes\n");
        for n in &m.notes {
            d.push_str(&format!("- {n}\n"));
        }
    }
    d
}

//! Emits the `synology` command's API subcommands (`generated/cli/`): a clap command tree
//! with help from the spec's descriptions, and a dispatch that calls the typed request
//! builders, so output is the typed response re-serialized. Internal APIs and imported
//! methods get no command (`synology api` reaches those); a family or API with nothing else
//! gets none either.
//!
//! Commands, APIs, methods and flags are the kebab-case of the spec's names
//! ([`naming::kebab`]).

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::*;
use crate::naming::{self, kebab};
use crate::rustlang::{RustFile, Scope, cfg_feature, ident, rust_ty};

/// The command line's files, described: `cli/mod.rs` and one file per public family. The
/// driver builds and prints them.
pub fn files(spec: &Spec) -> Vec<RustFile<'_>> {
    let mut out = vec![RustFile::new("cli/mod.rs", move || root(spec))];
    for f in spec.families.iter().filter(|f| has_commands(f)) {
        out.push(RustFile::new(format!("cli/{}.rs", f.module), move || {
            family(spec, f)
        }));
    }
    out
}

/// `cli/mod.rs`: the family commands and the dispatch to each family's file.
/// The methods of `a` that are commands: those declared by hand.
fn commands(a: &Api) -> impl Iterator<Item = &Method> {
    a.methods.iter().filter(|m| !m.imported)
}

/// The APIs of `f` with a command.
fn command_apis(f: &Family) -> impl Iterator<Item = &Api> {
    f.apis.iter().filter(|a| commands(a).next().is_some())
}

/// Whether family `f` has a command: public, with a method declared by hand.
fn has_commands(f: &Family) -> bool {
    !f.internal && command_apis(f).next().is_some()
}

fn root(spec: &Spec) -> TokenStream {
    let families: Vec<&Family> = spec.families.iter().filter(|f| has_commands(f)).collect();
    let mods = families.iter().map(|f| {
        let m = ident(&f.module);
        let cfg = cfg_feature(spec, f);
        quote!(#cfg mod #m;)
    });
    let commands = families.iter().map(|f| {
        let m = ident(&f.module);
        let cfg = cfg_feature(spec, f);
        quote!(#cfg #m::command(),)
    });
    let arms = families.iter().map(|f| {
        let m = ident(&f.module);
        let name = kebab(&f.module);
        let cfg = cfg_feature(spec, f);
        quote!(#cfg #name => #m::run(client, matches, out).await,)
    });
    quote! {
        #![doc = " The `synology` command's API subcommands, generated from the spec: one file per family."]
        #(#mods)*

        /// One subcommand per API family, with its APIs and methods below it.
        pub(crate) fn commands() -> ::std::vec::Vec<::clap::Command> {
            ::std::vec::Vec::from([#(#commands)*])
        }

        /// Runs the method that `matches` (the family subcommand's matches) selects and writes
        /// its typed response to `out` (with `--all`, every item as it comes).
        #[allow(unused_variables, reason = "with no family's feature on, no arm uses them")]
        pub(crate) async fn run(
            client: &crate::Client,
            family: &str,
            matches: &::clap::ArgMatches,
            out: &mut crate::cli::Out,
        ) -> ::std::result::Result<(), crate::cli::Failure> {
            match family {
                #(#arms)*
                other => ::std::result::Result::Err(crate::cli::Failure::usage(other)),
            }
        }
    }
}

/// `cli/<family>.rs`: one family's command tree and dispatch.
fn family(spec: &Spec, f: &Family) -> TokenStream {
    let command = family_command(spec, f);
    let body = family_body(spec, f);
    let title = format!(
        " `synology {}`: the `SYNO.{}` APIs.",
        kebab(&f.module),
        f.wire
    );
    quote! {
        #![doc = #title]

        /// The family's command, with its APIs and methods below it.
        pub(super) fn command() -> ::clap::Command {
            #command
        }

        /// Runs the method `matches` selects and writes its answer to `out`.
        pub(super) async fn run(
            client: &crate::Client,
            matches: &::clap::ArgMatches,
            out: &mut crate::cli::Out,
        ) -> ::std::result::Result<(), crate::cli::Failure> {
            #body
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_owned()
}

fn family_command(spec: &Spec, f: &Family) -> TokenStream {
    let name = kebab(&f.module);
    let about = format!("SYNO.{} APIs", f.wire);
    let subs = command_apis(f).flat_map(|a| match &a.accessor {
        Some(acc) => {
            let api_name = kebab(acc);
            let about = first_line(&a.description);
            let methods = commands(a).map(|m| method_command(spec, a, m));
            vec![quote! {
                ::clap::Command::new(#api_name)
                    .about(#about)
                    .subcommand_required(true)
                    .arg_required_else_help(true)
                    #(.subcommand(#methods))*
            }]
        }
        None => commands(a).map(|m| method_command(spec, a, m)).collect(),
    });
    quote! {
        ::clap::Command::new(#name)
            .about(#about)
            .subcommand_required(true)
            .arg_required_else_help(true)
            #(.subcommand(#subs))*
    }
}

fn method_command(spec: &Spec, a: &Api, m: &Method) -> TokenStream {
    let name = kebab(&m.rust);
    let about = first_line(&m.description);
    let verb = if m.post { "POST" } else { "GET" };
    let mut long = format!(
        "{}\n\nDSM: {} method {}, {}, HTTP {verb}.",
        m.description,
        a.wire,
        m.wire,
        m.versions_text()
    );
    for n in &m.notes {
        long.push_str(&format!("\n- {n}"));
    }
    let args = m.params.iter().filter_map(|p| {
        let ParamKind::Value { ty, encoding } = &p.kind else {
            return None;
        };
        let flag = kebab(&p.wire);
        let (parser, value_name) = parser(spec, ty, *encoding);
        let mut help = p.description.clone();
        if let Some(d) = &p.default {
            help.push_str(&format!(" [DSM default: {d}]"));
        }
        if p.min_version > m.min_version {
            help.push_str(&format!(" [needs version {}+]", p.min_version));
        }
        let required = p.required;
        Some(quote!(crate::cli::arg(#flag, #value_name, #required, #parser, #help)))
    });
    let all = m.pagination.as_ref().map(|p| {
        let help = format!(
            "Fetch every page and print every item of `{}` as it comes (json: one list, ndjson: a line each)",
            p.items_field
        );
        let flag = naming::CLI_ALL;
        quote! {
            .arg(::clap::Arg::new(#flag).long(#flag).action(::clap::ArgAction::SetTrue).help(#help))
        }
    });
    quote! {
        ::clap::Command::new(#name)
            .about(#about)
            .long_about(#long)
            #(.arg(#args))*
            #all
    }
}

/// Whether the flag takes JSON text: values JSON-encoded on the wire, unless they are scalars
/// (numbers, text, booleans, times, enums), which the flag takes as they are and the request
/// builder encodes.
fn json_text(spec: &Spec, ty: &Ty, encoding: Encoding) -> bool {
    encoding == Encoding::Json && !ty.is_scalar(&spec.types)
}

/// The clap value parser and value name for a parameter.
fn parser(spec: &Spec, ty: &Ty, encoding: Encoding) -> (TokenStream, String) {
    if json_text(spec, ty, encoding) {
        return (
            quote!(::clap::value_parser!(::std::string::String)),
            "JSON".into(),
        );
    }
    match ty {
        Ty::Int(i) => {
            let t = ident(i.name());
            (quote!(::clap::value_parser!(#t)), "INTEGER".into())
        }
        Ty::F64 => (quote!(::clap::value_parser!(f64)), "NUMBER".into()),
        Ty::Bool => (quote!(::clap::value_parser!(bool)), "true|false".into()),
        Ty::UnixTime => (quote!(::clap::value_parser!(i64)), "UNIX_TIME".into()),
        Ty::Named(n) => match &spec.types[n].kind {
            TypeKind::Enum { integer: true, .. } => {
                (quote!(::clap::value_parser!(i64)), "INTEGER".into())
            }
            TypeKind::Enum { values, .. } => {
                let names: Vec<&str> = values.iter().map(|v| v.wire.as_str()).collect();
                (
                    quote!(::clap::value_parser!(::std::string::String)),
                    names.join("|"),
                )
            }
            TypeKind::Struct(_) => (
                quote!(::clap::value_parser!(::std::string::String)),
                "JSON".into(),
            ),
        },
        _ => (
            quote!(::clap::value_parser!(::std::string::String)),
            "TEXT".into(),
        ),
    }
}

/// Converts the parsed flag value `v` into the builder's argument type.
fn convert(spec: &Spec, ty: &Ty, encoding: Encoding, flag: &str, optional: bool) -> TokenStream {
    let raw = |t: TokenStream| {
        if optional {
            quote!(crate::cli::optional::<#t>(m, #flag))
        } else {
            quote!(crate::cli::required::<#t>(m, #flag)?)
        }
    };
    let map = |t: TokenStream, f: TokenStream| {
        let get = raw(t);
        if optional {
            quote!(#get.map(#f))
        } else {
            quote!((#f)(#get))
        }
    };
    if json_text(spec, ty, encoding) {
        let t = rust_ty(spec, ty, Scope::Cli);
        return if optional {
            quote!(crate::cli::json::<#t>(m, #flag)?)
        } else {
            quote!(crate::cli::json_required::<#t>(m, #flag)?)
        };
    }
    match ty {
        Ty::Int(i) => {
            let t = ident(i.name());
            raw(quote!(#t))
        }
        Ty::F64 => raw(quote!(f64)),
        Ty::Bool => raw(quote!(bool)),
        Ty::UnixTime => map(quote!(i64), quote!(crate::UnixTime)),
        Ty::Named(n) => {
            let t = rust_ty(spec, ty, Scope::Cli);
            match &spec.types[n].kind {
                TypeKind::Enum { integer: true, .. } => map(quote!(i64), quote!(<#t>::from)),
                _ => map(
                    quote!(::std::string::String),
                    quote!(|v: ::std::string::String| <#t>::from(v.as_str())),
                ),
            }
        }
        _ => raw(quote!(::std::string::String)),
    }
}

fn call_body(spec: &Spec, f: &Family, a: &Api, m: &Method) -> TokenStream {
    let fam = ident(&f.module);
    let method = ident(&m.rust);
    let mut positional = Vec::new();
    let mut setters = Vec::new();
    for p in &m.params {
        let ParamKind::Value { ty, encoding } = &p.kind else {
            continue;
        };
        let flag = kebab(&p.wire);
        if p.required {
            positional.push(convert(spec, ty, *encoding, &flag, false));
        } else {
            let value = convert(spec, ty, *encoding, &flag, true);
            let setter = ident(&p.rust);
            setters.push(quote! {
                let request = crate::cli::set(request, #value, |r, v| r.#setter(v));
            });
        }
    }
    let start = match &a.accessor {
        Some(acc) => {
            let acc = ident(acc);
            quote!(client.#fam().#acc().#method(#(#positional),*))
        }
        None => quote!(client.#fam().#method(#(#positional),*)),
    };
    let all = naming::CLI_ALL;
    let finish = match &m.pagination {
        Some(p) => {
            let items = &p.items_field;
            quote! {
                if m.get_flag(#all) {
                    out.pages(request.stream()).await
                } else {
                    out.answer(&request.send().await?, ::std::option::Option::Some(#items))
                }
            }
        }
        None => quote!(out.answer(&request.send().await?, ::std::option::Option::None)),
    };
    quote! {{
        let request = #start;
        #(#setters)*
        #finish
    }}
}

fn method_arms<'a>(
    spec: &'a Spec,
    f: &'a Family,
    a: &'a Api,
) -> impl Iterator<Item = TokenStream> + 'a {
    commands(a).map(move |m| {
        let name = kebab(&m.rust);
        let body = call_body(spec, f, a, m);
        let uses_flags = m.pagination.is_some()
            || m.params
                .iter()
                .any(|p| matches!(p.kind, ParamKind::Value { .. }));
        let binding = if uses_flags { quote!(m) } else { quote!(_) };
        quote!(::std::option::Option::Some((#name, #binding)) => #body,)
    })
}

fn family_body(spec: &Spec, f: &Family) -> TokenStream {
    let name = kebab(&f.module);
    let arms = command_apis(f).flat_map(|a| -> Vec<TokenStream> {
        match &a.accessor {
            Some(acc) => {
                let api_name = kebab(acc);
                let methods = method_arms(spec, f, a);
                vec![quote! {
                    ::std::option::Option::Some((#api_name, m)) => match m.subcommand() {
                        #(#methods)*
                        _ => ::std::result::Result::Err(crate::cli::Failure::usage(#api_name)),
                    },
                }]
            }
            None => method_arms(spec, f, a).collect(),
        }
    });
    quote! {
        match matches.subcommand() {
            #(#arms)*
            _ => ::std::result::Result::Err(crate::cli::Failure::usage(#name)),
        }
    }
}

//! A family's `types.rs`: its structs and open enums. Both are `#[non_exhaustive]`, so a
//! field or a value a newer DSM adds is a minor release; a struct that callers pass as a
//! parameter stays constructible.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{EnumVariant, Family, Field, NamedType, Spec, Ty, TypeKind};
use crate::naming::UNKNOWN_VARIANT;
use crate::rustlang::{Scope, cfg_imported_documented, doc, ident, number, rust_ty};

pub(super) fn types_file(spec: &Spec, family: &Family) -> TokenStream {
    let items = family.types.iter().map(|name| {
        let t = &spec.types[name];
        let cfg = cfg_imported_documented(spec, family, t.imported);
        let item = match &t.kind {
            TypeKind::Struct(fields) => struct_type(spec, t, fields),
            TypeKind::Enum {
                integer: false,
                values,
            } => string_enum(t, values),
            TypeKind::Enum {
                integer: true,
                values,
            } => int_enum(t, values),
        };
        quote!(#cfg #item)
    });
    let title = format!(" Types of the `SYNO.{}` APIs.", family.wire);
    quote! {
        #![doc = #title]
        #(#items)*
    }
}

fn struct_type(spec: &Spec, t: &NamedType, fields: &[Field]) -> TokenStream {
    let name = ident(&t.name);
    let d = doc(&t.description);
    let fields = fields.iter().map(|f| {
        let fname = ident(&f.rust);
        let ty = rust_ty(spec, &f.ty, Scope::Types(&t.family_module));
        let d = doc(&f.description);
        let mut attrs = Vec::new();
        if f.rust != f.wire {
            let w = &f.wire;
            attrs.push(quote!(rename = #w));
        }
        let lenient = match &f.ty {
            Ty::Int(_) => Some(if f.optional { "opt_int" } else { "int" }),
            Ty::List(inner) if matches!(**inner, Ty::Int(_)) => Some(if f.optional {
                "opt_int_list"
            } else {
                "int_list"
            }),
            Ty::F64 => Some(if f.optional { "opt_float" } else { "float" }),
            Ty::List(inner) if **inner == Ty::F64 => Some(if f.optional {
                "opt_float_list"
            } else {
                "float_list"
            }),
            _ => None,
        };
        if let Some(func) = lenient {
            let path = format!("crate::__rt::de::{func}");
            attrs.push(quote!(deserialize_with = #path));
        }
        let ty = if f.optional {
            attrs.push(quote!(default));
            attrs.push(quote!(
                skip_serializing_if = "::std::option::Option::is_none"
            ));
            quote!(::std::option::Option<#ty>)
        } else {
            ty
        };
        let serde = if attrs.is_empty() {
            quote!()
        } else {
            quote!(#[serde(#(#attrs),*)])
        };
        quote! {
            #d
            #serde
            pub #fname: #ty,
        }
    });
    let non_exhaustive = (!t.in_params).then(|| quote!(#[non_exhaustive]));
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #non_exhaustive
        pub struct #name {
            #(#fields)*
        }
    }
}

fn open_enum_doc(t: &NamedType, integer: bool) -> TokenStream {
    let example = t.description.clone();
    let raw = if integer { "integer" } else { "text" };
    doc(&format!(
        "{example}\n\nOpen enum: a value this client does not know (from a newer DSM) decodes to \
         `Unknown` with the raw {raw}, and serializes back unchanged; match it with a `_` arm or \
         `Unknown(..)`."
    ))
}

fn string_enum(t: &NamedType, values: &[EnumVariant]) -> TokenStream {
    let name = ident(&t.name);
    let unknown = ident(UNKNOWN_VARIANT);
    let d = open_enum_doc(t, false);
    let variants = values.iter().map(|v| {
        let r = ident(&v.rust);
        let d = doc(&format!("`{}`: {}", v.wire, v.description));
        quote!(#d #r,)
    });
    let to_str = values.iter().map(|v| {
        let (r, w) = (ident(&v.rust), &v.wire);
        quote!(Self::#r => #w,)
    });
    let from_str = values.iter().map(|v| {
        let (r, w) = (ident(&v.rust), &v.wire);
        quote!(#w => Self::#r,)
    });
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this client does not know, kept as DSM sent it.
            #unknown(::std::string::String),
        }

        impl #name {
            /// The value as DSM writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#unknown(raw) => raw,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(raw: &str) -> Self {
                match raw {
                    #(#from_str)*
                    _ => Self::#unknown(raw.to_owned()),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(raw: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(raw))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                crate::__rt::de::string_enum(d)
            }
        }

        impl crate::__rt::WireValue for #name {
            fn to_wire(&self) -> ::std::string::String {
                self.as_str().to_owned()
            }
        }
    }
}

fn int_enum(t: &NamedType, values: &[EnumVariant]) -> TokenStream {
    let name = ident(&t.name);
    let unknown = ident(UNKNOWN_VARIANT);
    let d = open_enum_doc(t, true);
    let variants = values.iter().map(|v| {
        let r = ident(&v.rust);
        let d = doc(&format!("`{}`: {}", v.wire, v.description));
        quote!(#d #r,)
    });
    let to_int = values.iter().map(|v| {
        let r = ident(&v.rust);
        let n = number(v.int.unwrap_or_default());
        quote!(Self::#r => #n,)
    });
    let from_int = values.iter().map(|v| {
        let r = ident(&v.rust);
        let n = number(v.int.unwrap_or_default());
        quote!(#n => Self::#r,)
    });
    quote! {
        #d
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this client does not know, kept as DSM sent it.
            #unknown(i64),
        }

        impl #name {
            /// The value as DSM writes it.
            pub fn as_i64(&self) -> i64 {
                match self {
                    #(#to_int)*
                    Self::#unknown(raw) => *raw,
                }
            }
        }

        impl ::std::convert::From<i64> for #name {
            fn from(raw: i64) -> Self {
                match raw {
                    #(#from_int)*
                    _ => Self::#unknown(raw),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.as_i64(), f)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_i64(self.as_i64())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                crate::__rt::de::int::<D, i64>(d).map(Self::from)
            }
        }

        impl crate::__rt::WireValue for #name {
            fn to_wire(&self) -> ::std::string::String {
                self.as_i64().to_string()
            }
        }
    }
}

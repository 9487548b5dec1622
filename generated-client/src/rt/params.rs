//! `Params`: the encoded parameters of one request, which every generated builder holds and
//! each generated setter fills with one call (`with`, `with_yes_no`, `with_json`). Values are
//! encoded when set, so a builder is only `{ client, params }`; `Debug` masks secret
//! parameters here, in one place.

use std::fmt;

use super::finite;
use super::meta::MethodMeta;
use crate::Error;
use crate::time::UnixTime;

/// A value that can be written as a form or query parameter.
pub trait WireValue {
    /// The text that goes on the wire.
    fn to_wire(&self) -> String;
}

macro_rules! wire_display {
    ($($t:ty),*) => { $(impl WireValue for $t { fn to_wire(&self) -> String { self.to_string() } })* };
}
wire_display!(i8, i16, i32, i64, u8, u16, u32, u64, bool, String, UnixTime);

impl WireValue for &str {
    fn to_wire(&self) -> String {
        (*self).to_owned()
    }
}

/// The encoded parameters of one request, in the spec's order. Its `Debug` masks secrets.
#[derive(Clone)]
pub struct Params {
    pub(crate) meta: &'static MethodMeta,
    values: Vec<(usize, String)>,
    /// Parameters a setter could not encode, with why (empty, unallocated, when all went well).
    invalid: Vec<(usize, String)>,
}

impl Params {
    /// No parameters set yet (constants are added when sending).
    pub fn new(meta: &'static MethodMeta) -> Self {
        Params {
            meta,
            values: Vec::with_capacity(meta.params.len()),
            invalid: Vec::new(),
        }
    }

    /// Sets parameter `index` to a plain value.
    #[allow(dead_code, reason = "generated code uses it, per spec and features")]
    pub fn with(mut self, index: usize, value: impl WireValue) -> Self {
        self.set(index, value.to_wire());
        self
    }

    /// Sets a float parameter, in plain decimal (Rust's `{}`: no exponent, the shortest text
    /// that reads back as the same value; a JSON number too). NaN and the infinities have no
    /// such text: the call then fails with `InvalidParameter` before anything is sent.
    #[allow(dead_code, reason = "generated code uses it, per spec and features")]
    pub fn with_f64(mut self, index: usize, value: f64) -> Self {
        match finite::check(value) {
            Ok(()) => self.set(index, value.to_string()),
            Err(e) => self.fail(index, e.to_string()),
        }
        self
    }

    /// Sets a boolean parameter written as `yes`/`no`.
    #[allow(dead_code, reason = "generated code uses it, per spec and features")]
    pub fn with_yes_no(mut self, index: usize, value: bool) -> Self {
        self.set(index, if value { "yes" } else { "no" }.to_owned());
        self
    }

    /// Sets a parameter written as JSON text.
    #[allow(dead_code, reason = "generated code uses it, per spec and features")]
    pub fn with_json<T: serde::Serialize + ?Sized>(mut self, index: usize, value: &T) -> Self {
        match serde_json::to_string(value) {
            Ok(text) => self.set(index, text),
            Err(e) => self.fail(index, e.to_string()),
        }
        self
    }

    /// Sets a parameter written as JSON text whose value can hold floats: serde_json writes
    /// NaN and the infinities as `null`, so a value holding one fails the call with
    /// `InvalidParameter` instead.
    #[allow(dead_code, reason = "generated code uses it, per spec and features")]
    pub fn with_json_finite<T: serde::Serialize + ?Sized>(
        mut self,
        index: usize,
        value: &T,
    ) -> Self {
        if let Err(e) = value.serialize(finite::Finite) {
            self.fail(index, e.to_string());
            return self;
        }
        self.with_json(index, value)
    }

    /// Sets a parameter by wire name (for the runtime's own calls).
    pub(crate) fn with_named(mut self, name: &str, value: impl WireValue) -> Self {
        if let Some(index) = self.meta.params.iter().position(|p| p.name == name) {
            self.set(index, value.to_wire());
        } else {
            debug_assert!(false, "{} has no parameter {name}", self.meta.name);
        }
        self
    }

    pub(crate) fn with_named_yes_no(self, name: &str, value: bool) -> Self {
        self.with_named(name, if value { "yes" } else { "no" })
    }

    /// Sets parameter `index`; the last setter wins, so a value replaces an encoding failure
    /// recorded for the same parameter.
    fn set(&mut self, index: usize, value: String) {
        self.invalid.retain(|(i, _)| *i != index);
        match self.values.iter_mut().find(|(i, _)| *i == index) {
            Some(slot) => slot.1 = value,
            None => self.values.push((index, value)),
        }
    }

    /// Records that parameter `index` could not be encoded (dropping any value it had): the
    /// call fails with `InvalidParameter` unless a later setter gives it a value.
    fn fail(&mut self, index: usize, reason: String) {
        self.values.retain(|(i, _)| *i != index);
        self.invalid.retain(|(i, _)| *i != index);
        self.invalid.push((index, reason));
    }

    /// The value set for parameter `index`.
    pub(crate) fn get(&self, index: usize) -> Option<&str> {
        self.values
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, v)| v.as_str())
    }

    /// The lowest API version every set parameter accepts.
    pub(crate) fn needed_version(&self) -> u32 {
        self.values
            .iter()
            .filter_map(|(i, _)| self.meta.params.get(*i))
            .map(|p| p.min_version)
            .fold(
                self.meta.min_version.max(self.meta.api.min_version),
                u32::max,
            )
    }

    /// The first encoding failure a setter recorded and no later setter replaced.
    pub(crate) fn invalid(&self) -> Option<Error> {
        let (index, reason) = self.invalid.first()?;
        Some(Error::InvalidParameter {
            api: self.meta.api.name.into(),
            method: self.meta.name.into(),
            param: self.meta.params.get(*index).map_or("?", |p| p.name).into(),
            reason: reason.clone(),
        })
    }

    /// Every parameter to send: constants and set values, in spec order.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.meta
            .params
            .iter()
            .enumerate()
            .filter_map(move |(i, p)| match p.constant {
                Some(c) => Some((p.name, c)),
                None => self.get(i).map(|v| (p.name, v)),
            })
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (i, p) in self.meta.params.iter().enumerate() {
            if let Some(v) = self.get(i) {
                m.entry(&p.name, &if p.secret { "***" } else { v });
            }
        }
        m.finish()
    }
}

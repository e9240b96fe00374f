//! Procedural macros for `otp`: `#[actor]` and `supervisor!`.
//!
//! Use them through the `otp` crate (`otp::actor`, `otp::supervisor!`); the
//! `otp::macros` module is the guide, with the hand-written equivalent of every
//! generated item. Each macro is a pipeline: parse (`ast`, `attr`), validate
//! (`valid`: every rule and its error message), expand (`expand`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use proc_macro::TokenStream;

mod actor;
mod krate;
mod suggest;
mod supervisor;

/// Turns a struct and its impl block into an actor with a typed handle.
/// See `otp::macros` for the guide.
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    actor::actor(args.into(), input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The second step of `#[actor]` on an impl block (internal).
#[doc(hidden)]
#[proc_macro]
pub fn __actor_impl(input: TokenStream) -> TokenStream {
    actor::expand_impl(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declares a supervision tree; evaluates to its `otp::supervisor::Builder`.
/// See `otp::macros` for the guide.
#[proc_macro]
pub fn supervisor(input: TokenStream) -> TokenStream {
    supervisor::supervisor(input.into()).into()
}

//! Where the runtime is, seen from the crate that uses a macro.
//!
//! Generated code names its paths from a root that has `actor`, `process`,
//! `supervisor` and a hidden `__private`: the `otp` facade or `otp-core`. The
//! root is, in order:
//! 1. the path the user gave (`#[actor(crate = path)]`, `supervisor! { crate: path, .. }`);
//! 2. the facade, found in the user's `Cargo.toml` by its package name
//!    (`otp-rt`, or `otp`): its library is called `otp`, so a dependency under the
//!    package's own name is `::otp`, and one renamed (`my_otp = { package =
//!    "otp-rt" }`) is `::my_otp`;
//! 3. `otp-core` (with `otp-macros` beside it), likewise;
//! 4. `::otp` when the manifest cannot be read.

use proc_macro_crate::{FoundCrate, crate_name};
use proc_macro2::{Span, TokenStream};
use quote::quote;

/// The facade's package names, current first. Its library is always `otp`.
const FACADE_PACKAGES: &[&str] = &["otp-rt", "otp"];
/// The facade's library name.
const FACADE_LIB: &str = "otp";

/// The paths generated code uses.
pub(crate) struct Paths {
    /// The runtime: `::otp`, `::otp_core`, a renamed dependency or the user's path.
    pub(crate) root: TokenStream,
    /// The second step of `#[actor]` (the hidden `__actor_impl` macro).
    pub(crate) actor_impl: TokenStream,
}

/// The paths, from the user's explicit `crate` path if given, else found in
/// the manifest.
pub(crate) fn paths(explicit: Option<&syn::Path>) -> Paths {
    if let Some(path) = explicit {
        return Paths {
            root: quote!(#path),
            actor_impl: quote!(#path::__private::actor_impl),
        };
    }
    for package in FACADE_PACKAGES {
        if let Ok(found) = crate_name(package) {
            let root = match found {
                // The facade's own tests, examples and doctests.
                FoundCrate::Itself => ident(FACADE_LIB),
                // Under the package's own name, the library keeps its name.
                FoundCrate::Name(name) if name == package.replace('-', "_") => ident(FACADE_LIB),
                FoundCrate::Name(name) => ident(&name),
            };
            return Paths {
                actor_impl: quote!(#root::__private::actor_impl),
                root,
            };
        }
    }
    if let Ok(found) = crate_name("otp-core") {
        let root = found_ident(found, "otp_core");
        let macros = crate_name("otp-macros")
            .map(|found| found_ident(found, "otp_macros"))
            .unwrap_or_else(|_| ident("otp_macros"));
        return Paths {
            root,
            actor_impl: quote!(#macros::__actor_impl),
        };
    }
    let root = ident(FACADE_LIB);
    Paths {
        actor_impl: quote!(#root::__private::actor_impl),
        root,
    }
}

/// `::name` for a crate found under `found` (`own` when it is the crate itself,
/// as in its doctests, which are separate crates).
fn found_ident(found: FoundCrate, own: &str) -> TokenStream {
    match found {
        FoundCrate::Itself => ident(own),
        FoundCrate::Name(name) => ident(&name),
    }
}

fn ident(name: &str) -> TokenStream {
    let name = syn::Ident::new(name, Span::call_site());
    quote!(::#name)
}

/// `tokens` with every token located at `span`, so that an error about the
/// generated code they start is reported at the user's token.
pub(crate) fn respan(tokens: &TokenStream, span: Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

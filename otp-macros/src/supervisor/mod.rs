//! `supervisor!`: parse ([`ast`]) → validate ([`valid`]) → expand ([`expand`]).

mod ast;
mod expand;
mod valid;

use proc_macro2::TokenStream;

/// Expands a `supervisor! { ... }` invocation to its builder.
pub(crate) fn supervisor(input: TokenStream) -> syn::Result<TokenStream> {
    let tree: ast::Tree = syn::parse2(input)?;
    let tree = valid::check(tree)?;
    Ok(expand::supervisor(&tree))
}

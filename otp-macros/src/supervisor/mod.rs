//! `supervisor!`: parse ([`ast`]) → validate ([`valid`]) → expand ([`expand`]).

mod ast;
mod expand;
mod valid;

use proc_macro2::TokenStream;
use quote::quote;

use crate::krate;

/// Expands a `supervisor! { ... }` invocation to its builder. On errors it
/// expands to the errors and an empty supervisor's builder, in a block: so
/// `supervisor! { .. }.start()` stays an expression that type-checks, and the
/// user sees every error of the tree and nothing else.
pub(crate) fn supervisor(input: TokenStream) -> TokenStream {
    let tree: ast::Tree = match syn::parse2(input) {
        Ok(tree) => tree,
        Err(error) => return placeholder(error, None),
    };
    let explicit = ast::tree_crate(&tree);
    match valid::check(tree) {
        Ok(tree) => {
            let paths = krate::paths(tree.krate.as_ref());
            expand::supervisor(&tree, &paths.root)
        }
        Err(error) => placeholder(error, explicit.as_ref()),
    }
}

fn placeholder(error: syn::Error, explicit: Option<&syn::Path>) -> TokenStream {
    let root = krate::paths(explicit).root;
    let error = error.into_compile_error();
    quote! {{
        #error
        #root::supervisor::new(#root::supervisor::Strategy::OneForOne)
    }}
}

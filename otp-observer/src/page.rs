//! The page itself: one HTML file with its script, which polls the snapshot.

use axum::response::Html;

const PAGE: &str = include_str!("page.html");

pub(crate) async fn index() -> Html<&'static str> {
    Html(PAGE)
}

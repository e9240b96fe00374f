//! The observer: a live web page of a running system.
//!
//! `cargo run --example observer [ADDRESS]` starts a small shop (a supervision
//! tree of actors, see `app.rs`), some traffic in it, and the observer on
//! ADDRESS (default `127.0.0.1:9000`), then prints the page's address. Open it
//! in a browser: the trees, the processes and the crash reports update live;
//! suspend, resume, kill and restart from the buttons. Stop with Ctrl-C.

use std::time::Duration;

// The shop offers more than this example uses (the browser test uses the rest).
#[allow(dead_code)]
mod app;

fn main() {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9000".to_string());
    otp::runtime::block_on(async move {
        let shop = app::start().await;
        let observer = match otp_observer::start(address.as_str()).await {
            Ok(observer) => observer,
            Err(error) => {
                eprintln!("cannot listen on {address}: {error}");
                std::process::exit(1);
            }
        };
        println!("otp observer: {}", observer.url());
        // A sale every 200 ms; the payments actor crashes every 25th sale.
        app::trade(&shop, Duration::from_millis(200), 25).await;
    })
    .expect("the example runs until stopped");
}

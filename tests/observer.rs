//! The observer's page, end to end in a real headless Chromium driven through
//! chromedriver: the example's shop runs, a crash in it shows on the page as a
//! crash report and as a new pid in the tree, and the page's buttons restart a
//! child, suspend and resume an actor and kill a process.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). Without them the test says so and
//! passes, except under CI (`CI` set), where it fails. With
//! `OTP_OBSERVER_SCREENSHOT=path.png` it also saves a screenshot of the page.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use otp::process::{self, Pid};
use otp::supervisor::Supervisor;
use otp::sys::{self, Mode};
use serde_json::json;
use tokio::process::{Child, Command};

// The test uses part of the shop.
#[allow(dead_code)]
#[path = "../examples/observer/app.rs"]
mod app;
mod common;
use common::{WAIT, wait_down};

/// The whole scenario's limit; each wait on the page has its own, shorter one.
const LIMIT: Duration = Duration::from_secs(240);
/// How long the page may take to show a change (it refreshes every second).
const PAGE_WAIT: Duration = Duration::from_secs(30);

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

#[test]
fn the_page_shows_crashes_and_restarts_and_its_buttons_work() {
    let (Some(chromium), Some(driver)) = (
        find_program(&["chromium", "chromium-browser", "google-chrome"]),
        find_program(&["chromedriver"]),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium and chromium-driver (.ci/run does)"
        );
        eprintln!("skipped: chromium or chromedriver not found");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        match tokio::time::timeout(LIMIT, process::run(scenario(chromium, driver))).await {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => panic!("the test process exited: {reason}"),
            Err(_) => panic!("the test timed out"),
        }
    });
}

/// chromedriver on a free loopback port, and a fresh profile directory.
struct Browser {
    driver: Child,
    client: Client,
    profile: PathBuf,
}

async fn open_browser(chromium: &Path, driver: &Path) -> Browser {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let driver = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    let profile =
        std::env::temp_dir().join(format!("otp-observer-test-{}-{port}", std::process::id()));
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
        }
    });
    let capabilities = match capabilities {
        serde_json::Value::Object(map) => map,
        _ => unreachable!(),
    };
    // chromedriver takes a moment to listen: try until it answers.
    let started = Instant::now();
    let client = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => break client,
            Err(error) if started.elapsed() < PAGE_WAIT => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("chromedriver did not answer: {error}"),
        }
    };
    Browser {
        driver,
        client,
        profile,
    }
}

/// Evaluates `check` (an expression giving an `Option`) until it is `Some`,
/// failing after [`PAGE_WAIT`] with what the page shows.
macro_rules! eventually {
    ($client:expr, $what:expr, $check:expr) => {{
        let deadline = Instant::now() + PAGE_WAIT;
        loop {
            if let Some(value) = $check {
                break value;
            }
            if Instant::now() > deadline {
                let page = $client.source().await.unwrap_or_default();
                panic!("the page never showed {}; it shows:\n{page}", $what);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }};
}

/// The text of the first element matching `css`, if any.
async fn text(client: &Client, css: &str) -> Option<String> {
    let element = client.find(Locator::Css(css)).await.ok()?;
    element.text().await.ok()
}

/// Clicks the element matching `css`, again if the page re-rendered under it.
async fn click(client: &Client, css: &str) {
    eventually!(client, css, {
        match client.find(Locator::Css(css)).await {
            Ok(element) => element.click().await.ok(),
            Err(_) => None,
        }
    });
}

fn child(id: &str) -> String {
    format!(r#"li.child[data-id="{id}"]"#)
}

/// The pid the page shows for the child `id`.
async fn child_pid(client: &Client, id: &str) -> Option<String> {
    text(client, &format!("{} > span.pid", child(id))).await
}

async fn scenario(chromium: PathBuf, driver: PathBuf) {
    let shop = app::start().await;
    let observer = otp_observer::start("127.0.0.1:0").await.expect("listens");
    let browser = open_browser(&chromium, &driver).await;
    let page = &browser.client;
    page.goto(&observer.url()).await.expect("the page loads");

    // The tree, as the supervisors know it.
    let payments = process::whereis(&shop.payments).expect("payments runs");
    let shown = eventually!(page, "the payments child", {
        child_pid(page, "payments").await
    });
    assert_eq!(shown, payments.to_string());
    let header = text(page, "ul.tree > li.sup > .head").await.unwrap();
    assert!(header.contains("one_for_one"), "{header}");
    let nested = text(page, &format!("{} .sup .head", child("orders"))).await;
    assert!(nested.unwrap().contains("rest_for_one"));

    // A crash: the report shows with the old pid, the tree the new one.
    let crash = app::PaymentsRef::named(&shop.payments);
    crash.lose_gateway();
    wait_down(payments).await;
    let report = format!(r#"div.crash[data-pid="{payments}"]"#);
    let reason = eventually!(page, "the crash report", { text(page, &report).await });
    assert!(reason.contains("the payment gateway went away"), "{reason}");
    let restarted = eventually!(page, "the restarted payments", {
        let old = payments.to_string();
        child_pid(page, "payments")
            .await
            .filter(|shown| *shown != old)
    });
    // The orders supervisor answers once it has finished restarting (payments,
    // then the mailer after it: rest_for_one).
    let orders = shop
        .tree
        .data
        .child::<Supervisor>("orders")
        .get()
        .await
        .unwrap();
    orders.which_children().await.unwrap();
    let now = process::whereis(&shop.payments).expect("payments restarted");
    assert_eq!(restarted, now.to_string());
    let counts = text(page, &format!("{} > span.count", child("payments")))
        .await
        .unwrap();
    assert!(
        counts.contains("restarts 1") && counts.contains("crashes 1"),
        "{counts}"
    );

    // The restart button: a new inventory, which the supervisor confirms.
    let inventory = process::whereis(&shop.inventory).unwrap();
    click(page, &format!("{} > button.restart", child("inventory"))).await;
    wait_down(inventory).await;
    let shown = eventually!(page, "the restarted inventory", {
        let old = inventory.to_string();
        child_pid(page, "inventory")
            .await
            .filter(|shown| *shown != old)
    });
    assert_eq!(
        Some(shown),
        process::whereis(&shop.inventory).map(|p| p.to_string())
    );

    // Suspend and resume the mailer from its row.
    let mailer = process::whereis(&shop.mailer).unwrap();
    let row = format!(r#"tr[data-pid="{mailer}"]"#);
    click(page, &format!("{row} button.suspend")).await;
    let suspended = format!(r#"{row}[data-status="suspended"]"#);
    eventually!(page, "the mailer suspended", {
        text(page, &suspended).await
    });
    assert_eq!(mode(mailer).await, Mode::Suspended);
    click(page, &format!("{row} button.resume")).await;
    let running = format!(r#"{row}[data-status="running"]"#);
    eventually!(page, "the mailer running", { text(page, &running).await });
    assert_eq!(mode(mailer).await, Mode::Running);

    // Kill a plain process from its row; it leaves the list.
    let idle = process::spawn(async {
        let _ = process::receive_forever(&process::Subject::<()>::new()).await;
    });
    let row = format!(r#"tr[data-pid="{idle}"]"#);
    let monitor = process::monitor(idle);
    click(page, &format!("{row} button.kill")).await;
    let down = common::down_of(monitor).await;
    assert_eq!(down.reason, otp::process::ExitReason::Killed);
    eventually!(page, "the killed process gone", {
        page.find(Locator::Css(&row)).await.is_err().then_some(())
    });

    if let Some(path) = std::env::var_os("OTP_OBSERVER_SCREENSHOT") {
        let png = page.screenshot().await.expect("a screenshot");
        std::fs::write(&path, png).expect("the screenshot is written");
    }

    let Browser {
        mut driver,
        client,
        profile,
    } = browser;
    let _ = client.close().await;
    let _ = driver.kill().await;
    let _ = std::fs::remove_dir_all(profile);
    observer.stop().await;
}

async fn mode(pid: Pid) -> Mode {
    sys::get_status(pid, WAIT).await.expect("a status").mode
}

//! The small shop that `cargo run --example observer` runs and that the
//! observer's browser test watches: a supervision tree with a nested supervisor,
//! a few actors, and a payments actor that can be made to crash.
//!
//! ```text
//!            shop (one_for_one)
//!           /                  \
//!     inventory           orders (rest_for_one)
//!                          /            \
//!                     payments         mailer
//! ```

use std::time::Duration;

use otp::actor::Started;
use otp::process::Name;
use otp::supervisor::Supervisor;
use otp::{actor, supervisor};

/// Items in stock.
#[actor]
#[derive(Debug)]
pub struct Inventory {
    items: u64,
}

#[actor(debug)]
impl Inventory {
    /// Adds items.
    #[cast]
    pub fn restock(&mut self, items: u64) {
        self.items += items;
    }

    /// Takes one item, if any is left.
    #[call]
    pub fn take(&mut self) -> bool {
        let available = self.items > 0;
        self.items = self.items.saturating_sub(u64::from(available));
        available
    }
}

/// Takes payments; crashes when the gateway "goes away".
#[actor]
#[derive(Debug)]
pub struct Payments {
    taken: u64,
}

#[actor(debug)]
impl Payments {
    /// Takes a payment.
    #[cast]
    pub fn pay(&mut self, cents: u64) {
        self.taken += cents;
    }

    /// Crashes the actor, as a lost connection would.
    #[cast]
    pub fn lose_gateway(&mut self) {
        panic!("the payment gateway went away");
    }
}

/// Sends mails (and counts them).
#[actor]
#[derive(Debug)]
pub struct Mailer {
    sent: u64,
}

#[actor(debug)]
impl Mailer {
    /// Sends one mail.
    #[cast]
    pub fn send(&mut self, _to: String) {
        self.sent += 1;
    }
}

/// The running shop: its tree and the names that reach its actors across
/// restarts.
pub struct Shop {
    /// The root supervisor.
    pub tree: Started<Supervisor>,
    /// The inventory actor's name.
    pub inventory: Name<InventoryMsg>,
    /// The payments actor's name.
    pub payments: Name<PaymentsMsg>,
    /// The mailer's name.
    pub mailer: Name<MailerMsg>,
}

/// Starts the shop, linked to the calling process.
pub async fn start() -> Shop {
    let inventory = Name::new("inventory");
    let payments = Name::new("payments");
    let mailer = Name::new("mailer");
    let tree = supervisor! {
        strategy: OneForOne,
        intensity: 10,
        period: Duration::from_secs(10),
        name: Name::new("shop"),
        children: [
            inventory { start: Inventory { items: 10 }, name: inventory.clone() },
            orders {
                start: supervisor! {
                    strategy: RestForOne,
                    intensity: 10,
                    period: Duration::from_secs(10),
                    name: Name::new("orders"),
                    children: [
                        payments { start: Payments { taken: 0 }, name: payments.clone() },
                        mailer { start: Mailer { sent: 0 }, name: mailer.clone() },
                    ],
                },
            },
        ],
    }
    .start()
    .await
    .expect("the shop starts");
    Shop {
        tree,
        inventory,
        payments,
        mailer,
    }
}

/// Some traffic: a sale every `every`, with a mail; and now and then the
/// payment gateway goes away (every `crash_every`-th sale), for the crash
/// reports and restarts to show.
pub async fn trade(shop: &Shop, every: Duration, crash_every: u64) {
    let inventory = InventoryRef::named(&shop.inventory);
    let payments = PaymentsRef::named(&shop.payments);
    let mailer = MailerRef::named(&shop.mailer);
    for sale in 1u64.. {
        if !inventory.take().await.unwrap_or(false) {
            inventory.restock(10);
        }
        payments.pay(1_999);
        mailer.send(format!("customer{sale}@example.com"));
        if sale % crash_every == 0 {
            payments.lose_gateway();
        }
        tokio::time::sleep(every).await;
    }
}

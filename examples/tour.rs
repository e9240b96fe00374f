//! A tour of otp: processes that link, monitor, crash and report.
//!
//! Run it with `cargo run --example tour`.

use std::time::Duration;

use otp::actor::{self, Next};
use otp::process::{self, ExitReason, Name, Selector, Subject};
use otp::supervisor::{self, ChildSpec, Strategy};
use otp::sys;

const WAIT: Duration = Duration::from_secs(5);

/// Processes, messages, monitors and a crash.
async fn processes() {
    println!("== processes");
    let me = process::self_pid();
    println!("the tour runs as process {me}");

    // A process that greets us, then crashes.
    let inbox = Subject::<String>::new();
    let to_me = inbox.clone();
    let (child, monitor) = process::spawn_monitor(async move {
        to_me.send(format!("hello from {}", process::self_pid()));
        panic!("something went wrong");
    });
    println!("spawned {child} and monitored it");
    println!(
        "received: {}",
        process::receive(&inbox, WAIT).await.unwrap()
    );
    let down = Selector::new()
        .select_monitor(monitor, |down| down)
        .receive(WAIT)
        .await
        .unwrap();
    println!("DOWN from {}: {}", down.pid, down.reason);

    // Links: a crash spreads to linked processes unless they trap exits.
    process::trap_exits(true);
    let worker = process::spawn_link(async {
        process::exit(ExitReason::abnormal("disk full")).await;
    });
    let exit = Selector::new()
        .select_trapped_exits(|exit| exit)
        .receive(WAIT)
        .await
        .unwrap();
    println!("trapped EXIT from {worker}: {}", exit.reason);
    process::trap_exits(false);

    // Names: a typed name reaches whoever holds it.
    let name = Name::<u32>::new("adder");
    let registered = name.clone();
    let answers = Subject::<u32>::new();
    let reply_to = answers.clone();
    let adder = process::spawn(async move {
        process::register(process::self_pid(), &registered).unwrap();
        reply_to.send(0); // registered
        let n = process::receive_forever(&registered.subject())
            .await
            .unwrap();
        reply_to.send(n + 1);
    });
    process::receive(&answers, WAIT).await.unwrap();
    println!("{} is registered as {}", adder, name.label());
    name.subject().send(41);
    println!(
        "adder answered {}",
        process::receive(&answers, WAIT).await.unwrap()
    );

    // Timers go through the mailbox like any message.
    let ticks = Subject::<&'static str>::new();
    process::send_after(&ticks, Duration::from_millis(50), "tick");
    println!(
        "timer says {}",
        process::receive(&ticks, WAIT).await.unwrap()
    );
}

/// An actor that crashes, a crash report, and a look inside with `sys`.
async fn actors() {
    println!("== actors");
    #[derive(Debug)]
    enum Account {
        Deposit(u64),
        Withdraw(u64),
    }
    let account = actor::new(100u64)
        .on_message(|balance, message| match message {
            Account::Deposit(n) => Next::Continue(balance + n),
            Account::Withdraw(n) if n <= balance => Next::Continue(balance - n),
            Account::Withdraw(n) => panic!("cannot withdraw {n} from {balance}"),
        })
        .debug_state()
        .start()
        .await
        .unwrap();
    process::unlink(account.pid); // we watch it with a monitor instead
    account.data.send(Account::Deposit(50));
    let state = sys::get_state(account.pid, WAIT).await.unwrap();
    println!("sys::get_state of account {}: {state}", account.pid);
    let monitor = process::monitor(account.pid);
    account.data.send(Account::Withdraw(1_000));
    let down = Selector::new()
        .select_monitor(monitor, |down| down)
        .receive(WAIT)
        .await
        .unwrap();
    println!("account {} crashed: {}", down.pid, down.reason);
}

/// A small supervision tree: a worker crashes and comes back under its name.
async fn supervisors() {
    println!("== supervisors");
    let name = Name::<Greeter>::new("greeter");
    let greeter_name = name.clone();
    let tree = supervisor::new(Strategy::OneForOne)
        .intensity(3)
        .add(ChildSpec::worker("greeter", move || {
            actor::new(0u32)
                .on_message(|greeted, message| match message {
                    Greeter::Greet(who, reply) => {
                        reply.send(format!("hello, {who} (#{})", greeted + 1));
                        Next::Continue(greeted + 1)
                    }
                    Greeter::Crash => panic!("the greeter tripped"),
                })
                .named(greeter_name.clone())
                .start()
        }))
        .start()
        .await
        .unwrap();
    let greet = |who: &'static str| {
        let name = name.clone();
        async move {
            process::call(&name.subject(), WAIT, |reply| {
                Greeter::Greet(who.to_string(), reply)
            })
            .await
            .unwrap()
        }
    };
    println!("{}", greet("world").await);
    let before = process::whereis(&name).unwrap();
    let monitor = process::monitor(before);
    name.subject().send(Greeter::Crash);
    Selector::new()
        .select_monitor(monitor, |down| down)
        .receive(WAIT)
        .await
        .unwrap();
    // The supervisor restarts it under the same name; wait for the new one.
    let after = loop {
        match process::whereis(&name) {
            Some(pid) if pid != before => break pid,
            _ => tokio::task::yield_now().await,
        }
    };
    println!("greeter {before} crashed; the supervisor restarted it as {after}");
    println!("{}", greet("again").await);
    for child in tree.data.which_children().await.unwrap() {
        println!("child {} is {:?}", child.id, child.pid);
    }
}

/// What the tour's supervised greeter understands.
enum Greeter {
    Greet(String, Subject<String>),
    Crash,
}

fn main() {
    tracing_subscriber::fmt()
        .with_target(true)
        .without_time()
        .init();
    let finished = otp::runtime::block_on(async {
        processes().await;
        actors().await;
        supervisors().await;
    });
    match finished {
        Ok(()) => println!("== the tour is over"),
        Err(reason) => println!("the tour crashed: {reason}"),
    }
}

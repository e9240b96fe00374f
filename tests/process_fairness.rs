//! A process whose mailbox is never empty still lets others run: each receive
//! spends tokio's cooperative budget, as a receive on a tokio channel does.

use std::time::Duration;

use otp::actor::{self, Next};
use otp::process::{self, Subject};

mod common;
use common::{WAIT, within};

/// As many busy processes as worker threads, each sending itself a message
/// for every message it takes: without a yield in the receive, they would hold
/// both workers for good and the calls below would never be answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_that_never_wait_do_not_starve_the_others() {
    within(Duration::from_secs(60), async {
        let mut busy = Vec::new();
        for _ in 0..2 {
            let spinner = actor::new_with_initialiser(WAIT, |me: Subject<()>| async move {
                me.send(());
                Ok(actor::Initialised::new(me))
            })
            .on_message(|me: Subject<()>, ()| {
                me.send(());
                Next::Continue(me)
            })
            .start()
            .await
            .unwrap();
            busy.push(spinner.pid);
        }
        let echo = actor::new(())
            .on_message(|(), reply: Subject<u32>| {
                reply.send(7);
                Next::Continue(())
            })
            .start()
            .await
            .unwrap();
        for _ in 0..100 {
            assert_eq!(process::call(&echo.data, WAIT, |r| r).await, Ok(7));
        }
        for pid in busy {
            process::kill(pid);
        }
    })
    .await;
}

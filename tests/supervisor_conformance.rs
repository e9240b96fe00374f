//! Cases from Erlang/OTP's `supervisor_SUITE`, ported: retries through the
//! mailbox (OTP-9549), rest_for_one retries, `ignore`, a crashing start
//! function, flag validation, factory counts and significance, `get_childspec`,
//! handles from a name, `stop`, and a restart that waits for the previous
//! holder of a name.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use otp::actor::{self, Next, StartError, Started};
use otp::process::{self, ExitReason, Name, Pid, Selector, Subject};
use otp::supervisor::{
    self, AutoShutdown, ChildSpec, ConfigError, Restart, Strategy, Supervisor, SupervisorError,
    factory,
};

mod common;
use common::{WAIT, wait_down, within};

const LIMIT: Duration = Duration::from_secs(60);

type StartFuture =
    std::pin::Pin<Box<dyn Future<Output = Result<Started<Subject<()>>, StartError>> + Send>>;

/// A start function that reports each attempt on `attempts` and asks `plan`
/// (given the attempt's number, from 1) whether to start, fail, panic or ignore.
#[derive(Clone, Copy, Debug)]
enum Then {
    Start,
    Fail,
    Panic,
    Ignore,
}

fn starter(
    id: &'static str,
    attempts: Subject<(&'static str, usize)>,
    plan: impl Fn(usize) -> Then + Send + Sync + 'static,
) -> impl Fn() -> StartFuture + Send + Sync + 'static {
    let count = Arc::new(AtomicUsize::new(0));
    move || {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        attempts.send((id, n));
        match plan(n) {
            Then::Panic => panic!("start function of {id} crashed"),
            Then::Fail => Box::pin(async { Err(StartError::InitFailed("no".into())) }),
            Then::Ignore => Box::pin(async { Err(StartError::Ignored) }),
            Then::Start => Box::pin(
                actor::new(())
                    .on_message(|(), ()| Next::Continue(()))
                    .start(),
            ),
        }
    }
}

async fn attempt(attempts: &Subject<(&'static str, usize)>) -> (&'static str, usize) {
    process::receive(attempts, WAIT).await.expect("an attempt")
}

/// A one_for_one supervisor, unlinked from the test, with one child `a` whose
/// first start succeeds and every later start fails.
async fn failing_after_first_start(
    intensity: u32,
    period: Duration,
    attempts: &Subject<(&'static str, usize)>,
) -> supervisor::Supervisor {
    let sup = supervisor::new(Strategy::OneForOne)
        .intensity(intensity)
        .period(period)
        .add(ChildSpec::worker(
            "a",
            starter("a", attempts.clone(), |n| {
                if n == 1 { Then::Start } else { Then::Fail }
            }),
        ))
        .start()
        .await
        .unwrap();
    process::unlink(sup.pid);
    sup.data
}

fn row<'a>(rows: &'a [supervisor::ChildInfo], id: &str) -> &'a supervisor::ChildInfo {
    rows.iter().find(|r| r.id == id).expect("the child")
}

fn pid_of(rows: &[supervisor::ChildInfo], id: &str) -> Option<Pid> {
    row(rows, id).pid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_restart_is_retried_through_the_mailbox_and_the_supervisor_answers_meanwhile() {
    // OTP-9549: a restart that keeps failing within the intensity must not keep
    // the supervisor from answering, nor from being shut down.
    within(LIMIT, async {
        let attempts = Subject::new();
        let sup = failing_after_first_start(u32::MAX, Duration::from_secs(10), &attempts).await;
        assert_eq!(attempt(&attempts).await, ("a", 1));
        let first = pid_of(&sup.which_children().await.unwrap(), "a").unwrap();
        process::kill(first);
        // Once it has tried twice more, it has answered between the attempts.
        assert_eq!(attempt(&attempts).await, ("a", 2));
        assert_eq!(attempt(&attempts).await, ("a", 3));
        let rows = sup.which_children().await.unwrap();
        assert!(row(&rows, "a").restarting, "{rows:?}");
        assert_eq!(sup.count_children().await.unwrap().active, 0);
        assert!(otp::sys::get_state(sup.pid(), WAIT).await.is_ok());
        assert_eq!(
            sup.restart_child("a").await,
            Err(SupervisorError::Restarting("a".into()))
        );
        assert_eq!(
            sup.delete_child("a").await,
            Err(SupervisorError::Restarting("a".into()))
        );
        // A shutdown gets in between two attempts.
        let pid = sup.pid();
        let watch = process::monitor(pid);
        process::send_exit(pid, ExitReason::Shutdown);
        let down = Selector::new()
            .select_monitor(watch, |d| d.reason)
            .receive(WAIT)
            .await;
        assert_eq!(down, Ok(ExitReason::Shutdown));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminating_a_restarting_child_ends_its_retries() {
    within(LIMIT, async {
        let attempts = Subject::new();
        // Starts fail (after the first) until the test allows them: how many
        // retries run before the terminate arrives is up to the scheduler.
        let allowed = Arc::new(AtomicBool::new(false));
        let allow = allowed.clone();
        let sup = supervisor::new(Strategy::OneForOne)
            .intensity(u32::MAX)
            .add(ChildSpec::worker(
                "a",
                starter("a", attempts.clone(), move |n| {
                    if n == 1 || allow.load(Ordering::SeqCst) {
                        Then::Start
                    } else {
                        Then::Fail
                    }
                }),
            ))
            .start()
            .await
            .unwrap()
            .data;
        attempt(&attempts).await;
        let first = pid_of(&sup.which_children().await.unwrap(), "a").unwrap();
        process::kill(first);
        assert_eq!(attempt(&attempts).await, ("a", 2));
        assert_eq!(sup.terminate_child("a").await, Ok(()));
        let rows = sup.which_children().await.unwrap();
        assert_eq!(pid_of(&rows, "a"), None);
        // Starts would now succeed: a retry still queued (sent before the
        // terminate) must not start the child. The calls below are handled
        // after any such retry.
        allowed.store(true, Ordering::SeqCst);
        for _ in 0..2 {
            let rows = sup.which_children().await.unwrap();
            assert_eq!(pid_of(&rows, "a"), None);
        }
        let pid = sup.restart_child("a").await.unwrap();
        assert!(process::is_alive(pid));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_restarts_count_against_the_intensity() {
    within(LIMIT, async {
        let attempts = Subject::new();
        let sup = failing_after_first_start(3, Duration::from_secs(3600), &attempts).await;
        attempt(&attempts).await;
        let first = pid_of(&sup.which_children().await.unwrap(), "a").unwrap();
        let watch = process::monitor(sup.pid());
        process::kill(first);
        let down = Selector::new()
            .select_monitor(watch, |d| d.reason)
            .receive(WAIT)
            .await;
        assert_eq!(down, Ok(ExitReason::Shutdown));
        // The crash and two failed retries fit; the third retry is one too many.
        let mut tried = Vec::new();
        while let Ok((_, n)) = process::receive(&attempts, Duration::ZERO).await {
            tried.push(n);
        }
        assert_eq!(tried, [2, 3, 4]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_for_one_retries_from_the_child_that_failed_to_start() {
    within(LIMIT, async {
        let attempts = Subject::new();
        let sup = supervisor::new(Strategy::RestForOne)
            .intensity(10)
            .add(ChildSpec::worker(
                "a",
                starter("a", attempts.clone(), |_| Then::Start),
            ))
            .add(ChildSpec::worker(
                "b",
                starter("b", attempts.clone(), |n| {
                    if n == 2 { Then::Fail } else { Then::Start }
                }),
            ))
            .start()
            .await
            .unwrap()
            .data;
        assert_eq!(attempt(&attempts).await, ("a", 1));
        assert_eq!(attempt(&attempts).await, ("b", 1));
        let a = pid_of(&sup.which_children().await.unwrap(), "a").unwrap();
        process::kill(a);
        assert_eq!(attempt(&attempts).await, ("a", 2));
        assert_eq!(attempt(&attempts).await, ("b", 2)); // fails
        assert_eq!(attempt(&attempts).await, ("b", 3)); // the retry starts b only
        let rows = sup.which_children().await.unwrap();
        assert!(rows.iter().all(|r| r.pid.is_some()), "{rows:?}");
        assert!(process::receive(&attempts, Duration::ZERO).await.is_err());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashing_start_function_is_a_failed_start_naming_the_child() {
    within(LIMIT, async {
        // At the first start: the supervisor's start fails, naming the child.
        let attempts = Subject::new();
        let refused = supervisor::new(Strategy::OneForOne)
            .add(ChildSpec::worker(
                "ok",
                starter("ok", attempts.clone(), |_| Then::Start),
            ))
            .add(ChildSpec::worker(
                "bad",
                starter("bad", attempts.clone(), |_| Then::Panic),
            ))
            .start()
            .await;
        match refused {
            Err(supervisor::StartError::ChildFailed { id, reason }) => {
                assert_eq!(id, "bad");
                assert!(matches!(
                    *reason,
                    supervisor::StartError::Actor(StartError::InitExited(ExitReason::Panic(_)))
                ));
            }
            other => panic!("{other:?}"),
        }
        // At a restart: a failed restart, retried; the supervisor lives on.
        let attempts = Subject::new();
        let sup = supervisor::new(Strategy::OneForOne)
            .intensity(5)
            .add(ChildSpec::worker(
                "a",
                starter("a", attempts.clone(), |n| {
                    if n == 2 { Then::Panic } else { Then::Start }
                }),
            ))
            .start()
            .await
            .unwrap()
            .data;
        attempt(&attempts).await;
        let first = pid_of(&sup.which_children().await.unwrap(), "a").unwrap();
        process::kill(first);
        assert_eq!(attempt(&attempts).await, ("a", 2));
        assert_eq!(attempt(&attempts).await, ("a", 3));
        let now = pid_of(&sup.which_children().await.unwrap(), "a");
        assert!(now.is_some_and(|p| p != first), "{now:?}");
        // And in start_child: an error, not a crash.
        let refused = sup
            .start_child(ChildSpec::worker(
                "c",
                starter("c", attempts.clone(), |_| Then::Panic),
            ))
            .await;
        assert!(matches!(
            refused,
            Err(SupervisorError::StartFailed(supervisor::StartError::Actor(
                StartError::InitExited(ExitReason::Panic(_))
            )))
        ));
        assert_eq!(sup.which_children().await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ignored_start_keeps_the_spec_not_running() {
    within(LIMIT, async {
        let attempts = Subject::new();
        let sup = supervisor::new(Strategy::OneForOne)
            .add(ChildSpec::worker(
                "i",
                starter("i", attempts.clone(), |_| Then::Ignore),
            ))
            .add(
                ChildSpec::worker("t", starter("t", attempts.clone(), |_| Then::Ignore))
                    .restart(Restart::Temporary),
            )
            .add(ChildSpec::worker(
                "w",
                starter("w", attempts.clone(), |_| Then::Start),
            ))
            .start()
            .await
            .unwrap()
            .data;
        let rows = sup.which_children().await.unwrap();
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["i", "w"], "a temporary ignored child is not kept");
        assert_eq!(pid_of(&rows, "i"), None);
        assert_eq!(
            sup.restart_child("i").await,
            Err(SupervisorError::Ignored("i".into()))
        );
        let added = sup
            .start_child(ChildSpec::worker(
                "j",
                starter("j", attempts.clone(), |_| Then::Ignore),
            ))
            .await;
        assert_eq!(added, Err(SupervisorError::Ignored("j".into())));
        assert_eq!(sup.count_children().await.unwrap().specs, 3);
        // A factory keeps nothing for an ignored start.
        let f = factory::new(|ignore: bool| async move {
            if ignore {
                return Err(StartError::Ignored);
            }
            actor::new(())
                .on_message(|(), ()| Next::Continue(()))
                .start()
                .await
        })
        .start()
        .await
        .unwrap()
        .data;
        assert!(matches!(
            f.start_child(true).await,
            Err(SupervisorError::Ignored(_))
        ));
        let count = f.count_children().await.unwrap();
        assert_eq!(
            (count.specs, count.active, count.supervisors, count.workers),
            (1, 0, 0, 0)
        );
        f.start_child(false).await.unwrap();
        let count = f.count_children().await.unwrap();
        assert_eq!(
            (count.specs, count.active, count.supervisors, count.workers),
            (1, 1, 0, 1)
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_period_is_refused() {
    within(LIMIT, async {
        let refused = supervisor::new(Strategy::OneForOne)
            .period(Duration::ZERO)
            .start()
            .await;
        assert_eq!(
            refused.unwrap_err(),
            supervisor::StartError::Config(ConfigError::InvalidPeriod)
        );
        let refused = factory::new(|(): ()| {
            actor::new(())
                .on_message(|(), ()| Next::Continue(()))
                .start()
        })
        .period(Duration::ZERO)
        .start()
        .await;
        assert_eq!(
            refused.unwrap_err(),
            supervisor::StartError::Config(ConfigError::InvalidPeriod)
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_factory_with_significant_children_shuts_down() {
    within(LIMIT, async {
        let template = |(): ()| {
            actor::new(())
                .on_message(|(), stop: bool| {
                    if stop {
                        Next::stop(())
                    } else {
                        Next::Continue(())
                    }
                })
                .start()
        };
        for auto in [AutoShutdown::AnySignificant, AutoShutdown::AllSignificant] {
            let f = factory::new(template)
                .significant(true)
                .auto_shutdown(auto)
                .start()
                .await
                .unwrap();
            process::unlink(f.pid);
            let f = f.data;
            let one = f.start_child(()).await.unwrap();
            let two = f.start_child(()).await.unwrap();
            let watch = process::monitor(f.pid());
            one.data.send(true);
            wait_down(one.pid).await;
            if auto == AutoShutdown::AllSignificant {
                assert_eq!(f.count_children().await.unwrap().active, 1);
                two.data.send(true);
            }
            let down = Selector::new()
                .select_monitor(watch, |d| d.reason)
                .receive(WAIT)
                .await;
            assert_eq!(down, Ok(ExitReason::Shutdown), "{auto:?}");
        }
        // Significant children need an auto_shutdown, and must not be permanent.
        let refused = factory::new(template).significant(true).start().await;
        assert!(matches!(
            refused,
            Err(supervisor::StartError::Config(
                ConfigError::BadCombination { .. }
            ))
        ));
        let refused = factory::new(template)
            .significant(true)
            .restart(Restart::Permanent)
            .auto_shutdown(AutoShutdown::AnySignificant)
            .start()
            .await;
        assert!(refused.is_err());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_childspec_returns_the_spec() {
    within(LIMIT, async {
        let attempts = Subject::new();
        let sup = supervisor::new(Strategy::OneForOne)
            .add(
                ChildSpec::worker("a", starter("a", attempts.clone(), |_| Then::Start))
                    .restart(Restart::Transient),
            )
            .start()
            .await
            .unwrap()
            .data;
        let spec = sup.get_childspec("a").await.unwrap();
        assert_eq!((spec.id(), spec.restart_type()), ("a", Restart::Transient));
        assert_eq!(
            sup.get_childspec("b").await.unwrap_err(),
            SupervisorError::NotFound("b".into())
        );
        let f = factory::new(|(): ()| {
            actor::new(())
                .on_message(|(), ()| Next::Continue(()))
                .start()
        })
        .restart(Restart::Temporary)
        .start()
        .await
        .unwrap()
        .data;
        let child = f.start_child(()).await.unwrap();
        let spec = f.get_childspec(child.pid).await.unwrap();
        assert_eq!(spec.restart_type(), Restart::Temporary);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisors_and_factories_are_reached_by_name_and_stopped_normally() {
    within(LIMIT, async {
        let name = Name::new("named_sup");
        let attempts = Subject::new();
        let started = supervisor::new(Strategy::OneForOne)
            .named(name.clone())
            .add(ChildSpec::worker(
                "a",
                starter("a", attempts.clone(), |_| Then::Start),
            ))
            .start()
            .await
            .unwrap();
        let by_name = Supervisor::named(&name);
        assert_eq!(by_name.pid(), started.pid);
        let child = pid_of(&by_name.which_children().await.unwrap(), "a").unwrap();
        // Linked to us, not trapping exits: a stop (reason normal) leaves us alive.
        let watch = process::monitor(started.pid);
        by_name.stop().await.unwrap();
        let down = Selector::new()
            .select_monitor(watch, |d| d.reason)
            .receive(WAIT)
            .await;
        assert_eq!(down, Ok(ExitReason::Normal));
        assert!(!process::is_alive(child));
        assert!(matches!(
            by_name.which_children().await,
            Err(SupervisorError::NoSupervisor(_))
        ));

        let name = Name::new("named_factory");
        let f = factory::new(|n: u32| actor::new(n).on_message(|n, ()| Next::Continue(n)).start())
            .named(name.clone())
            .start()
            .await
            .unwrap();
        let by_name = factory::Factory::<u32, Subject<()>>::named(&name);
        let child = by_name.start_child(7).await.unwrap();
        assert_eq!(by_name.count_children().await.unwrap().active, 1);
        let wrong = factory::Factory::<String, Subject<()>>::named(&name);
        assert!(matches!(
            wrong.start_child("x".into()).await,
            Err(SupervisorError::WrongType(_))
        ));
        by_name.stop().await.unwrap();
        wait_down(f.pid).await;
        assert!(!process::is_alive(child.pid));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_waits_for_the_previous_holder_of_a_name_to_finish_exiting() {
    // An inner supervisor is killed while its named worker is still exiting (here:
    // busy in a handler, so the kill takes effect only when it returns). The
    // parent restarts the inner supervisor, whose worker needs the same name:
    // the start waits for the old holder instead of failing with NameTaken and
    // exhausting the parent's intensity (1 here: the restart itself).
    within(LIMIT, async {
        let worker_name: Name<()> = Name::new("slow_exit");
        let inner_name = Name::new("inner");
        let release = Arc::new(AtomicBool::new(false));
        let busy = Subject::<()>::new();
        let spec_name = worker_name.clone();
        let (spec_release, spec_busy) = (release.clone(), busy.clone());
        let inner = supervisor::new(Strategy::OneForOne)
            .named(inner_name.clone())
            .add(ChildSpec::worker("w", move || {
                let release = spec_release.clone();
                let busy = spec_busy.clone();
                actor::new(())
                    .on_message(move |(), ()| {
                        busy.send(());
                        // Busy without an await, as a process computing is: a
                        // kill takes effect when it returns. Off the scheduler's
                        // worker, so that the other processes run meanwhile.
                        tokio::task::block_in_place(|| {
                            while !release.load(Ordering::SeqCst) {
                                std::thread::yield_now();
                            }
                        });
                        Next::Continue(())
                    })
                    .named(spec_name.clone())
                    .start()
            }));
        let top = supervisor::new(Strategy::OneForOne)
            .intensity(1)
            .period(Duration::from_secs(3600))
            .add(inner.child_spec("inner"))
            .start()
            .await
            .unwrap();
        process::unlink(top.pid);
        let old_inner = process::whereis(&inner_name).unwrap();
        let old_worker = process::whereis(&worker_name).unwrap();
        worker_name.subject().send(());
        process::receive(&busy, WAIT).await.unwrap();
        process::kill(old_inner);
        // Wait until the new inner supervisor exists (it is starting its worker).
        let new_inner: Pid = loop {
            assert!(process::is_alive(top.pid), "the top supervisor gave up");
            match process::whereis(&inner_name) {
                Some(pid) if pid != old_inner => break pid,
                _ => tokio::task::yield_now().await,
            }
        };
        release.store(true, Ordering::SeqCst);
        wait_down(old_worker).await;
        let inner = Supervisor::named(&inner_name);
        let rows = inner.which_children().await.unwrap();
        let worker = rows[0].pid.expect("the worker runs");
        assert_eq!(process::whereis(&worker_name), Some(worker));
        assert_eq!(inner.pid(), new_inner);
        assert!(process::is_alive(top.pid), "the top supervisor gave up");
        top.data.stop().await.unwrap();
    })
    .await;
}

//! Supervisors: strategies, restart types, intensity, shutdown, significant
//! children, start rollback, escalation, operations, names and factories.

use std::time::Duration;

use otp::actor::{self, Next, StartError, Started};
use otp::process::{self, ExitReason, Name, Pid, Selector, Subject};
use otp::supervisor::{
    self, AutoShutdown, ChildSpec, ConfigError, Restart, Shutdown, Strategy, Supervisor,
    SupervisorError, factory,
};

mod common;
use common::{WAIT, down_of, within};

const LIMIT: Duration = Duration::from_secs(30);

/// What test workers report.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Started(&'static str, Pid),
    Terminated(&'static str, ExitReason),
}

#[derive(Debug)]
enum Work {
    Exit(ExitReason),
    Crash,
}

type StartFuture =
    std::pin::Pin<Box<dyn Future<Output = Result<Started<Subject<Work>>, StartError>> + Send>>;

/// A worker that reports its start and its terminate hook, and exits on demand.
/// It traps exits so that a shutdown runs its terminate hook.
fn worker(id: &'static str, events: &Subject<Event>) -> ChildSpec {
    ChildSpec::worker(id, start_worker(id, events.clone(), None))
}

fn start_worker(
    id: &'static str,
    events: Subject<Event>,
    name: Option<Name<Work>>,
) -> impl Fn() -> StartFuture + Send + Sync + 'static {
    move || {
        let events = events.clone();
        let on_stop = events.clone();
        let name = name.clone();
        Box::pin(async move {
            let mut builder = actor::new(())
                .on_message(|(), work: Work| match work {
                    Work::Exit(reason) => Next::Stop((), reason),
                    Work::Crash => panic!("crash"),
                })
                .trap_exits()
                .on_terminate(move |(), reason| {
                    on_stop.send(Event::Terminated(id, reason.clone()))
                });
            if let Some(name) = name {
                builder = builder.named(name);
            }
            let started = builder.start().await?;
            events.send(Event::Started(id, started.pid));
            Ok(started)
        })
    }
}

async fn next(events: &Subject<Event>) -> Event {
    process::receive(events, WAIT).await.expect("an event")
}

/// Collects `n` events.
async fn take(events: &Subject<Event>, n: usize) -> Vec<Event> {
    let mut all = Vec::new();
    for _ in 0..n {
        all.push(next(events).await);
    }
    all
}

fn started(events: &[Event]) -> Vec<&'static str> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Started(id, _) => Some(*id),
            _ => None,
        })
        .collect()
}

fn terminated(events: &[Event]) -> Vec<&'static str> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Terminated(id, _) => Some(*id),
            _ => None,
        })
        .collect()
}

async fn pids(sup: &Supervisor) -> Vec<Option<Pid>> {
    sup.which_children()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.pid)
        .collect()
}

async fn child(sup: &Supervisor, id: &str) -> Subject<Work> {
    sup.child::<Subject<Work>>(id).get().await.unwrap()
}

async fn abc(strategy: Strategy, events: &Subject<Event>) -> Supervisor {
    let sup = supervisor::new(strategy)
        .intensity(10)
        .add(worker("a", events))
        .add(worker("b", events))
        .add(worker("c", events))
        .start()
        .await
        .unwrap()
        .data;
    assert_eq!(started(&take(events, 3).await), ["a", "b", "c"]);
    sup
}

/// Sends `work` to the child `id` and waits until it has exited; its EXIT is then
/// already queued at the supervisor, ahead of any later request.
async fn exit_child(sup: &Supervisor, id: &str, work: Work) -> ExitReason {
    let subject = child(sup, id).await;
    let m = process::monitor(subject.owner());
    subject.send(work);
    Selector::new()
        .select_monitor(m, |d| d.reason)
        .receive(WAIT)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_for_one_restarts_only_the_child_that_died() {
    within(LIMIT, async {
        let events = Subject::new();
        let sup = abc(Strategy::OneForOne, &events).await;
        let before = pids(&sup).await;
        child(&sup, "b").await.send(Work::Crash);
        assert_eq!(started(&take(&events, 1).await), ["b"]);
        let after = pids(&sup).await;
        assert_eq!((after[0], after[2]), (before[0], before[2]));
        assert_ne!(after[1], before[1]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_for_all_stops_the_others_in_reverse_order_and_restarts_all() {
    within(LIMIT, async {
        let events = Subject::new();
        let sup = abc(Strategy::OneForAll, &events).await;
        let before = pids(&sup).await;
        child(&sup, "b")
            .await
            .send(Work::Exit(ExitReason::abnormal("b broke")));
        // b's own terminate, then c and a stopped (reverse order), then all start.
        let seen = take(&events, 6).await;
        assert_eq!(terminated(&seen), ["b", "c", "a"]);
        assert_eq!(started(&seen), ["a", "b", "c"]);
        let after = pids(&sup).await;
        assert!(before.iter().zip(&after).all(|(b, a)| b != a));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_for_one_restarts_the_child_and_those_after_it() {
    within(LIMIT, async {
        let events = Subject::new();
        let sup = abc(Strategy::RestForOne, &events).await;
        let before = pids(&sup).await;
        child(&sup, "b")
            .await
            .send(Work::Exit(ExitReason::abnormal("b broke")));
        let seen = take(&events, 4).await;
        assert_eq!(terminated(&seen), ["b", "c"]);
        assert_eq!(started(&seen), ["b", "c"]);
        let after = pids(&sup).await;
        assert_eq!(after[0], before[0]);
        assert_ne!(after[1], before[1]);
        assert_ne!(after[2], before[2]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_types_follow_erlang() {
    within(LIMIT, async {
        let events = Subject::new();
        let sup = supervisor::new(Strategy::OneForOne)
            .intensity(10)
            .add(worker("permanent", &events))
            .add(worker("transient", &events).restart(Restart::Transient))
            .add(worker("temporary", &events).restart(Restart::Temporary))
            .start()
            .await
            .unwrap()
            .data;
        take(&events, 3).await;
        // A permanent child is restarted even after a normal exit.
        child(&sup, "permanent")
            .await
            .send(Work::Exit(ExitReason::Normal));
        let seen = take(&events, 2).await;
        assert_eq!(started(&seen), ["permanent"]);
        // A transient child is not restarted after a normal exit...
        exit_child(&sup, "transient", Work::Exit(ExitReason::Normal)).await;
        assert_eq!(terminated(&take(&events, 1).await), ["transient"]);
        let rows = sup.which_children().await.unwrap();
        assert_eq!(rows[1].pid, None);
        // ...nor after a shutdown, but is after an abnormal exit.
        sup.restart_child("transient").await.unwrap();
        take(&events, 1).await;
        exit_child(
            &sup,
            "transient",
            Work::Exit(ExitReason::shutdown_with("done")),
        )
        .await;
        take(&events, 1).await;
        assert_eq!(sup.which_children().await.unwrap()[1].pid, None);
        sup.restart_child("transient").await.unwrap();
        take(&events, 1).await;
        child(&sup, "transient").await.send(Work::Crash);
        assert_eq!(started(&take(&events, 1).await), ["transient"]);
        // A temporary child is never restarted and its spec goes away.
        exit_child(&sup, "temporary", Work::Crash).await;
        let count = sup.count_children().await.unwrap();
        assert_eq!((count.specs, count.active), (2, 2));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intensity_exactly_at_the_limit_survives_and_one_past_escalates() {
    within(LIMIT, async {
        let events = Subject::new();
        let sup = supervisor::new(Strategy::OneForOne)
            .intensity(2)
            .period(Duration::from_secs(3600))
            .add(worker("w", &events))
            .start()
            .await
            .unwrap();
        process::unlink(sup.pid);
        take(&events, 1).await;
        for _ in 0..2 {
            child(&sup.data, "w").await.send(Work::Crash);
            assert_eq!(started(&take(&events, 1).await), ["w"]);
        }
        assert!(process::is_alive(sup.pid));
        let m = process::monitor(sup.pid);
        child(&sup.data, "w").await.send(Work::Crash);
        let down = Selector::new()
            .select_monitor(m, |d| d.reason)
            .receive(WAIT)
            .await;
        assert_eq!(down, Ok(ExitReason::Shutdown));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_supervisor_stops_children_in_reverse_start_order() {
    within(LIMIT, async {
        let events = Subject::new();
        let sup = abc(Strategy::OneForOne, &events).await;
        process::unlink(sup.pid());
        otp::sys::terminate(sup.pid(), WAIT, ExitReason::Shutdown)
            .await
            .unwrap();
        let seen = take(&events, 3).await;
        assert_eq!(terminated(&seen), ["c", "b", "a"]);
        assert!(
            seen.iter()
                .all(|e| matches!(e, Event::Terminated(_, ExitReason::Shutdown)))
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_brutal_kill_timeout_and_infinity() {
    within(LIMIT, async {
        // A child that ignores the shutdown signal: it traps exits and never stops.
        let stubborn = |heard: Subject<ExitReason>| {
            ChildSpec::worker("stubborn", move || {
                let heard = heard.clone();
                async move {
                    let pid = process::Builder::new()
                        .link()
                        .trap_exits()
                        .spawn(async move {
                            let exits = Selector::new().select_trapped_exits(|e| e.reason);
                            while let Ok(reason) = exits.receive_forever().await {
                                heard.send(reason);
                            }
                        })
                        .pid;
                    Ok(Started { pid, data: () })
                }
            })
        };
        let heard = Subject::new();
        let sup = supervisor::new(Strategy::OneForOne)
            .add(stubborn(heard.clone()).shutdown(Shutdown::Timeout(Duration::from_millis(200))))
            .start()
            .await
            .unwrap()
            .data;
        let pid = pids(&sup).await[0].unwrap();
        let m = process::monitor(pid);
        sup.terminate_child("stubborn").await.unwrap();
        // It heard the shutdown first, and was killed only after that.
        assert_eq!(
            process::receive(&heard, WAIT).await,
            Ok(ExitReason::Shutdown)
        );
        let down = Selector::new()
            .select_monitor(m, |d| d.reason)
            .receive(WAIT)
            .await;
        assert_eq!(down, Ok(ExitReason::Killed));

        // BrutalKill: no terminate hook, reason killed.
        let events = Subject::new();
        let sup = supervisor::new(Strategy::OneForOne)
            .add(worker("w", &events).shutdown(Shutdown::BrutalKill))
            .start()
            .await
            .unwrap()
            .data;
        let Event::Started(_, pid) = next(&events).await else {
            panic!()
        };
        let m = process::monitor(pid);
        sup.terminate_child("w").await.unwrap();
        let down = Selector::new()
            .select_monitor(m, |d| d.reason)
            .receive(WAIT)
            .await;
        assert_eq!(down, Ok(ExitReason::Killed));
        assert!(
            process::receive(&events, Duration::from_millis(50))
                .await
                .is_err()
        );

        // Infinity: waits for a slow terminate hook to finish.
        let (open, gate) = flume::unbounded::<()>();
        let finished = Subject::<&'static str>::new();
        let done = finished.clone();
        let slow = ChildSpec::worker("slow", move || {
            let gate = gate.clone();
            let done = done.clone();
            actor::new::<(), ()>(())
                .trap_exits()
                .on_terminate_async(move |(), _| async move {
                    let _ = gate.recv_async().await;
                    done.send("terminated");
                })
                .start()
        })
        .shutdown(Shutdown::Infinity);
        let sup = supervisor::new(Strategy::OneForOne)
            .add(slow)
            .start()
            .await
            .unwrap()
            .data;
        let stopping = otp::task::spawn_link({
            let sup = sup.clone();
            async move { sup.terminate_child("slow").await }
        });
        open.send(()).unwrap();
        assert_eq!(stopping.await, Ok(Ok(())));
        assert_eq!(process::receive(&finished, WAIT).await, Ok("terminated"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn significant_children_and_auto_shutdown() {
    within(LIMIT, async {
        for mode in [AutoShutdown::AnySignificant, AutoShutdown::AllSignificant] {
            let events = Subject::new();
            let sup = supervisor::new(Strategy::OneForOne)
                .auto_shutdown(mode)
                .add(
                    worker("x", &events)
                        .restart(Restart::Transient)
                        .significant(true),
                )
                .add(
                    worker("y", &events)
                        .restart(Restart::Transient)
                        .significant(true),
                )
                .add(worker("z", &events))
                .start()
                .await
                .unwrap();
            process::unlink(sup.pid);
            take(&events, 3).await;
            let watch = process::monitor(sup.pid);
            let sup_down = Selector::new().select_monitor(watch, |d| d.reason);
            exit_child(&sup.data, "x", Work::Exit(ExitReason::Normal)).await;
            take(&events, 1).await;
            if mode == AutoShutdown::AnySignificant {
                assert_eq!(sup_down.receive(WAIT).await, Ok(ExitReason::Shutdown));
                continue;
            }
            assert_eq!(
                sup.data.count_children().await.unwrap().active,
                2,
                "{mode:?}"
            );
            exit_child(&sup.data, "y", Work::Exit(ExitReason::Normal)).await;
            take(&events, 1).await;
            assert_eq!(sup_down.receive(WAIT).await, Ok(ExitReason::Shutdown));
        }
        // A permanent child cannot be significant, nor any child under
        // auto_shutdown never (Erlang's bad_combination), at start and in
        // start_child.
        let events = Subject::new();
        for (auto, restart) in [
            (AutoShutdown::AnySignificant, Restart::Permanent),
            (AutoShutdown::Never, Restart::Transient),
        ] {
            let refused = supervisor::new(Strategy::OneForOne)
                .auto_shutdown(auto)
                .add(worker("p", &events).restart(restart).significant(true))
                .start()
                .await;
            assert!(
                matches!(
                    refused,
                    Err(supervisor::StartError::Config(
                        ConfigError::BadCombination { .. }
                    ))
                ),
                "{refused:?}"
            );
            let sup = supervisor::new(Strategy::OneForOne)
                .auto_shutdown(auto)
                .start()
                .await
                .unwrap();
            let refused = sup
                .data
                .start_child(worker("p", &events).restart(restart).significant(true))
                .await;
            assert!(
                matches!(
                    refused,
                    Err(SupervisorError::Invalid(ConfigError::BadCombination { .. }))
                ),
                "{refused:?}"
            );
            assert_eq!(sup.data.count_children().await.unwrap().specs, 0);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_start_rolls_back_and_names_the_child() {
    within(LIMIT, async {
        let events = Subject::new();
        let failing = ChildSpec::worker("broken", || async {
            Err::<Started<()>, _>(StartError::InitFailed("no config".into()))
        });
        let result = supervisor::new(Strategy::OneForOne)
            .add(worker("a", &events))
            .add(worker("b", &events))
            .add(failing)
            .add(worker("never", &events))
            .start()
            .await;
        assert_eq!(
            result.unwrap_err(),
            supervisor::StartError::ChildFailed {
                id: "broken".into(),
                reason: Box::new(StartError::InitFailed("no config".into()).into())
            }
        );
        let seen = take(&events, 4).await;
        assert_eq!(started(&seen), ["a", "b"]);
        assert_eq!(terminated(&seen), ["b", "a"]);
        // Duplicate ids fail before anything starts.
        let dup = supervisor::new(Strategy::OneForOne)
            .add(worker("same", &events))
            .add(worker("same", &events))
            .start()
            .await;
        assert_eq!(
            dup.unwrap_err(),
            supervisor::StartError::DuplicateChildId("same".into())
        );
        assert!(
            process::receive(&events, Duration::from_millis(50))
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalation_through_two_levels() {
    within(LIMIT, async {
        let events = Subject::new();
        let inner = supervisor::new(Strategy::OneForOne)
            .intensity(0)
            .add(worker("leaf", &events));
        let top = supervisor::new(Strategy::OneForOne)
            .intensity(5)
            .add(inner.child_spec("inner"))
            .start()
            .await
            .unwrap()
            .data;
        take(&events, 1).await;
        let inner_sup = top.child::<Supervisor>("inner").get().await.unwrap();
        let first_inner = inner_sup.pid();
        child(&inner_sup, "leaf").await.send(Work::Crash);
        // leaf dies -> inner's intensity (0) is exceeded -> inner exits Shutdown ->
        // top restarts inner, which starts a new leaf.
        assert_eq!(started(&take(&events, 1).await), ["leaf"]);
        let new_inner = top.child::<Supervisor>("inner").get().await.unwrap();
        assert_ne!(new_inner.pid(), first_inner);
        assert!(!process::is_alive(first_inner));
        assert_eq!(new_inner.count_children().await.unwrap().active, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_operations_follow_the_supervisor_module() {
    within(LIMIT, async {
        let events = Subject::new();
        let sup = supervisor::new(Strategy::OneForOne)
            .add(worker("a", &events))
            .start()
            .await
            .unwrap()
            .data;
        take(&events, 1).await;
        let running = pids(&sup).await[0].unwrap();
        assert_eq!(
            sup.restart_child("a").await,
            Err(SupervisorError::Running(running))
        );
        assert_eq!(
            sup.delete_child("a").await,
            Err(SupervisorError::Running(running))
        );
        assert_eq!(
            sup.start_child(worker("a", &events)).await,
            Err(SupervisorError::AlreadyStarted(running))
        );
        sup.terminate_child("a").await.unwrap();
        assert_eq!(terminated(&take(&events, 1).await), ["a"]);
        assert_eq!(
            sup.start_child(worker("a", &events)).await,
            Err(SupervisorError::AlreadyPresent("a".into()))
        );
        let again = sup.restart_child("a").await.unwrap();
        take(&events, 1).await;
        assert_ne!(again, running);
        sup.terminate_child("a").await.unwrap();
        take(&events, 1).await;
        sup.delete_child("a").await.unwrap();
        assert_eq!(
            sup.delete_child("a").await,
            Err(SupervisorError::NotFound("a".into()))
        );
        let b = sup.start_child(worker("b", &events)).await.unwrap();
        take(&events, 1).await;
        let count = sup.count_children().await.unwrap();
        assert_eq!(
            (count.specs, count.active, count.workers, count.supervisors),
            (1, 1, 1, 0)
        );
        let rows = sup.which_children().await.unwrap();
        assert_eq!((rows[0].id.as_str(), rows[0].pid), ("b", Some(b)));
        let status = otp::sys::get_status(sup.pid(), WAIT).await.unwrap();
        assert_eq!(status.behaviour, "supervisor");
        assert!(status.state.contains("b <0."), "{}", status.state);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_children_and_child_handles_survive_restarts() {
    within(LIMIT, async {
        let events = Subject::new();
        let name = Name::<Work>::new("named-worker");
        let sup = supervisor::new(Strategy::OneForOne)
            .intensity(10)
            .add(ChildSpec::worker(
                "w",
                start_worker("w", events.clone(), Some(name.clone())),
            ))
            .start()
            .await
            .unwrap()
            .data;
        let handle = sup.child::<Subject<Work>>("w");
        for round in 0..3 {
            let Event::Started(_, pid) = next(&events).await else {
                panic!()
            };
            assert_eq!(process::whereis(&name), Some(pid), "round {round}");
            assert_eq!(handle.get().await.unwrap().owner(), pid);
            if round % 2 == 0 {
                name.subject().send(Work::Crash);
            } else {
                handle.send(Work::Crash).await.unwrap();
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_whose_parent_exits_stops_its_children_with_that_reason() {
    within(LIMIT, async {
        let events = Subject::new();
        let for_parent = events.clone();
        let (report, supervisor_pid) = flume::unbounded();
        let parent = process::spawn(async move {
            let sup = supervisor::new(Strategy::OneForOne)
                .add(worker("a", &for_parent))
                .start()
                .await
                .unwrap();
            report.send(sup.pid).unwrap();
            std::future::pending::<()>().await;
        });
        take(&events, 1).await;
        let sup = supervisor_pid.recv_async().await.unwrap();
        let m = process::monitor(sup);
        process::send_exit(parent, ExitReason::abnormal("parent gone"));
        assert_eq!(
            next(&events).await,
            Event::Terminated("a", ExitReason::Shutdown)
        );
        let down = Selector::new()
            .select_monitor(m, |d| d.reason)
            .receive(WAIT)
            .await;
        assert_eq!(down, Ok(ExitReason::abnormal("parent gone")));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn factories_start_children_on_demand() {
    within(LIMIT, async {
        let events = Subject::<Event>::new();
        let for_template = events.clone();
        let workers =
            factory::new(move |id: &'static str| start_worker(id, for_template.clone(), None)())
                .max_children(2)
                .intensity(5)
                .start()
                .await
                .unwrap();
        let f = workers.data.clone();
        let one = f.start_child("one").await.unwrap();
        let two = f.start_child("two").await.unwrap();
        take(&events, 2).await;
        assert_eq!(
            f.start_child("three").await.unwrap_err(),
            SupervisorError::MaxChildren(2)
        );
        // Transient by default: a crash restarts, a normal exit removes.
        one.data.send(Work::Crash);
        assert_eq!(started(&take(&events, 1).await), ["one"]);
        let watching_two = process::monitor(two.pid);
        two.data.send(Work::Exit(ExitReason::Normal));
        take(&events, 1).await;
        // `two` signals its link (the factory) before its monitors: once its DOWN
        // is here, the factory has the EXIT queued ahead of the next call.
        down_of(watching_two).await;
        let count = f.count_children().await.unwrap();
        assert_eq!(count.specs, 1);
        assert_eq!(count.active, 1);
        let current = f.which_children().await.unwrap()[0].pid.unwrap();
        f.terminate_child(current).await.unwrap();
        assert_eq!(terminated(&take(&events, 1).await), ["one"]);
        let count = f.count_children().await.unwrap();
        assert_eq!((count.specs, count.active, count.workers), (1, 0, 0));
        // A dead pid is no child any more: ok, as in Erlang; a live process that
        // is not a child is not found.
        assert_eq!(f.terminate_child(current).await, Ok(()));
        assert!(matches!(
            f.terminate_child(process::self_pid()).await,
            Err(SupervisorError::NotFound(_))
        ));
        // Stopping the factory stops every child.
        f.start_child("x").await.unwrap();
        f.start_child("y").await.unwrap();
        take(&events, 2).await;
        process::unlink(f.pid());
        otp::sys::terminate(f.pid(), WAIT, ExitReason::Shutdown)
            .await
            .unwrap();
        // All at once, as Erlang stops a factory's children.
        let mut stopped = terminated(&take(&events, 2).await);
        stopped.sort();
        assert_eq!(stopped, ["x", "y"]);
        // A named factory: a second one under the same name fails.
        let name = Name::new("factory");
        let template = |_: ()| {
            actor::new(())
                .on_message(|(), (): ()| Next::Continue(()))
                .start()
        };
        let first = factory::new(template)
            .named(name.clone())
            .start()
            .await
            .unwrap();
        let second = factory::new(template).named(name.clone()).start().await;
        assert_eq!(
            second.unwrap_err(),
            supervisor::StartError::Actor(StartError::NameTaken {
                name: name.label().to_string(),
                holder: first.pid
            })
        );
    })
    .await;
}

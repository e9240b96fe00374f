//! The decisions without processes: every (strategy, restart type, exit reason,
//! significant, auto_shutdown) combination, intensity, retries and validation.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::actor;
use crate::process::pid::Pid;
use crate::supervisor::spec::test_spec;

const STRATEGIES: [Strategy; 3] = [
    Strategy::OneForOne,
    Strategy::OneForAll,
    Strategy::RestForOne,
];
const RESTARTS: [Restart; 3] = [Restart::Permanent, Restart::Transient, Restart::Temporary];
const AUTO: [AutoShutdown; 3] = [
    AutoShutdown::Never,
    AutoShutdown::AnySignificant,
    AutoShutdown::AllSignificant,
];

fn reasons() -> Vec<ExitReason> {
    vec![
        ExitReason::Normal,
        ExitReason::Shutdown,
        ExitReason::ShutdownWith("done".into()),
        ExitReason::Killed,
        ExitReason::abnormal("crash"),
    ]
}

fn flags(strategy: Strategy, auto_shutdown: AutoShutdown, intensity: u32) -> Flags {
    Flags {
        strategy,
        intensity,
        period: Duration::from_secs(5),
        auto_shutdown,
        dynamic: false,
        max_children: None,
    }
}

/// A supervisor with running children made from `specs`; their keys and pids.
fn supervisor(flags: Flags, specs: Vec<ChildSpec>) -> (Core, Vec<Key>, Vec<Pid>) {
    let mut core = Core {
        intensity: Intensity::new(flags.intensity, flags.period),
        flags,
        children: Children::default(),
    };
    let mut keys = Vec::new();
    let mut pids = Vec::new();
    for spec in specs {
        let key = core.children.push(spec);
        let pid = Pid::next_local();
        started(&mut core, key, Some((pid, Arc::new(()))));
        keys.push(key);
        pids.push(pid);
    }
    (core, keys, pids)
}

fn spec(id: &str, restart: Restart, significant: bool) -> ChildSpec {
    test_spec(id).restart(restart).significant(significant)
}

fn running(core: &Core, key: Key) -> bool {
    matches!(
        core.children.get(key).map(|c| &c.run),
        Some(Run::Running(..))
    )
}

/// What Erlang's `do_restart/3` does, written out as a table.
fn erlang_restarts(restart: Restart, reason: &ExitReason) -> bool {
    match (restart, reason) {
        (Restart::Permanent, _) => true,
        (Restart::Temporary, _) => false,
        (
            Restart::Transient,
            ExitReason::Normal | ExitReason::Shutdown | ExitReason::ShutdownWith(_),
        ) => false,
        (Restart::Transient, _) => true,
    }
}

#[test]
fn every_strategy_restart_type_reason_significance_and_auto_shutdown() {
    let mut cases = 0;
    for strategy in STRATEGIES {
        for restart_type in RESTARTS {
            for reason in reasons() {
                for significant in [false, true] {
                    for auto in AUTO {
                        let flags = flags(strategy, auto, 10);
                        let b = spec("b", restart_type, significant);
                        if significant
                            && (restart_type == Restart::Permanent || auto == AutoShutdown::Never)
                        {
                            assert!(
                                matches!(
                                    check_spec(&flags, &b),
                                    Err(ConfigError::BadCombination { .. })
                                ),
                                "{restart_type:?} significant under {auto:?} is refused"
                            );
                            continue;
                        }
                        assert_eq!(check_spec(&flags, &b), Ok(()));
                        cases += 1;
                        let a = spec("a", Restart::Permanent, false);
                        let c = spec("c", Restart::Permanent, false);
                        let (mut core, keys, pids) = supervisor(flags, vec![a, b, c]);
                        let decision =
                            child_exited(&mut core, pids[1], reason.clone(), Instant::now());
                        let context = format!(
                            "{strategy:?} {restart_type:?} {reason:?} significant={significant} {auto:?}"
                        );
                        // The report: child_terminated unless a clean exit of a
                        // child that is not permanent.
                        let terminated = restart_type == Restart::Permanent || !reason.is_clean();
                        let expected_report = if terminated {
                            Report::ChildTerminated {
                                id: "b".into(),
                                pid: pids[1],
                                reason: reason.clone(),
                            }
                        } else {
                            Report::ChildExited {
                                id: "b".into(),
                                pid: pids[1],
                                reason: reason.clone(),
                            }
                        };
                        assert_eq!(decision.reports[0], expected_report, "{context}");
                        if erlang_restarts(restart_type, &reason) {
                            let (stop, start) = match strategy {
                                Strategy::OneForOne => (vec![], vec![keys[1]]),
                                Strategy::OneForAll => (vec![pids[2], pids[0]], keys.clone()),
                                Strategy::RestForOne => (vec![pids[2]], vec![keys[1], keys[2]]),
                            };
                            let Outcome::Restart(plan) = decision.outcome else {
                                panic!("{context}: restart expected, got {:?}", decision.outcome);
                            };
                            let stopped: Vec<Pid> = plan.stop.iter().map(|s| s.pid).collect();
                            assert_eq!(stopped, stop, "{context}");
                            assert_eq!(plan.start, start, "{context}");
                            assert_eq!(decision.reports.len(), 1, "{context}");
                            // What is not in the group keeps running.
                            assert_eq!(
                                running(&core, keys[0]),
                                strategy != Strategy::OneForAll,
                                "{context}"
                            );
                            assert_eq!(
                                running(&core, keys[2]),
                                strategy == Strategy::OneForOne,
                                "{context}"
                            );
                        } else {
                            // Not restarted: a temporary child is forgotten, others kept stopped.
                            let kept = core.children.get(keys[1]).is_some();
                            assert_eq!(kept, restart_type != Restart::Temporary, "{context}");
                            assert!(!running(&core, keys[1]), "{context}");
                            assert!(
                                running(&core, keys[0]) && running(&core, keys[2]),
                                "{context}"
                            );
                            // b is the only significant child: any and all both shut down.
                            if significant {
                                assert_eq!(
                                    decision.outcome,
                                    Outcome::Shutdown(ExitReason::Shutdown),
                                    "{context}"
                                );
                                assert_eq!(
                                    decision.reports[1],
                                    Report::AutoShutdown { id: "b".into() },
                                    "{context}"
                                );
                            } else {
                                assert_eq!(decision.outcome, Outcome::Continue, "{context}");
                                assert_eq!(decision.reports.len(), 1, "{context}");
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(cases > 100, "{cases} valid cases");
}

#[test]
fn all_significant_waits_for_the_last_significant_child() {
    for restart_type in [Restart::Transient, Restart::Temporary] {
        let flags = flags(Strategy::OneForOne, AutoShutdown::AllSignificant, 10);
        let (mut core, _, pids) = supervisor(
            flags,
            vec![spec("a", restart_type, true), spec("b", restart_type, true)],
        );
        let first = child_exited(&mut core, pids[0], ExitReason::Normal, Instant::now());
        assert_eq!(first.outcome, Outcome::Continue);
        let last = child_exited(&mut core, pids[1], ExitReason::Normal, Instant::now());
        assert_eq!(last.outcome, Outcome::Shutdown(ExitReason::Shutdown));
    }
}

#[test]
fn a_significant_child_being_restarted_is_not_done() {
    let flags = flags(Strategy::OneForOne, AutoShutdown::AllSignificant, 10);
    let (mut core, keys, pids) = supervisor(
        flags,
        vec![
            spec("a", Restart::Transient, true),
            spec("b", Restart::Transient, true),
        ],
    );
    start_failed(&mut core, keys[0], actor::StartError::InitTimeout.into());
    let decision = child_exited(&mut core, pids[1], ExitReason::Normal, Instant::now());
    assert_eq!(decision.outcome, Outcome::Continue);
}

#[test]
fn more_restarts_than_the_intensity_within_the_period_shut_down() {
    let now = Instant::now();
    let (mut core, keys, pids) = supervisor(
        flags(Strategy::OneForOne, AutoShutdown::Never, 2),
        vec![test_spec("a")],
    );
    let mut pid = pids[0];
    for _ in 0..2 {
        let decision = child_exited(&mut core, pid, ExitReason::Killed, now);
        assert!(matches!(decision.outcome, Outcome::Restart(_)));
        pid = Pid::next_local();
        started(&mut core, keys[0], Some((pid, Arc::new(()))));
    }
    let decision = child_exited(&mut core, pid, ExitReason::Killed, now);
    assert_eq!(decision.outcome, Outcome::Shutdown(ExitReason::Shutdown));
    assert_eq!(decision.reports.last(), Some(&Report::MaxIntensity));
    // Later than the period, the count starts again.
    let (mut later, _, pids) = supervisor(
        flags(Strategy::OneForOne, AutoShutdown::Never, 1),
        vec![test_spec("a")],
    );
    assert!(later.intensity.add_restart(now));
    let decision = child_exited(
        &mut later,
        pids[0],
        ExitReason::Killed,
        now + Duration::from_secs(6),
    );
    assert!(matches!(decision.outcome, Outcome::Restart(_)));
}

#[test]
fn a_failed_restart_is_retried_through_the_mailbox_and_counts() {
    let now = Instant::now();
    let (mut core, keys, _) = supervisor(
        flags(Strategy::OneForOne, AutoShutdown::Never, 1),
        vec![test_spec("a")],
    );
    core.children.set(keys[0], Run::Stopped);
    let decision = start_failed(&mut core, keys[0], actor::StartError::InitTimeout.into());
    assert_eq!(decision.outcome, Outcome::TryAgain(keys[0]));
    assert!(matches!(decision.reports[0], Report::StartError { .. }));
    assert!(matches!(
        core.children.get(keys[0]).unwrap().run,
        Run::Restarting
    ));
    // The retry is one more restart: the first fits intensity 1, the second not.
    let retry = try_again(&mut core, keys[0], now);
    assert_eq!(
        retry.outcome,
        Outcome::Restart(Plan {
            stop: vec![],
            start: vec![keys[0]]
        })
    );
    start_failed(&mut core, keys[0], actor::StartError::InitTimeout.into());
    let again = try_again(&mut core, keys[0], now);
    assert_eq!(again.outcome, Outcome::Shutdown(ExitReason::Shutdown));
}

#[test]
fn rest_for_one_retries_from_the_child_that_failed_to_start() {
    let now = Instant::now();
    let (mut core, keys, pids) = supervisor(
        flags(Strategy::RestForOne, AutoShutdown::Never, 10),
        vec![test_spec("a"), test_spec("b"), test_spec("c")],
    );
    let decision = child_exited(&mut core, pids[0], ExitReason::Killed, now);
    let Outcome::Restart(plan) = decision.outcome else {
        panic!("restart")
    };
    assert_eq!(plan.start, keys);
    // a starts, b fails: the retry starts b and c, not a again.
    started(&mut core, keys[0], Some((Pid::next_local(), Arc::new(()))));
    assert_eq!(
        start_failed(&mut core, keys[1], actor::StartError::InitTimeout.into()).outcome,
        Outcome::TryAgain(keys[1])
    );
    let retry = try_again(&mut core, keys[1], now);
    assert_eq!(
        retry.outcome,
        Outcome::Restart(Plan {
            stop: vec![],
            start: vec![keys[1], keys[2]]
        })
    );
    assert!(running(&core, keys[0]));
}

#[test]
fn one_for_all_retries_everything() {
    let now = Instant::now();
    let (mut core, keys, pids) = supervisor(
        flags(Strategy::OneForAll, AutoShutdown::Never, 10),
        vec![test_spec("a"), test_spec("b")],
    );
    child_exited(&mut core, pids[1], ExitReason::Killed, now);
    let a = Pid::next_local();
    started(&mut core, keys[0], Some((a, Arc::new(()))));
    start_failed(&mut core, keys[1], actor::StartError::InitTimeout.into());
    let retry = try_again(&mut core, keys[1], now);
    let Outcome::Restart(plan) = retry.outcome else {
        panic!("restart")
    };
    assert_eq!(
        plan.stop,
        vec![Stop {
            pid: a,
            shutdown: test_spec("a").shutdown
        }]
    );
    assert_eq!(plan.start, keys);
}

#[test]
fn a_retry_for_a_child_stopped_or_deleted_meanwhile_does_nothing() {
    let now = Instant::now();
    let (mut core, keys, _) = supervisor(
        flags(Strategy::OneForOne, AutoShutdown::Never, 10),
        vec![test_spec("a"), test_spec("b")],
    );
    start_failed(&mut core, keys[0], actor::StartError::InitTimeout.into());
    forget(&mut core, keys[0]);
    assert_eq!(
        try_again(&mut core, keys[0], now).outcome,
        Outcome::Continue
    );
    core.children.remove(keys[0]);
    assert_eq!(
        try_again(&mut core, keys[0], now).outcome,
        Outcome::Continue
    );
}

#[test]
fn temporary_siblings_in_the_group_are_stopped_and_forgotten() {
    let (mut core, keys, pids) = supervisor(
        flags(Strategy::OneForAll, AutoShutdown::Never, 10),
        vec![
            test_spec("a"),
            spec("t", Restart::Temporary, false),
            test_spec("c"),
        ],
    );
    let Outcome::Restart(plan) =
        child_exited(&mut core, pids[0], ExitReason::Killed, Instant::now()).outcome
    else {
        panic!("restart")
    };
    let stopped: Vec<Pid> = plan.stop.iter().map(|s| s.pid).collect();
    assert_eq!(stopped, [pids[2], pids[1]]);
    assert_eq!(plan.start, [keys[0], keys[2]]);
    assert!(core.children.get(keys[1]).is_none());
}

#[test]
fn an_exit_from_a_process_that_is_not_a_child_is_ignored() {
    let (mut core, _, _) = supervisor(
        flags(Strategy::OneForOne, AutoShutdown::Never, 0),
        vec![test_spec("a")],
    );
    let decision = child_exited(
        &mut core,
        Pid::next_local(),
        ExitReason::Killed,
        Instant::now(),
    );
    assert_eq!(decision, Decision::new(Outcome::Continue, vec![]));
}

#[test]
fn a_factory_forgets_children_that_are_not_restarted() {
    let mut flags = flags(Strategy::OneForOne, AutoShutdown::AllSignificant, 10);
    flags.dynamic = true;
    let (mut core, keys, pids) = supervisor(
        flags,
        vec![
            spec("1", Restart::Transient, true),
            spec("2", Restart::Transient, true),
        ],
    );
    assert_eq!(
        child_exited(&mut core, pids[0], ExitReason::Normal, Instant::now()).outcome,
        Outcome::Continue
    );
    assert!(core.children.get(keys[0]).is_none());
    assert_eq!(
        child_exited(&mut core, pids[1], ExitReason::Shutdown, Instant::now()).outcome,
        Outcome::Shutdown(ExitReason::Shutdown)
    );
    assert_eq!(core.children.len(), 0);
}

#[test]
fn an_ignored_start_keeps_a_spec_but_forgets_a_temporary_one() {
    let (mut core, keys, _) = supervisor(
        flags(Strategy::OneForOne, AutoShutdown::Never, 1),
        vec![test_spec("a"), spec("t", Restart::Temporary, false)],
    );
    started(&mut core, keys[0], None);
    started(&mut core, keys[1], None);
    assert!(matches!(
        core.children.get(keys[0]).unwrap().run,
        Run::Stopped
    ));
    assert!(core.children.get(keys[1]).is_none());
}

#[test]
fn a_zero_period_is_invalid() {
    let mut flags = flags(Strategy::OneForOne, AutoShutdown::Never, 1);
    assert_eq!(check_flags(&flags), Ok(()));
    flags.period = Duration::ZERO;
    assert_eq!(check_flags(&flags), Err(ConfigError::InvalidPeriod));
}

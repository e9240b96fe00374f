//! `supervisor!` end to end: a tree of nested supervisors whose named children
//! are reachable by name across restarts.

use std::time::Duration;

use otp::macros::Flow;
use otp::process::{self, ExitReason, Name, Pid};
use otp::supervisor::Supervisor;
use otp::{actor, supervisor};

mod common;
use common::{wait_down, within};

const LIMIT: Duration = Duration::from_secs(20);

/// Waits until `pid` is down.
#[actor]
#[derive(Debug, Clone)]
pub struct Cell {
    value: u64,
}

#[actor]
impl Cell {
    #[cast]
    pub fn set(&mut self, value: u64) {
        self.value = value;
    }

    #[call]
    pub fn get(&self) -> u64 {
        self.value
    }

    #[cast]
    pub fn crash(&mut self) -> Flow {
        Flow::stop_abnormal("crash")
    }
}

/// The pid of child `id` of `sup`.
async fn child_pid(sup: &Supervisor, id: &str) -> Pid {
    let children = sup.which_children().await.unwrap();
    let child = children.iter().find(|c| c.id == id).unwrap();
    match child.pid {
        Some(pid) => pid,
        None => panic!("child {id} is not running: {child:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nested_tree_restarts_named_children_reachable_by_name() {
    within(LIMIT, async {
        let top_name = Name::new("top_cell");
        let a_name = Name::new("a");
        let b_name = Name::new("b");
        let tree = supervisor! {
            strategy: OneForOne,
            intensity: 10,
            period: Duration::from_secs(5),
            children: [
                top { start: Cell { value: 1 }, name: top_name.clone() },
                inner {
                    start: supervisor! {
                        strategy: OneForAll,
                        intensity: 10,
                        children: [
                            a { start: Cell { value: 10 }, name: a_name.clone(), shutdown: BrutalKill },
                            "b" { start: Cell::builder(Cell { value: 20 }), name: b_name.clone() },
                        ],
                    },
                },
                temp { start: Cell { value: 3 }, restart: Temporary, shutdown: Timeout(Duration::from_secs(1)) },
            ],
        }
        .start()
        .await
        .unwrap();
        let sup = tree.data;
        let top = CellRef::named(&top_name);
        let a = CellRef::named(&a_name);
        let b = CellRef::named(&b_name);
        assert_eq!(top.get().await, Ok(1));
        assert_eq!(a.get().await, Ok(10));
        assert_eq!(b.get().await, Ok(20));

        // A crash in `a` restarts both `a` and `b` (one_for_all), with fresh
        // states, still reachable by name.
        a.set(11);
        b.set(21);
        assert_eq!(a.get().await, Ok(11));
        let (old_a, old_b) = (a.pid(), b.pid());
        a.crash();
        wait_down(old_a).await;
        wait_down(old_b).await;
        let inner: Supervisor = sup.child::<Supervisor>("inner").get().await.unwrap();
        let new_a = child_pid(&inner, "a").await;
        let new_b = child_pid(&inner, "b").await;
        assert_ne!(new_a, old_a);
        assert_ne!(new_b, old_b);
        assert_eq!(process::whereis(&a_name), Some(new_a));
        assert_eq!(a.get().await, Ok(10));
        assert_eq!(b.get().await, Ok(20));

        // The top worker is restarted alone (one_for_one).
        let old_top = top.pid();
        top.crash();
        wait_down(old_top).await;
        let new_top = child_pid(&sup, "top").await;
        assert_ne!(new_top, old_top);
        assert_eq!(top.get().await, Ok(1));
        assert_eq!(a.pid(), new_a);

        // A temporary child is not restarted.
        let temp = child_pid(&sup, "temp").await;
        let temp_ref = CellRef::new(
            sup.child::<process::Subject<CellMsg>>("temp")
                .get()
                .await
                .unwrap(),
        );
        assert_eq!(temp_ref.pid(), temp);
        temp_ref.crash();
        wait_down(temp).await;
        let ids: Vec<String> = sup
            .which_children()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, ["top", "inner"]);

        // Stopping the tree stops everything in it.
        let root = sup.pid();
        process::unlink(root);
        process::send_exit(root, ExitReason::Shutdown);
        wait_down(root).await;
        assert!(!process::is_alive(new_a));
        assert!(!process::is_alive(new_top));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_child_spec_fits_the_builder() {
    within(LIMIT, async {
        let tree = otp::supervisor::new(otp::supervisor::Strategy::OneForOne)
            .add(Cell::child_spec("cell", || Cell { value: 7 }))
            .start()
            .await
            .unwrap();
        let subject = tree
            .data
            .child::<process::Subject<CellMsg>>("cell")
            .get()
            .await
            .unwrap();
        assert_eq!(CellRef::new(subject).get().await, Ok(7));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn factories_and_builder_made_supervisors_are_children_in_declared_order() {
    within(LIMIT, async {
        use otp::supervisor::{ChildType, Strategy, factory};
        let pool_name = Name::new("pool");
        let built = otp::supervisor::new(Strategy::OneForAll)
            .add(Cell::child_spec("inside", || Cell { value: 5 }));
        let tree = supervisor! {
            children: [
                first { start: Cell { value: 1 } },
                pool {
                    start: factory::new(|value: u64| Cell { value }.builder().start()),
                    name: pool_name.clone(),
                },
                built { start: built.clone() },
                last { start: Cell::builder(Cell { value: 2 }) },
            ],
        }
        .start()
        .await
        .unwrap();
        let rows = tree.data.which_children().await.unwrap();
        let order: Vec<(&str, ChildType)> =
            rows.iter().map(|r| (r.id.as_str(), r.child_type)).collect();
        assert_eq!(
            order,
            [
                ("first", ChildType::Worker),
                ("pool", ChildType::Supervisor),
                ("built", ChildType::Supervisor),
                ("last", ChildType::Worker),
            ]
        );
        // The factory is reachable by its name, and by its child handle.
        let pool = factory::Factory::<u64, process::Subject<CellMsg>>::named(&pool_name);
        let cell = pool.start_child(9).await.unwrap();
        assert_eq!(CellRef::new(cell.data).get().await, Ok(9));
        let same = tree
            .data
            .child::<factory::Factory<u64, process::Subject<CellMsg>>>("pool")
            .get()
            .await
            .unwrap();
        assert_eq!(same.pid(), pool.pid());
        let inner: Supervisor = tree.data.child::<Supervisor>("built").get().await.unwrap();
        assert_eq!(inner.which_children().await.unwrap()[0].id, "inside");
        // A stop (reason normal) leaves this linked starter alive.
        tree.data.stop().await.unwrap();
        assert!(!process::is_alive(inner.pid()));
    })
    .await;
}

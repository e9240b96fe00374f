//! The scenarios and their sizes.

/// One scenario: what it measures and how big it is.
pub struct Scenario {
    pub name: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub higher_is_better: bool,
    pub full: u64,
    pub quick: u64,
    /// Whether the run also reports its process's peak resident set size (VmHWM),
    /// shown as a row of its own under the scenario.
    pub peak_rss: bool,
}

pub const CONTENDERS: &[&str] = &["otp", "floor", "ractor", "kameo", "actix", "erlang"];

/// Processes in a spawn tree of `depth` levels below its root, ten children to a
/// node: 111,111 for depth 5, 1,111,111 for depth 6.
pub fn tree_size(depth: u64) -> u64 {
    (0..=depth).map(|level| 10u64.pow(level as u32)).sum()
}

/// How many messages sit in the mailbox, unrelated to the receive, in the
/// `selective` scenario.
pub const BACKLOG: u64 = 10_000;

const fn rate(
    name: &'static str,
    title: &'static str,
    unit: &'static str,
    full: u64,
    quick: u64,
) -> Scenario {
    Scenario {
        name,
        title,
        unit,
        higher_is_better: true,
        full,
        quick,
        peak_rss: false,
    }
}

const fn with_peak_rss(scenario: Scenario) -> Scenario {
    Scenario {
        peak_rss: true,
        ..scenario
    }
}

const fn memory(name: &'static str, title: &'static str, full: u64, quick: u64) -> Scenario {
    Scenario {
        name,
        title,
        unit: "bytes each",
        higher_is_better: false,
        full,
        quick,
        peak_rss: false,
    }
}

pub const SCENARIOS: &[Scenario] = &[
    rate(
        "pingpong",
        "ping-pong, two processes, 1M round trips",
        "round trips/s",
        1_000_000,
        50_000,
    ),
    rate(
        "ring",
        "ring of 1,000 processes, 1M hops",
        "hops/s",
        1_000_000,
        100_000,
    ),
    rate(
        "fanin",
        "fan-in, 1,000 sender processes x 1,000 to one process",
        "msgs/s",
        1_000,
        100,
    ),
    rate(
        "call",
        "1 actor, 8 client processes calling, 400k calls",
        "calls/s",
        400_000,
        40_000,
    ),
    // The size is the tree's depth: see `tree_size`.
    with_peak_rss(rate(
        "tree",
        "spawn tree, 111,111 processes",
        "processes/s",
        5,
        3,
    )),
    with_peak_rss(rate(
        "tree1m",
        "spawn tree, 1,111,111 processes",
        "processes/s",
        6,
        4,
    )),
    with_peak_rss(rate(
        "spawn",
        "spawn 100,000 processes one after another, each replies once",
        "spawns/s",
        100_000,
        10_000,
    )),
    rate(
        "spawnactor",
        "start 100,000 actors synchronously (init_ack), each replies once",
        "starts/s",
        100_000,
        10_000,
    ),
    memory("idle", "idle actors, 100,000 held", 100_000, 10_000),
    memory(
        "idleproc",
        "idle plain processes, 100,000 held",
        100_000,
        10_000,
    ),
    rate(
        "selective",
        "selective receive past a 10,000-message backlog",
        "msgs/s",
        10_000,
        2_000,
    ),
    rate(
        "selective0",
        "the same receive on an empty mailbox",
        "msgs/s",
        10_000,
        2_000,
    ),
    rate(
        "restart",
        "supervisor restarts of a crashing worker",
        "restarts/s",
        10_000,
        1_000,
    ),
];

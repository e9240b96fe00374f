//! The scenarios and their sizes.

/// One scenario: what it measures and how big it is.
pub struct Scenario {
    pub name: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub higher_is_better: bool,
    pub full: u64,
    pub quick: u64,
}

pub const CONTENDERS: &[&str] = &["otp", "floor", "ractor", "kameo", "actix", "erlang"];

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "pingpong",
        title: "ping-pong between two actors",
        unit: "round trips/s",
        higher_is_better: true,
        full: 200_000,
        quick: 20_000,
    },
    Scenario {
        name: "ring",
        title: "ring of 1,000 actors, token hops",
        unit: "hops/s",
        higher_is_better: true,
        full: 1_000_000,
        quick: 100_000,
    },
    Scenario {
        name: "spawn",
        title: "spawn 100,000 processes/actors that reply once and stop",
        unit: "spawns/s",
        higher_is_better: true,
        full: 100_000,
        quick: 10_000,
    },
    Scenario {
        name: "spawn1m",
        title: "spawn 1,000,000 processes/actors that reply once and stop",
        unit: "spawns/s",
        higher_is_better: true,
        full: 1_000_000,
        quick: 20_000,
    },
    Scenario {
        name: "spawnactor",
        title: "start 100,000 actors synchronously (init_ack), each replies once",
        unit: "starts/s",
        higher_is_better: true,
        full: 100_000,
        quick: 10_000,
    },
    Scenario {
        name: "spawnrss",
        title: "peak RSS of spawning 100,000 that reply once",
        unit: "MiB",
        higher_is_better: false,
        full: 100_000,
        quick: 10_000,
    },
    Scenario {
        name: "idle",
        title: "idle memory, 100,000 actors held",
        unit: "bytes/actor",
        higher_is_better: false,
        full: 100_000,
        quick: 10_000,
    },
    Scenario {
        name: "call",
        title: "calls, 1 server and 8 concurrent callers",
        unit: "calls/s",
        higher_is_better: true,
        full: 400_000,
        quick: 40_000,
    },
    Scenario {
        name: "fanin",
        title: "fan-in, 1,000 senders x 1,000 casts",
        unit: "msgs/s",
        higher_is_better: true,
        full: 1_000,
        quick: 100,
    },
    Scenario {
        name: "restart",
        title: "supervisor restarts of a crashing worker",
        unit: "restarts/s",
        higher_is_better: true,
        full: 10_000,
        quick: 1_000,
    },
    Scenario {
        name: "selective",
        title: "selective receive past a 10,000 backlog",
        unit: "msgs/s",
        higher_is_better: true,
        full: 10_000,
        quick: 2_000,
    },
];

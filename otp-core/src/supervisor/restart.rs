//! Restart intensity: at most `intensity` restarts within any `period`, counted
//! per supervisor over all its children (supervisor.erl's `add_restart/1`).

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

pub(crate) struct Intensity {
    intensity: u32,
    period: Duration,
    restarts: VecDeque<Instant>,
}

impl Intensity {
    pub(crate) fn new(intensity: u32, period: Duration) -> Self {
        Intensity {
            intensity,
            period,
            restarts: VecDeque::new(),
        }
    }

    /// Records one restart event (however many children it restarts); `false` if
    /// that makes more than `intensity` within `period`, when the supervisor must
    /// give up.
    pub(crate) fn add_restart(&mut self, now: Instant) -> bool {
        while self
            .restarts
            .front()
            .is_some_and(|at| now.duration_since(*at) >= self.period)
        {
            self.restarts.pop_front();
        }
        self.restarts.push_back(now);
        self.restarts.len() <= self.intensity as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intensity_allows_exactly_that_many_restarts_per_period() {
        let mut one = Intensity::new(1, Duration::from_secs(60));
        assert!(one.add_restart(Instant::now()));
        assert!(!one.add_restart(Instant::now()));
        let mut none = Intensity::new(0, Duration::from_secs(60));
        assert!(!none.add_restart(Instant::now()));
        let mut three = Intensity::new(3, Duration::from_secs(60));
        assert!((0..3).all(|_| three.add_restart(Instant::now())));
        assert!(!three.add_restart(Instant::now()));
    }

    #[tokio::test(start_paused = true)]
    async fn restarts_older_than_the_period_are_forgotten() {
        let mut one = Intensity::new(1, Duration::from_secs(5));
        assert!(one.add_restart(Instant::now()));
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(one.add_restart(Instant::now()));
        tokio::time::advance(Duration::from_secs(4)).await;
        assert!(!one.add_restart(Instant::now()));
    }
}

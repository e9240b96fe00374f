// A handler marked `pub(self)` keeps its handle method private to the module
// (a plain `fn` handler's method is as visible as the struct): the error
// points at the handler.
mod counter {
    use otp::actor;

    #[actor]
    pub struct Counter {
        pub count: u64,
    }

    #[actor]
    impl Counter {
        #[cast]
        pub(self) fn reset(&mut self) {
            self.count = 0;
        }

        #[call]
        fn get(&self) -> u64 {
            self.count
        }
    }
}

async fn run() {
    let counter = counter::Counter { count: 1 }.start().await.unwrap();
    let _ = counter.get().await;
    counter.reset();
}

fn main() {
    let _ = run();
}

//! Every handler shape `#[actor]` accepts.
use otp::actor;
use otp::macros::{Flow, ReplyAndStop};
use otp::process::{Down, ExitMessage, ExitReason, Unexpected};

mod inner {
    use otp::actor;

    /// A private actor in a module: its generated items are private too, and
    /// usable in the module.
    #[actor]
    struct Hidden {
        n: u8,
    }

    #[actor]
    impl Hidden {
        #[call]
        fn n(&self) -> u8 {
            self.n
        }
    }

    pub fn check() {
        let _ = Hidden { n: 1 }.builder();
        let _: fn(&HiddenRef) = |r| drop(r.n());
    }
}

#[actor]
#[derive(Debug)]
pub struct Everything {
    log: Vec<String>,
}

#[actor(debug)]
impl Everything {
    #[init]
    fn init(first: String) -> Self {
        Everything { log: vec![first] }
    }

    /// Plain cast.
    #[cast]
    pub fn push(&mut self, line: String) {
        self.log.push(line);
    }

    #[cast]
    pub async fn push_later(&mut self, line: String) -> Result<(), std::fmt::Error> {
        self.log.push(line);
        Ok(())
    }

    #[cast]
    pub fn maybe_stop(&mut self, stop: bool) -> Result<Flow, String> {
        Ok(if stop { Flow::stop() } else { Flow::Continue })
    }

    #[call]
    pub fn len(&self) -> usize {
        self.log.len()
    }

    #[call]
    pub fn checked(&self, at: usize) -> Result<String, String> {
        self.log.get(at).cloned().ok_or_else(|| "no such line".to_string())
    }

    #[call]
    pub async fn finish(&mut self) -> ReplyAndStop<Vec<String>> {
        ReplyAndStop::new(std::mem::take(&mut self.log), ExitReason::Normal)
    }

    #[info]
    fn down(&mut self, down: Down) {
        self.log.push(down.reason.to_string());
    }

    #[info]
    fn exit(&mut self, exit: ExitMessage) -> Flow {
        Flow::Stop(exit.reason)
    }

    #[info]
    fn other(&mut self, _other: Unexpected) {}

    #[terminate]
    fn terminate(self) {}

    /// Not a handler: stays an ordinary method.
    fn helper(&self) -> usize {
        self.log.len()
    }
}

fn assert_handle<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}

fn local() {
    // An actor declared inside a function body.
    #[actor]
    struct Local {
        n: u8,
    }

    #[actor]
    impl Local {
        #[call]
        fn n(&self) -> u8 {
            self.n
        }
    }

    let _ = Local { n: 1 }.builder();
    let _: Option<LocalRef> = None;
}

fn main() {
    local();
    inner::check();
    assert_handle::<EverythingRef>();
    let _ = Everything::builder("first".into());
    let _ = Everything { log: vec![] }.helper();
    let _ = Everything::child_spec("e", || ("x".to_string(),));
}

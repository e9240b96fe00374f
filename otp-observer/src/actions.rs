//! The page's buttons: suspend, resume and kill a process; restart a child.

use std::time::Duration;

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use otp_core::observe;
use otp_core::process::{self, Pid};
use otp_core::sys;
use serde::Serialize;

/// How long a `sys` request from a button waits.
const TIMEOUT: Duration = Duration::from_secs(2);

/// What a button's request answers: what happened, in words, and for a restart
/// the new pid.
#[derive(Debug, Serialize)]
pub(crate) struct Outcome {
    ok: bool,
    message: String,
    pid: Option<String>,
}

type Answer = (StatusCode, Json<Outcome>);

fn done(message: String, pid: Option<Pid>) -> Answer {
    let pid = pid.map(|p| p.to_string());
    (
        StatusCode::OK,
        Json(Outcome {
            ok: true,
            message,
            pid,
        }),
    )
}

fn failed(status: StatusCode, message: String) -> Answer {
    (
        status,
        Json(Outcome {
            ok: false,
            message,
            pid: None,
        }),
    )
}

/// The live process shown as `text` (`<0.42.0>`), if any.
fn find(text: &str) -> Option<Pid> {
    process::list()
        .into_iter()
        .find(|pid| pid.to_string() == text)
}

/// `POST /api/process/{pid}/{suspend|resume|kill}`.
pub(crate) async fn process(Path((pid, action)): Path<(String, String)>) -> Answer {
    let Some(target) = find(&pid) else {
        return failed(StatusCode::NOT_FOUND, format!("no process {pid}"));
    };
    let result = match action.as_str() {
        "suspend" => sys::suspend(target, TIMEOUT).await,
        "resume" => sys::resume(target, TIMEOUT).await,
        "kill" => {
            process::kill(target);
            Ok(())
        }
        other => {
            return failed(StatusCode::NOT_FOUND, format!("no action {other:?}"));
        }
    };
    match result {
        Ok(()) => done(format!("{action}: {pid}"), Some(target)),
        Err(error) => failed(StatusCode::CONFLICT, format!("{action} {pid}: {error}")),
    }
}

/// `POST /api/supervisor/{pid}/child/{id}/restart`: stops the child if it runs
/// (`terminate_child`), then starts it again (`restart_child`).
pub(crate) async fn restart_child(Path((pid, id)): Path<(String, String)>) -> Answer {
    let Some(info) = observe::supervisors()
        .into_iter()
        .find(|s| s.supervisor.pid().to_string() == pid)
    else {
        return failed(StatusCode::NOT_FOUND, format!("no supervisor {pid}"));
    };
    if info.factory {
        return failed(
            StatusCode::CONFLICT,
            "a factory's children are not restarted by id; kill the child instead".to_string(),
        );
    }
    let supervisor = info.supervisor;
    if let Err(error) = supervisor.terminate_child(&id).await {
        return failed(StatusCode::CONFLICT, format!("terminate {id}: {error}"));
    }
    match supervisor.restart_child(&id).await {
        Ok(new) => done(format!("restarted {id} as {new}"), Some(new)),
        Err(error) => failed(StatusCode::CONFLICT, format!("restart {id}: {error}")),
    }
}

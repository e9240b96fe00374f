//! Distribution capability flags, with ERTS's values (`erts/emulator/beam/dist.h`).

#![allow(missing_docs)]

pub const PUBLISHED: u64 = 0x1;
pub const EXTENDED_REFERENCES: u64 = 0x4;
pub const DIST_MONITOR: u64 = 0x8;
pub const FUN_TAGS: u64 = 0x10;
pub const DIST_MONITOR_NAME: u64 = 0x20;
pub const NEW_FUN_TAGS: u64 = 0x80;
pub const EXTENDED_PIDS_PORTS: u64 = 0x100;
pub const EXPORT_PTR_TAG: u64 = 0x200;
pub const BIT_BINARIES: u64 = 0x400;
pub const NEW_FLOATS: u64 = 0x800;
pub const UNICODE_IO: u64 = 0x1000;
pub const SMALL_ATOM_TAGS: u64 = 0x4000;
pub const UTF8_ATOMS: u64 = 0x10000;
pub const MAP_TAG: u64 = 0x20000;
pub const BIG_CREATION: u64 = 0x40000;
pub const SEND_SENDER: u64 = 0x80000;
pub const BIG_SEQTRACE_LABELS: u64 = 0x100000;
pub const EXIT_PAYLOAD: u64 = 0x400000;
pub const HANDSHAKE_23: u64 = 0x1000000;
pub const UNLINK_ID: u64 = 0x2000000;
/// Stands for all the flags mandatory since OTP 25 (bit 26 in ERTS; the
/// documentation's `1 bsl 36` is wrong).
pub const MANDATORY_25_DIGEST: u64 = 0x4000000;
pub const V4_NC: u64 = 1 << 34;
pub const ALIAS: u64 = 1 << 35;

/// What OTP 25 insists on, spelled out.
pub const MANDATORY_25: u64 = EXTENDED_REFERENCES
    | FUN_TAGS
    | NEW_FUN_TAGS
    | EXTENDED_PIDS_PORTS
    | UTF8_ATOMS
    | BIG_CREATION
    | EXPORT_PTR_TAG
    | BIT_BINARIES
    | NEW_FLOATS
    | MAP_TAG
    | HANDSHAKE_23;

/// What we require of a peer: OTP 26's mandatory set (OTP 25 offers it too).
pub const REQUIRED: u64 = MANDATORY_25 | V4_NC | UNLINK_ID;

/// What we offer: the mandatory set, monitors (without them ERTS sends no
/// MONITOR_P and calls to missing names time out), aliases, and the payload and
/// sender forms of signals. Not the atom cache, fragments or spawn.
pub const OFFERED: u64 = REQUIRED
    | MANDATORY_25_DIGEST
    | DIST_MONITOR
    | DIST_MONITOR_NAME
    | UNICODE_IO
    | SMALL_ATOM_TAGS
    | SEND_SENDER
    | BIG_SEQTRACE_LABELS
    | EXIT_PAYLOAD
    | ALIAS;

/// A peer's flags with `MANDATORY_25_DIGEST` expanded, as `dist_util` does.
pub fn expand(flags: u64) -> u64 {
    if flags & MANDATORY_25_DIGEST != 0 {
        flags | MANDATORY_25
    } else {
        flags
    }
}

/// The names of the required flags missing from `flags`.
pub fn missing(flags: u64) -> Vec<&'static str> {
    const NAMES: [(u64, &str); 13] = [
        (EXTENDED_REFERENCES, "EXTENDED_REFERENCES"),
        (FUN_TAGS, "FUN_TAGS"),
        (NEW_FUN_TAGS, "NEW_FUN_TAGS"),
        (EXTENDED_PIDS_PORTS, "EXTENDED_PIDS_PORTS"),
        (UTF8_ATOMS, "UTF8_ATOMS"),
        (BIG_CREATION, "BIG_CREATION"),
        (EXPORT_PTR_TAG, "EXPORT_PTR_TAG"),
        (BIT_BINARIES, "BIT_BINARIES"),
        (NEW_FLOATS, "NEW_FLOATS"),
        (MAP_TAG, "MAP_TAG"),
        (HANDSHAKE_23, "HANDSHAKE_23"),
        (V4_NC, "V4_NC"),
        (UNLINK_ID, "UNLINK_ID"),
    ];
    let flags = expand(flags);
    NAMES
        .iter()
        .filter(|(bit, _)| flags & bit == 0)
        .map(|(_, name)| *name)
        .collect()
}

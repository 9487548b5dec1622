//! The limits and timeouts a client runs with, and their safe defaults.

use std::time::Duration;

/// What a [`Client`](crate::Client) allows a server: every limit that keeps a hostile or
/// broken server (or anything in between) from holding a call, the memory or the session.
/// [`Settings::default()`] shows the defaults; [`Client::settings`](crate::Client::settings)
/// shows a client's; the [`ClientBuilder`](crate::ClientBuilder) changes them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// Time for a whole request, from sending it to the last byte of the answer.
    pub timeout: Duration,
    /// Time for opening a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Largest response body read, in bytes; a larger one fails with
    /// [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge) without being read past it.
    pub max_response_size: u64,
    /// Wait after the first failed automatic re-login before the next attempt; doubled on
    /// each further failure.
    pub relogin_backoff: Duration,
    /// Longest wait between two re-login attempts.
    pub relogin_backoff_max: Duration,
    /// Whether `http://` to a host that is not loopback is accepted.
    pub allow_insecure_http: bool,
    /// Whether answers may come gzip-compressed: requests say `Accept-Encoding: gzip`, and a
    /// compressed answer is decompressed while it is read, with
    /// [`max_response_size`](Self::max_response_size) counting the decompressed bytes. Always
    /// false without the crate feature `gzip`.
    pub gzip: bool,
    /// Idle connections kept open to the NAS for later calls; a connection freed while this
    /// many are idle is closed. 0 keeps none: every call opens its own.
    pub pool_max_idle_per_host: usize,
}

impl Settings {
    /// 120 s: DSM can take 30-60 s to answer while its disks wake from hibernation, and a
    /// page at the size limit over a 2.5 Mbit/s uplink takes about 100 s more.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
    /// 15 s: three lost SYN packets (retried after 1, 3 and 7 s) plus a TLS handshake over a
    /// slow VPN.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
    /// 32 MiB: four times a 100,000-entry log page (7.5 MB, the largest page in the
    /// benchmarks) and 150 times DSM 7's whole `SYNO.API.Info` answer for 1,138 APIs (205 kB).
    /// A body is held about once while read, so this also bounds a call's memory.
    pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 32 * 1024 * 1024;
    /// 1 s, doubled per failure.
    pub const DEFAULT_RELOGIN_BACKOFF: Duration = Duration::from_secs(1);
    /// 5 min: DSM's auto-block counts failed logins over minutes, and a NAS that is down for
    /// longer is retried at most every five minutes.
    pub const DEFAULT_RELOGIN_BACKOFF_MAX: Duration = Duration::from_secs(300);
    /// On whenever the crate feature `gzip` is: DSM answers through nginx, and a box or a
    /// reverse proxy that compresses sends 5-10 times fewer bytes of JSON. The size limit
    /// counts decompressed bytes, so a small compressed bomb fails like an oversized body.
    pub const DEFAULT_GZIP: bool = cfg!(feature = "gzip");
    /// 64: the most calls the benchmarks and tests run at once, so a burst of up to 64 calls
    /// finds all its connections (TCP and TLS handshakes done) open for the next one, while a
    /// burst of thousands leaves at most 64 idle sockets on the NAS (reqwest alone keeps
    /// every one of them, for 90 s).
    pub const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = 64;
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Self::DEFAULT_TIMEOUT,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            max_response_size: Self::DEFAULT_MAX_RESPONSE_SIZE,
            relogin_backoff: Self::DEFAULT_RELOGIN_BACKOFF,
            relogin_backoff_max: Self::DEFAULT_RELOGIN_BACKOFF_MAX,
            allow_insecure_http: false,
            gzip: Self::DEFAULT_GZIP,
            pool_max_idle_per_host: Self::DEFAULT_POOL_MAX_IDLE_PER_HOST,
        }
    }
}

impl Settings {
    /// The wait before re-login attempt `failures + 1`, after `failures` failures (>= 1).
    pub(crate) fn backoff_after(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(32);
        self.relogin_backoff
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.relogin_backoff_max)
    }
}

#[cfg(test)]
mod tests {
    use super::Settings;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let s = Settings {
            relogin_backoff: Duration::from_millis(200),
            relogin_backoff_max: Duration::from_secs(1),
            ..Settings::default()
        };
        let waits: Vec<u128> = (1..=6).map(|n| s.backoff_after(n).as_millis()).collect();
        assert_eq!(waits, [200, 400, 800, 1000, 1000, 1000]);
        assert_eq!(s.backoff_after(u32::MAX), Duration::from_secs(1));
    }
}

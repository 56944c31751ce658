//! Shared server state (a cheap handle) and the per-connection slot.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use uuid::Uuid;

use super::limits::Limits;
use super::respond::FixedHeaders;
use crate::auth::{ConnectionAuth, Logon};
use crate::journal::{Journal, Redactor};
use crate::profile::{Profile, derived_id};
use crate::rest::RestState;
use crate::secret::Secret;
use crate::tls::ConnectionTls;

/// A clock returning Unix seconds (injectable for tests).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64))
}

struct Shared {
    profile: Profile,
    journal: Journal,
    redactor: Redactor,
    realm: String,
    fixed: FixedHeaders,
    lockouts: Mutex<HashMap<String, u32>>,
    next_connection: AtomicU64,
    clock: Clock,
    limits: Limits,
    /// Connections with a handshake in progress, oldest handshake first (for the server-wide
    /// cap): each entry is stamped with its handshake's number, and an entry whose connection
    /// has started a newer handshake since is stale (a connection holds one place at most).
    pending: Mutex<VecDeque<(u64, Weak<SlotAuth>)>>,
    /// Numbers handshakes, for the stamps above.
    next_handshake: AtomicU64,
    /// The control plane's per-start token (`Authorization: Bearer <token>`).
    control_token: Secret,
    /// The REST module's state: git repositories (created on first use, removed with the
    /// state) and rendered bodies.
    rest: RestState,
    /// Soft mode (`crate::soft`): refusals are served anyway and journaled.
    soft: AtomicBool,
}

/// The server's shared state. Cloning is cheap.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

impl AppState {
    /// State for one server: `realm` is TFS's Basic realm (the public URL, or the bound address).
    pub fn new(profile: Profile, realm: String, journal: Journal, clock: Clock) -> Self {
        Self::with_limits(profile, realm, journal, clock, Limits::default())
    }

    /// State with explicit limits.
    pub fn with_limits(profile: Profile, realm: String, journal: Journal, clock: Clock, limits: Limits) -> Self {
        let control_token = Secret::new(crate::control::new_token());
        let redactor = Redactor::with_extra(&profile, vec![crate::control::token_spec(&control_token)]);
        journal.set_redactor(redactor.clone());
        let fixed = FixedHeaders::new(&profile, Uuid::new_v4(), derived_id(&["deployment"]));
        Self {
            shared: Arc::new(Shared {
                profile,
                journal,
                redactor,
                realm,
                fixed,
                lockouts: Mutex::default(),
                next_connection: AtomicU64::new(1),
                clock,
                limits,
                pending: Mutex::default(),
                next_handshake: AtomicU64::new(1),
                control_token,
                rest: RestState::default(),
                soft: AtomicBool::new(false),
            }),
        }
    }

    /// Turns soft mode on or off (`crate::soft`).
    pub fn set_soft(&self, soft: bool) {
        self.shared.soft.store(soft, Ordering::Relaxed);
    }

    /// Whether soft mode is on.
    pub fn soft(&self) -> bool {
        self.shared.soft.load(Ordering::Relaxed)
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.shared.profile
    }

    /// The REST module's state (git repositories, rendered bodies).
    pub fn rest(&self) -> &RestState {
        &self.shared.rest
    }

    /// The journal.
    pub fn journal(&self) -> &Journal {
        &self.shared.journal
    }

    /// The redactor for this profile's secrets.
    pub fn redactor(&self) -> &Redactor {
        &self.shared.redactor
    }

    /// TFS's Basic realm.
    pub fn realm(&self) -> &str {
        &self.shared.realm
    }

    /// The header values fixed for this server's life (its process and deployment ids).
    pub fn fixed_headers(&self) -> &FixedHeaders {
        &self.shared.fixed
    }

    /// The server's limits.
    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    /// The control plane's token, new at every start; the standalone server prints it once.
    pub fn control_token(&self) -> &Secret {
        &self.shared.control_token
    }

    /// Stores a connection's next Windows state, keeping at most `max_pending_handshakes`
    /// connections with a handshake in progress server-wide: past the cap the connection whose
    /// handshake is oldest forgets it, as a server under a flood of NEGOTIATEs would. A
    /// connection holds one place however many handshakes it runs (each new one moves it to
    /// the back), so a long-lived keep-alive connection is never evicted by its own handshakes.
    pub fn set_connection_auth(&self, slot: &ConnSlot, next: ConnectionAuth) {
        let starts_handshake = matches!(next, ConnectionAuth::Pending { .. });
        let stamp = self.shared.next_handshake.fetch_add(1, Ordering::Relaxed);
        let mut auth = slot.inner.auth.lock().unwrap_or_else(PoisonError::into_inner);
        *auth = next;
        slot.inner.handshake.store(if starts_handshake { stamp } else { 0 }, Ordering::Relaxed);
        drop(auth);
        if !starts_handshake {
            return;
        }
        let cap = self.shared.limits.max_pending_handshakes.max(1);
        let mut pending = self.shared.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.push_back((stamp, Arc::downgrade(&slot.inner)));
        if pending.len() <= cap {
            return;
        }
        pending.retain(|(stamp, weak)| weak.upgrade().is_some_and(|inner| inner.is_pending(*stamp)));
        while pending.len() > cap {
            if let Some(inner) = pending.pop_front().and_then(|(_, weak)| weak.upgrade()) {
                *inner.auth.lock().unwrap_or_else(PoisonError::into_inner) = ConnectionAuth::None;
                inner.handshake.store(0, Ordering::Relaxed);
            }
        }
    }

    /// Unix seconds now.
    pub fn now(&self) -> i64 {
        (self.shared.clock)()
    }

    /// A new connection slot with the next connection number.
    pub fn new_connection(&self) -> ConnSlot {
        ConnSlot { id: self.shared.next_connection.fetch_add(1, Ordering::Relaxed), inner: Arc::default(), tls: None }
    }

    /// Failed logons counted for an account.
    pub fn failed_logons(&self, account: &str) -> u32 {
        self.lockouts().get(&account.to_ascii_lowercase()).copied().unwrap_or(0)
    }

    /// Counts a logon (a success resets the counter, as Active Directory does).
    pub fn record_logon(&self, logon: &Logon) {
        let mut map = self.lockouts();
        match logon {
            Logon::Failed { account } => *map.entry(account.to_ascii_lowercase()).or_default() += 1,
            Logon::Succeeded { account } => {
                map.remove(&account.to_ascii_lowercase());
            }
        }
    }

    /// The failure counters, by account.
    pub fn lockout_counts(&self) -> HashMap<String, u32> {
        self.lockouts().clone()
    }

    /// Unlocks one account, or all.
    pub fn reset_lockouts(&self, account: Option<&str>) {
        let mut map = self.lockouts();
        match account {
            Some(a) => {
                map.remove(&a.to_ascii_lowercase());
            }
            None => map.clear(),
        }
    }

    fn lockouts(&self) -> MutexGuard<'_, HashMap<String, u32>> {
        self.shared.lockouts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A connection's Windows state and the number of the handshake it has in progress (0: none).
#[derive(Debug, Default)]
struct SlotAuth {
    auth: Mutex<ConnectionAuth>,
    handshake: AtomicU64,
}

impl SlotAuth {
    /// Whether handshake `stamp` is the one this connection still has in progress.
    fn is_pending(&self, stamp: u64) -> bool {
        let auth = self.auth.lock().unwrap_or_else(PoisonError::into_inner);
        matches!(*auth, ConnectionAuth::Pending { .. }) && self.handshake.load(Ordering::Relaxed) == stamp
    }
}

/// The Windows authentication slot of one TCP connection, attached to each of its requests.
#[derive(Clone, Debug)]
pub struct ConnSlot {
    /// The connection's number.
    pub id: u64,
    inner: Arc<SlotAuth>,
    /// The connection's TLS channel; `None` for plain http.
    pub tls: Option<ConnectionTls>,
}

impl ConnSlot {
    /// The slot of a connection that completed a TLS handshake.
    pub fn with_tls(mut self, tls: ConnectionTls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// The connection's current Windows state.
    pub fn auth(&self) -> ConnectionAuth {
        self.inner.auth.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Replaces the connection's Windows state (outside the server-wide handshake count: use
    /// [`AppState::set_connection_auth`] on the request path).
    pub fn set_auth(&self, auth: ConnectionAuth) {
        *self.inner.auth.lock().unwrap_or_else(PoisonError::into_inner) = auth;
        self.inner.handshake.store(0, Ordering::Relaxed);
    }
}

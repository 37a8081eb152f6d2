// Package store persists everything in relman/model in one bbolt file, with
// a versioned schema, ordered migrations and a tamper-evident audit trail.
//
// # Sharing the file
//
// A TUI and several CLI commands may use one store at once, so a Store does
// not keep the file open: every View or Update opens bbolt (read-only with a
// shared lock for View, read-write with an exclusive lock for Update), runs
// one transaction and closes it again: some 30 µs for a small read. A lock
// that cannot be taken within the timeout (3 s unless WithTimeout says
// otherwise) gives ErrBusy; nothing ever waits forever. Waiters take turns
// through a turnstile lock (lock_flock.go), so even a process writing back
// to back cannot shut out a reader. Each transaction also re-checks the
// schema version, so a newer relman migrating the file underneath a running
// one is noticed.
//
// # Files
//
//	relman.db       the bbolt store, 0600, in a 0700 directory
//	relman.db.key   the sealing key (32 random bytes, 0600) unless RELMAN_KEY is set
//	relman.db.lock  empty; its flock is the turnstile in front of the store's lock
//	relman.db.host_key(.pub)  relman serve's SSH host key (ed25519, 0600), unless --host-key
//	                names another; written by ui/serve, never read by store
//
// # Buckets
//
//	relman.db
//	├── meta          schema      → version, uint64 big-endian
//	│                 audit_head  → seq 8B BE | hash 64 hex   (O(1) append; the UI's change counter)
//	│                 audit_checkpoint → the latest admin's checkpoint: its message, then its armored
//	│                               signature (audit checkpoint); verify starts from it (no migration: absent = none)
//	├── environments  name        → model.Environment JSON (credentials are never in it)
//	├── secrets       name        → 0x01 | nonce 12B | AES-256-GCM(credentials JSON), AAD = name
//	├── crs           id 8B BE    → model.ChangeRequest JSON
//	├── cr_recent     updatedAt unix-nanos 8B BE | id 8B BE → status 0x00 env        (schema v2)
//	├── deployments   id 8B BE    → model.DeploymentRecord JSON
//	├── logs          id 8B BE    → model.DeploymentLog JSON
//	├── comparelogs   id 8B BE    → model.CompareLog JSON
//	├── blobs         sha256 hex  → bytes (retrieved packages, pre-deploy snapshots)
//	│                 signed_from → seq 8B BE: the first event that must be signed  (schema v5)
//	├── audit         seq 8B BE   → prevHash 64 hex | hash 64 hex | canonical event JSON
//	├── audit_sig     seq 8B BE   → SSHSIG signature (binary) of prevHash|canonical   (schema v5)
//	├── audit_entity  entity 0x00 entityID 0x00 seq 8B BE → empty                     (schema v3)
//	├── rollbacks     id 8B BE    → model.Rollback JSON                                 (schema v4)
//	├── users         name (lower case) → model.User JSON: roles, SSH public keys     (schema v5)
//	├── policies      "default" | env name → model.Policy JSON                         (schema v6)
//	├── snapshots     id 8B BE    → model.OrgSnapshot JSON: env, time, chunk blob keys (schema v6)
//	│                 (entries live in blobs: chunks of model.SnapshotEntry JSON, cut
//	│                 where a component name hashes to 0 mod 64, and each file's content,
//	│                 all by SHA-256, so snapshots share every unchanged chunk and file)
//	├── changelogs    id 8B BE    → model.ChangeLog JSON                               (schema v6)
//	└── awaiting      user 0x00 updatedAt unix-nanos 8B BE | kind 'c'|'d'|'r' 1B | id 8B BE
//	                  → stale 1B (0x01: decided on an earlier scope)                   (schema v7)
//	                  (who must decide on each pending change request, deployment record and
//	                  rollback, by model's Awaiting rule; rewritten by every Put of those
//	                  records in the same transaction; derived, so no event covers it and
//	                  Verify compares it with the records)
//
// IDs come from each bucket's NextSequence and are stored as 8-byte
// big-endian keys, so cursors walk them in numeric order. Values are copied
// out of transactions: bbolt memory is valid only until the transaction ends.
//
// # Audit trail
//
// Every change and the audit event that records it are written in the same
// Update, so they commit together or not at all. An event's stored value
// carries its hashes in front of its canonical encoding. Since schema v5
// every event is signed (SSHSIG, namespace relman) by a registered key of
// its user, handed in as a model.Signer — the store never looks for keys
// itself — and carries the hash of every change request, deployment record,
// rollback, environment, user, policy, snapshot and change log record its
// change wrote (States). Verify
// recomputes the chain, checks each signature against the keys the user
// held at that point (rebuilt from the user events themselves), and
// compares every such record with its last event; with a checkpoint kept
// elsewhere it also catches an older copy put back. Events written before
// v5 stay as they were and are reported as unsigned, never as proven.
//
// Verify reads the trail once, with memory bounded by the number of records
// (a batch of events at a time, read in place from bbolt's memory). It
// always recomputes the whole chain and compares every record; it checks
// signatures only after the checkpoint kept in meta (and of the user events
// before it) when an admin's key signed that checkpoint and its hash
// matches the recomputed chain — otherwise, or with Full, every signature.
//
// Backup writes a hot copy (one read transaction) beside the target and
// renames it into place.
//
// # Secrets
//
// Environment credentials are sealed with AES-256-GCM under a key from
// RELMAN_KEY or from a 0600 key file beside the store (<store>.key), created
// on first need. They are never written in clear, printed or put in errors.
//
// store may import relman/model/..., the standard library and bbolt; never
// orgclient, diff, ui, net/http or the Charm libraries.
package store

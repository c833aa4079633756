//! The PostgreSQL schema and its migrations, and the session settings that
//! make an acknowledged write durable.
//!
//! The tables are SQLite's ([`crate::store::sqlite::schema`]) in
//! PostgreSQL's types, with two differences that several nodes need:
//! `objects.seq` gives the creation order SQLite's rowid gives, and what
//! each scope holds is counted per node (`scope_usage`, summed when
//! read), so that two nodes writing to one scope never wait on one
//! counter row, nor deadlock on two. The version is the row count of
//! `kmip_schema`; migrations run under an advisory lock, so nodes starting
//! together apply each once.

use postgres::Client;

use crate::store::DbError;

/// Migrations, in order; the schema version is their count.
const MIGRATIONS: &[&str] = &[
    // 1: the credential registry (scopes with their quotas, roles,
    // credentials), managed objects and their attributes, the usage
    // counters kept by a trigger in every write's transaction, the row
    // readiness probes write, lifecycle policies with their event outbox
    // and notification sinks, the anomaly detectors' memory of who read
    // which key, and what the nodes of a cluster share (crate::cluster).
    "CREATE TABLE scopes (
        name TEXT PRIMARY KEY,
        created BIGINT NOT NULL,
        max_objects BIGINT,
        max_bytes BIGINT
     );
     CREATE TABLE roles (
        scope TEXT NOT NULL REFERENCES scopes(name),
        name TEXT NOT NULL,
        operations TEXT NOT NULL,
        tls_key_type TEXT NOT NULL,
        tls_ttl_secs BIGINT NOT NULL,
        created BIGINT NOT NULL,
        PRIMARY KEY (scope, name)
     );
     CREATE TABLE credentials (
        serial TEXT PRIMARY KEY,
        scope TEXT NOT NULL,
        role TEXT NOT NULL,
        subject TEXT NOT NULL,
        not_after BIGINT NOT NULL,
        created BIGINT NOT NULL,
        revoked BIGINT
     );
     CREATE INDEX credentials_by_role ON credentials(scope, role);
     CREATE TABLE registry_generation (value BIGINT NOT NULL);
     INSERT INTO registry_generation VALUES (0);
     CREATE TABLE lifecycle_policies (
        scope TEXT NOT NULL REFERENCES scopes(name),
        name TEXT NOT NULL,
        match_group TEXT,
        match_name_prefix TEXT,
        rotate_every BIGINT NOT NULL,
        deactivate_after BIGINT,
        archive_after BIGINT,
        destroy_after BIGINT,
        notify_before BIGINT,
        created BIGINT NOT NULL,
        PRIMARY KEY (scope, name)
     );
     CREATE TABLE lifecycle_events (
        seq BIGSERIAL NOT NULL,
        id TEXT PRIMARY KEY,
        time BIGINT NOT NULL,
        event TEXT NOT NULL,
        scope TEXT NOT NULL,
        policy TEXT NOT NULL,
        uid TEXT NOT NULL,
        due BIGINT NOT NULL,
        detail TEXT NOT NULL
     );
     CREATE INDEX events_by_uid ON lifecycle_events(uid, event);
     CREATE TABLE notify_sinks (
        id BIGSERIAL PRIMARY KEY,
        url TEXT NOT NULL,
        secret_file TEXT NOT NULL,
        events TEXT NOT NULL,
        ca_file TEXT,
        created BIGINT NOT NULL
     );
     CREATE TABLE notify_deliveries (
        seq BIGSERIAL NOT NULL,
        event TEXT NOT NULL REFERENCES lifecycle_events(id),
        sink BIGINT NOT NULL REFERENCES notify_sinks(id) ON DELETE CASCADE,
        attempts BIGINT NOT NULL DEFAULT 0,
        next_attempt BIGINT NOT NULL,
        delivered BIGINT,
        last_error TEXT,
        PRIMARY KEY (event, sink)
     );
     CREATE INDEX deliveries_due ON notify_deliveries(next_attempt) WHERE delivered IS NULL;
     CREATE TABLE material_readers (
        serial TEXT NOT NULL,
        uid TEXT NOT NULL,
        first BIGINT NOT NULL,
        PRIMARY KEY (serial, uid)
     );
     CREATE TABLE cluster_files (
        name TEXT PRIMARY KEY,
        content BYTEA NOT NULL,
        created BIGINT NOT NULL
     );
     CREATE TABLE scope_usage (
        scope TEXT NOT NULL REFERENCES scopes(name) ON DELETE CASCADE,
        node TEXT NOT NULL,
        objects BIGINT NOT NULL DEFAULT 0,
        bytes BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, node)
     );
     CREATE TABLE objects (
        seq BIGSERIAL NOT NULL,
        uid TEXT PRIMARY KEY,
        scope TEXT NOT NULL REFERENCES scopes(name),
        object_type BIGINT NOT NULL,
        created BIGINT NOT NULL,
        state BIGINT NOT NULL DEFAULT 1,
        sealed BYTEA,
        attribute_bytes BIGINT NOT NULL DEFAULT 0,
        due BIGINT
     );
     CREATE INDEX objects_by_scope ON objects(scope, seq);
     CREATE INDEX objects_by_type ON objects(scope, object_type, state);
     CREATE INDEX objects_due ON objects(due) WHERE due IS NOT NULL;
     CREATE TABLE attributes (
        uid TEXT NOT NULL REFERENCES objects(uid) ON DELETE CASCADE,
        name TEXT NOT NULL,
        idx INTEGER NOT NULL,
        value BYTEA NOT NULL,
        PRIMARY KEY (uid, name, idx)
     );
     CREATE INDEX attributes_name ON attributes(value) WHERE name = 'Name';
     CREATE INDEX attributes_object_group ON attributes(value) WHERE name = 'Object Group';
     CREATE INDEX attributes_alternative_name ON attributes(value) WHERE name = 'Alternative Name';
     CREATE INDEX attributes_application_info ON attributes(value) WHERE name = 'Application Specific Information';
     CREATE INDEX attributes_link ON attributes(value) WHERE name = 'Link';
     CREATE INDEX attributes_revoked ON attributes(uid) WHERE name = 'Revocation Reason';
     CREATE TABLE health (node TEXT PRIMARY KEY, checked BIGINT NOT NULL);
     -- Objects count until destroyed (state 5 or 6); bytes are sealed
     -- material plus attribute values (objects.attribute_bytes).
     CREATE FUNCTION kmip_count_objects() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE
        d_objects BIGINT := 0;
        d_bytes BIGINT := 0;
        s TEXT;
     BEGIN
        IF TG_OP <> 'INSERT' THEN
            s := OLD.scope;
            d_objects := d_objects - (OLD.state < 5)::int;
            d_bytes := d_bytes - coalesce(octet_length(OLD.sealed), 0) - OLD.attribute_bytes;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            s := NEW.scope;
            d_objects := d_objects + (NEW.state < 5)::int;
            d_bytes := d_bytes + coalesce(octet_length(NEW.sealed), 0) + NEW.attribute_bytes;
        END IF;
        IF d_objects <> 0 OR d_bytes <> 0 THEN
            INSERT INTO scope_usage AS u (scope, node, objects, bytes)
            VALUES (s, coalesce(nullif(current_setting('kmip.node', true), ''), 'admin'), d_objects, d_bytes)
            ON CONFLICT (scope, node) DO UPDATE
            SET objects = u.objects + EXCLUDED.objects, bytes = u.bytes + EXCLUDED.bytes;
        END IF;
        RETURN NULL;
     END $$;
     CREATE TRIGGER objects_counted AFTER INSERT OR DELETE OR UPDATE OF state, sealed, attribute_bytes
        ON objects FOR EACH ROW EXECUTE FUNCTION kmip_count_objects();
     -- Every change of an object row tells every node, on commit, to
     -- forget the object (crate::store::postgres, cache coherence): a
     -- change made any way at all, the admin CLI's included.
     CREATE FUNCTION kmip_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('kmip_objects', OLD.scope || '/' || OLD.uid);
        ELSE
            PERFORM pg_notify('kmip_objects', NEW.scope || '/' || NEW.uid);
        END IF;
        RETURN NULL;
     END $$;
     CREATE TRIGGER objects_notified AFTER INSERT OR DELETE OR UPDATE
        ON objects FOR EACH ROW EXECUTE FUNCTION kmip_notify_change();",
];

/// The advisory lock key migrations take ("kmip" in ASCII).
const MIGRATION_LOCK: i64 = 0x6b6d_6970;

/// Brings the schema of the database `client` is connected to up to date.
pub fn migrate(client: &mut Client) -> Result<(), DbError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS kmip_schema (version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)")?;
    let version: i64 = tx.query_one("SELECT count(*) FROM kmip_schema", &[])?.get(0);
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(DbError(format!(
            "the database has schema version {version}, newer than this server's {}: use a newer server",
            MIGRATIONS.len()
        )));
    }
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        tx.batch_execute(sql)?;
        let n = i32::try_from(n).unwrap_or(i32::MAX).saturating_add(1);
        tx.execute(
            "INSERT INTO kmip_schema (version, applied) VALUES ($1, $2)",
            &[&n, &crate::store::unix_now()],
        )?;
    }
    tx.commit()?;
    Ok(())
}

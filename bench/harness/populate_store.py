#!/usr/bin/env python3
"""Fill a kyc-webhooks SQLite store with N recorded events, for the store-scale benchmark (bench/store-scale.sh).

The store must already exist with the daemon's schema (the benchmark starts the daemon once on an empty
folder and stops it). Rows are written the way the store keeps them: an events row (every indexed column,
the event JSON and the raw body, ~2.4 KB together), its event_keys and event_people rows, and one `crm`
delivery, done (1% dead).
Events are spread over the 365 days before --now, in receive order, across the documented Gu1 families and
ARGOS, ~3 events a subject and ~3 subjects a person. Deterministic (seeded); stdlib only.

  populate_store.py STORE_FILE --events 1000000 [--now EPOCH_MS]
"""
import argparse, json, random, sqlite3, time, uuid

TYPES = [  # (type, source, outcome, weight)
    ("kyc.validation_created", "gu1.kyc", "created", 12),
    ("kyc.validation_in_progress", "gu1.kyc", "in_progress", 12),
    ("kyc.validation_in_review", "gu1.kyc", "in_review", 5),
    ("kyc.validation_approved", "gu1.kyc", "approved", 14),
    ("kyc.validation_rejected", "gu1.kyc", "rejected", 4),
    ("kyc.validation_expired", "gu1.kyc", "expired", 1),
    ("biometric.session_created", "gu1.biometric", "created", 6),
    ("biometric.session_approved", "gu1.biometric", "approved", 6),
    ("biometric.session_rejected", "gu1.biometric", "rejected", 1),
    ("transaction.status_changed", "gu1.transaction", "approved", 20),
    ("entity.created", "gu1.entity", "created", 5),
    ("rule.triggered", "gu1.rule", "triggered", 4),
    ("argos.approved", "argos", "approved", 6),
    ("argos.rejected", "argos", "rejected", 2),
    ("argos.created", "argos", "created", 2),
]


def bucket(value):
    """The store's person bucket (PersonBucket in Sources/WebhookStore/Support/StoreSupport.swift): FNV-1a, % 8."""
    h = 2166136261
    for byte in value.encode():
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h % 8


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--now", type=int, default=int(time.time() * 1000))
    args = parser.parse_args()
    rng = random.Random(20261207)
    u = lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))
    weights = [t[3] for t in TYPES]
    start = args.now - 365 * 86_400_000
    step = (365 * 86_400_000) // max(1, args.events)
    people = max(1, args.events // 9)
    person_entities = {}

    db = sqlite3.connect(args.store, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA foreign_keys = ON")
    first_id = (db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]) + 1
    batch = 10_000
    subject = None
    for base in range(0, args.events, batch):
        events, keys, deliveries, people_rows = [], [], [], []
        for i in range(base, min(base + batch, args.events)):
            event_id = first_id + i
            if subject is None or rng.random() < 0.34:
                subject = u()
                person = rng.randrange(people)
            external_id = "cust-%07d" % person
            entity_id = person_entities.setdefault(person, u())
            kind, source, outcome, _ = rng.choices(TYPES, weights)[0]
            received = start + i * step + rng.randrange(step or 1)
            occurred = received - rng.randrange(5000)
            key = "%s:%s@%s" % (kind, subject, iso(occurred))
            payload = {
                "id": subject, "entityId": entity_id, "status": outcome, "verifiedAt": iso(occurred),
                "entity": {"externalId": external_id, "type": "person"},
                "extractedData": {
                    "firstName": "Jane", "lastName": "Roe", "dateOfBirth": "1985-03-14", "nationality": "ES",
                    "documentNumber": "X%07dL" % (i % 9_999_999), "documentType": "national_id",
                    "address": {"street": "Calle de Alcala 123, 4B", "city": "Madrid", "postalCode": "28009"},
                },
                "checks": [{"name": n, "result": "clear", "score": rng.randrange(100)}
                           for n in ("document", "face", "liveness", "sanctions", "pep", "adverse_media")],
                "notes": "x" * 300,
            }
            raw = json.dumps({"event": kind, "timestamp": iso(occurred), "payload": payload},
                             separators=(",", ":")).encode()
            event = {
                "key": key, "source": source, "type": kind, "outcome": outcome, "subjectId": subject,
                "entityId": entity_id, "externalId": external_id, "organizationId": "org-1", "status": outcome,
                "occurredAt": iso(occurred), "receivedAt": iso(received), "deliveryId": None,
                "route": "/webhooks/argos" if source == "argos" else "/webhooks/gu1", "rejection": None,
                "stale": False, "payload": payload,
            }
            event_json = json.dumps(event, separators=(",", ":")).encode()
            events.append((event_id, key, kind, source, outcome, subject, event["route"], iso(received), received,
                           event_json, raw, iso(occurred), occurred, external_id, entity_id))
            keys.append((event_id, key))
            people_rows.append((bucket(external_id), event_id, "externalId", external_id))
            people_rows.append((bucket(entity_id), event_id, "entityId", entity_id))
            state = "dead" if rng.random() < 0.01 else "done"
            deliveries.append((event_id, key, "crm", state, 1, received, received))
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO events (id, key, type, source, outcome, subject_id, route, received_at, received_ms,"
            " event_json, raw_body, occurred_at, occurred_ms, external_id, entity_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        db.executemany("INSERT INTO event_keys (id, key) VALUES (?, ?)", keys)
        db.executemany("INSERT INTO event_people (bucket, event_id, name, value) VALUES (?, ?, ?, ?)", people_rows)
        db.executemany(
            "INSERT INTO deliveries (event_id, event_key, handler, state, attempts, next_attempt_ms, updated_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", deliveries)
        db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


if __name__ == "__main__":
    main()

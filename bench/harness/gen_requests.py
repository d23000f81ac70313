#!/usr/bin/env python3
"""Generate the benchmark request data for the webhook load harness.

Writes (into --out, default bench/data, the folder beside this script's harness/ folder; gitignored):
  body.json          one compact Gu1 KYC webhook body (~1.2 KB), no trailing newline
  body.sig           lowercase hex HMAC-SHA256(secret, body.json)
  unique.tsv         N lines "<sig>\t<compact body>", each with a distinct payload.id
                     (and entityId / timestamp), signed individually
Deterministic (seeded) so runs are reproducible.  Stdlib only.
"""
import argparse, hashlib, hmac, json, os, random, uuid

def make_body(rng, i):
    u = lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))
    ts_s = 10 * 3600 + (i % 7200)  # spread timestamps a bit
    ts = "2025-01-07T%02d:%02d:%02dZ" % (ts_s // 3600, (ts_s // 60) % 60, ts_s % 60)
    entity_id = u()
    return {
        "event": "kyc.validation_approved",
        "timestamp": ts,
        "organizationId": "org-123",
        "payload": {
            "id": u(),
            "entityId": entity_id,
            "status": "approved",
            "verifiedAt": ts,
            "sessionId": u(),
            "workflow": "standard_kyc_v2",
            "riskScore": 12,
            "extractedData": {
                "firstName": "John",
                "lastName": "Doe",
                "dateOfBirth": "1985-03-14",
                "nationality": "ES",
                "documentNumber": "X%07dL" % (1000000 + i % 8999999),
                "documentType": "national_id",
                "documentExpiry": "2031-09-30",
                "address": {
                    "street": "Calle de Alcala 123, 4B",
                    "city": "Madrid",
                    "postalCode": "28009",
                    "region": "Comunidad de Madrid",
                    "country": "ES",
                },
            },
            "verifiedFields": [
                "firstName", "lastName", "dateOfBirth", "nationality",
                "documentNumber", "documentType", "documentExpiry", "address",
            ],
            "warnings": [],
            "decision": {
                "id_verification": "pass",
                "face_match": "pass",
                "liveness": "pass",
                "document_authenticity": "pass",
            },
            "entity": {
                "id": entity_id,
                "externalId": "customer_xyz789",
                "name": "John Doe",
                "type": "person",
                "entityData": {
                    "email": "john.doe@example.com",
                    "phone": "+34600111222",
                    "riskLevel": "low",
                },
                "attributes": {"segment": "retail", "source": "onboarding_app_v3"},
            },
        },
    }

def encode(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True).encode()

def sign(secret, body):
    return hmac.new(secret, body, hashlib.sha256).hexdigest()

def main():
    bench = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=20000, help="distinct signed requests for unique.tsv (default 20000)")
    ap.add_argument("--secret", default="whsec_bench")
    ap.add_argument("--out", default=os.path.join(bench, "data"))
    ap.add_argument("--seed", type=int, default=1207)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    secret = a.secret.encode()
    rng = random.Random(a.seed)

    body = encode(make_body(rng, 0))
    with open(os.path.join(a.out, "body.json"), "wb") as f:
        f.write(body)
    with open(os.path.join(a.out, "body.sig"), "w") as f:
        f.write(sign(secret, body))

    ids = set()
    with open(os.path.join(a.out, "unique.tsv"), "wb") as f:
        for i in range(a.n):
            obj = make_body(rng, i + 1)
            ids.add(obj["payload"]["id"])
            b = encode(obj)
            assert b"\t" not in b and b"\n" not in b
            f.write(sign(secret, b).encode() + b"\t" + b + b"\n")
    assert len(ids) == a.n
    print("body.json %d bytes, sig %s; unique.tsv %d distinct requests -> %s"
          % (len(body), sign(secret, body)[:16] + "...", a.n, a.out))

if __name__ == "__main__":
    main()

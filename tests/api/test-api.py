#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The REST API of a real ohed on a loopback port.

The authorization matrix is generated from the OpenAPI document the server
serves: every operation x {no token, wrong scope, another user's token, the
right token} against the status the document specifies. Then hostile bodies
(400/413/415 problem+json naming the field), the per-token rate limit (429
with Retry-After), the probes, the metrics and token revocation.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

results = []


def check(ok, name, detail=""):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}" + ("" if ok else f" # {detail}"))


def run(cmd, env):
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        print(f"Bail out! {' '.join(cmd)}: {out.stderr}")
        sys.exit(1)
    return out.stdout.strip()


def request(base, method, path, token=None, body=None, content_type="application/json",
            headers=None):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(base + path.lstrip("/"), data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def problem(status, headers, body, want_status, want_field, name):
    ctype = headers.get("Content-Type", "")
    try:
        doc = json.loads(body)
    except ValueError:
        doc = {}
    check(status == want_status and ctype.startswith("application/problem+json") and
          doc.get("status") == want_status and doc.get("field") == want_field,
          name, f"{status} {ctype} {body[:200]!r}")


def main():
    ohed, ohectl = sys.argv[1], sys.argv[2]
    src = os.environ["OHE_SOURCE_ROOT"]
    with tempfile.TemporaryDirectory(prefix="ohe-api-") as tmp:
        conf = os.path.join(tmp, "ohed.conf")
        with open(conf, "w") as f:
            f.write(f"""[daemon]
workers=1
plugin_dir={os.environ['OHE_TEST_PLUGIN_DIR']}
plugin_allow=synthetic,nullsink
sink=nullsink
state_dir={tmp}
[store]
sqlite_path={tmp}/ohed.db
schema_dir={src}/schemas
[api]
listen=127.0.0.1:0
threads=2
rate_limit=60
rate_burst=100
openapi_file={src}/data/openapi/ohed-api-v1.json
[plugin:nullsink]
record_path={tmp}/records.txt
""")
        env = dict(os.environ, OHED_CONFIG=conf)
        env.pop("G_DEBUG", None)
        run([ohectl, "user-add", "u1", "Patient/p1"], env)
        run([ohectl, "user-add", "u2", "Patient/p2"], env)
        link_u1 = run([ohectl, "link-add", "u1", "synthetic", "heart_rate"], env)
        tokens = {
            "admin": run([ohectl, "token", "create", "t-admin", "admin"], env),
            "operator": run([ohectl, "token", "create", "t-op", "operator"], env),
            "u1": run([ohectl, "token", "create", "t-u1", "user", "u1"], env),
            "u2": run([ohectl, "token", "create", "t-u2", "user", "u2"], env),
            "flood": run([ohectl, "token", "create", "t-flood", "operator"], env),
        }
        check(all(re.fullmatch(r"ohe_[A-Za-z0-9_-]{43}", t) for t in tokens.values()),
              "ohectl token create prints one ohe_ secret per token")
        listing = run([ohectl, "token", "list"], env)
        check("t-u1\tuser\tu1" in listing and not any(t in listing for t in tokens.values()),
              "token list shows name, scope and user, never a secret")
        db = open(os.path.join(tmp, "ohed.db"), "rb").read()
        check(not any(t.encode() in db for t in tokens.values()),
              "the store holds no token secret")

        proc, base, lines = start(ohed, env)
        try:
            if base is None:
                print("Bail out! ohed did not report its API address: " + "".join(lines)[-500:])
                sys.exit(1)
            test_server(base, tokens, link_u1, env, ohectl)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        test_tls(ohed, conf, tmp, env)
    print(f"1..{len(results)}")
    sys.exit(0 if all(results) else 1)


def start(ohed, env):
    proc = subprocess.Popen([ohed], env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    lines = []
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"api: listening on (https?://127\.0\.0\.1:\d+/)", line)
        if m:
            # keep reading, so a chatty daemon never blocks on a full pipe
            threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()
            return proc, m.group(1), lines
    proc.wait(timeout=30)
    lines += proc.stderr.readlines()
    return proc, None, lines


def test_tls(ohed, conf, tmp, env):
    """[api] tls_certificate_file and tls_key_file: HTTPS only, an open key is refused"""
    import shutil
    import ssl
    if shutil.which("openssl") is None:
        check(True, "HTTPS # SKIP openssl not installed")
        return
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    tls_conf = os.path.join(tmp, "tls.conf")
    with open(conf) as f:
        text = f.read()
    with open(tls_conf, "w") as f:
        f.write(text.replace("[api]\n", f"[api]\ntls_certificate_file={cert}\ntls_key_file={key}\n"))
    tls_env = dict(env, OHED_CONFIG=tls_conf)
    os.chmod(key, 0o644)
    proc, base, lines = start(ohed, tls_env)
    if base is not None:
        proc.terminate()
        proc.wait(timeout=30)
    check(base is None and proc.returncode != 0 and
          any("tls_key_file" in l for l in lines), "a key readable by others is refused",
          "".join(lines)[-300:])
    os.chmod(key, 0o600)
    proc, base, lines = start(ohed, tls_env)
    try:
        check(base is not None and base.startswith("https://"), "ohed serves HTTPS",
              "".join(lines)[-300:])
        if base is None:
            return
        context = ssl.create_default_context(cafile=cert)
        with urllib.request.urlopen(base + "api/metrics/live/", context=context,
                                    timeout=10) as r:
            check(r.status == 200 and json.loads(r.read()) == {"alive": True},
                  "the live probe answers over TLS with the configured certificate")
        plain = base.replace("https://", "http://")
        try:
            urllib.request.urlopen(plain + "api/metrics/live/", timeout=10)
            check(False, "plain HTTP is not served on the TLS port", "answered")
        except (urllib.error.URLError, ConnectionError, OSError):
            check(True, "plain HTTP is not served on the TLS port")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_server(base, tokens, link_u1, env, ohectl):
    status, headers, body = request(base, "GET", "/api/v1/openapi.json")
    doc = json.loads(body)
    check(status == 200 and doc.get("openapi", "").startswith("3.1"),
          "the OpenAPI 3.1 document is served without a token")

    params = {"user_id": "u1", "link_id": link_u1}
    for path, item in doc["paths"].items():
        concrete = re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], path)
        methods = [m for m in item if m in ("get", "post", "put", "patch", "delete")]
        for method in methods:
            op = item[method]
            scopes = op["security"][0]["apiToken"] if op["security"] else []
            success = min(int(c) for c in op["responses"] if c.startswith("2"))
            body_example = None
            if "requestBody" in op:
                body_example = op["requestBody"]["content"]["application/json"]["example"]
            owned = "{" in path and "user" in scopes
            cases = []
            if not scopes:
                cases.append(("no token", None, success))
            else:
                cases.append(("no token", None, 401))
                cases.append(("bad token", "ohe_" + "A" * 43, 401))
                if "user" not in scopes:
                    cases.append(("wrong scope", tokens["u1"], 403))
                if owned:
                    cases.append(("other user's token", tokens["u2"], 404))
                right = "u1" if "user" in scopes else "operator"
                cases.append(("right token", tokens[right], success))
            for case, token, want in cases:
                status, headers, resp = request(base, method.upper(), concrete, token,
                                                body_example)
                documented = str(want) in op["responses"]
                check(status == want and documented,
                      f"{method.upper()} {path} with {case} → {want}",
                      f"got {status}, documented {documented}: {resp[:200]!r}")
                if status >= 400:
                    check(headers.get("Content-Type", "").startswith("application/problem+json"),
                          f"{method.upper()} {path} with {case} answers problem+json")
        # a method the document does not list does not exist on the server either
        for method in ("put", "patch", "delete"):
            if method in item:
                continue
            status, headers, _ = request(base, method.upper(), concrete, tokens["admin"])
            check(status == 405 and headers.get("Allow"),
                  f"{method.upper()} {path} → 405 with Allow", f"got {status}")

    status, _, _ = request(base, "GET", "/api/v1/nothing-here", tokens["admin"])
    check(status == 404, "an unknown route → 404")

    # the right user token sees its own link, and that link is u1's
    status, _, resp = request(base, "GET", "/api/v1/users/u1/links", tokens["u1"])
    links = json.loads(resp).get("links", [])
    check(status == 200 and [l["id"] for l in links] == [link_u1] and
          links[0]["provider"] == "synthetic" and links[0]["kinds"] == ["heart_rate"] and
          "token" not in links[0], "a user lists its own link, without token")
    status, _, resp = request(base, "GET", "/api/v1/users/u2/links", tokens["u2"])
    check(status == 200 and json.loads(resp)["links"] == [], "another user sees none of them")

    # hostile bodies
    ops = tokens["operator"]
    cases = [
        ({"id": "x1", "patient_reference": "Patient/x1", "admin": True}, 400, "admin",
         "an unknown member"),
        ({"id": 5, "patient_reference": "Patient/x1"}, 400, "id", "a number for a string"),
        ({"id": "x1"}, 400, "patient_reference", "a missing member"),
        ({"id": "x 1", "patient_reference": "Patient/x1"}, 400, "id", "a bad id"),
        ({"id": "x1", "patient_reference": "Observation/1"}, 400, "patient_reference",
         "a reference that is no Patient"),
        ({"id": "x" * 65, "patient_reference": "Patient/x1"}, 400, "id", "a too long id"),
    ]
    for body, want, field, name in cases:
        status, headers, resp = request(base, "POST", "/api/v1/users", ops, body)
        problem(status, headers, resp, want, field, f"POST /api/v1/users with {name} → {want}")
    status, headers, resp = request(base, "POST", "/api/v1/users", ops, b"[" * 200 + b"]" * 200)
    problem(status, headers, resp, 400, None, "a body nested 200 deep → 400")
    status, headers, resp = request(base, "POST", "/api/v1/users", ops, b"{\"id\": ")
    problem(status, headers, resp, 400, None, "truncated JSON → 400")
    status, headers, resp = request(base, "POST", "/api/v1/users", ops, b"x" * 70000)
    problem(status, headers, resp, 413, "Content-Length", "a 70 kB body → 413")
    status, headers, resp = request(base, "POST", "/api/v1/users", ops,
                                    b"id=x1", content_type="application/x-www-form-urlencoded")
    problem(status, headers, resp, 415, "Content-Type", "a form body → 415")
    status, headers, resp = request(base, "POST", "/api/v1/users", ops,
                                    {"id": "u1", "patient_reference": "Patient/p9"})
    problem(status, headers, resp, 409, "id", "an existing user id → 409")
    status, headers, resp = request(base, "POST", "/api/v1/users", ops,
                                    {"id": "new-1", "patient_reference": "Patient/n1"})
    check(status == 201 and headers.get("Location") == "/api/v1/users/new-1" and
          json.loads(resp) == {"id": "new-1", "patient_reference": "Patient/n1"},
          "a good body → 201 with Location")
    status, _, resp = request(base, "GET", "/api/v1/users/new-1", tokens["admin"])
    check(status == 200 and json.loads(resp)["patient_reference"] == "Patient/n1",
          "the new user reads back")

    # probes
    status, _, resp = request(base, "GET", "/api/metrics/health/")
    health = json.loads(resp)
    checks = health.get("checks", {})
    check(status == 200 and health.get("status") == "healthy" and
          all(k in checks and "status" in checks[k] and "response_time_ms" in checks[k]
              for k in ("store", "queue", "fhir_sink")) and checks["store"]["status"] == "ok",
          "health reports store, queue and sink with status and timing", resp[:300])
    status, _, resp = request(base, "GET", "/api/metrics/ready/")
    check(status == 200 and json.loads(resp)["ready"] is True, "ready")
    status, _, resp = request(base, "GET", "/api/metrics/live/")
    check(status == 200 and json.loads(resp) == {"alive": True}, "live")
    status, _, resp = request(base, "GET", "/metrics", tokens["admin"])
    text = resp.decode()
    check(status == 200 and re.search(
        r'ohe_api_requests_total\{method="GET",endpoint="/api/metrics/live/",status_code="200"\} [1-9]',
        text) is not None, "/metrics counts API requests by route and status")
    check("Bearer" not in text and not any(t in text for t in tokens.values()),
          "no token in the metrics")

    # rate limit: burst 100 per token
    codes = []
    for _ in range(110):
        status, headers, _ = request(base, "GET", "/api/v1/plugins", tokens["flood"])
        codes.append((status, headers.get("Retry-After")))
    limited = [c for c in codes if c[0] == 429]
    check(codes[0][0] == 200 and len(limited) >= 9 and
          all(r is not None and int(r) >= 1 for _, r in limited),
          "beyond the burst → 429 with Retry-After", f"{len(limited)} limited")
    status, _, _ = request(base, "GET", "/api/v1/plugins", tokens["operator"])
    check(status == 200, "the limit is per token: another token goes on")

    # revocation takes effect once the cached answer expires
    token_id = [l.split("\t")[0] for l in run([ohectl, "token", "list"], env).splitlines()
                if "\tt-u2\t" in l][0]
    run([ohectl, "token", "revoke", token_id], env)
    time.sleep(5.5)
    status, _, _ = request(base, "GET", "/api/v1/users/u2", tokens["u2"])
    check(status == 401, "a revoked token → 401")


if __name__ == "__main__":
    main()

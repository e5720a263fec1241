"""Signs in to the API the way docs/api.md describes and prints the session id and CSRF token.

Usage: fuzz_signin.py BASE_URL LOGIN PASSWORD [TOTP_SECRET]
Only the standard library: the one-time code is RFC 6238 (SHA-1, 30 s, 6 digits).
"""
import base64
import hashlib
import hmac
import http.cookiejar
import json
import struct
import sys
import time
import urllib.request


def totp(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 1_000_000:06d}"


def main() -> None:
    base, login, password = sys.argv[1:4]
    secret = sys.argv[4] if len(sys.argv) > 4 else ""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/api/v1/session") as r:
        csrf = json.load(r)["csrf_token"]
    body = {"login": login, "password": password}
    if secret:
        body["otp"] = totp(secret)
    req = urllib.request.Request(
        f"{base}/api/v1/session",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
        method="POST",
    )
    with opener.open(req) as r:
        signed_in = json.load(r)
    sid = next(c.value for c in jar if c.name.endswith("guohe_sid"))
    print(sid, signed_in["csrf_token"])


if __name__ == "__main__":
    main()
